/**
 * The language server against a real target: the demo login service attached by pid, real
 * logins on 127.0.0.1, and LSP requests on the real `.ts` sources of the demo.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { Hover, InlayHint, CodeLens, CodeAction } from 'vscode-languageserver-protocol';

import {
  Methods,
  type AttachResult,
  type DetachResult,
  type ListProcessesResult,
  type OpenSessionResult,
  type ProfileNextRequestResult,
  type SaveSessionResult,
  type TimelineDataResult,
} from '../../src/shared/protocol';
import type { TimelineModel } from '../../src/shared/webviewMessages';
import { DEMO_ROOT, keepLoggingIn, startDemo, type Demo } from './demo';
import { startLspClient, type LspClient } from './lspClient';

const AUTH = join(DEMO_ROOT, 'src', 'auth.ts');
const ROUTES = join(DEMO_ROOT, 'src', 'routes.ts');
const AUTH_URI = pathToFileURL(AUTH).href;
const ROUTES_URI = pathToFileURL(ROUTES).href;
const authText = readFileSync(AUTH, 'utf8');
const routesText = readFileSync(ROUTES, 'utf8');
/** 0-based line of the `pbkdf2Sync` call in verifyPassword: the known hot line. */
const PBKDF2_LINE = authText
  .split('\n')
  .findIndex(line => line.includes('crypto.pbkdf2Sync(attempt'));
const LOGIN_HANDLER_LINE = routesText
  .split('\n')
  .findIndex(line => line.includes("path === '/login'"));

let demo: Demo;
let lsp: LspClient;
const scratch = mkdtempSync(join(tmpdir(), 'gapscope-server-test-'));

before(async () => {
  assert.ok(PBKDF2_LINE > 0 && LOGIN_HANDLER_LINE > 0, 'the demo sources changed shape');
  demo = await startDemo();
  lsp = await startLspClient({ liveUpdateIntervalMs: 500, hotLineThresholdMs: 1 }, DEMO_ROOT);
  for (const [uri, text] of [
    [AUTH_URI, authText],
    [ROUTES_URI, routesText],
  ] as const) {
    void lsp.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'typescript', version: 1, text },
    });
  }
});

after(async () => {
  await lsp?.stop();
  await demo?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

test('lists the demo among the Node processes', async () => {
  const result = await lsp.connection.sendRequest<ListProcessesResult>(Methods.listProcesses, {});
  const info = result.processes.find(p => p.pid === demo.pid);

  assert.ok(info, `pid ${demo.pid} missing`);
  assert.ok(info.listeningPorts.includes(demo.port));
});

test('attached live, the pbkdf2Sync line becomes the hot line of POST /login', async () => {
  const attached = await lsp.connection.sendRequest<AttachResult>(Methods.attach, {
    target: String(demo.pid),
  });
  assert.ok(attached.ok, JSON.stringify(attached));
  assert.equal(attached.state.kind, 'live');

  const load = keepLoggingIn(demo.port);
  try {
    const update = await lsp.waitForUpdate(
      u => u.files.some(f => f.uri === AUTH_URI && f.lines.some(l => l.line === PBKDF2_LINE + 1)),
      'the pbkdf2Sync line marked',
    );
    const marks = update.files.find(f => f.uri === AUTH_URI)!.lines;
    const hottest = [...update.files.flatMap(f => f.lines)].sort((a, b) => b.heat - a.heat)[0]!;
    const pbkdf2 = marks.find(l => l.line === PBKDF2_LINE + 1)!;

    assert.equal(pbkdf2.endpoint, 'POST /login');
    assert.equal(pbkdf2.heat, 1, `the hottest line is ${hottest.line} of its file, not pbkdf2Sync`);
    assert.match(pbkdf2.label, /^[\d,.]+ ms\/req · \d+% POST \/login$/);
    assert.equal(update.state.kind, 'live');
    assert.ok(update.state.requests > 0);
  } finally {
    await load.stop();
  }
});

test('inlay hint, hover and code lens describe the hot line on the real sources', async () => {
  const hints = await lsp.connection.sendRequest<InlayHint[]>('textDocument/inlayHint', {
    textDocument: { uri: AUTH_URI },
    range: { start: { line: 0, character: 0 }, end: { line: 200, character: 0 } },
  });
  const hint = hints.find(h => h.position.line === PBKDF2_LINE);
  assert.ok(hint, JSON.stringify(hints));
  assert.equal(hint.position.character, authText.split('\n')[PBKDF2_LINE]!.length);
  assert.match(String(hint.label), /ms\/req · \d+% POST \/login/);

  const hover = await lsp.connection.sendRequest<Hover | null>('textDocument/hover', {
    textDocument: { uri: AUTH_URI },
    position: { line: PBKDF2_LINE, character: 10 },
  });
  const markdown = (hover?.contents as { value: string } | undefined)?.value ?? '';
  assert.match(markdown, /\| POST \/login \| [\d,.]+ ms \| \d+% \| \d+ \|/);
  assert.match(markdown, /pbkdf2/i);
  assert.match(markdown, /command:gapscope\.showTimeline\?/);

  const lenses = await lsp.connection.sendRequest<CodeLens[]>('textDocument/codeLens', {
    textDocument: { uri: ROUTES_URI },
  });
  const titles = lenses
    .filter(l => l.range.start.line === LOGIN_HANDLER_LINE)
    .map(l => l.command?.title);
  assert.match(
    titles[0] ?? '',
    /^POST \/login · p50 [\d,.]+ ms · [\d,.]+ ms untraced · \d+% explained$/,
  );
  assert.equal(titles[1], 'Profile next request');
});

test('code actions offer a span exactly where the time was untraced', async () => {
  const actions = await lsp.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri: AUTH_URI },
    range: { start: { line: PBKDF2_LINE, character: 0 }, end: { line: PBKDF2_LINE, character: 0 } },
    context: { diagnostics: [] },
  });
  const update = lsp.updates.at(-1)!;
  const mark = update.files
    .find(f => f.uri === AUTH_URI)
    ?.lines.find(l => l.line === PBKDF2_LINE + 1);

  if (mark?.untraced) {
    const edits = actions[0]?.edit?.changes?.[AUTH_URI] ?? [];
    assert.equal(actions[0]?.title, 'Add a span here');
    assert.ok(
      edits.some(e => /startActiveSpan\('verifyPassword\.pbkdf2Sync'/.test(e.newText)),
      JSON.stringify(edits),
    );
  } else {
    assert.deepEqual(actions, []);
  }
});

test('hints follow an edit: two lines inserted above move the hint down by two', async () => {
  void lsp.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri: AUTH_URI, version: 2 },
    contentChanges: [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        text: '// a\n// b\n',
      },
    ],
  });
  const hints = await lsp.connection.sendRequest<InlayHint[]>('textDocument/inlayHint', {
    textDocument: { uri: AUTH_URI },
    range: { start: { line: 0, character: 0 }, end: { line: 200, character: 0 } },
  });

  assert.ok(
    hints.some(h => h.position.line === PBKDF2_LINE + 2),
    JSON.stringify(hints),
  );
  assert.ok(!hints.some(h => h.position.line === PBKDF2_LINE));
});

test('timeline data, save, detach (marks cleared) and reopen the saved session', async () => {
  const timeline = await lsp.connection.sendRequest<TimelineDataResult>(Methods.timelineData, {
    query: 'snapshot',
  });
  assert.ok(timeline.model?.endpoints.some(e => e.key === 'POST /login'));
  const requestId = timeline.model!.requests[0]!.id;
  const detail = await lsp.connection.sendRequest<TimelineDataResult>(Methods.timelineData, {
    query: 'request',
    requestId,
  });
  assert.equal(detail.detail?.row.id, requestId);

  const path = join(scratch, 'live.gapscope.json');
  const saved = await lsp.connection.sendRequest<SaveSessionResult>(Methods.saveSession, { path });
  assert.ok(saved.ok && existsSync(path), JSON.stringify(saved));

  const seen = lsp.updates.length;
  const detached = await lsp.connection.sendRequest<DetachResult>(Methods.detach, {});
  assert.equal(detached.state.kind, 'none');
  await lsp.waitForUpdate(
    u => lsp.updates.indexOf(u) >= seen && u.state.kind === 'none',
    'detach',
    10_000,
  );
  assert.deepEqual(lsp.updates.at(-1)!.files, []);

  const opened = await lsp.connection.sendRequest<OpenSessionResult>(Methods.openSession, { path });
  assert.ok(opened.ok, JSON.stringify(opened));
  assert.equal(opened.state.kind, 'saved');
  const reloaded = await snapshot();
  assert.ok(reloaded.model?.sessionId, 'the opened session has an id');
  assert.notEqual(reloaded.model.sessionId, timeline.model!.sessionId, 'a new session id');
  const reopened = lsp.updates.at(-1)!;
  assert.ok(
    reopened.files.some(f => f.uri === AUTH_URI && f.lines.some(l => l.endpoint === 'POST /login')),
  );
});

test('a bad session file is refused as a value and the server keeps answering', async () => {
  const path = join(scratch, 'bad.gapscope.json');
  writeFileSync(path, '{"format":"gapscope-session","version":1,"profiles":"nope"');
  const opened = await lsp.connection.sendRequest<OpenSessionResult>(Methods.openSession, { path });

  assert.equal(opened.ok, false);
  assert.ok(!opened.ok && opened.error.code === 'bad-session-file', JSON.stringify(opened));
  const listed = await lsp.connection.sendRequest<ListProcessesResult>(Methods.listProcesses, {});
  assert.ok(Array.isArray(listed.processes));
});

test('profile next request captures one POST /login, then live resumes', async () => {
  const attached = await lsp.connection.sendRequest<AttachResult>(Methods.attach, {
    target: String(demo.pid),
  });
  assert.ok(attached.ok, JSON.stringify(attached));

  const armed = lsp.connection.sendRequest<ProfileNextRequestResult>(Methods.profileNextRequest, {
    endpoint: 'POST /login',
    timeoutMs: 30_000,
  });
  const load = keepLoggingIn(demo.port);
  try {
    const result = await armed;
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.request.endpoint, 'POST /login');
    assert.ok(result.request.cpuMs > 0, JSON.stringify(result.request));

    const seen = lsp.updates.length;
    const resumed = await lsp.waitForUpdate(
      u => lsp.updates.indexOf(u) >= seen && u.state.kind === 'live' && u.state.requests > 0,
      'a live update after the fine capture',
      30_000,
    );
    assert.equal(resumed.state.pid, demo.pid);

    // The resumed live capture is a new session; the fine one still answers by its id.
    assert.ok(result.sessionId, 'the fine capture has a session id');
    const current = await waitForSnapshot(m => m.sessionId !== result.sessionId, 30_000);
    assert.ok(current.sessionId);
    const kept = await lsp.connection.sendRequest<TimelineDataResult>(Methods.timelineData, {
      query: 'request',
      requestId: result.request.id,
      sessionId: result.sessionId,
    });
    assert.equal(kept.detail?.row.url, result.request.url);
    assert.equal(kept.detail?.row.durationMs, result.request.durationMs);
    const stale = await lsp.connection.sendRequest<TimelineDataResult>(Methods.timelineData, {
      query: 'snapshot',
      sessionId: 'no-such-session',
    });
    assert.equal(stale.model, undefined, 'an unknown session gets no answer');
  } finally {
    await load.stop();
  }
});

function snapshot(): Promise<TimelineDataResult> {
  return lsp.connection.sendRequest<TimelineDataResult>(Methods.timelineData, {
    query: 'snapshot',
  });
}

/** Asks for the snapshot until `condition` holds (each live update may change it). */
async function waitForSnapshot(
  condition: (model: TimelineModel) => boolean,
  timeoutMs: number,
): Promise<TimelineModel> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { model } = await snapshot();
    if (model && condition(model)) return model;
    assert.ok(Date.now() < deadline, 'the snapshot never met the condition');
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

test('a target that dies while attached is reported, and the server survives it', async () => {
  const attached = await lsp.connection.sendRequest<AttachResult>(Methods.attach, {
    target: String(demo.pid),
  });
  assert.ok(attached.ok, JSON.stringify(attached));

  await demo.stop();
  const failure = await lsp.waitForFailure('target exited');
  assert.equal(
    failure.error.code,
    'target-exited',
    JSON.stringify(lsp.failures) + lsp.log.slice(-15).join('\n'),
  );
  const detached = await lsp.connection.sendRequest<DetachResult>(Methods.detach, {});
  assert.equal(detached.state.kind, 'none');
});

import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ErrorCode } from '../core/errors';
import { SESSION_FORMAT, SESSION_VERSION, type SessionFile } from '../core/session';
import { loadSession, saveSession } from './sessionFile';

const session: SessionFile = {
  format: SESSION_FORMAT,
  version: SESSION_VERSION,
  target: {
    pid: 1,
    argv: [],
    cwd: '/',
    nodeVersion: 'v20',
    inspectorUrl: 'ws://127.0.0.1:1/x',
    inspectorOpenedByUs: true,
  },
  capture: {
    startedAt: '2026-01-01T00:00:00.000Z',
    startUs: 1,
    endUs: 2,
    samplingIntervalUs: 1000,
    tracking: 'windows',
    endReason: 'stopped',
    notes: [],
  },
  profiles: [],
  requests: [{ id: 1, method: 'GET', url: '/', startUs: 1, endUs: 2 }],
  windows: { ts: [1], req: [1] },
  spans: [],
  waits: [],
  scripts: [],
};

test('saveSession then loadSession round-trips, leaving no temporary file', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'gapscope-session-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'a.gapscope.json');
  await saveSession(path, session);
  assert.deepEqual(await loadSession(path), { ok: true, value: session });
  assert.deepEqual(await readdir(dir), ['a.gapscope.json']);
});

test('loadSession explains what is wrong with a bad file', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'gapscope-session-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cases: [string, string, RegExp][] = [
    ['missing', '', /does not exist/],
    ['truncated', JSON.stringify(session).slice(0, 50), /not valid JSON/],
    ['other', JSON.stringify({ hello: 1 }), /format is not/],
    ['newer', JSON.stringify({ ...session, version: 99 }), /version is 99/],
    ['nowindows', JSON.stringify({ ...session, windows: { ts: [1], req: [] } }), /inconsistent/],
  ];
  for (const [name, broken, reason] of deepCases())
    cases.push([name, JSON.stringify(broken), reason]);
  for (const [name, text, reason] of cases) {
    const path = join(dir, name);
    if (text) await writeFile(path, text);
    const loaded = await loadSession(path);
    assert.equal(!loaded.ok && loaded.error.code, ErrorCode.BadSessionFile, name);
    assert.match(!loaded.ok ? loaded.error.message : '', reason, name);
    assert.ok(!loaded.ok && loaded.error.hint, `${name}: no hint`);
  }
});

const profile = {
  nodes: [{ id: 1, callFrame: { functionName: '', url: '', lineNumber: -1, columnNumber: -1 } }],
  startTime: 1,
  endTime: 2,
  samples: [1, 1],
  timeDeltas: [0, 1],
};

/** Files whose top level is right but whose inside would crash the analysis or print NaN. */
function deepCases(): [string, unknown, RegExp][] {
  return [
    ['empty profile', { ...session, profiles: [{}] }, /profiles\[0\]\.startTime is missing/],
    ['no nodes', withProfile({ nodes: undefined }), /"profiles\[0\]\.nodes" list is missing/],
    ['bad sample', withProfile({ samples: [1, 'x'] }), /profiles\[0\]\.samples\[1\] is not a/],
    ['short deltas', withProfile({ timeDeltas: [0] }), /samples and \.timeDeltas differ/],
    ['null node', withProfile({ nodes: [null] }), /profiles\[0\]\.nodes\[0\] is not an object/],
    [
      'string start',
      { ...session, capture: { ...session.capture, startUs: 'x' } },
      /capture\.startUs is not a number/,
    ],
    [
      'request time',
      { ...session, requests: [{ ...session.requests[0], startUs: 'x' }] },
      /requests\[0\]\.startUs is not a number/,
    ],
    [
      'request end',
      { ...session, requests: [{ ...session.requests[0], endUs: null }] },
      /requests\[0\]\.endUs is not a number/,
    ],
    [
      'span time',
      {
        ...session,
        spans: [{ spanId: 'a', traceId: 'b', name: 's', kind: 0, startUs: 1, requestId: 1 }],
      },
      /spans\[0\]\.endUs is missing/,
    ],
    ['window text', { ...session, windows: { ts: ['1'], req: [1] } }, /windows\.ts\[0\] is not/],
    ['no capture', { ...session, capture: undefined }, /"capture" is missing/],
    [
      'run delay',
      { ...session, runDelays: [{ startUs: 1, endUs: 2, delayUs: 'x' }] },
      /runDelays\[0\]\.delayUs is not a number/,
    ],
    ['gc list', { ...session, gcs: {} }, /gcs is not a list/],
    ['agent pause', { ...session, agentPauses: [{ startUs: 1 }] }, /agentPauses\[0\]\.endUs is/],
    ['inverted', { ...session, gcs: [{ startUs: 9, endUs: 2 }] }, /gcs\[0\]\.endUs is before/],
    [
      'negative delay',
      { ...session, runDelays: [{ startUs: 1, endUs: 2, delayUs: -5 }] },
      /runDelays\[0\]\.delayUs is out of range/,
    ],
    [
      'huge delay',
      { ...session, runDelays: [{ startUs: 1, endUs: 2, delayUs: 1e12 }] },
      /runDelays\[0\]\.delayUs is out of range/,
    ],
    [
      'duplicate readings',
      {
        ...session,
        runDelays: [
          { startUs: 1, endUs: 5000, delayUs: 0 },
          { startUs: 1, endUs: 5000, delayUs: 0 },
        ],
      },
      /runDelays\[1\] overlaps the reading before it/,
    ],
    ['gc kind', { ...session, gcs: [{ startUs: 1, endUs: 2, kind: 42 }] }, /gcs\[0\]\.kind is/],
    [
      'idle past its stretch',
      { ...session, loopIdle: [{ startUs: 0, endUs: 100, idleUs: 5000 }] },
      /loopIdle\[0\]\.idleUs is out of range/,
    ],
  ];
}

test('a session from a newer Gapscope says to update Gapscope', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'gapscope-session-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'future.gapscope.json');
  await writeFile(path, JSON.stringify({ ...session, version: SESSION_VERSION + 1 }));

  const loaded = await loadSession(path);
  assert.ok(!loaded.ok);
  assert.match(loaded.error.hint ?? '', /update Gapscope/);
});

test('a deep shape check of a big session stays fast and accepts it', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'gapscope-session-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const count = 1_000_000;
  const big = withProfile({
    samples: new Array<number>(count).fill(1),
    timeDeltas: new Array<number>(count).fill(100),
  });
  const path = join(dir, 'big.gapscope.json');
  await writeFile(path, JSON.stringify(big));

  const loaded = await loadSession(path);
  if (!loaded.ok) throw new Error(loaded.error.message);
  assert.equal(loaded.value.profiles[0]?.samples?.length, count);
});

function withProfile(patch: object): SessionFile {
  return { ...session, profiles: [{ ...profile, ...patch }] } as SessionFile;
}

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
  for (const [name, text, reason] of cases) {
    const path = join(dir, name);
    if (text) await writeFile(path, text);
    const loaded = await loadSession(path);
    assert.equal(!loaded.ok && loaded.error.code, ErrorCode.BadSessionFile, name);
    assert.match(!loaded.ok ? loaded.error.message : '', reason, name);
  }
});

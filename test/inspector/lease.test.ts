/**
 * The agent's lease and concurrent sessions: a client killed with SIGKILL mid-capture leaves
 * nothing behind once the lease runs out (agent, binding, the inspector it opened); a second
 * session on a profiled target is refused at once and leaves the first one working; an
 * inspector opened by someone else on the default port is found by pid.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ErrorCode, GapscopeFailure } from '../../src/core/errors';
import { attachToTarget } from '../../src/inspector/attach';
import { startCapture } from '../../src/inspector/capture';
import {
  DEFAULT_INSPECTOR_PORT,
  listNodeProcesses,
  listeningPortsOf,
  readListeningSockets,
} from '../../src/inspector/processes';
import type { IInspectorSession } from '../../src/inspector/types';
import { http, isAlive, startFixture, waitFor, type Fixture } from './helpers';

const HOLDER = join(__dirname, '..', 'fixtures', 'lease', 'holder.ts');

/** The lease the killed client asked for, ms. */
const SHORT_LEASE_MS = 1500;

/**
 * Bound on the clean-up after the kill, ms: the lease plus a wide margin for a loaded box (the
 * check runs on the agent's 200 ms flush timer), far below the 15 s default lease.
 */
const CLEANUP_BOUND_MS = SHORT_LEASE_MS + 6000;

interface AgentState {
  agent: boolean;
  binding: boolean;
}

async function agentState(fixture: Fixture): Promise<AgentState> {
  return JSON.parse((await http(fixture.port, '/state')).body) as AgentState;
}

/** Starts the lease holder on `pid`; resolves with its process once it is capturing. */
async function startHolder(pid: number) {
  const args = ['--import', 'tsx', HOLDER, String(pid), String(SHORT_LEASE_MS)];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const exited = new Promise(resolve => child.once('exit', resolve));
  let stderr = '';
  child.stderr!.on('data', chunk => (stderr += String(chunk)));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const ready = new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', chunk => {
      stdout += String(chunk);
      const match = /capturing (\w+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    void exited.then(code => reject(new Error(`holder exited (${String(code)}): ${stderr}`)));
  });
  return { child, kill, ready };
}

async function attachTo(pid: number): Promise<IInspectorSession> {
  const attached = await attachToTarget({ kind: 'pid', pid }, { timeoutMs: 5000 });
  assert.ok(attached.ok, JSON.stringify(!attached.ok && attached.error));
  return attached.value;
}

describe('the agent lease', () => {
  test('a client killed mid-capture: the target cleans itself up', async t => {
    const fixture = await startFixture('agentStateServer.js');
    t.after(() => fixture.stop());
    const holder = await startHolder(fixture.pid);
    t.after(() => holder.kill());

    assert.equal(await holder.ready, 'opened', 'the holder opened the inspector itself');
    const during = await agentState(fixture);
    assert.equal(during.agent, true, 'the agent runs while the client renews its lease');
    const inspectorPorts = (await listeningPortsOf(fixture.pid)).filter(p => p !== fixture.port);
    assert.equal(inspectorPorts.length, 1, 'the inspector is open during the capture');

    await holder.kill();
    const killedAt = Date.now();

    await waitFor(
      'the agent to uninstall itself',
      async () => ((await agentState(fixture)).agent ? undefined : true),
      CLEANUP_BOUND_MS,
    );
    await waitFor(
      'the inspector Gapscope opened to close',
      async () => ((await listeningPortsOf(fixture.pid)).length === 1 ? true : undefined),
      CLEANUP_BOUND_MS,
    );
    const after = await agentState(fixture);
    assert.equal(after.binding, false, 'the binding global is gone');
    assert.deepEqual(await listeningPortsOf(fixture.pid), [fixture.port]);
    assert.ok(Date.now() - killedAt < CLEANUP_BOUND_MS);
    assert.ok(isAlive(fixture.child), 'the service survived');
  });

  test('a second session on a profiled target is refused at once', async t => {
    const fixture = await startFixture('httpServer.js');
    t.after(() => fixture.stop());
    const first = await attachTo(fixture.pid);
    t.after(() => first.detach());
    const capture = await startCapture(first, {});

    const startedAt = Date.now();
    const second = await attachTo(fixture.pid);
    t.after(() => second.detach());
    assert.equal(second.inspectorOpenedByUs, false, 'the second session found it open');
    await assert.rejects(startCapture(second, {}), (error: unknown) => {
      assert.ok(error instanceof GapscopeFailure);
      assert.equal(error.error.code, ErrorCode.ProfilerBusy);
      assert.match(error.error.message, /already being profiled by another Gapscope session/);
      return true;
    });
    await second.detach();
    assert.ok(Date.now() - startedAt < 5000, 'refused well before the 10 s attach timeout');

    // The refused session removed nothing of the first one's.
    await http(fixture.port, '/burn?ms=2&tag=after-refusal');
    const file = await capture.stop();
    assert.ok(file.requests.some(r => r.url.includes('tag=after-refusal')));
    await first.detach();
    assert.deepEqual(await listeningPortsOf(fixture.pid), [fixture.port], 'no inspector left');
  });
});

describe('an inspector opened by someone else', () => {
  test('on the default port, it is listed and attached by pid', async t => {
    const sockets = await readListeningSockets();
    if ([...sockets.values()].includes(DEFAULT_INSPECTOR_PORT)) {
      t.skip(`port ${DEFAULT_INSPECTOR_PORT} is in use on this machine`);
      return;
    }
    const fixture = await startFixture('httpServer.js', { execArgv: [] });
    t.after(() => fixture.stop());

    process.kill(fixture.pid, 'SIGUSR1');
    await waitFor('the inspector to open on 9229', async () =>
      (await listeningPortsOf(fixture.pid)).includes(DEFAULT_INSPECTOR_PORT) ? true : undefined,
    );

    const listed = (await listNodeProcesses()).find(info => info.pid === fixture.pid);
    assert.equal(listed?.inspectorPort, DEFAULT_INSPECTOR_PORT, '`list` shows it open');

    const startedAt = Date.now();
    const session = await attachTo(fixture.pid);
    t.after(() => session.detach());
    assert.ok(Date.now() - startedAt < 5000, 'attached without waiting for a new port');
    assert.equal(session.pid, fixture.pid);
    assert.equal(session.inspectorOpenedByUs, false);
    await session.detach();
    assert.ok(
      (await listeningPortsOf(fixture.pid)).includes(DEFAULT_INSPECTOR_PORT),
      'an inspector Gapscope did not open stays open',
    );
  });
});

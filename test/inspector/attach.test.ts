/**
 * Attaching to real processes: by pid without --inspect, identity, refusals (unknown pid, a
 * process that is not Node, 9229 held by another process, non-loopback addresses), and what
 * `listNodeProcesses` sees.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { readlink } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { ErrorCode } from '../../src/core/errors';
import { attachToTarget } from '../../src/inspector/attach';
import { InspectorSession } from '../../src/inspector/session';
import { findPortHolder, listNodeProcesses, listeningPortsOf } from '../../src/inspector/processes';
import { http, isAlive, startFixture, startSleep, waitFor } from './helpers';

describe('attachToTarget', () => {
  test('attaches by pid to a service started without --inspect, and verifies it', async t => {
    const fixture = await startFixture('httpServer.js');
    t.after(() => fixture.stop());
    const portsBefore = await listeningPortsOf(fixture.pid);
    assert.deepEqual(portsBefore, [fixture.port]);

    const attached = await attachToTarget({ kind: 'pid', pid: fixture.pid });
    assert.ok(attached.ok, JSON.stringify(!attached.ok && attached.error));
    const session = attached.value;
    t.after(() => session.detach());
    assert.equal(session.pid, fixture.pid);
    assert.equal(session.inspectorOpenedByUs, true);
    assert.match(session.inspectorUrl, /^ws:\/\/127\.0\.0\.1:\d+\//);

    const inspectorPort = Number(new URL(session.inspectorUrl).port);
    const listed = (await listNodeProcesses()).find(info => info.pid === fixture.pid);
    assert.ok(listed, 'the fixture is listed');
    assert.equal(listed.inspectorPort, inspectorPort);
    assert.deepEqual(
      listed.listeningPorts,
      [fixture.port, inspectorPort].sort((a, b) => a - b),
    );

    assert.ok(session instanceof InspectorSession);
    assert.equal(await session.evaluate('process.pid'), fixture.pid);
    assert.equal((await http(fixture.port, '/burn?ms=1')).body, 'burnt');

    await session.detach();
    const portsAfter = await waitFor('the inspector port to close', async () => {
      const ports = await listeningPortsOf(fixture.pid);
      return ports.includes(inspectorPort) ? undefined : ports;
    });
    assert.deepEqual(portsAfter, [fixture.port]);
    assert.ok(isAlive(fixture.child), 'the service survived the detach');
  });

  test('refuses an unknown pid', async () => {
    // Pids above the kernel's default pid_max are never in use.
    const attached = await attachToTarget({ kind: 'pid', pid: 4_194_000 });
    assert.equal(!attached.ok && attached.error.code, ErrorCode.ProcessNotFound);
  });

  test('refuses a process that is not Node and does not signal it', async t => {
    const sleeper = startSleep();
    t.after(() => sleeper.stop());
    await waitFor('sleep to exec', async () => {
      const exe = await readlink(`/proc/${sleeper.child.pid}/exe`).catch(() => '');
      return exe.endsWith('/sleep') ? true : undefined;
    });

    const attached = await attachToTarget({ kind: 'pid', pid: sleeper.child.pid! });
    assert.equal(!attached.ok && attached.error.code, ErrorCode.NotNodeProcess);
    assert.match(!attached.ok ? attached.error.message : '', /not a Node\.js process/);
    // A signal would have killed it at once; it must still be running.
    assert.ok(isAlive(sleeper.child), 'sleep is still running');
  });

  test('refuses when 9229 belongs to another process, naming the holder', async t => {
    const holder = await holdPort9229();
    t.after(() => holder.release());
    const holderPid = await findPortHolder(9229);
    assert.ok(holderPid !== undefined, 'the holder of 9229 is visible');

    // Started without --inspect-port: SIGUSR1 would open 9229.
    const fixture = await startFixture('httpServer.js', { execArgv: [] });
    t.after(() => fixture.stop());
    const attached = await attachToTarget({ kind: 'pid', pid: fixture.pid }, { timeoutMs: 3000 });
    assert.equal(!attached.ok && attached.error.code, ErrorCode.InspectorPortTaken);
    assert.match(!attached.ok ? attached.error.message : '', new RegExp(`process ${holderPid}\\b`));
    assert.ok(isAlive(fixture.child));
    assert.deepEqual(await listeningPortsOf(fixture.pid), [fixture.port]);
  });

  test('refuses non-loopback addresses unless allowed', async () => {
    const remote = await attachToTarget({ kind: 'address', host: '10.1.2.3', port: 9229 });
    assert.equal(!remote.ok && remote.error.code, ErrorCode.RemoteRefused);
    const ws = await attachToTarget({ kind: 'websocket', url: 'ws://example.invalid:9229/x' });
    assert.equal(!ws.ok && ws.error.code, ErrorCode.RemoteRefused);
  });

  test('attaches by address and reports an unreachable inspector clearly', async t => {
    const fixture = await startFixture('httpServer.js', { execArgv: ['--inspect=127.0.0.1:0'] });
    t.after(() => fixture.stop());
    const inspectorPort = await waitFor('the inspector port', async () => {
      const ports = await listeningPortsOf(fixture.pid);
      return ports.find(port => port !== fixture.port);
    });

    const attached = await attachToTarget({
      kind: 'address',
      host: '127.0.0.1',
      port: inspectorPort,
    });
    assert.ok(attached.ok);
    t.after(() => attached.value.detach());
    assert.equal(attached.value.pid, fixture.pid);
    assert.equal(attached.value.inspectorOpenedByUs, false);

    // By pid, the random port of an inspector open since startup cannot be found: say so.
    const byPid = await attachToTarget({ kind: 'pid', pid: fixture.pid });
    assert.equal(!byPid.ok && byPid.error.code, ErrorCode.InspectorUnreachable);
    assert.match(!byPid.ok ? byPid.error.message : '', /random port/);

    const closed = await unusedPort();
    const missing = await attachToTarget({ kind: 'address', host: '127.0.0.1', port: closed });
    assert.equal(!missing.ok && missing.error.code, ErrorCode.InspectorUnreachable);
  });
});

/**
 * Makes a Node process hold 127.0.0.1:9229. When 9229 is already taken (another engineer's
 * run), that holder serves the purpose as well.
 */
async function holdPort9229(): Promise<{ release(): Promise<void> }> {
  const script =
    "const s = require('net').createServer(); s.on('error', e => { console.log(e.code); });" +
    " s.listen(9229, '127.0.0.1', () => console.log('listening 9229'));" +
    ' setInterval(() => {}, 1000);';
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise(resolve => child.once('exit', resolve));
  const release = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  await new Promise<void>(resolve => child.stdout.once('data', () => resolve()));
  return { release };
}

/** A loopback port nobody listens on (bound, then released). */
function unusedPort(): Promise<number> {
  return new Promise(resolve => {
    const server: Server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

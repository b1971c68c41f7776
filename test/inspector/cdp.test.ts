/**
 * The CDP wrapper against a real inspector: errors that name the method, the CDP code and the
 * caller; timeouts and cancellation that never wait on the target; a quiet close.
 */
import assert from 'node:assert/strict';
import CDP from 'chrome-remote-interface';
import { describe, test } from 'node:test';
import { CancellationError, CancellationTokenSource, TimeoutError } from '../../src/core/lifecycle';
import { CdpConnection, CdpError } from '../../src/inspector/cdp';
import { listeningPortsOf } from '../../src/inspector/processes';
import { startFixture, waitFor } from './helpers';

describe('CdpConnection', () => {
  test('fails clearly, times out, cancels, and closes quietly', async t => {
    const fixture = await startFixture('httpServer.js', { execArgv: ['--inspect=127.0.0.1:0'] });
    t.after(() => fixture.stop());
    const port = await waitFor('the inspector port', async () =>
      (await listeningPortsOf(fixture.pid)).find(p => p !== fixture.port),
    );
    const [target] = await CDP.List({ host: '127.0.0.1', port });
    const connection = await CdpConnection.connect(target!.webSocketDebuggerUrl);
    t.after(() => connection.close());

    const answer = await connection.send('Runtime.evaluate', { expression: '6 * 7' });
    assert.equal(answer.result.value, 42);

    const failed = await callTheInspectorWrongly(connection).catch((error: unknown) => error);
    assert.ok(failed instanceof CdpError);
    assert.equal(failed.method, 'Profiler.setSamplingInterval');
    assert.equal(typeof failed.code, 'number');
    assert.match(failed.message, /Profiler\.setSamplingInterval failed \(-?\d+\)/);
    assert.match(failed.stack ?? '', /callTheInspectorWrongly/);

    const never = { expression: 'new Promise(() => {})', awaitPromise: true };
    await assert.rejects(
      connection.send('Runtime.evaluate', never, { timeoutMs: 100 }),
      TimeoutError,
    );
    const source = new CancellationTokenSource();
    const cancelled = connection.send('Runtime.evaluate', never, { token: source.token });
    source.cancel();
    await assert.rejects(cancelled, CancellationError);

    let closes = 0;
    connection.onDidClose(() => closes++);
    await connection.close();
    await connection.close();
    assert.equal(closes, 1);
    await assert.rejects(connection.send('Runtime.evaluate', { expression: '1' }), /closed/);
  });
});

/** A request the inspector refuses (wrong parameter type), named so the stack can show it. */
function callTheInspectorWrongly(connection: CdpConnection) {
  return connection.send('Profiler.setSamplingInterval', {
    interval: 'not a number' as unknown as number,
  });
}

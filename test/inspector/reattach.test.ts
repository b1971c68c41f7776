/**
 * The ends of a session: attaching again right after a detach (the inspector we opened must be
 * closed before detach resolves, or the next attach signals an open inspector and waits for a
 * port that never comes), and `onDidClose` when the target ends while attached.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attachToTarget } from '../../src/inspector/attach';
import { startCapture } from '../../src/inspector/capture';
import { listeningPortsOf } from '../../src/inspector/processes';
import type { IInspectorSession } from '../../src/inspector/types';
import { http, isAlive, startFixture, type Fixture } from './helpers';

/** Bound on each attach here, ms: far above a normal attach, far below the 10 s default. */
const ATTACH_TIMEOUT_MS = 5000;

async function attachTo(fixture: Fixture): Promise<IInspectorSession> {
  const attached = await attachToTarget(
    { kind: 'pid', pid: fixture.pid },
    { timeoutMs: ATTACH_TIMEOUT_MS },
  );
  assert.ok(attached.ok, JSON.stringify(!attached.ok && attached.error));
  return attached.value;
}

/** Attaches, captures one request tagged `tag`, detaches; returns the session's pid. */
async function captureOnce(fixture: Fixture, tag: string): Promise<number> {
  const session = await attachTo(fixture);
  try {
    const capture = await startCapture(session, {});
    await http(fixture.port, `/burn?ms=2&tag=${tag}`);
    const file = await capture.stop();
    assert.ok(
      file.requests.some(r => r.url.includes(`tag=${tag}`)),
      `the ${tag} capture saw its request`,
    );
    return session.pid;
  } finally {
    await session.detach();
  }
}

describe('re-attaching', () => {
  test('attaches again at once after a detach, to the same process', async t => {
    const fixture = await startFixture('httpServer.js');
    t.after(() => fixture.stop());

    assert.equal(await captureOnce(fixture, 'first'), fixture.pid);
    // No pause: the second attach starts the moment the first detach resolved.
    assert.equal(await captureOnce(fixture, 'second'), fixture.pid);
    assert.equal(await captureOnce(fixture, 'third'), fixture.pid);

    assert.deepEqual(await listeningPortsOf(fixture.pid), [fixture.port], 'no inspector left');
    assert.ok(isAlive(fixture.child), 'the service survived three sessions');
  });
});

describe('a target that ends while attached', () => {
  const endings: { name: string; end(fixture: Fixture): Promise<unknown> }[] = [
    { name: 'its event loop empties', end: fixture => http(fixture.port, '/natural') },
    { name: 'it throws', end: fixture => http(fixture.port, '/throw') },
    { name: 'it is killed', end: async fixture => fixture.child.kill('SIGKILL') },
  ];

  for (const ending of endings) {
    test(`closes the session with target-exited when ${ending.name}`, async t => {
      const fixture = await startFixture('exitServer.js');
      t.after(() => fixture.stop());
      const session = await attachTo(fixture);
      t.after(() => session.detach());
      const closed = new Promise<string>(resolve => session.onDidClose(e => resolve(e.reason)));
      const capture = await startCapture(session, {});
      const ended = new Promise<string | undefined>(resolve =>
        capture.onDidEnd(file => resolve(file.capture.endReason)),
      );

      await ending.end(fixture);

      // A target waiting at exit for us to disconnect would never exit: both must happen.
      await fixture.exited;
      assert.equal(await closed, 'target-exited');
      assert.equal(await ended, 'target-exited');
    });
  }
});

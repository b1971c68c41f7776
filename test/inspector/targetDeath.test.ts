/**
 * A target killed early in a capture: before any profile chunk was saved the analysis says the
 * profile was lost (not "idle"); the first chunk is cut early, so a kill after it keeps CPU.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeSession } from '../../src/core/analyze';
import type { SessionFile } from '../../src/core/session';
import { attachToTarget } from '../../src/inspector/attach';
import { startCapture } from '../../src/inspector/capture';
import type { ICapture } from '../../src/inspector/types';
import { http, startFixture, type Fixture } from './helpers';

/** The default chunk interval, ms: the first chunk must be well shorter. */
const CHUNK_INTERVAL_MS = 5000;

async function attachAndCapture(fixture: Fixture): Promise<ICapture> {
  const attached = await attachToTarget({ kind: 'pid', pid: fixture.pid }, { timeoutMs: 5000 });
  assert.ok(attached.ok);
  return startCapture(attached.value, { samplingIntervalUs: 1000 });
}

function ended(capture: ICapture): Promise<SessionFile> {
  return new Promise(resolve => capture.onDidEnd(resolve));
}

describe('a target killed early in the capture', () => {
  test('before the first chunk: the profile is lost, not idle', async t => {
    const fixture = await startFixture('httpServer.js');
    t.after(() => fixture.stop());
    const capture = await attachAndCapture(fixture);
    const done = ended(capture);

    await http(fixture.port, '/burn?ms=20&tag=doomed');
    fixture.child.kill('SIGKILL');
    const session = await done;

    assert.equal(session.capture.endReason, 'target-exited');
    assert.equal(session.profiles.length, 0, 'killed before the first chunk was cut');
    assert.ok(session.capture.notes.some(note => /CPU profile is lost/.test(note)));
    const analysis = analyzeSession(session);
    assert.equal(analysis.totals.idle, false, 'not reported as idle');
    assert.equal(analysis.totals.profileLost, true);
    assert.ok(analysis.notes.some(note => /CPU profile lost/.test(note)));
  });

  test('after the early first chunk: its CPU is kept', async t => {
    const fixture = await startFixture('httpServer.js');
    t.after(() => fixture.stop());
    const capture = await attachAndCapture(fixture);
    const done = ended(capture);
    const firstChunk = new Promise<void>(resolve =>
      capture.onDidProgress(progress => progress.samples > 0 && resolve()),
    );

    // Busy until the first chunk is cut (each call burns on the service's own line).
    let cut = false;
    void firstChunk.then(() => (cut = true));
    while (!cut) await http(fixture.port, '/burn?ms=20&tag=kept');
    fixture.child.kill('SIGKILL');
    const session = await done;

    assert.ok(session.profiles.length >= 1);
    const first = session.profiles[0]!;
    const firstMs = (first.endTime - first.startTime) / 1000;
    assert.ok(firstMs < CHUNK_INTERVAL_MS / 2, `the first chunk lasted ${firstMs} ms`);
    const analysis = analyzeSession(session);
    assert.equal(analysis.totals.idle, false);
    assert.equal(analysis.totals.profileLost, undefined);
    assert.ok(analysis.requests.some(r => r.url.includes('tag=kept') && r.cpuMs > 0));
  });
});

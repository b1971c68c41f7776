/**
 * "Blocked by" versus waiting in the default (windows) tracking: another request's JS blocks a
 * request only while that request had work ready. A request waiting on a timer while others
 * run is waiting, not blocked; one whose next slice is queued behind a burn is blocked. Equal
 * causes are merged.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeSession } from '../../src/core/analyze';
import type { GapCause, RequestAnalysis } from '../../src/core/model';
import type { SessionFile } from '../../src/core/session';
import { attachToTarget } from '../../src/inspector/attach';
import { startCapture } from '../../src/inspector/capture';
import { http, startFixture, type Fixture } from './helpers';

/** CPU of each concurrent burn, ms. */
const BURN_MS = 10;

/** Captures `subject` while back-to-back burns run beside it, until it answers. */
async function captureBeside(fixture: Fixture, subject: string): Promise<SessionFile> {
  const attached = await attachToTarget({ kind: 'pid', pid: fixture.pid }, { timeoutMs: 5000 });
  assert.ok(attached.ok);
  try {
    const capture = await startCapture(attached.value, { samplingIntervalUs: 1000 });
    let done = false;
    const answered = http(fixture.port, subject).then(() => (done = true));
    const burns = (async () => {
      while (!done) await http(fixture.port, `/burn?ms=${BURN_MS}&tag=other`);
    })();
    await Promise.all([answered, burns]);
    return await capture.stop();
  } finally {
    await attached.value.detach();
  }
}

function causesOf(request: RequestAnalysis): GapCause[] {
  return request.gaps.flatMap(gap => gap.causes);
}

function msOf(causes: GapCause[], match: (cause: GapCause) => boolean): number {
  return causes.filter(match).reduce((sum, cause) => sum + cause.ms, 0);
}

describe('blocked or waiting', () => {
  test('a request waiting on a timer while others run is waiting, not blocked', async t => {
    const fixture = await startFixture('httpServer.js');
    t.after(() => fixture.stop());
    const session = await captureBeside(fixture, '/slow?ms=400&tag=timer');

    const analysis = analyzeSession(session);
    const request = analysis.requests.find(r => r.url.includes('tag=timer'));
    assert.ok(request);
    const causes = causesOf(request);
    const othersCpuMs = analysis.requests
      .filter(r => r.url.includes('tag=other') && r.startUs < request.endUs)
      .reduce((sum, r) => sum + r.cpuMs, 0);
    assert.ok(othersCpuMs > 100, `others burnt ${othersCpuMs} ms during the wait`);

    // Only a burn that held the thread when the timer was due can have delayed it.
    const blockedMs = msOf(causes, cause => cause.kind === 'blocked');
    assert.ok(blockedMs < 4 * BURN_MS, `blocked ${blockedMs} ms of ${othersCpuMs} ms`);
    const drawnMs = request.cpuSlices
      .filter(slice => slice.kind === 'blocked')
      .reduce((sum, slice) => sum + (slice.endUs - slice.startUs) / 1000, 0);
    assert.ok(drawnMs < 4 * BURN_MS, `the timeline draws ${drawnMs} ms of blocks`);
    const waitingMs = msOf(causes, cause => /other requests ran meanwhile/.test(cause.label));
    assert.ok(waitingMs > othersCpuMs / 2, `waiting while others ran: ${waitingMs} ms`);
    for (const gap of request.gaps) {
      const keys = gap.causes.map(cause => `${cause.kind}|${cause.label}`);
      assert.equal(new Set(keys).size, keys.length, `merged causes: ${keys.join(', ')}`);
    }
  });

  test('a request whose next slice is queued behind a burn is blocked by it', async t => {
    const fixture = await startFixture('httpServer.js');
    t.after(() => fixture.stop());
    const session = await captureBeside(fixture, '/sliced?slices=40&ms=2&tag=ready');

    const analysis = analyzeSession(session);
    const request = analysis.requests.find(r => r.url.includes('tag=ready'));
    assert.ok(request);
    const causes = causesOf(request);
    const blocked = causes.filter(cause => cause.kind === 'blocked');
    assert.ok(msOf(blocked, () => true) > BURN_MS, JSON.stringify(causes));
    assert.ok(blocked.every(cause => /blocked by GET \/burn/.test(cause.label)));
    for (const gap of request.gaps) {
      const keys = gap.causes.map(cause => `${cause.kind}|${cause.label}`);
      assert.equal(new Set(keys).size, keys.length, `merged causes: ${keys.join(', ')}`);
    }
  });
});

/**
 * A request is charged nothing outside its lifetime: a service that burns CPU in a 'finish'
 * listener (after the response ended, in the same callback, as a socket shutdown does) must
 * not see that CPU on the request, whose CPU then stays within its latency.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeSession } from '../../src/core/analyze';
import { attributeSamples, clipToRequest } from '../../src/core/attribution';
import { attachToTarget } from '../../src/inspector/attach';
import { startCapture } from '../../src/inspector/capture';
import { http, startFixture } from './helpers';

/** CPU burnt after each response ended, ms. */
const AFTER_END_MS = 30;
const REQUESTS = 6;

/** Slack on "CPU within latency", ms: one sampling interval at 1000 µs plus scheduling. */
const SLACK_MS = 3;

describe('request bounds', () => {
  test('CPU after the response finished is not charged to the request', async t => {
    const fixture = await startFixture('afterEndServer.js');
    t.after(() => fixture.stop());
    const attached = await attachToTarget({ kind: 'pid', pid: fixture.pid }, { timeoutMs: 5000 });
    assert.ok(attached.ok);
    t.after(() => attached.value.detach());
    const capture = await startCapture(attached.value, { samplingIntervalUs: 1000 });

    for (let i = 0; i < REQUESTS; i++) await http(fixture.port, `/after-end?ms=${AFTER_END_MS}`);
    const session = await capture.stop();
    await attached.value.detach();

    const analysis = analyzeSession(session);
    const requests = analysis.requests.filter(r => r.url.startsWith('/after-end'));
    assert.equal(requests.length, REQUESTS);
    for (const request of requests) {
      assert.ok(
        request.cpuMs <= request.durationMs + SLACK_MS,
        `CPU ${request.cpuMs} ms within latency ${request.durationMs} ms`,
      );
    }
    const charged = requests.reduce((sum, r) => sum + r.cpuMs, 0);
    // The burn after the ends is about REQUESTS * AFTER_END_MS = 180 ms of CPU; the profile
    // saw it, but none of it belongs to a request.
    assert.ok(charged < AFTER_END_MS, `charged ${charged} ms`);
    assert.ok(analysis.totals.samples > (REQUESTS * AFTER_END_MS) / 2, 'the burn was sampled');
  });

  test('attribution clips to the request: by sample start, and a straddling sample', () => {
    const starts = Float64Array.from([50, 150, 250]);
    const windows = { ts: [100], req: [7] };
    const owners = attributeSamples(starts, windows, [{ id: 7, startUs: 100, endUs: 200 }]);
    assert.deepEqual([...owners], [0, 7, 0]);
    assert.deepEqual(clipToRequest(150, 260, { id: 7, startUs: 100, endUs: 200 }), [150, 200]);
  });
});

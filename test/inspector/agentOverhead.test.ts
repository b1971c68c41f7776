/**
 * The agent's own CPU in the target (its async hooks on every promise) is recognised by its
 * `sourceURL` and charged as "Gapscope agent overhead": never as a user line's inner frame,
 * never in a request's CPU slices.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeSession } from '../../src/core/analyze';
import { attachToTarget } from '../../src/inspector/attach';
import { startCapture } from '../../src/inspector/capture';
import { http, startFixture } from './helpers';

/** Names that only the agent or the hook machinery it switches on would show. */
const AGENT_NAMES = /gapscope-agent|async_hooks\.|captureSite|onInit|\(native\) (init|before)\b/;

const REQUESTS = 60;

describe('agent overhead', () => {
  test('the agent frames are charged as its overhead, not to user lines', async t => {
    const fixture = await startFixture('promiseServer.js');
    t.after(() => fixture.stop());
    const attached = await attachToTarget({ kind: 'pid', pid: fixture.pid }, { timeoutMs: 5000 });
    assert.ok(attached.ok);
    t.after(() => attached.value.detach());
    const capture = await startCapture(attached.value, {
      samplingIntervalUs: 200,
      tracking: 'waits',
    });

    for (let i = 0; i < REQUESTS; i++) await http(fixture.port, '/chain?n=2000');
    const session = await capture.stop();
    await attached.value.detach();

    const analysis = analyzeSession(session);
    assert.ok(
      (analysis.totals.agentOverheadMs ?? 0) > 0,
      'the hooks of 120 000 promises were sampled and recognised as the agent',
    );
    for (const line of analysis.hotLines) {
      assert.match(line.file, /promiseServer\.js$/, 'a hot line is a line of the service');
      for (const inner of line.innerFrames) assert.doesNotMatch(inner.name, AGENT_NAMES);
    }
    for (const request of analysis.requests) {
      for (const slice of request.cpuSlices) {
        assert.doesNotMatch(`${slice.functionName} ${slice.inner ?? ''}`, AGENT_NAMES);
      }
    }
  });
});

/**
 * Five concurrent async hashes plus file reads on libuv's 4-thread pool: the jobs queue, and
 * the queued part is named "threadpool busy" instead of being charged to each hash.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { http } from '../inspector/helpers';
import { captureScenario, causesOf, describeRequest, markedLine, at } from './helpers';

describe('a busy thread pool', () => {
  it('names the queueing of the hashes that waited for a thread', async () => {
    const { analysis } = await captureScenario(async port => {
      const calls = [1, 2, 3, 4, 5].map(() => http(port, '/login-pbkdf2'));
      calls.push(http(port, '/read'), http(port, '/read'));
      for (const reply of await Promise.all(calls)) assert.equal(reply.status, 200);
    });

    const logins = analysis.requests.filter(request => request.url === '/login-pbkdf2');
    assert.equal(logins.length, 5);
    const line = markedLine('auth.js', 'pbkdf2');
    const busy = logins.map(request => {
      const causes = causesOf(request);
      const queued = causes.filter(cause => cause.label.startsWith('threadpool busy'));
      const running = causes.filter(
        cause => cause.label.startsWith('PBKDF2REQUEST') && at(cause, line),
      );
      const sum = (list: typeof causes) => list.reduce((total, cause) => total + cause.ms, 0);
      return { request, queuedMs: sum(queued), runningMs: sum(running), queued };
    });

    // At least one hash waited for a thread while four others ran (a hash takes 15-100 ms
    // here, by load), and that part is not charged to its own hash.
    const worst = busy.sort((a, b) => b.queuedMs - a.queuedMs)[0]!;
    const dump = busy.map(entry => describeRequest(entry.request)).join('\n');
    assert.ok(worst.queuedMs >= 5, dump);
    assert.ok(worst.runningMs <= worst.request.durationMs - worst.queuedMs + 1, dump);
    assert.ok(at(worst.queued[0]!, line), 'the queued job keeps its line');
    assert.match(worst.queued[0]!.hint ?? '', /UV_THREADPOOL_SIZE/);
    // Each hash's own run is still named, on its line.
    for (const entry of busy) assert.ok(entry.runningMs > 0, dump);
  });
});

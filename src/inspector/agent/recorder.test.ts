import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentBatch } from './protocol';
import { Recorder, measureClockOffset } from './recorder';

test('a full switch buffer flushes at once and loses nothing', () => {
  const batches: AgentBatch[] = [];
  let clock = 0;
  const recorder = new Recorder(
    text => batches.push(JSON.parse(text)),
    () => clock,
    500,
    4,
  );
  for (let i = 1; i <= 10; i++) recorder.recordSwitch((clock = i), i % 3);
  recorder.flush();

  const ts = batches.flatMap(batch => batch.windows.ts);
  const req = batches.flatMap(batch => batch.windows.req);
  assert.deepEqual(
    ts,
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(ms => ms * 1000 + 500),
  );
  assert.deepEqual(req, [1, 2, 0, 1, 2, 0, 1, 2, 0, 1]);
  assert.equal(batches.length, 3);
  assert.equal(recorder.stats.droppedSwitches, 0);
});

test('a broken binding counts what is lost instead of throwing', () => {
  const recorder = new Recorder(
    () => {
      throw new Error('binding gone');
    },
    () => 1,
    0,
    8,
  );
  recorder.recordSwitch(1, 1);
  recorder.recordStart({ id: 1, method: 'GET', url: '/', startUs: 1 });
  recorder.flush();
  assert.equal(recorder.stats.droppedSwitches, 1);
  assert.equal(recorder.stats.droppedRequests, 1);
});

test('measureClockOffset lines performance.now() up with hrtime', () => {
  const offsetUs = measureClockOffset(() => performance.now());
  const hrUs = Number(process.hrtime.bigint() / 1000n);
  assert.ok(Math.abs(performance.now() * 1000 + offsetUs - hrUs) < 1000);
});

import assert from 'node:assert/strict';
import * as asyncHooks from 'node:async_hooks';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { BACKGROUND_JS } from '../../core/session';
import type { AgentBatch } from './protocol';
import { Recorder } from './recorder';
import { LONG_STRETCH_MS, RunDelayTracker, runDelayNsOf } from './runDelay';
import { WindowTracker } from './windows';

const bytes = (text: string) => new TextEncoder().encode(text);

test('reads the run delay, the second field of a schedstat line', () => {
  const line = bytes('319116038 75091 11\n');
  assert.equal(runDelayNsOf(line, line.length), 75091);
  const noNewline = bytes('1 2 3');
  assert.equal(runDelayNsOf(noNewline, noNewline.length), 2);
  for (const bad of ['', '12', 'x 2 3', '1  3']) {
    assert.equal(runDelayNsOf(bytes(bad), bad.length), undefined, JSON.stringify(bad));
  }
});

test('the tracker opens on Linux and records a held thread, charged to its stretch', () => {
  const batches: AgentBatch[] = [];
  const now = () => performance.now();
  const recorder = new Recorder(text => batches.push(JSON.parse(text)), now, 0, 64);
  const tracker = RunDelayTracker.open(fs, recorder, process.pid);
  if (process.platform !== 'linux') {
    assert.equal(tracker, undefined);
    return;
  }
  assert.ok(tracker, 'Linux has /proc/self/task/<tid>/schedstat');
  tracker.read(now());
  tracker.close();
  recorder.flush();
  // Whether the thread waited just now is up to the machine; every record is well formed.
  for (const delay of batches.flatMap(batch => batch.runDelays ?? [])) {
    assert.ok(delay.delayUs >= 10 && delay.endUs >= delay.startUs, JSON.stringify(delay));
  }
});

test('the window tracker reads the delay only after a long stretch', () => {
  let clock = 0;
  const now = () => clock;
  const recorder = new Recorder(() => undefined, now, 0, 64);
  const windows = new WindowTracker(asyncHooks, recorder, now, false);
  const reads: number[] = [];
  windows.trackRunDelays({ read: (fromMs: number) => reads.push(fromMs), close() {} } as never);

  clock = 0.01;
  windows.switchTo(1);
  clock = 0.02;
  windows.switchTo(0);
  assert.deepEqual(reads, [], 'short stretches cost no reading');
  clock = 0.02 + LONG_STRETCH_MS * 3;
  windows.switchTo(2);
  assert.deepEqual(reads, [0.02]);
});

test('a callback of no request is marked as such, apart from the loop and from requests', () => {
  let clock = 0;
  const batches: AgentBatch[] = [];
  const now = () => clock;
  const recorder = new Recorder(text => batches.push(JSON.parse(text)), now, 0, 64);
  const windows = new WindowTracker(asyncHooks, recorder, now, true);
  windows.enable();
  try {
    // Run a timer callback with no request current: the hook marks it, then returns to 0.
    clock = 1;
    const resource = new asyncHooks.AsyncResource('TEST');
    clock = 2;
    resource.runInAsyncScope(() => {
      clock = 3;
      assert.equal(windows.current, 0, 'no request is current in a background callback');
    });
  } finally {
    windows.disable();
  }
  recorder.flush();
  const req = batches.flatMap(batch => batch.windows.req);
  assert.deepEqual(req, [BACKGROUND_JS, 0]);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressLine } from './progress';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (text: string) => writes.push(text) > 0 } };
}

describe('ProgressLine', () => {
  it('redraws one line in place on a terminal, throttled, with the latest counts', () => {
    const out = stream(true);
    let now = 1000;
    const line = new ProgressLine(out.stream as never, 'capturing', 10_000, () => now);

    line.start(true);
    now += 50;
    line.tick();
    now += 350;
    line.update({ elapsedMs: 0, requests: 3, samples: 120 });
    line.finish('done');

    assert.deepEqual(out.writes, [
      '\r\x1b[2Kcapturing: 0.0 s / 10.0 s, 0 requests, samples counted per chunk (every few s)',
      '\r\x1b[2Kcapturing: 0.4 s / 10.0 s, 3 requests, 120 samples',
      '\r\x1b[2Kdone',
      '\n',
    ]);
  });

  it('writes a plain line every few seconds when not a terminal', () => {
    const out = stream(false);
    let now = 0;
    const line = new ProgressLine(out.stream as never, 'capturing', undefined, () => now);

    line.start(true);
    for (now = 0; now <= 6000; now += 200) {
      line.update({ elapsedMs: now, requests: 3, samples: 120 });
      line.tick();
    }
    line.finish('done');

    assert.deepEqual(out.writes, [
      'capturing: 0.0 s, 0 requests, samples counted per chunk (every few s)\n',
      'capturing: 5.0 s, 3 requests, 120 samples\n',
      'done\n',
    ]);
    assert.ok(out.writes.every(text => !text.includes('\r')));
  });

  it('never shows more time than planned, and says samples are pending before a chunk', () => {
    const out = stream(false);
    let now = 0;
    const line = new ProgressLine(out.stream as never, 'capturing', 3000, () => now);

    line.start(true);
    now = 5100;
    line.update({ elapsedMs: now, requests: 343, samples: 0 });
    line.tick();
    now = 10_200;
    line.update({ elapsedMs: now, requests: 400, samples: 290 });
    line.tick();

    assert.deepEqual(out.writes, [
      'capturing: 0.0 s / 3.0 s, 0 requests, samples counted per chunk (every few s)\n',
      'capturing: 3.0 s / 3.0 s, 343 requests, samples counted per chunk (every few s)\n',
      'capturing: 3.0 s / 3.0 s, 400 requests, 290 samples\n',
    ]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressLine } from './progress';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (text: string) => writes.push(text) > 0 } };
}

const progress = (elapsedMs: number) => ({ elapsedMs, requests: 3, samples: 120 });

describe('ProgressLine', () => {
  it('redraws one line in place on a terminal, throttled', () => {
    const out = stream(true);
    let now = 0;
    const line = new ProgressLine(out.stream as never, 'capturing', 10_000, () => now);

    line.update(progress(0));
    now = 50;
    line.update(progress(50));
    now = 400;
    line.update(progress(400));
    line.finish('done');

    assert.equal(out.writes.length, 4, JSON.stringify(out.writes));
    assert.ok(out.writes[0]?.startsWith('\r\x1b[2Kcapturing: 0.0 s / 10.0 s, 3 requests'));
    assert.equal(out.writes.at(-1), '\n');
  });

  it('writes plain lines at most every few seconds when not a terminal', () => {
    const out = stream(false);
    let now = 0;
    const line = new ProgressLine(out.stream as never, 'capturing', undefined, () => now);

    for (now = 0; now <= 6000; now += 200) line.update(progress(now));
    line.finish('done');

    assert.deepEqual(out.writes, [
      'capturing: 0.0 s, 3 requests, 120 samples\n',
      'capturing: 5.0 s, 3 requests, 120 samples\n',
      'done\n',
    ]);
    assert.ok(out.writes.every(text => !text.includes('\r')));
  });
});

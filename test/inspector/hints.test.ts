/**
 * Hints only where the line holds a meaningful part of the endpoint: the JSON hint on a big
 * stringify that takes most of a request, none on a small one that takes a sliver of it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { analyzeSession } from '../../src/core/analyze';
import { attachToTarget } from '../../src/inspector/attach';
import { startCapture } from '../../src/inspector/capture';
import { http, startFixture } from './helpers';

const FIXTURE = join(__dirname, '..', 'fixtures', 'servers', 'jsonServer.js');

function lineOf(marker: string): number {
  const lines = readFileSync(FIXTURE, 'utf8').split('\n');
  const index = lines.findIndex(line => line.includes(`// ${marker}`));
  assert.ok(index >= 0, marker);
  return index + 1;
}

describe('hints', () => {
  test('a hint on a line holding a big share, none on a trivial line', async t => {
    const fixture = await startFixture('jsonServer.js');
    t.after(() => fixture.stop());
    const attached = await attachToTarget({ kind: 'pid', pid: fixture.pid }, { timeoutMs: 5000 });
    assert.ok(attached.ok);
    t.after(() => attached.value.detach());
    const capture = await startCapture(attached.value, { samplingIntervalUs: 100 });

    for (let i = 0; i < 20; i++) await http(fixture.port, '/big');
    for (let i = 0; i < 150; i++) await http(fixture.port, '/mixed');
    const session = await capture.stop();
    await attached.value.detach();

    const analysis = analyzeSession(session);
    const endpoint = (key: string) => analysis.endpoints.find(e => e.key === key);
    const big = endpoint('GET /big')?.hotLines.find(line => line.line === lineOf('@big-json'));
    assert.ok(big, 'the big stringify is a hot line');
    assert.match(big.hint ?? '', /JSON/, 'the big stringify gets the JSON hint');

    const mixed = endpoint('GET /mixed');
    assert.ok(mixed);
    const smallLine = mixed.hotLines.find(line => line.line === lineOf('@small-json'));
    assert.ok(smallLine, 'the small stringify was sampled (100 µs interval, 150 requests)');
    assert.ok(smallLine.share < 0.05, `the small stringify is a sliver: ${smallLine.share}`);
    assert.equal(smallLine.hint, undefined, 'no hint on a trivial line');
  });
});

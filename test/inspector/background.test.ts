/**
 * CPU outside any request: a service busy in a timer with no request at all shows where its
 * CPU went (the analysis' background hot lines and the report's section), not only "0% of
 * sampled CPU ran request code".
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { renderReport } from '../../src/cli/renderReport';
import { analyzeSession } from '../../src/core/analyze';
import type { SessionFile } from '../../src/core/session';
import { attachToTarget } from '../../src/inspector/attach';
import { startCapture } from '../../src/inspector/capture';
import { startFixture } from './helpers';

const FIXTURE = join(__dirname, '..', 'fixtures', 'servers', 'backgroundServer.js');

/** The 1-based line of the fixture marked `@spin`. */
function spinLine(): number {
  const index = readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .findIndex(line => line.includes('// @spin'));
  assert.ok(index >= 0);
  return index + 1;
}

describe('CPU outside requests', () => {
  test('a busy process with no request shows its hot line', async t => {
    const fixture = await startFixture('backgroundServer.js');
    t.after(() => fixture.stop());
    const attached = await attachToTarget({ kind: 'pid', pid: fixture.pid }, { timeoutMs: 5000 });
    assert.ok(attached.ok);
    t.after(() => attached.value.detach());
    const capture = await startCapture(attached.value, { durationMs: 1500 });
    const session = await new Promise<SessionFile>(resolve => capture.onDidEnd(resolve));
    await attached.value.detach();

    const analysis = analyzeSession(session);
    assert.equal(analysis.requests.length, 0);
    const top = analysis.backgroundHotLines?.[0];
    assert.ok(top, 'CPU outside requests has lines');
    assert.ok(top.file.endsWith('backgroundServer.js'), top.file);
    assert.equal(top.line, spinLine());
    // The timer burns about 2/3 of the time; a loaded machine may sample less of it.
    assert.ok(top.share > 0.2, `share ${top.share}`);

    const text = renderReport(analysis, session, { cwd: process.cwd(), color: false });
    assert.match(text, /CPU outside any request/);
    assert.match(text, new RegExp(`backgroundServer\\.js:${spinLine()}`));
  });
});

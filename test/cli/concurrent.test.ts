/**
 * Two `gapscope attach` on one pid: the second is refused at once with a clear message (the
 * first holds a fresh lease), and the first still captures, saves and detaches cleanly.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { listeningPortsOf } from '../../src/inspector/processes';
import { startFixture } from '../inspector/helpers';
import { get, runCli, startCli } from './helpers';

describe('gapscope attach twice on one pid', () => {
  it('refuses the second at once and leaves the first working', async () => {
    const fixture = await startFixture('httpServer.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'gapscope-twice-'));
    const out = path.join(dir, 'first.gapscope.json');
    const first = startCli(['attach', String(fixture.pid), '-o', out]);
    try {
      await first.waitForStderr(/capturing pid/);

      const startedAt = Date.now();
      const second = await runCli(['attach', String(fixture.pid), '-d', '1']);
      assert.notEqual(second.code, 0);
      assert.match(second.stderr, /already being profiled by another Gapscope session/);
      assert.ok(Date.now() - startedAt < 8000, 'well before the 10 s attach timeout');

      await get(fixture.port, '/burn?ms=5&tag=after-second');
      first.interrupt();
      const result = await first.done;
      assert.equal(result.code, 0, result.stderr);
      assert.ok(existsSync(out));
      assert.deepEqual(await listeningPortsOf(fixture.pid), [fixture.port], 'no inspector left');
    } finally {
      first.kill();
      await fixture.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * `--out` and `--duration` mistakes are found before attaching (exit 2, nothing touched), and a
 * save that still fails after the capture keeps the capture in the temporary folder.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SessionFile } from '../../src/core/session';
import { startFixture, type Fixture } from '../inspector/helpers';
import { runCli, startCli } from './helpers';

describe('gapscope attach --out and --duration', () => {
  let dir: string;
  let fixture: Fixture;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gapscope-out-'));
    fixture = await startFixture('httpServer.js');
  });

  after(async () => {
    await fixture?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a folder, a special file or missing folders before attaching', async () => {
    const cases: [string, RegExp][] = [
      [dir, /is a folder/],
      ['/proc/version', /cannot write in \/proc|not a regular file|not writable/],
      ['/dev/null', /not a regular file/],
      [path.join(dir, 'no', 'such', 'x.gapscope.json'), /folder .*no.* does not exist/],
    ];
    for (const [out, reason] of cases) {
      const result = await runCli(['attach', String(fixture.pid), '-d', '1', '--out', out]);

      assert.equal(result.code, 2, `${out}: ${result.stderr}`);
      assert.match(result.stderr, reason, out);
      assert.match(result.stderr, /^hint: /m, out);
      assert.doesNotMatch(result.stderr, /Attached|unexpected failure/, out);
    }
    assert.equal(existsSync(path.join(dir, 'no')), false, 'created folders it refused');
    assert.doesNotMatch(fixture.stderr(), /Debugger listening/, 'the target was signalled');
  });

  it('rejects a --duration beyond 24 h instead of capturing 0.1 s', async () => {
    for (const duration of ['1e9', '86401']) {
      const result = await runCli(['attach', String(fixture.pid), '-d', duration]);

      assert.equal(result.code, 2, `${duration}: ${result.stderr}`);
      assert.match(result.stderr, /^error: --duration .* longer than 86400 s/m, duration);
      assert.match(result.stderr, /^hint: .*Ctrl-C/m, duration);
      assert.doesNotMatch(result.stderr, /TimeoutOverflowWarning|Attached/, duration);
    }
  });

  it('demo: the same checks run before the demo service starts', async () => {
    const cases: [string[], RegExp][] = [
      [['demo', '--out', dir], /is a folder/],
      [['demo', '-d', '1e9'], /longer than the demo's 600 s/],
    ];
    for (const [args, reason] of cases) {
      const result = await runCli(args);

      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, reason, args.join(' '));
      assert.match(result.stderr, /^hint: /m, args.join(' '));
      assert.doesNotMatch(result.stderr, /Starting the demo/, args.join(' '));
    }
  });

  it('creates the one missing folder of the path named, and saves there', async () => {
    const out = path.join(dir, 'new', 'a.gapscope.json');
    const result = await runCli(['attach', String(fixture.pid), '-d', '1', '--out', out]);

    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(readFileSync(out, 'utf8')) as SessionFile).target.pid, fixture.pid);
  });

  it('saves to the temporary folder when the folder vanished during the capture', async () => {
    const folder = path.join(dir, 'vanishing');
    mkdirSync(folder);
    const run = startCli([
      'attach',
      String(fixture.pid),
      '-d',
      '2',
      '--json',
      '--out',
      path.join(folder, 'b.gapscope.json'),
    ]);
    try {
      await run.waitForStderr(/Attached to pid/);
      rmSync(folder, { recursive: true });
      const result = await run.done;

      assert.equal(result.code, 0, result.stderr);
      const match = /saved it to (\S+\.gapscope\.json) instead/.exec(result.stderr);
      assert.ok(match, result.stderr);
      const fallback = match[1]!;
      try {
        assert.ok(fallback.startsWith(tmpdir()), fallback);
        const saved = JSON.parse(readFileSync(fallback, 'utf8')) as SessionFile;
        assert.equal(saved.target.pid, fixture.pid);
        // The report is printed anyway.
        assert.equal((JSON.parse(result.stdout) as SessionFile).target.pid, fixture.pid);
      } finally {
        rmSync(fallback, { force: true });
      }
    } finally {
      run.kill();
    }
  });
});

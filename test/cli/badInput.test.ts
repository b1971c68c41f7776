/**
 * Bad input gets a one-line cause, a hint and the documented exit code, and harms nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSleep } from '../inspector/helpers';
import { runCli } from './helpers';

/** A pid no process has: above every pid in /proc, and above the default pid_max. */
function unusedPid(): number {
  let pid = 4_194_305;
  while (existsSync(`/proc/${pid}`)) pid++;
  return pid;
}

describe('gapscope on bad input', () => {
  let dir: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gapscope-bad-'));
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('attach to an unknown pid: exit 3, says so, points at `gapscope list`', async () => {
    const result = await runCli(['attach', String(unusedPid()), '--duration', '1']);

    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /^error: No process with pid \d+ is running\.$/m);
    assert.match(result.stderr, /^hint: .*gapscope list/m);
    assert.equal(result.stdout, '');
  });

  it('attach to a process that is not Node: exit 3, and the process is not signalled', async () => {
    const sleeper = startSleep();
    try {
      const result = await runCli(['attach', String(sleeper.child.pid), '--duration', '1']);

      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, /is not a Node\.js process; it was not signalled/);
      assert.equal(sleeper.child.exitCode, null, 'the non-Node process was killed');
      assert.equal(sleeper.child.signalCode, null, 'the non-Node process was killed');
    } finally {
      await sleeper.stop();
    }
  });

  it('report on a corrupt session file: exit 4 with the reason', async () => {
    const file = path.join(dir, 'corrupt.gapscope.json');
    writeFileSync(file, '{"format":"gapscope-session","version":1,"target":');
    const result = await runCli(['report', file]);

    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /is not a readable Gapscope session/);
    assert.equal(result.stdout, '');
  });

  it('report on a JSON file that is not a session: exit 4', async () => {
    const file = path.join(dir, 'other.json');
    writeFileSync(file, JSON.stringify({ name: 'not a session' }));
    const result = await runCli(['report', file]);

    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /not a readable Gapscope session/);
  });

  it('report on a missing file: exit 4', async () => {
    const result = await runCli(['report', path.join(dir, 'missing.gapscope.json')]);

    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /missing\.gapscope\.json/);
  });

  it('unreadable arguments and unknown commands: exit 2 with usage help', async () => {
    const cases = [
      ['attach', 'not-a-target'],
      ['attach', '123', '--duration', '-5'],
      ['attach', '123', '--tracking', 'everything'],
      ['frobnicate'],
      ['report'],
    ];
    for (const args of cases) {
      const result = await runCli(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.ok(result.stderr.trim().length > 0, `${args.join(' ')}: nothing on stderr`);
    }
  });

  it('--help and --version exit 0 and document the exit codes', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Exit codes:\n {2}0 {2}success/);

    const version = await runCli(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});

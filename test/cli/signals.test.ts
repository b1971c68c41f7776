/**
 * Signals to `gapscope attach` mid-capture: SIGTERM and SIGHUP stop, detach, save and report
 * like a first Ctrl-C; a second Ctrl-C quits without saving but still leaves the target as it
 * was (agent gone, the inspector Gapscope opened closed) right away, not after the lease.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listeningPortsOf } from '../../src/inspector/processes';
import { http, startFixture, waitFor, type Fixture } from '../inspector/helpers';
import { CLI, REPO_ROOT } from './helpers';

/**
 * Bound on the target being clean after the CLI exited, ms: the inspector closes a moment
 * after the detach (a deferred timer in the target); far below the agent's 15 s lease, so only
 * the CLI's own detach can pass.
 */
const CLEAN_BOUND_MS = 3000;

interface Run {
  pid: number;
  done: Promise<{ code: number | null; stderr: string }>;
  waitForStderr(pattern: RegExp): Promise<void>;
  kill(): void;
}

function startAttach(args: string[]): Run {
  const child = spawn(process.execPath, [CLI, 'attach', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout.resume();
  child.stderr.on('data', chunk => (stderr += String(chunk)));
  const done = new Promise<{ code: number | null; stderr: string }>(resolve =>
    child.once('close', code => resolve({ code, stderr })),
  );
  return {
    pid: child.pid!,
    done,
    waitForStderr: pattern =>
      waitFor(`${pattern}`, () => (pattern.test(stderr) ? true : undefined)).then(() => undefined),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

async function agentPresent(fixture: Fixture): Promise<boolean> {
  return (JSON.parse((await http(fixture.port, '/state')).body) as { agent: boolean }).agent;
}

/** Waits until the agent is gone and the service listens on its own port only. */
async function waitForCleanTarget(fixture: Fixture) {
  await waitFor(
    'the target to be clean',
    async () =>
      !(await agentPresent(fixture)) &&
      (await listeningPortsOf(fixture.pid)).join() === String(fixture.port)
        ? true
        : undefined,
    CLEAN_BOUND_MS,
  );
}

describe('gapscope attach and signals', () => {
  let fixture: Fixture;
  let dir: string;
  before(async () => {
    fixture = await startFixture('agentStateServer.js');
    dir = mkdtempSync(path.join(tmpdir(), 'gapscope-signals-'));
  });
  after(async () => {
    await fixture.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} stops, detaches, saves and reports like Ctrl-C`, async () => {
      const out = path.join(dir, `${signal}.gapscope.json`);
      const run = startAttach([String(fixture.pid), '-o', out]);
      try {
        await run.waitForStderr(/capturing pid/);
        assert.equal(await agentPresent(fixture), true, 'the agent runs during the capture');
        process.kill(run.pid, signal);

        const result = await run.done;
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stderr, new RegExp(`Stopping on ${signal}`));
        assert.ok(existsSync(out), 'the session was saved');
        await waitForCleanTarget(fixture);
      } finally {
        run.kill();
      }
    });
  }

  it('a second Ctrl-C quits without saving, and still detaches at once', async () => {
    const out = path.join(dir, 'double.gapscope.json');
    const run = startAttach([String(fixture.pid), '-o', out]);
    try {
      await run.waitForStderr(/capturing pid/);
      assert.equal(await agentPresent(fixture), true);
      process.kill(run.pid, 'SIGINT');
      await run.waitForStderr(/Stopping on SIGINT/);
      process.kill(run.pid, 'SIGINT');

      const result = await run.done;
      assert.equal(result.code, 130, result.stderr);
      assert.equal(existsSync(out), false, 'nothing saved');
      await waitForCleanTarget(fixture);
    } finally {
      run.kill();
    }
  });
});

/**
 * Ground truth for "not scheduled": the service is pinned to one CPU beside two busy loops
 * pinned to the same CPU, so its JS thread keeps waiting in the kernel's run queue. Linux
 * counts that wait per thread (`/proc/<pid>/task/<pid>/schedstat`); the test reads the count
 * itself before and after the capture and checks what the agent recorded and what the
 * analysis charged against it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { analyzeSession } from '../../src/core/analyze';
import type { Analysis } from '../../src/core/model';
import { attachToTarget } from '../../src/inspector/attach';
import { startCapture } from '../../src/inspector/capture';
import { http, startFixture } from './helpers';

/** Requests of eight 0.1 ms slices, each slice after a setImmediate: many short holes. */
const SUBJECT = '/sliced?slices=8&ms=0.1&tag=pinned';

const REQUESTS = 400;

/** The kernel's run-queue delay of the process's main thread so far, ms. */
function runDelayMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ');
  return Number(fields[1]) / 1e6;
}

/** The first CPU this process may run on (the CI machine's list may not start at 0). */
function firstCpu(): string {
  const status = readFileSync('/proc/self/status', 'utf8');
  const list = /^Cpus_allowed_list:\s*(\d+)/m.exec(status);
  return list?.[1] ?? '0';
}

/** Pins every thread of `pid` to `cpu` (taskset, util-linux). */
function pin(pid: number, cpu: string): void {
  const result = spawnSync('taskset', ['-a', '-p', '-c', cpu, String(pid)], { encoding: 'utf8' });
  assert.equal(result.status, 0, `taskset failed: ${result.stderr || String(result.error)}`);
}

/** A Node process spinning forever on `cpu`. */
function startBusyLoop(cpu: string): ChildProcess {
  return spawn('taskset', ['-c', cpu, process.execPath, '-e', 'for (;;) {}'], { stdio: 'ignore' });
}

/** ms of quiet time named only by exclusion: the thread busy outside any request. */
function heldMs(analysis: Analysis): number {
  let ms = 0;
  for (const request of analysis.requests) {
    for (const gap of request.gaps) {
      for (const cause of gap.causes)
        if (/busy outside any request/.test(cause.label)) ms += cause.ms;
    }
  }
  return ms;
}

function causeMs(analysis: Analysis, kind: string): number {
  let ms = 0;
  for (const request of analysis.requests) {
    for (const gap of request.gaps) {
      for (const cause of gap.causes) if (cause.kind === kind) ms += cause.ms;
    }
  }
  return ms;
}

describe('run-queue delay', () => {
  test('a service held off its CPU shows "not scheduled", as the kernel counted', async t => {
    const fixture = await startFixture('httpServer.js');
    t.after(() => fixture.stop());
    const cpu = firstCpu();
    pin(fixture.pid, cpu);
    const busy = [startBusyLoop(cpu), startBusyLoop(cpu)];
    t.after(() => busy.forEach(child => child.kill('SIGKILL')));

    const attached = await attachToTarget({ kind: 'pid', pid: fixture.pid }, { timeoutMs: 10_000 });
    assert.ok(attached.ok);
    t.after(() => attached.value.detach());
    const kernelBefore = runDelayMs(fixture.pid);
    const capture = await startCapture(attached.value, {});
    for (let i = 0; i < REQUESTS; i++) await http(fixture.port, SUBJECT);
    const session = await capture.stop();
    const kernelMs = runDelayMs(fixture.pid) - kernelBefore;
    await attached.value.detach();

    const recordedMs = (session.runDelays ?? []).reduce((sum, delay) => sum + delay.delayUs, 0);
    t.diagnostic(`kernel ${kernelMs.toFixed(1)} ms, recorded ${(recordedMs / 1000).toFixed(1)} ms`);
    assert.ok(kernelMs > 200, `the busy loops held the service off only ${kernelMs} ms`);
    // Readings start after the install and stop at the uninstall, inside the kernel's figure.
    assert.ok(recordedMs / 1000 <= kernelMs * 1.02 + 1, 'recorded more delay than the kernel');
    assert.ok(recordedMs / 1000 >= kernelMs * 0.5, 'recorded less than half of the delay');

    const analysis = analyzeSession(session);
    const endpoint = analysis.endpoints.find(e => e.key === 'GET /sliced');
    assert.ok(endpoint && endpoint.count >= REQUESTS * 0.9, 'the requests were seen');
    const descheduledMs = causeMs(analysis, 'descheduled');
    // One request at a time: no stretch of delay is charged to two requests.
    assert.ok(descheduledMs > 0 && descheduledMs <= kernelMs, `charged ${descheduledMs} ms`);

    // The same capture without the readings: the holes they explain fall to a weaker guess
    // (the thread "busy outside any request", by exclusion) or stay unexplained, and the
    // request's own JS swells by the delay inside its windows.
    const blind = analyzeSession({ ...session, runDelays: undefined });
    const guessedMs = (of: Analysis) => causeMs(of, 'idle') + heldMs(of);
    t.diagnostic(
      `explained ${endpoint.explainedShare.toFixed(4)}; ` +
        `not scheduled ${descheduledMs.toFixed(1)} ` +
        `ms, guessed or unexplained ${guessedMs(analysis).toFixed(1)} ms (without the readings ` +
        `${guessedMs(blind).toFixed(1)} ms)`,
    );
    assert.ok(descheduledMs >= 3 * guessedMs(analysis), 'the readings name most of the holes');
    assert.ok(guessedMs(blind) >= 3 * guessedMs(analysis), 'without them the holes are guessed');
    assert.ok(causeMs(blind, 'cpu') > causeMs(analysis, 'cpu'), 'without them JS swells');
    assert.ok(endpoint.explainedShare >= 0.98, `explained ${endpoint.explainedShare}`);
  });
});

/**
 * `gapscope demo` end to end, as `npm start` runs it: the real login service under real load
 * from autocannon. The right answers come from the demo's own source and from autocannon.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Analysis } from '../../src/core/model';
import type { LoadResult } from '../../src/cli/loadGenerator';
import { REPO_ROOT, lineOf, parseJson, runCli, type CliResult } from './helpers';

const AUTH_TS = path.join(REPO_ROOT, 'examples', 'login-service', 'src', 'auth.ts');

interface DemoOutput {
  analysis: Analysis;
  load: LoadResult[];
}

describe('gapscope demo', () => {
  let outDir: string;
  let session: string;
  let run: CliResult;
  let output: DemoOutput;

  before(async () => {
    outDir = mkdtempSync(path.join(tmpdir(), 'gapscope-demo-'));
    session = path.join(outDir, 'demo.gapscope.json');
    run = await runCli(['demo', '--json', '--out', session]);
    assert.equal(run.code, 0, run.stderr);
    output = parseJson<DemoOutput>(run);
  });

  after(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('puts POST /login’s top hot line on the pbkdf2Sync call in auth.ts', t => {
    const login = output.analysis.endpoints.find(e => e.key === 'POST /login');
    assert.ok(login, 'no POST /login endpoint');
    const top = login.hotLines[0];
    assert.ok(top, 'no hot line');
    assert.equal(top.file, AUTH_TS);
    assert.equal(top.line, lineOf(AUTH_TS, 'crypto.pbkdf2Sync(attempt'));
    assert.ok(
      top.innerFrames.some(frame => /pbkdf2Sync/.test(frame.name)),
      'no pbkdf2Sync frame',
    );

    // Most of the request's untraced time is that line.
    const share = top.untracedMsPerRequest / login.untracedMsPerRequest;
    t.diagnostic(`auth.ts:${top.line} holds ${(share * 100).toFixed(0)}% of the untraced time`);
    assert.ok(share > 0.6, `the line holds ${share} of the untraced time`);
  });

  it('reports a login p50 within 10% of the load generator’s', t => {
    const login = output.analysis.endpoints.find(e => e.key === 'POST /login');
    const client = output.load.find(result => result.endpoint === 'POST /login');
    assert.ok(login && client, 'missing login figures');
    assert.ok(login.count >= 10, `only ${login.count} logins`);

    const error = Math.abs(login.p50Ms - client.p50Ms) / client.p50Ms;
    t.diagnostic(`p50 ${login.p50Ms.toFixed(1)} ms, autocannon ${client.p50Ms} ms`);
    assert.ok(error < 0.1, `Gapscope p50 ${login.p50Ms} ms vs autocannon ${client.p50Ms} ms`);
  });

  it('collapses ids into /users/:id and sees every endpoint of the load', () => {
    const keys = output.analysis.endpoints.map(e => e.key).sort();
    assert.deepEqual(keys, [
      'GET /profile',
      'GET /report',
      'GET /users/:id',
      'POST /login',
      'POST /login-async',
    ]);
    for (const result of output.load) assert.equal(result.errors + result.non2xx, 0);
  });

  it('names the async login’s wait on the pool on its hashing line', () => {
    const login = output.analysis.endpoints.find(e => e.key === 'POST /login-async');
    assert.ok(login, 'no POST /login-async endpoint');
    const line = lineOf(AUTH_TS, 'await pbkdf2(attempt');
    const wait = login.gapCauses.find(
      cause => cause.kind === 'threadpool' && cause.location?.line === line,
    );
    assert.ok(wait, JSON.stringify(login.gapCauses.slice(0, 6)));
    assert.match(wait.label, /^PBKDF2REQUEST at auth\.ts:\d+$/);
  });

  it('explains nearly every millisecond of nearly every request', t => {
    const requests = output.analysis.requests;
    const below = requests.filter(request => request.explainedShare < 0.99);
    const worst = [...requests].sort((a, b) => a.explainedShare - b.explainedShare)[0];
    t.diagnostic(
      `${below.length} of ${requests.length} requests below 99% explained; worst ` +
        `${worst?.url} ${worst?.durationMs.toFixed(2)} ms at ${worst?.explainedShare.toFixed(3)}`,
    );
    // The goal is 99% of every request. Named besides spans, CPU and waits: collections, the
    // agent's flushes, the kernel's run-queue delay, the loop's idle time and its turn between
    // callbacks. Alone on the machine no request stayed below 99% in the last six runs; in full
    // test runs a stall no counter shows (not queued, not idle, no GC: seen up to 3.3 ms in a
    // 0.3 ms request) left up to three of ~600, and the capture's own stop a ms in the last
    // requests. Such a stall weighs on a sub-ms endpoint's share, hence its lower floor.
    assert.ok(below.length <= Math.max(3, 0.01 * requests.length), `${below.length} below 99%`);
    for (const endpoint of output.analysis.endpoints) {
      t.diagnostic(`${endpoint.key}: ${endpoint.explainedShare.toFixed(4)} explained`);
      const floor = endpoint.meanMs >= 5 ? 0.99 : 0.95;
      assert.ok(endpoint.explainedShare >= floor, `${endpoint.key}: ${endpoint.explainedShare}`);
    }
  });

  it('shows progress on stderr, saves the session and leaves no demo process behind', () => {
    assert.match(run.stderr, /Attached to pid (\d+)/);
    assert.match(run.stderr, /load \+ capture: /);
    assert.ok(existsSync(session));

    const pids = /Demo service pid (\d+) \(session store pid (\d+)\)/.exec(run.stderr);
    assert.ok(pids, run.stderr);
    assert.throws(() => process.kill(Number(pids[1]), 0), /ESRCH/, 'the demo service still runs');
    assert.throws(() => process.kill(Number(pids[2]), 0), /ESRCH/, 'the session store still runs');
  });

  it('prints the same hot line from the saved session with `report`', async () => {
    const text = await runCli(['report', session]);
    assert.equal(text.code, 0, text.stderr);

    const line = lineOf(AUTH_TS, 'crypto.pbkdf2Sync(attempt');
    assert.match(text.stdout, new RegExp(`examples/login-service/src/auth\\.ts:${line} +verify`));
    assert.match(text.stdout, /in crypto\.pbkdf2Sync/);
  });
});

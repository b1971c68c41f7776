import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Analysis, EndpointStats, HotLine } from '../core/model';
import { SESSION_FORMAT, SESSION_VERSION, type SessionFile } from '../core/session';
import { effectiveIntervalUs, renderReport } from './renderReport';

const CWD = '/srv/app';

function session(overrides: Partial<SessionFile['capture']> = {}): SessionFile {
  return {
    format: SESSION_FORMAT,
    version: SESSION_VERSION,
    target: {
      pid: 4242,
      argv: ['node', '/srv/app/dist/server.js'],
      cwd: CWD,
      nodeVersion: 'v20.20.2',
      inspectorUrl: 'ws://127.0.0.1:9229/x',
      inspectorOpenedByUs: true,
    },
    capture: {
      startedAt: '2026-12-04T16:00:00.000Z',
      startUs: 0,
      endUs: 10_000_000,
      samplingIntervalUs: 1000,
      tracking: 'windows',
      endReason: 'duration',
      notes: ['another client was already profiling; its interval was kept'],
      agentStats: { droppedSwitches: 0, droppedRequests: 0, flushCpuUs: 12_000, flushes: 50 },
      ...overrides,
    },
    profiles: [
      {
        nodes: [],
        startTime: 0,
        endTime: 10,
        samples: [1, 1, 1, 1],
        timeDeltas: [400, 1000, 1100, 900],
      },
    ],
    requests: [],
    windows: { ts: [], req: [] },
    spans: [],
    waits: [],
    scripts: [],
  };
}

const pbkdf2Line: HotLine = {
  file: '/srv/app/src/auth.ts',
  line: 29,
  functionName: 'verifyPassword',
  endpoint: 'POST /login',
  msPerRequest: 262.4,
  totalMs: 6560,
  share: 0.91,
  samples: 6560,
  untracedMsPerRequest: 262,
  innerFrames: [{ name: 'crypto.pbkdf2Sync', ms: 6500 }],
  hint: 'password hashing on the event loop; use the async API or a worker',
};

const login: EndpointStats = {
  key: 'POST /login',
  method: 'POST',
  route: '/login',
  count: 25,
  p50Ms: 286,
  p95Ms: 301,
  p99Ms: 330,
  meanMs: 288,
  cpuMsPerRequest: 270,
  untracedMsPerRequest: 280,
  explainedShare: 0.95,
  gapCauses: [
    { kind: 'blocked', label: 'GET /report', msPerRequest: 9.5 },
    {
      kind: 'cpu',
      label: 'POST /login at /srv/app/src/auth.ts:29',
      msPerRequest: 262,
      location: { file: '/srv/app/src/auth.ts', line: 29 },
    },
    { kind: 'idle', label: 'unexplained', msPerRequest: 0 },
  ],
  hotLines: [pbkdf2Line],
};

function analysis(overrides: Partial<Analysis> = {}): Analysis {
  return {
    endpoints: [login],
    requests: [],
    hotLines: [pbkdf2Line],
    totals: {
      durationMs: 10_000,
      samples: 9000,
      requests: 25,
      attributedCpuShare: 0.8,
      idle: false,
    },
    notes: [],
    ...overrides,
  };
}

describe('renderReport', () => {
  it('shows the endpoint, its hot line relative to cwd, the inner frame and the hint', () => {
    const text = renderReport(analysis(), session(), { cwd: CWD, color: false });

    assert.match(text, /POST \/login {2}· {2}25 requests/);
    assert.match(text, /p50 286 {3}p95 301 {3}p99 330/);
    assert.match(text, /src\/auth\.ts:29 +verifyPassword +262 +91% {2}in crypto\.pbkdf2Sync/);
    assert.match(text, /hint: password hashing/);
    assert.doesNotMatch(text, /\/srv\/app\/src/, 'paths inside cwd are relative');
  });

  it('lists gap causes biggest first and leaves out empty ones', () => {
    const text = renderReport(analysis(), session(), { cwd: CWD, color: false });

    const cpu = text.search(/cpu +POST \/login at src\/auth\.ts:29/);
    const blocked = text.search(/blocked +GET \/report/);
    assert.ok(cpu > 0 && blocked > cpu, text);
    assert.doesNotMatch(text, /unexplained/);
  });

  it('shows wait causes with their kind apart from the label, and a wait hint once', () => {
    const base = analysis();
    const endpoint = base.endpoints[0]!;
    const hint = 'All 4 threads of the libuv pool were busy.';
    endpoint.gapCauses = [
      { kind: 'threadpool', label: 'PBKDF2REQUEST at src/auth.ts:41', msPerRequest: 90, hint },
      { kind: 'threadpool', label: 'threadpool busy: PBKDF2REQUEST', msPerRequest: 40, hint },
      { kind: 'socket', label: 'TCP 127.0.0.1:6379 from src/session.ts:18', msPerRequest: 5 },
      { kind: 'descheduled', label: 'not scheduled', msPerRequest: 2 },
    ];
    const text = renderReport(base, session(), { cwd: CWD, color: false });

    assert.match(text, /threadpool +PBKDF2REQUEST at src\/auth\.ts:41 +90/);
    // The longest kind still stands apart from its label.
    assert.match(text, /descheduled +not scheduled +2/);
    assert.match(text, /socket +TCP 127\.0\.0\.1:6379 from src\/session\.ts:18 +5/);
    assert.equal(text.split('hint: All 4 threads').length - 1, 1, text);
  });

  it('says how many requests were cut by the stop or abandoned by their client', () => {
    const base = analysis();
    const endpoint = base.endpoints[0]!;
    endpoint.unfinished = 2;
    endpoint.aborted = 1;
    const text = renderReport(base, session(), { cwd: CWD, color: false });
    assert.match(
      text,
      /\n {4}2 still running at stop \(not in the latency\); 1 abandoned by its client\n/,
    );
  });

  it('states the interval, the tracking mode, the agent cost and the notes in the header', () => {
    const text = renderReport(analysis(), session(), { cwd: CWD, color: false });

    assert.match(text, /Sampling every 1000 µs · tracking: windows/);
    assert.match(
      text,
      /Agent flushes held the JS thread 12\.0 ms in 50 flushes \(<1% of the window\)/,
    );
    assert.match(text, /note: another client was already profiling/);
  });

  it('reports the interval in force when it differs from the one asked for', () => {
    const slow = session({ samplingIntervalUs: 100 });
    const text = renderReport(analysis(), slow, { cwd: CWD, color: false });

    assert.match(text, /~1000 µs in force \(asked 100 µs\)/);
  });

  it('shows the load generator p50 beside its own when given', () => {
    const clientP50Ms = new Map([['POST /login', 290]]);
    const text = renderReport(analysis(), session(), { cwd: CWD, color: false, clientP50Ms });

    assert.match(text, /\(load generator p50 290\)/);
  });

  it('says "no CPU activity" and "no requests" for an idle capture, without NaN', () => {
    const idle = analysis({
      endpoints: [],
      hotLines: [],
      totals: { durationMs: 5000, samples: 0, requests: 0, attributedCpuShare: NaN, idle: true },
    });
    const text = renderReport(idle, session(), { cwd: CWD, color: false });

    assert.match(text, /No CPU activity/);
    assert.match(text, /No HTTP requests were seen/);
    assert.doesNotMatch(text, /NaN|undefined/);
  });

  it('says when a hot line is a guess between several calls', () => {
    const base = analysis();
    base.endpoints[0]!.hotLines = [{ ...pbkdf2Line, note: 'one of 3 calls, time split evenly' }];
    const text = renderReport(base, session(), { cwd: CWD, color: false });
    assert.match(text, /auth\.ts:29 .*\n {4}one of 3 calls, time split evenly\n/);
  });

  it('says how many causes it leaves out past the first five', () => {
    const base = analysis();
    const endpoint = base.endpoints[0]!;
    endpoint.gapCauses = [1, 2, 3, 4, 5, 6, 7].map(n => ({
      kind: 'timer' as const,
      label: `Timeout at src/t.ts:${n}`,
      msPerRequest: n,
    }));
    const text = renderReport(base, session(), { cwd: CWD, color: false });
    assert.match(text, /… 2 more \(--json lists them all\)/);
  });

  it('keeps every line within 100 columns without colour', () => {
    const text = renderReport(analysis(), session(), { cwd: CWD, color: false });

    for (const line of text.split('\n')) assert.ok(line.length <= 100, line);
  });
});

describe('effectiveIntervalUs', () => {
  it('takes the median sample gap, skipping the gap from the profile start', () => {
    assert.equal(effectiveIntervalUs(session()), 1000);
  });
});

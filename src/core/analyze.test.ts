import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSession, mergeByStart } from './analyze';
import type { Analysis, CpuSlice } from './model';
import { makeProfile, makeRequest, makeSession } from './testSessions';

const APP = 'file:///app/handler.js';

/** Line 10 declares `handler`, its loop is on line 13. */
const HANDLER_SOURCE = [
  '// 1',
  '// 2',
  '// 3',
  '// 4',
  '// 5',
  '// 6',
  '// 7',
  '// 8',
  '// 9',
  'function handler(items) {',
  '  let sum = 0;',
  '  const n = items.length;',
  '  for (let i = 0; i < n; i++) sum += items[i];',
  '  return sum;',
  '}',
].join('\n');

function assertFiniteNumbers(value: unknown, path = 'analysis'): void {
  if (typeof value === 'number') {
    assert.ok(Number.isFinite(value), `${path} is ${value}`);
    return;
  }
  if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) assertFiniteNumbers(child, `${path}.${key}`);
  }
}

function causeMs(analysis: Analysis, kind: string): number {
  let ms = 0;
  for (const gap of analysis.requests[0]?.gaps ?? []) {
    for (const cause of gap.causes) if (cause.kind === kind) ms += cause.ms;
  }
  return ms;
}

describe('analyzeSession', () => {
  it('puts the time of a function declared on line 10 on its loop line 13', () => {
    const profile = makeProfile(
      [
        { id: 1, functionName: '(root)' },
        {
          id: 2,
          parent: 1,
          functionName: 'handler',
          url: APP,
          lineNumber: 9,
          columnNumber: 16,
          positionTicks: [
            { line: 13, ticks: 9 },
            { line: 10, ticks: 1 },
          ],
        },
      ],
      [2, 2, 2, 2, 2, 2, 2, 2, 2, 2],
    );
    const session = makeSession({
      profiles: [profile],
      requests: [makeRequest(1, '/sum?x=1', 0, 10_000)],
      windows: { ts: [0, 10_000], req: [1, 0] },
      scripts: [{ url: APP, source: HANDLER_SOURCE }],
    });

    const analysis = analyzeSession(session);

    const endpoint = analysis.endpoints[0];
    assert.equal(endpoint?.key, 'GET /sum');
    assert.equal(endpoint.count, 1);
    assert.equal(endpoint.p50Ms, 10);
    assert.equal(endpoint.cpuMsPerRequest, 10);
    const [top, second] = endpoint.hotLines;
    assert.deepEqual([top?.file, top?.line, top?.functionName], ['/app/handler.js', 13, 'handler']);
    assert.ok(Math.abs((top?.msPerRequest ?? 0) - 9) < 1e-9);
    assert.ok(Math.abs((top?.share ?? 0) - 0.9) < 1e-9);
    assert.equal(second?.line, 10);
    assert.equal(analysis.requests[0]?.cpuSlices.length, 1);
    assert.equal(analysis.requests[0]?.cpuSlices[0]?.location?.line, 13);
    assert.equal(analysis.totals.attributedCpuShare, 1);
    assertFiniteNumbers(analysis);
  });

  it('splits a gap into own CPU, GC, blocking request, wait, other CPU and idle', () => {
    const report = 'file:///app/report.js';
    const profile = makeProfile(
      [
        { id: 1, functionName: '(root)' },
        { id: 2, parent: 1, functionName: 'handler', url: APP, lineNumber: 9, columnNumber: 16 },
        { id: 3, parent: 1, functionName: '(garbage collector)' },
        { id: 4, parent: 1, functionName: 'build', url: report, lineNumber: 20, columnNumber: 14 },
        { id: 5, parent: 1, functionName: '(idle)' },
      ],
      // 0-1 own, 1-2 GC, 2-4 covered by a span, 4-6 another request, 6-8 idle (threadpool
      // wait 6-7), 8-9 JS of no request, 9-10 idle.
      [2, 3, 2, 2, 4, 4, 5, 5, 2, 5],
    );
    profile.nodes[1]!.positionTicks = [{ line: 13, ticks: 1 }];
    profile.nodes[3]!.positionTicks = [{ line: 27, ticks: 1 }];
    const session = makeSession({
      profiles: [profile],
      requests: [makeRequest(1, '/sum', 0, 10_000), makeRequest(2, '/report', 3_900, 6_000)],
      // Request 1 runs right after request 2 (a callback too short to take time, the one that
      // starts its hash), so request 2 blocked it; from 6 on idle samples are quiet time.
      windows: { ts: [0, 4_000, 6_000, 6_000], req: [1, 2, 1, 0] },
      spans: [
        span('a', 1, 0, 10_000, 1),
        span('b', 2, 2_000, 4_000, 1, 'a'),
        span('c', 2, 4_500, 5_000, 2),
      ],
      waits: [
        {
          requestId: 1,
          type: 'PBKDF2REQUEST',
          kind: 'threadpool',
          startUs: 6_000,
          endUs: 7_000,
          callSite: { url: APP, line: 13, column: 3 },
        },
        { requestId: 1, type: 'Timeout', kind: 'timer', startUs: 6_500, endUs: 7_500 },
      ],
      scripts: [{ url: APP, source: HANDLER_SOURCE }],
    });

    const analysis = analyzeSession(session);
    const request = analysis.requests[0]!;

    assert.deepEqual(
      request.gaps.map(gap => [gap.startUs, gap.endUs]),
      [
        [0, 2_000],
        [4_000, 10_000],
      ],
    );
    assert.equal(request.untracedMs, 8);
    for (const gap of request.gaps) {
      const sum = gap.causes.reduce((total, cause) => total + cause.ms, 0);
      assert.ok(Math.abs(sum - gap.durationMs) < 1e-9, `causes add up to ${sum}`);
    }
    assert.equal(causeMs(analysis, 'cpu'), 1);
    assert.equal(causeMs(analysis, 'gc'), 1);
    assert.equal(causeMs(analysis, 'blocked'), 2);
    assert.equal(causeMs(analysis, 'threadpool'), 1);
    assert.equal(causeMs(analysis, 'timer'), 0.5);
    assert.equal(causeMs(analysis, 'other-cpu'), 1);
    assert.equal(causeMs(analysis, 'idle'), 1.5);
    const blocked = request.gaps[1]?.causes.find(cause => cause.kind === 'blocked');
    assert.equal(blocked?.label, 'blocked by GET /report at report.js:27');
    assert.equal(blocked?.blockingRequestId, 2);
    const pool = request.gaps[1]?.causes.find(cause => cause.kind === 'threadpool');
    assert.equal(pool?.label, 'PBKDF2REQUEST at handler.js:13');
    assert.match(pool?.hint ?? '', /thread pool/);
    assert.equal(request.explainedShare, 0.85);
    assert.deepEqual(
      request.spans.map(view => [view.spanId, view.depth]),
      [['b', 0]],
    );
    assert.equal(request.cpuMs, 3);
    assertFiniteNumbers(analysis);
  });

  it('charges library samples without a user frame to the request of the window', () => {
    const bcrypt = 'file:///app/node_modules/bcryptjs/umd/index.js';
    const profile = makeProfile(
      [
        { id: 1, functionName: '(root)' },
        { id: 2, parent: 1, functionName: 'processImmediate', url: 'node:internal/timers' },
        { id: 3, parent: 2, functionName: 'next', url: bcrypt, lineNumber: 900, columnNumber: 10 },
        { id: 4, parent: 3, functionName: '_crypt', url: bcrypt, lineNumber: 700, columnNumber: 9 },
        { id: 5, parent: 1, functionName: '(idle)' },
      ],
      [4, 4, 5, 4, 3, 5],
    );
    const session = makeSession({
      profiles: [profile],
      requests: [makeRequest(7, '/login', 0, 6_000)],
      windows: { ts: [0, 2_000, 3_000, 5_000], req: [7, 0, 7, 0] },
    });

    const analysis = analyzeSession(session);
    const request = analysis.requests[0]!;

    assert.equal(request.cpuMs, 4);
    assert.deepEqual(analysis.endpoints[0]?.hotLines, []);
    assert.deepEqual(
      request.cpuSlices.map(slice => [slice.startUs, slice.endUs, slice.inner, slice.location]),
      [
        [0, 2_000, 'bcryptjs.next', undefined],
        [3_000, 5_000, 'bcryptjs.next', undefined],
      ],
    );
    const cpu = request.gaps[0]?.causes.find(cause => cause.kind === 'cpu');
    assert.equal(cpu?.ms, 4);
    assert.equal(cpu?.label, 'bcryptjs.next (no user frame on the stack)');
  });

  it('reports an idle window as no CPU activity, without NaN', () => {
    const profile = makeProfile(
      [
        { id: 1, functionName: '(root)' },
        { id: 2, parent: 1, functionName: '(idle)' },
      ],
      [2, 2, 2, 2],
    );
    const session = makeSession({
      profiles: [profile],
      requests: [makeRequest(1, '/health', 1_000, 1_000)],
    });

    const analysis = analyzeSession(session);

    assert.equal(analysis.totals.idle, true);
    assert.equal(analysis.totals.attributedCpuShare, 0);
    assert.ok(analysis.notes.includes('No CPU activity in the captured window.'));
    assert.equal(analysis.endpoints[0]?.explainedShare, 1);
    assertFiniteNumbers(analysis);

    const empty = analyzeSession(makeSession({ profiles: [] }));
    assert.equal(empty.totals.idle, true);
    assert.deepEqual(empty.endpoints, []);
    assertFiniteNumbers(empty);
  });

  it('ends an open (aborted) request at the end of the capture', () => {
    const profile = makeProfile(
      [
        { id: 1, functionName: '(root)' },
        { id: 2, parent: 1, functionName: '(idle)' },
      ],
      [2, 2, 2, 2, 2],
    );
    const request = { ...makeRequest(3, '/users/42/orders/7f3a9c2e1b4d5a6f?page=2', 2_000) };
    request.aborted = true;
    const session = makeSession({ profiles: [profile], requests: [request] });

    const analysis = analyzeSession(session);
    const result = analysis.requests[0]!;

    assert.equal(result.endUs, 5_000);
    assert.equal(result.durationMs, 3);
    assert.equal(result.aborted, true);
    assert.equal(result.endpoint, 'GET /users/:id/orders/:id');
    assert.equal(causeMs(analysis, 'idle'), 3);
    assert.equal(result.explainedShare, 0);
    assert.equal(result.unfinished, true);
  });

  it('leaves requests cut by the stop out of the percentiles, and counts them', () => {
    const profile = makeProfile([{ id: 1, functionName: '(root)' }], [], 1_000, 10_000);
    const requests = [1, 2, 3].map(id => makeRequest(id, '/a', 0, id * 1_000));
    const cut = makeRequest(4, '/a', 0);
    cut.aborted = true;
    const analysis = analyzeSession(
      makeSession({ profiles: [profile], requests: [...requests, cut] }),
    );

    const a = analysis.endpoints[0]!;
    assert.equal(a.count, 4);
    assert.equal(a.unfinished, 1);
    assert.equal(a.aborted, 1);
    assert.equal(a.p99Ms, 3, 'the cut request (10 ms so far) is no latency');
  });

  it('keeps endpoints apart and computes nearest-rank percentiles', () => {
    const profile = makeProfile([{ id: 1, functionName: '(root)' }], []);
    const requests = [1, 2, 3, 4].map(id => makeRequest(id, `/a/${id}`, 0, id * 1_000));
    requests.push({ ...makeRequest(5, '/b', 0, 1_000), method: 'post', route: '/b/:name' });
    const analysis = analyzeSession(makeSession({ profiles: [profile], requests }));

    const a = analysis.endpoints.find(endpoint => endpoint.key === 'GET /a/:id');
    assert.deepEqual([a?.count, a?.p50Ms, a?.p95Ms, a?.meanMs], [4, 2, 4, 2.5]);
    assert.ok(analysis.endpoints.some(endpoint => endpoint.key === 'POST /b/:name'));
  });
});

function span(
  id: string,
  kind: number,
  startUs: number,
  endUs: number,
  requestId: number,
  parent?: string,
) {
  return {
    spanId: id,
    traceId: 't',
    name: `span ${id}`,
    kind,
    startUs,
    endUs,
    requestId,
    source: 'tracer' as const,
    ...(parent ? { parentSpanId: parent } : {}),
  };
}

describe('mergeByStart', () => {
  it('gives what a stable sort of both lists gives, own slices first on equal starts', () => {
    const slice = (startUs: number, kind: CpuSlice['kind']): CpuSlice => ({
      startUs,
      endUs: startUs + 1,
      functionName: `${kind}@${startUs}`,
      kind,
    });
    const own = [0, 3, 3, 7, 9].map(start => slice(start, 'cpu'));
    const blocked = [1, 3, 8, 9, 12].map(start => slice(start, 'blocked'));

    const merged = mergeByStart(own, blocked);

    const sorted = [...own, ...blocked].sort((a, b) => a.startUs - b.startUs);
    assert.deepEqual(merged, sorted);
    assert.equal(mergeByStart(own, []), own);
    assert.equal(mergeByStart([], blocked), blocked);
  });
});

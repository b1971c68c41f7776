/**
 * A synthetic session and its analysis, made by hand and consistent with each other, for the
 * timeline's tests (small) and its scale benchmark (10,000 requests, 1,000,000 samples).
 *
 * Three endpoints take turns: `POST /login` (CPU in pbkdf2Sync under auth.js:41, an untraced
 * gap), `GET /users/:id` (a tracer span, a hostile function name in the CPU lane and the flame
 * graph, and a start blocked by the login before it) and `GET /health`.
 */
import type Cdp from 'devtools-protocol';
import type {
  Analysis,
  CpuSlice,
  EndpointStats,
  Gap,
  HotLine,
  RequestAnalysis,
  SpanView,
} from '../../src/core/model';
import type { RecordedRequest, RecordedSpan, SessionFile } from '../../src/core/session';

/** The function name the hostile-string test looks for. */
export const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
export const AUTH_FILE = '/app/src/auth.js';
export const USERS_FILE = '/app/src/users.js';
/** The line of the pbkdf2Sync call in auth.js (1-based). */
export const PBKDF2_LINE = 41;

export interface SyntheticOptions {
  requests: number;
  samples: number;
  /** Samples per profile chunk (a live session is recorded in chunks). */
  chunkSamples?: number;
}

interface Plan {
  request: RecordedRequest;
  endpoint: string;
  /** Profile node ids to sample, in order, with their share of the request. */
  phases: { node: number; share: number; line: number; file: string; fn: string; inner?: string }[];
}

const T0 = 1_000_000_000;
/** Share of a users request spent blocked behind the login before it. */
const BLOCKED_SHARE = 0.06;
/** The `(idle)` node of the synthetic profile. */
const IDLE_NODE = 7;
const NODES: Cdp.Profiler.ProfileNode[] = [
  node(1, '(root)', '', -1, [2, 5, 7, 8, 9]),
  node(2, 'login', 'file:///app/src/auth.js', 37, [3]),
  node(3, 'pbkdf2Sync', 'node:internal/crypto/pbkdf2', 60, [4]),
  node(4, 'run', '', -1, []),
  node(5, 'getUser', 'file:///app/src/users.js', 11, [6]),
  node(6, HOSTILE_NAME, 'file:///app/src/users.js', 30, []),
  node(7, '(idle)', '', -1, []),
  node(8, '(garbage collector)', '', -1, []),
  node(9, 'health', 'file:///app/src/health.js', 2, []),
];

/** Makes the session and the analysis that an ideal engine would derive from it. */
export function syntheticSession(options: SyntheticOptions): {
  session: SessionFile;
  analysis: Analysis;
} {
  const plans = planRequests(options.requests);
  const perRequest = Math.max(1, Math.floor(options.samples / options.requests));
  const session = emptySession(plans);
  const requests: RequestAnalysis[] = [];
  const timestamps: number[] = [];
  const nodes: number[] = [];

  for (const plan of plans) {
    const { analysed, cpuEndUs } = sampleRequest(plan, perRequest, timestamps, nodes);
    requests.push(analysed);
    session.windows.ts.push(plan.request.startUs, cpuEndUs);
    session.windows.req.push(plan.request.id, 0);
  }
  session.profiles = chunkProfiles(timestamps, nodes, options.chunkSamples ?? 100_000);
  session.spans = requests.flatMap(r => r.spans.map(s => recordedSpan(s, r.id)));
  session.capture.endUs = plans.at(-1)!.request.endUs! + 1000;
  return { session, analysis: analyse(requests, timestamps.length) };
}

function planRequests(count: number): Plan[] {
  const plans: Plan[] = [];
  let time = T0;
  for (let i = 0; i < count; i++) {
    const kind = i % 3;
    const durationUs =
      kind === 0 ? 40_000 + (i % 7) * 1_500 : kind === 1 ? 8_000 + (i % 5) * 900 : 900;
    const id = i + 1;
    const request: RecordedRequest = {
      id,
      method: kind === 0 ? 'POST' : 'GET',
      url: kind === 0 ? '/login' : kind === 1 ? `/users/${id}?q=${HOSTILE_NAME}` : '/health',
      startUs: time,
      endUs: time + durationUs,
      statusCode: 200,
    };
    if (kind === 1) request.route = '/users/:id';
    plans.push({ request, endpoint: endpointOf(request), phases: phasesOf(kind) });
    time += durationUs + 200;
  }
  return plans;
}

function phasesOf(kind: number): Plan['phases'] {
  if (kind === 0) {
    return [
      { node: 2, share: 0.05, line: 38, file: AUTH_FILE, fn: 'login' },
      { node: 4, share: 0.9, line: PBKDF2_LINE, file: AUTH_FILE, fn: 'login', inner: 'pbkdf2Sync' },
      { node: 8, share: 0.05, line: 0, file: '', fn: '(garbage collector)' },
    ];
  }
  if (kind === 1) {
    return [
      { node: 5, share: 0.3, line: 12, file: USERS_FILE, fn: 'getUser' },
      { node: 6, share: 0.3, line: 31, file: USERS_FILE, fn: HOSTILE_NAME },
    ];
  }
  return [{ node: 9, share: 0.5, line: 3, file: '/app/src/health.js', fn: 'health' }];
}

function endpointOf(request: RecordedRequest): string {
  return `${request.method} ${request.route ?? request.url}`;
}

/**
 * Samples one request (exactly `count` samples: its phases, then idle ones) and derives its
 * analysis (spans, gaps, CPU slices). Its execution window ends where its CPU ends.
 */
function sampleRequest(
  plan: Plan,
  count: number,
  timestamps: number[],
  nodes: number[],
): { analysed: RequestAnalysis; cpuEndUs: number } {
  const { startUs, endUs } = plan.request as Required<RecordedRequest>;
  const slices: CpuSlice[] = [];
  const first = timestamps.length;
  // A users request first waits for the login before it (see addBlocked).
  let at = plan.request.route ? startUs + (endUs - startUs) * BLOCKED_SHARE : startUs;
  const step = (endUs - at) / count;

  for (const phase of plan.phases) {
    const n = Math.max(1, Math.round(count * phase.share));
    for (let k = 0; k < n; k++) {
      timestamps.push(Math.round(at + k * step));
      nodes.push(phase.node);
    }
    const slice: CpuSlice = {
      startUs: Math.round(at),
      endUs: Math.round(at + n * step),
      functionName: phase.fn,
      kind: phase.node === 8 ? 'gc' : 'cpu',
    };
    if (phase.file) slice.location = { file: phase.file, line: phase.line };
    if (phase.inner) slice.inner = phase.inner;
    slices.push(slice);
    at += n * step;
  }
  // The rest of the request's samples are idle: it awaits its database while no code runs.
  const cpuEndUs = Math.round(at);
  const idle = count - (timestamps.length - first);
  for (let k = 0; k < idle; k++) {
    timestamps.push(Math.round(at + k * step));
    nodes.push(IDLE_NODE);
  }
  return { analysed: requestAnalysis(plan, slices), cpuEndUs };
}

function requestAnalysis(plan: Plan, cpuSlices: CpuSlice[]): RequestAnalysis {
  const { id, method, url, startUs, endUs, statusCode } = plan.request as Required<RecordedRequest>;
  const durationMs = (endUs - startUs) / 1000;
  const cpuMs = cpuSlices.reduce((sum, s) => sum + (s.endUs - s.startUs) / 1000, 0);
  const spans: SpanView[] = [];
  const gaps: Gap[] = [];

  if (plan.request.route === '/users/:id') {
    const spanStart = Math.round(startUs + (endUs - startUs) * 0.6);
    spans.push({
      spanId: `s${id}`,
      name: 'db.query users',
      startUs: spanStart,
      endUs: endUs - 200,
      source: 'tracer',
      depth: 0,
    });
  }
  const gapEnd = spans[0]?.startUs ?? endUs;
  const gapMs = (gapEnd - startUs) / 1000;
  const first = cpuSlices
    .filter(s => s.location)
    .sort((a, b) => b.endUs - b.startUs - (a.endUs - a.startUs))[0];
  gaps.push({
    startUs,
    endUs: gapEnd,
    durationMs: gapMs,
    causes: [
      {
        kind: 'cpu',
        ms: gapMs,
        label: first?.inner
          ? `${first.inner} at auth.js:${PBKDF2_LINE}`
          : `${first?.functionName ?? 'code'} at ${basename(first?.location?.file ?? '')}`,
        ...(first?.location ? { location: first.location } : {}),
      },
    ],
  });
  if (plan.request.route === '/users/:id') addBlocked(gaps[0]!, cpuSlices, id - 1, endUs - startUs);
  const untracedMs = gapMs;
  return {
    id,
    endpoint: plan.endpoint,
    method,
    url,
    statusCode,
    startUs,
    endUs,
    durationMs,
    cpuMs,
    untracedMs,
    explainedShare: 1,
    spans,
    gaps,
    cpuSlices: cpuSlices.map(s => (s.location?.line === PBKDF2_LINE ? pbkdf2Slice(s) : s)),
  };
}

/** The event loop was held by the previous request at the start of this one. */
function addBlocked(
  gap: Gap,
  cpuSlices: CpuSlice[],
  blockingRequestId: number,
  durationUs: number,
): void {
  const blockedMs = (durationUs * BLOCKED_SHARE) / 1000;
  const endUs = Math.round(gap.startUs + blockedMs * 1000);
  gap.causes[0]!.ms -= blockedMs;
  gap.causes.push({ kind: 'blocked', ms: blockedMs, label: 'POST /login', blockingRequestId });
  cpuSlices.unshift({ startUs: gap.startUs, endUs, functionName: 'login', kind: 'blocked' });
}

function pbkdf2Slice(slice: CpuSlice): CpuSlice {
  return { ...slice, location: { file: AUTH_FILE, line: PBKDF2_LINE } };
}

function analyse(requests: RequestAnalysis[], samples: number): Analysis {
  const byEndpoint = new Map<string, RequestAnalysis[]>();
  for (const r of requests) byEndpoint.set(r.endpoint, [...(byEndpoint.get(r.endpoint) ?? []), r]);

  const endpoints = [...byEndpoint].map(([key, list]) => endpointStats(key, list));
  const hotLines = endpoints.flatMap(e => e.hotLines).sort((a, b) => b.totalMs - a.totalMs);
  const first = requests[0]!;
  const last = requests.at(-1)!;
  return {
    endpoints,
    requests,
    hotLines,
    totals: {
      durationMs: (last.endUs - first.startUs) / 1000,
      samples,
      requests: requests.length,
      attributedCpuShare: 1,
      idle: false,
    },
    notes: ['Synthetic session made for the timeline tests.'],
  };
}

function endpointStats(key: string, list: RequestAnalysis[]): EndpointStats {
  const sorted = list.map(r => r.durationMs).sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mean = (f: (r: RequestAnalysis) => number) =>
    list.reduce((sum, r) => sum + f(r), 0) / list.length;
  const [method, route] = key.split(' ', 2) as [string, string];
  return {
    key,
    method,
    route,
    count: list.length,
    p50Ms: pick(0.5),
    p95Ms: pick(0.95),
    p99Ms: pick(0.99),
    meanMs: mean(r => r.durationMs),
    cpuMsPerRequest: mean(r => r.cpuMs),
    untracedMsPerRequest: mean(r => r.untracedMs),
    explainedShare: 1,
    gapCauses: [],
    hotLines: hotLinesOf(key, list),
  };
}

function hotLinesOf(endpoint: string, list: RequestAnalysis[]): HotLine[] {
  const lines = new Map<string, HotLine>();
  for (const slice of list.flatMap(r => r.cpuSlices)) {
    if (!slice.location) continue;

    const key = `${slice.location.file}:${slice.location.line}`;
    const line = lines.get(key) ?? hotLine(endpoint, slice);
    line.totalMs += (slice.endUs - slice.startUs) / 1000;
    line.samples += 1;
    lines.set(key, line);
  }
  for (const line of lines.values()) line.msPerRequest = line.totalMs / list.length;
  return [...lines.values()].sort((a, b) => b.totalMs - a.totalMs);
}

function hotLine(endpoint: string, slice: CpuSlice): HotLine {
  return {
    file: slice.location!.file,
    line: slice.location!.line,
    functionName: slice.functionName,
    endpoint,
    msPerRequest: 0,
    totalMs: 0,
    share: 0.5,
    samples: 0,
    untracedMsPerRequest: 0,
    innerFrames: slice.inner ? [{ name: `crypto.${slice.inner}`, ms: 1 }] : [],
  };
}

function chunkProfiles(
  timestamps: number[],
  nodes: number[],
  chunk: number,
): Cdp.Profiler.Profile[] {
  const profiles: Cdp.Profiler.Profile[] = [];
  for (let from = 0; from < timestamps.length; from += chunk) {
    const to = Math.min(timestamps.length, from + chunk);
    const startTime = from === 0 ? T0 - 1000 : timestamps[from - 1]!;
    const deltas: number[] = [];
    let previous = startTime;
    for (let i = from; i < to; i++) {
      deltas.push(timestamps[i]! - previous);
      previous = timestamps[i]!;
    }
    profiles.push({
      nodes: NODES,
      startTime,
      endTime: previous,
      samples: nodes.slice(from, to),
      timeDeltas: deltas,
    });
  }
  return profiles;
}

function emptySession(plans: Plan[]): SessionFile {
  return {
    format: 'gapscope-session',
    version: 1,
    target: {
      pid: 4242,
      argv: ['node', '/app/src/server.js'],
      cwd: '/app',
      nodeVersion: 'v20.20.2',
      inspectorUrl: 'ws://127.0.0.1:9229/synthetic',
      inspectorOpenedByUs: true,
    },
    capture: {
      startedAt: '2026-12-04T16:00:00.000Z',
      startUs: T0 - 1000,
      endUs: T0,
      samplingIntervalUs: 1000,
      tracking: 'windows',
      endReason: 'stopped',
      notes: [],
    },
    profiles: [],
    requests: plans.map(p => p.request),
    windows: { ts: [], req: [] },
    spans: [],
    waits: [],
    scripts: [],
  };
}

function recordedSpan(span: SpanView, requestId: number): RecordedSpan {
  return {
    spanId: span.spanId,
    traceId: `t${requestId}`,
    name: span.name,
    kind: 2,
    startUs: span.startUs,
    endUs: span.endUs,
    requestId,
    source: span.source,
  };
}

function node(
  id: number,
  functionName: string,
  url: string,
  lineNumber: number,
  children: number[],
): Cdp.Profiler.ProfileNode {
  return {
    id,
    callFrame: { functionName, url, lineNumber, columnNumber: 0, scriptId: url ? '1' : '0' },
    hitCount: 0,
    children,
  };
}

function basename(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

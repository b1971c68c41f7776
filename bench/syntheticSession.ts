/**
 * A synthetic but realistic recorded session for the analysis benchmark: a small service with
 * four endpoints whose handlers sit 4–7 frames deep, requests arriving at a steady rate and
 * served by one simulated event loop (so requests interleave, block each other and leave idle
 * time), execution windows switching at every CPU phase, database spans, an untraced Redis
 * round trip recorded as a wait, GC and `(program)` samples, and a profile cut into chunks the
 * way a live capture records it. Deterministic for a given size.
 */
import type Cdp from 'devtools-protocol';
import type {
  RecordedRequest,
  RecordedSpan,
  RecordedWait,
  ScriptRecord,
  SessionFile,
} from '../src/core/session';

/** What to generate. `scale` 1 is the reference: 60 s at 100 µs, 10,000 requests. */
export interface SyntheticOptions {
  scale: number;
  /** Sampling interval (µs); samples jitter ±10% around it. */
  intervalUs?: number;
  /** Length of one profile chunk (µs). */
  chunkUs?: number;
}

const BASE_DURATION_US = 60_000_000;
const BASE_REQUESTS = 10_000;

/** The user's files: handlers call helpers in other files, helpers call Node and natives. */
const SCRIPTS: Record<string, string> = {
  'file:///app/server.js': [
    "const db = require('./db');",
    "const auth = require('./auth');",
    "const report = require('./report');",
    'function onRequest(req, res) {',
    '  const body = parseBody(req);',
    '  return route(req, res, body);',
    '}',
    'function parseBody(req) {',
    '  return JSON.parse(req.raw || "{}");',
    '}',
    'function route(req, res, body) {',
    '  if (req.url.startsWith("/users/")) return handleUser(req, res);',
    '  if (req.url === "/login") return handleLogin(req, res, body);',
    '  if (req.url === "/report") return handleReport(req, res);',
    '  return handleHealth(req, res);',
    '}',
    'function handleUser(req, res) {',
    '  const user = db.loadUser(req.url.slice(7));',
    '  res.end(JSON.stringify(user));',
    '}',
    'function handleLogin(req, res, body) {',
    '  const ok = auth.checkPassword(body.user, body.password);',
    '  res.end(ok ? "ok" : "no");',
    '}',
    'function handleReport(req, res) {',
    '  const data = report.buildReport();',
    '  res.end(report.compress(data));',
    '}',
    'function handleHealth(req, res) {',
    '  let sum = 0;',
    '  for (let i = 0; i < 100; i++) sum += i;',
    '  res.end(String(sum));',
    '}',
    'module.exports = { onRequest };',
  ].join('\n'),
  'file:///app/db.js': [
    'function loadUser(id) {',
    '  const row = { id, name: "user" + id };',
    '  return normalize(row);',
    '}',
    'function normalize(row) {',
    '  return Object.assign({}, row, { name: row.name.trim() });',
    '}',
    'module.exports = { loadUser };',
  ].join('\n'),
  'file:///app/auth.js': [
    "const crypto = require('node:crypto');",
    'function checkPassword(user, password) {',
    '  const salt = Buffer.from(String(user));',
    '  const hash = crypto.pbkdf2Sync(password, salt, 1000, 32, "sha256");',
    '  return hash.length === 32;',
    '}',
    'module.exports = { checkPassword };',
  ].join('\n'),
  'file:///app/report.js': [
    "const zlib = require('node:zlib');",
    'function buildReport() {',
    '  const rows = [];',
    '  for (let i = 0; i < 1000; i++) {',
    '    rows.push({ i, square: i * i });',
    '  }',
    '  return JSON.stringify(rows);',
    '}',
    'function compress(data) {',
    '  return zlib.deflateSync(data);',
    '}',
    'module.exports = { buildReport, compress };',
  ].join('\n'),
};

/** A profile node of the fixed call tree; `parent` is a node id. */
interface TreeNode {
  id: number;
  parent?: number;
  functionName: string;
  url: string;
  ticks?: number[];
}

/**
 * The call tree shared by every chunk (node ids are per chunk in CDP, reused here). `ticks` are
 * the 1-based script lines of the node's `positionTicks`.
 */
const TREE: TreeNode[] = [
  { id: 1, functionName: '(root)', url: '' },
  { id: 2, parent: 1, functionName: '(program)', url: '' },
  { id: 3, parent: 1, functionName: '(idle)', url: '' },
  { id: 4, parent: 1, functionName: '(garbage collector)', url: '' },
  {
    id: 5,
    parent: 1,
    functionName: 'processTicksAndRejections',
    url: 'node:internal/process/task_queues',
  },
  { id: 6, parent: 5, functionName: 'emit', url: 'node:events' },
  { id: 7, parent: 6, functionName: 'onRequest', url: 'file:///app/server.js', ticks: [5, 6] },
  { id: 8, parent: 7, functionName: 'parseBody', url: 'file:///app/server.js' },
  { id: 9, parent: 8, functionName: 'parse', url: '' },
  { id: 10, parent: 7, functionName: 'route', url: 'file:///app/server.js', ticks: [12, 13] },
  { id: 11, parent: 10, functionName: 'handleUser', url: 'file:///app/server.js' },
  { id: 12, parent: 11, functionName: 'loadUser', url: 'file:///app/db.js', ticks: [2] },
  { id: 13, parent: 12, functionName: 'normalize', url: 'file:///app/db.js', ticks: [6] },
  { id: 14, parent: 11, functionName: 'stringify', url: '' },
  { id: 15, parent: 10, functionName: 'handleLogin', url: 'file:///app/server.js', ticks: [22] },
  { id: 16, parent: 15, functionName: 'checkPassword', url: 'file:///app/auth.js', ticks: [3] },
  {
    id: 17,
    parent: 16,
    functionName: 'pbkdf2Sync',
    url: 'node:internal/crypto/pbkdf2',
  },
  { id: 18, parent: 10, functionName: 'handleReport', url: 'file:///app/server.js' },
  { id: 19, parent: 18, functionName: 'buildReport', url: 'file:///app/report.js', ticks: [4, 5] },
  { id: 20, parent: 19, functionName: 'stringify', url: '' },
  { id: 21, parent: 18, functionName: 'compress', url: 'file:///app/report.js' },
  { id: 22, parent: 21, functionName: 'deflateSync', url: 'node:zlib' },
  { id: 23, parent: 10, functionName: 'handleHealth', url: 'file:///app/server.js', ticks: [31] },
];

const PROGRAM = 2;
const IDLE = 3;
const GC = 4;

/** A step of a request: CPU on some leaves (node id -> weight), or a wait off the thread. */
interface CpuPhase {
  cpuUs: number;
  /** Leaf node id and its weight among the phase's samples. */
  leaves: [number, number][];
}
interface WaitPhase {
  waitUs: number;
  span?: string;
  wait?: Pick<RecordedWait, 'type' | 'kind' | 'peer'>;
}
type Phase = CpuPhase | WaitPhase;

/** An endpoint: its URL, its share of the traffic and the phases of one request. */
interface EndpointSpec {
  method: string;
  url: (n: number) => string;
  share: number;
  phases: Phase[];
}

const PARSE: Phase = {
  cpuUs: 300,
  leaves: [
    [7, 1],
    [9, 2],
    [10, 1],
  ],
};

const ENDPOINTS: EndpointSpec[] = [
  {
    method: 'GET',
    url: n => `/users/${n}`,
    share: 0.55,
    phases: [
      PARSE,
      { waitUs: 2_000, span: 'db.query users' },
      {
        cpuUs: 900,
        leaves: [
          [12, 1],
          [13, 2],
          [14, 3],
        ],
      },
    ],
  },
  {
    method: 'POST',
    url: () => '/login',
    share: 0.15,
    phases: [
      PARSE,
      { waitUs: 1_200, wait: { type: 'TCPWRAP', kind: 'socket', peer: '127.0.0.1:6379' } },
      {
        cpuUs: 7_000,
        leaves: [
          [16, 1],
          [17, 12],
        ],
      },
      { waitUs: 800, span: 'db.query sessions' },
      { cpuUs: 200, leaves: [[15, 1]] },
    ],
  },
  {
    method: 'GET',
    url: () => '/report',
    share: 0.1,
    phases: [
      PARSE,
      { waitUs: 3_000, span: 'db.query orders' },
      {
        cpuUs: 4_000,
        leaves: [
          [19, 2],
          [20, 3],
        ],
      },
      { waitUs: 400 },
      { cpuUs: 2_500, leaves: [[22, 1]] },
    ],
  },
  {
    method: 'GET',
    url: () => '/health',
    share: 0.2,
    phases: [{ cpuUs: 150, leaves: [[23, 1]] }],
  },
];

/** Deterministic PRNG (mulberry32) so every run of a size analyses the same session. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A request waiting for the thread: its next phase and when it becomes ready (µs). */
interface Ready {
  request: RecordedRequest;
  phases: Phase[];
  next: number;
  readyUs: number;
}

/** Everything the simulation records. */
interface Recording {
  sampleNodes: number[];
  sampleTimes: number[];
  windows: { ts: number[]; req: number[] };
  requests: RecordedRequest[];
  spans: RecordedSpan[];
  waits: RecordedWait[];
}

/** Builds the session of the given size. */
export function syntheticSession(options: SyntheticOptions): SessionFile {
  const intervalUs = options.intervalUs ?? 100;
  const durationUs = Math.round(BASE_DURATION_US * options.scale);
  const requestCount = Math.max(1, Math.round(BASE_REQUESTS * options.scale));
  const recording = simulate(durationUs, requestCount, intervalUs);
  const profiles = chunkProfiles(recording, durationUs, options.chunkUs ?? 10_000_000);

  return {
    format: 'gapscope-session',
    version: 1,
    target: {
      pid: 1,
      argv: ['node', '/app/server.js'],
      cwd: '/app',
      nodeVersion: 'v20.20.0',
      inspectorUrl: 'ws://127.0.0.1:9229/synthetic',
      inspectorOpenedByUs: true,
    },
    capture: {
      startedAt: '2026-01-01T00:00:00.000Z',
      startUs: 0,
      endUs: durationUs,
      samplingIntervalUs: intervalUs,
      tracking: 'waits',
      endReason: 'duration',
      notes: [],
    },
    profiles,
    requests: recording.requests,
    windows: recording.windows,
    spans: recording.spans,
    waits: recording.waits,
    scripts: scriptRecords(),
  };
}

/** One event loop serving the requests first-ready first; samples every ~`intervalUs`. */
function simulate(durationUs: number, requestCount: number, intervalUs: number): Recording {
  const rand = random(requestCount);
  const recording: Recording = {
    sampleNodes: [],
    sampleTimes: [],
    windows: { ts: [], req: [] },
    requests: [],
    spans: [],
    waits: [],
  };
  const arrivalGapUs = (durationUs * 0.95) / requestCount;
  let nextArrival = 0;
  let arrived = 0;
  const ready: Ready[] = [];
  let now = 0;
  let sampleAt = intervalUs;
  const sampleUntil = (untilUs: number, pick: () => number) => {
    while (sampleAt < untilUs && sampleAt < durationUs) {
      recording.sampleTimes.push(Math.round(sampleAt));
      recording.sampleNodes.push(pick());
      sampleAt += intervalUs * (0.9 + 0.2 * rand());
    }
  };

  while (now < durationUs) {
    while (arrived < requestCount && nextArrival <= now) {
      ready.push(arrive(recording, arrived + 1, nextArrival, rand));
      arrived++;
      nextArrival += arrivalGapUs * (0.5 + rand());
    }
    const item = takeReady(ready, now);
    if (!item) {
      const arrival = arrived < requestCount ? nextArrival : Infinity;
      const wake = Math.min(arrival, ...ready.map(entry => entry.readyUs), durationUs);
      sampleUntil(wake, () => IDLE);
      now = Math.max(wake, now + 1);
      continue;
    }
    now = runPhase(recording, item, ready, now, sampleUntil, rand);
  }
  return recording;
}

function arrive(recording: Recording, id: number, atUs: number, rand: () => number): Ready {
  let pick = rand();
  let spec = ENDPOINTS[ENDPOINTS.length - 1] as EndpointSpec;
  for (const endpoint of ENDPOINTS) {
    if (pick < endpoint.share) {
      spec = endpoint;
      break;
    }
    pick -= endpoint.share;
  }
  const startUs = Math.round(atUs);
  const request: RecordedRequest = { id, method: spec.method, url: spec.url(id), startUs };
  recording.requests.push(request);
  return { request, phases: spec.phases, next: 0, readyUs: startUs };
}

/** Removes and returns the earliest-ready entry that is ready at `now`. */
function takeReady(ready: Ready[], now: number): Ready | undefined {
  let best = -1;
  for (let i = 0; i < ready.length; i++) {
    const entry = ready[i] as Ready;
    if (entry.readyUs > now) continue;
    if (best < 0 || entry.readyUs < (ready[best] as Ready).readyUs) best = i;
  }
  return best < 0 ? undefined : ready.splice(best, 1)[0];
}

/** Runs one CPU phase of a request on the thread, then queues its next one after the wait. */
function runPhase(
  recording: Recording,
  item: Ready,
  ready: Ready[],
  now: number,
  sampleUntil: (untilUs: number, pick: () => number) => void,
  rand: () => number,
): number {
  const phase = item.phases[item.next] as CpuPhase;
  const request = item.request;
  const endUs = Math.round(now + phase.cpuUs * (0.7 + 0.6 * rand()));
  recording.windows.ts.push(Math.round(now));
  recording.windows.req.push(request.id);
  sampleUntil(endUs, () => sampleNode(phase.leaves, rand));
  recording.windows.ts.push(endUs);
  recording.windows.req.push(0);

  let next = item.next + 1;
  let readyUs = endUs;
  const wait = item.phases[next];
  if (wait && 'waitUs' in wait) {
    const waitEnd = Math.round(readyUs + wait.waitUs * (0.5 + rand()));
    recordWait(recording, request, wait, readyUs, waitEnd);
    readyUs = waitEnd;
    next++;
  }
  if (next >= item.phases.length) {
    request.endUs = endUs;
    request.statusCode = 200;
    return endUs;
  }
  ready.push({ ...item, next, readyUs });
  return endUs;
}

function sampleNode(leaves: [number, number][], rand: () => number): number {
  const roll = rand();
  if (roll < 0.02) return GC;
  if (roll < 0.03) return PROGRAM;

  let total = 0;
  for (const [, weight] of leaves) total += weight;
  let pick = rand() * total;
  for (const [node, weight] of leaves) {
    if (pick < weight) return node;
    pick -= weight;
  }
  return leaves[0]?.[0] ?? PROGRAM;
}

function recordWait(
  recording: Recording,
  request: RecordedRequest,
  phase: WaitPhase,
  startUs: number,
  endUs: number,
) {
  if (phase.span) {
    recording.spans.push({
      spanId: `${request.id.toString(16)}-${recording.spans.length}`,
      traceId: request.id.toString(16),
      name: phase.span,
      kind: 2,
      startUs,
      endUs,
      requestId: request.id,
      source: 'tracer',
    });
  }
  if (phase.wait) {
    const wait: RecordedWait = { requestId: request.id, ...phase.wait, startUs, endUs };
    wait.callSite = { url: 'file:///app/server.js', line: 22, column: 3 };
    recording.waits.push(wait);
  }
}

/** Cuts the samples into CDP profiles of `chunkUs` each, every chunk with the whole tree. */
function chunkProfiles(
  recording: Recording,
  durationUs: number,
  chunkUs: number,
): Cdp.Profiler.Profile[] {
  const profiles: Cdp.Profiler.Profile[] = [];
  let index = 0;
  for (let chunkStart = 0; chunkStart < durationUs; chunkStart += chunkUs) {
    const chunkEnd = Math.min(durationUs, chunkStart + chunkUs);
    const samples: number[] = [];
    const timeDeltas: number[] = [];
    let last = chunkStart;
    while (index < recording.sampleTimes.length) {
      const time = recording.sampleTimes[index] as number;
      if (time >= chunkEnd) break;
      samples.push(recording.sampleNodes[index] as number);
      timeDeltas.push(time - last);
      last = time;
      index++;
    }
    profiles.push({
      nodes: profileNodes(),
      startTime: chunkStart,
      endTime: chunkEnd,
      samples,
      timeDeltas,
    });
  }
  return profiles;
}

function profileNodes(): Cdp.Profiler.ProfileNode[] {
  return TREE.map(spec => {
    const { lineNumber, columnNumber } = functionPosition(spec);
    const node: Cdp.Profiler.ProfileNode = {
      id: spec.id,
      callFrame: {
        functionName: spec.functionName,
        scriptId: '1',
        url: spec.url,
        lineNumber,
        columnNumber,
      },
      children: TREE.filter(child => child.parent === spec.id).map(child => child.id),
    };
    if (spec.ticks) {
      node.positionTicks = spec.ticks.map((line, k) => ({ line, ticks: 3 + k }));
    }
    return node;
  });
}

/** The 0-based position of `function name` in the user's script, as V8 reports it. */
function functionPosition(spec: TreeNode): { lineNumber: number; columnNumber: number } {
  const source = SCRIPTS[spec.url];
  if (!source) return { lineNumber: spec.url ? 10 : -1, columnNumber: spec.url ? 2 : -1 };

  const lines = source.split('\n');
  const lineNumber = lines.findIndex(line => line.startsWith(`function ${spec.functionName}(`));
  return { lineNumber, columnNumber: `function ${spec.functionName}`.length };
}

function scriptRecords(): ScriptRecord[] {
  return Object.entries(SCRIPTS).map(([url, source]) => ({ url, source }));
}

/**
 * A synthetic but realistic recorded session for the analysis benchmark: a small service with
 * four endpoints whose handlers sit 4–7 frames deep, requests arriving at a steady rate and
 * served by one simulated event loop (so requests interleave, block each other and leave idle
 * time), execution windows switching at every CPU phase, database spans, an untraced Redis
 * round trip recorded as a wait, GC and `(program)` samples, and a profile cut into chunks the
 * way a live capture records it. Deterministic for a given size.
 */
import type Cdp from 'devtools-protocol';
import type { RecordedRequest, RecordedSpan, RecordedWait, SessionFile } from '../src/core/session';
import {
  type CpuPhase,
  ENDPOINTS,
  type EndpointSpec,
  GC,
  IDLE,
  type Phase,
  PROGRAM,
  profileNodes,
  scriptRecords,
  type WaitPhase,
} from './syntheticService';

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

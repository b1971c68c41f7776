/**
 * The analysis of a session: what every consumer (CLI report, language server, timeline) reads.
 * Produced by `analyzeSession` in `analyze.ts`, a pure function of a `SessionFile`.
 *
 * Units: fields ending in `Ms` are milliseconds (durations), `Us` microseconds on the target's
 * monotonic clock (points in time, see session.ts). Lines are 1-based, columns 1-based, in the
 * file the user edits (the original `.ts` source when a source map resolves, else the JS file).
 */

export interface Analysis {
  endpoints: EndpointStats[];
  requests: RequestAnalysis[];
  /** Hot lines over all endpoints, biggest self time first. */
  hotLines: HotLine[];
  /**
   * Where the CPU outside any request went (timers, background jobs, a loop stuck before any
   * request completes): the top lines, biggest first. `endpoint` is `OUTSIDE_REQUESTS`,
   * `msPerRequest` 0, `share` of the capture's duration. Absent when no such CPU was sampled.
   */
  backgroundHotLines?: HotLine[];
  totals: SessionTotals;
  /** Sentences for the report's header: tracking mode, interval in force, dropped data. */
  notes: string[];
}

export interface SessionTotals {
  durationMs: number;
  samples: number;
  requests: number;
  /** CPU time sampled while some request's code ran, over all samples' CPU time (0..1). */
  attributedCpuShare: number;
  /** True when the window had no non-idle samples: the report says "no CPU activity". */
  idle: boolean;
  /**
   * CPU the Gapscope agent itself took in the target (its hooks, the async hook machinery
   * they switch on, its flushes), ms: charged to no request and no user line.
   */
  agentOverheadMs?: number;
  /**
   * True when the target exited before any CPU profile was saved: no samples, yet not idle
   * (the report says the profile was lost).
   */
  profileLost?: boolean;
}

/** `METHOD /route/:id`: the key of an endpoint. */
export type EndpointKey = string;

export interface EndpointStats {
  key: EndpointKey;
  method: string;
  /** Route template, ids collapsed (`/users/:id`). */
  route: string;
  count: number;
  /** Requests still running when the capture stopped (left out of the percentiles). */
  unfinished?: number;
  /** Requests whose client went away before the response. */
  aborted?: number;
  /** Of the finished requests (all of them when none finished). */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Mean CPU time per request sampled on the JS thread while this request's code ran. */
  cpuMsPerRequest: number;
  /** Mean wall time not covered by any span of the request, per request. */
  untracedMsPerRequest: number;
  /** Share of the total wall time of this endpoint's requests explained (span or named cause). */
  explainedShare: number;
  /** Per-cause totals over the endpoint's untraced gaps, ms per request. */
  gapCauses: GapCauseTotal[];
  /** This endpoint's hot lines, biggest first. */
  hotLines: HotLine[];
}

/** A line of the user's code and the self time charged to it. */
export interface HotLine {
  /** Absolute path (or URL when not a file) of the file the user edits. */
  file: string;
  /** 1-based. */
  line: number;
  /** The function the line is in, as the profile names it. */
  functionName: string;
  endpoint: EndpointKey;
  /** Self time charged to the line, in ms per request of the endpoint. */
  msPerRequest: number;
  /** Total self time over the session (ms). */
  totalMs: number;
  /** Share of the endpoint's total wall time (0..1). */
  share: number;
  samples: number;
  /** Part of the time that fell in untraced gaps (ms per request). */
  untracedMsPerRequest: number;
  /**
   * Where the time went below the line, when it was not the line's own JS: Node internals or
   * node_modules frames called from this line, e.g. `crypto.pbkdf2Sync`, with their share.
   */
  innerFrames: { name: string; ms: number }[];
  /** A short hint for a known culprit (password hashing, sync zlib, big JSON), if any. */
  hint?: string;
  /**
   * How sure the line is, when it is a guess: `one of 3 calls, time split evenly` (the profile
   * saw time below the function, and the function calls that code from several lines).
   */
  note?: string;
}

export interface RequestAnalysis {
  id: number;
  endpoint: EndpointKey;
  method: string;
  url: string;
  statusCode?: number;
  /** The client went away before the response was sent. */
  aborted?: boolean;
  /** Still running when the capture stopped: its duration is cut there. */
  unfinished?: boolean;
  startUs: number;
  endUs: number;
  durationMs: number;
  /** CPU sampled for this request (ms). */
  cpuMs: number;
  untracedMs: number;
  /** Wall time explained by spans or named causes (0..1). */
  explainedShare: number;
  spans: SpanView[];
  gaps: Gap[];
  /** This request's CPU as time slices (merged consecutive samples of one line), for timelines. */
  cpuSlices: CpuSlice[];
}

export interface SpanView {
  spanId: string;
  parentSpanId?: string;
  name: string;
  startUs: number;
  endUs: number;
  source: 'tracer' | 'gapscope';
  /** Nesting depth under the request (0 = top-level child of the request). */
  depth: number;
}

/** An interval of a request covered by no span, and what filled it. */
export interface Gap {
  startUs: number;
  endUs: number;
  durationMs: number;
  /** Causes, biggest first; their ms add up to the gap's duration. */
  causes: GapCause[];
}

export type GapCauseKind =
  | 'cpu' // this request's own code ran (lines)
  | 'blocked' // another request held the event loop
  | 'gc'
  | 'threadpool'
  | 'socket'
  | 'fs'
  | 'dns'
  | 'timer'
  | 'native'
  | 'other-cpu' // JS of no request (timers, background jobs)
  | 'loop' // the event loop's turn between two callbacks of the request (nothing else ran)
  | 'descheduled' // the JS thread was ready but the OS gave it no CPU (the run queue, Linux)
  | 'unsampled' // the profiler took no sample for a long stretch (a busy machine): unknown
  | 'idle'; // nothing known: the unexplained rest

export interface GapCause {
  kind: GapCauseKind;
  ms: number;
  /** One line for humans: `POST /login at auth.ts:41`, `TCP 127.0.0.1:6379 from session.ts:18`. */
  label: string;
  /** The user's line the cause points at, when known. */
  location?: SourceLocation;
  /** For `blocked`: the request that held the loop. */
  blockingRequestId?: number;
  hint?: string;
}

export interface GapCauseTotal {
  kind: GapCauseKind;
  label: string;
  msPerRequest: number;
  location?: SourceLocation;
  /** The hint of the cause, for a known culprit (async hashing, a busy thread pool). */
  hint?: string;
}

export interface CpuSlice {
  startUs: number;
  endUs: number;
  /** The user's line charged (after walking out of internals/node_modules), if any. */
  location?: SourceLocation;
  functionName: string;
  /** Inner frame when the time was spent below the user's line, e.g. `crypto.pbkdf2Sync`. */
  inner?: string;
  kind: 'cpu' | 'gc' | 'blocked';
}

export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, when known. */
  column?: number;
}

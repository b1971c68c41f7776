/**
 * The recorded session: everything collected from one target, saved as a versioned JSON file
 * (`*.gapscope.json`) that `gapscope report`, the language server and the timeline can open
 * without the target. See docs/session-format.md.
 *
 * Clock: every time in this file is in microseconds on the target's monotonic clock, the one of
 * `process.hrtime.bigint() / 1000n`, which is also the clock of CPU profile `startTime`,
 * `endTime` and `timeDeltas`. Fields named `...Us` are such times unless their doc says
 * otherwise.
 */
import type Cdp from 'devtools-protocol';

/** The `format` field of every session file. */
export const SESSION_FORMAT = 'gapscope-session';

/** The version this build writes. Readers accept this version only (and say so clearly). */
export const SESSION_VERSION = 1;

export interface SessionFile {
  format: typeof SESSION_FORMAT;
  version: typeof SESSION_VERSION;
  target: TargetInfo;
  capture: CaptureInfo;
  /**
   * CPU profiles in time order. One per profiler run; a long or live session is recorded in
   * chunks (the profiler cannot stream), each chunk a complete CDP profile.
   */
  profiles: Cdp.Profiler.Profile[];
  requests: RecordedRequest[];
  /** Which request's code was running on the JS thread, as a list of switches. */
  windows: ExecutionWindows;
  spans: RecordedSpan[];
  /** Asynchronous operations requests waited on (threadpool, sockets, timers, fs, dns). */
  waits: RecordedWait[];
  /**
   * Stretches in which the JS thread was ready to run but the OS kept it waiting for a CPU
   * (Linux only; absent in sessions of older versions and on other systems).
   */
  runDelays?: RecordedRunDelay[];
  /**
   * Garbage-collection pauses of the JS thread, every one (absent in sessions of older
   * versions, where only samples show collections).
   */
  gcs?: RecordedGc[];
  /** Stretches in which Gapscope's agent held the JS thread, flushing its records. */
  agentPauses?: TimedInterval[];
  /**
   * Stretches between two window switches in which the event loop sat idle in its poll, at
   * least for `idleUs` (a poll the profiler's signal interrupts loses its idle time).
   */
  loopIdle?: RecordedLoopIdle[];
  /** Sources and source maps of the user's scripts seen in the profiles, for offline reports. */
  scripts: ScriptRecord[];
}

export interface TargetInfo {
  pid: number;
  /** process.argv of the target. */
  argv: string[];
  cwd: string;
  nodeVersion: string;
  /** How we reached it: the inspector WebSocket URL (loopback). */
  inspectorUrl: string;
  /** True when Gapscope opened the inspector (SIGUSR1) and so closed it on detach. */
  inspectorOpenedByUs: boolean;
}

export interface CaptureInfo {
  /** Wall-clock ISO time when the capture started, for display only. */
  startedAt: string;
  /** Monotonic start and end of the capture window (µs). */
  startUs: number;
  endUs: number;
  /** Sampling interval asked for (µs); the one in force may differ, see `notes`. */
  samplingIntervalUs: number;
  /** Which async tracking the agent ran: `windows` (default) or `waits` (finer, costlier). */
  tracking: 'windows' | 'waits';
  /** Why the capture ended: the duration elapsed, the user stopped it, or the target exited. */
  endReason: 'duration' | 'stopped' | 'target-exited' | 'error';
  /** Human-readable facts about the capture worth showing in the report (one sentence each). */
  notes: string[];
  /** Counters the agent kept about its own cost and losses. */
  agentStats?: AgentStats;
  /**
   * Threads of the target's libuv pool (its UV_THREADPOOL_SIZE; 4 by default), for telling a
   * job's queueing from its run. Absent in older files: 4 is assumed.
   */
  threadpoolSize?: number;
}

export interface AgentStats {
  /** Switch records dropped because the ring buffer was full between flushes. */
  droppedSwitches: number;
  /** Requests dropped because too many were in flight or retained. */
  droppedRequests: number;
  /** Time the agent's own flushes held the JS thread (µs of wall time, measured in the agent). */
  flushCpuUs: number;
  flushes: number;
}

export interface RecordedRequest {
  /** Agent-assigned id, unique within the session, never 0 (0 means "no request"). */
  id: number;
  method: string;
  /** Path and query as received. */
  url: string;
  /** Route template when the framework names one (Express `req.route.path`), else absent. */
  route?: string;
  /** When the server emitted the request (`http.server.request.start`). */
  startUs: number;
  /** When the response finished, or the request/socket closed. Absent while still open. */
  endUs?: number;
  statusCode?: number;
  /** True when the client went away before the response finished. */
  aborted?: boolean;
}

/**
 * Parallel arrays of switches: from `ts[i]` until `ts[i + 1]` the JS thread ran code of request
 * `req[i]`; 0: no request's code (the event loop itself, or JS of no request in sessions of
 * older versions); BACKGROUND_JS (-1): a callback of no request ran. Sorted by time.
 */
/** `ExecutionWindows.req` of a callback that belongs to no request (a timer, a job). */
export const BACKGROUND_JS = -1;

export interface ExecutionWindows {
  ts: number[];
  req: number[];
}

export interface RecordedSpan {
  /** Span id as the tracer gave it (hex), unique within its trace. */
  spanId: string;
  traceId: string;
  parentSpanId?: string;
  name: string;
  /** OpenTelemetry SpanKind: 0 internal, 1 server, 2 client, 3 producer, 4 consumer. */
  kind: number;
  startUs: number;
  endUs: number;
  /** The request whose async context started the span, 0 when none. */
  requestId: number;
  /** Where it came from: the target's own tracer, or Gapscope's synthetic HTTP/fetch spans. */
  source: 'tracer' | 'gapscope';
  attributes?: Record<string, string | number | boolean>;
}

export interface RecordedWait {
  requestId: number;
  /** async_hooks resource type (`PBKDF2REQUEST`, `TCPCONNECTWRAP`, `FSREQCALLBACK`, `Timeout`…). */
  type: string;
  /** Classified kind of the wait. */
  kind: 'threadpool' | 'socket' | 'fs' | 'dns' | 'timer' | 'native' | 'other';
  startUs: number;
  endUs: number;
  /** The user's source position that started it (generated JS, 1-based line and column). */
  callSite?: { url: string; line: number; column: number; functionName?: string };
  /** For sockets: the peer, e.g. `127.0.0.1:6379`. */
  peer?: string;
}

/**
 * Run-queue delay of the JS thread, from Linux's per-thread scheduler statistics: within
 * `[startUs, endUs]` (the stretch between two window switches that the reading ended) the
 * thread waited `delayUs` for a CPU while it had work to do.
 */
export interface RecordedRunDelay {
  startUs: number;
  endUs: number;
  delayUs: number;
}

/** A stretch of time, µs on the target's hrtime clock. */
export interface TimedInterval {
  startUs: number;
  endUs: number;
}

/**
 * Within `[startUs, endUs]` (from one window switch to the next) the event loop was blocked in
 * its poll for `idleUs`: waiting for I/O or a timer, not running anything (libuv's idle time,
 * `performance.eventLoopUtilization().idle`).
 */
export interface RecordedLoopIdle extends TimedInterval {
  idleUs: number;
}

/** A garbage-collection pause of the JS thread, from the target's `gc` performance entries. */
export interface RecordedGc extends TimedInterval {
  kind: 'minor' | 'major' | 'incremental' | 'weak-callbacks' | 'other';
}

export interface ScriptRecord {
  /** The URL as it appears in profile call frames (`file:///…`). */
  url: string;
  /** Generated source text, for call-site lookup without the target. */
  source?: string;
  /** The source map JSON (sources content included when the map had it). */
  sourceMap?: RawSourceMap;
  /** Where the map was read from, for display. */
  sourceMapUrl?: string;
}

/** A source map v3 object as tsc writes it. */
export interface RawSourceMap {
  version: number;
  file?: string;
  sourceRoot?: string;
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
}

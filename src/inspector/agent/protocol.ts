/**
 * What the agent and the capture say to each other. The agent is bundled on its own
 * (`dist/agent.js`), so this module holds types, constants and one small factory only.
 *
 * Every time here is in microseconds on the target's hrtime clock (see core/session.ts).
 */
import type {
  AgentStats,
  RecordedGc,
  RecordedLoopIdle,
  RecordedRunDelay,
  RecordedSpan,
  RecordedWait,
  TimedInterval,
} from '../../core/session';

/** Key of the agent's state on the target's `globalThis` (a second install replaces the first). */
export const AGENT_STATE_KEY = 'gapscope.agent';

/** Name of the runtime binding the agent flushes its batches through. */
export const AGENT_BINDING_NAME = '__gapscopeBinding';

/** What the capture passes to `install`. */
export interface AgentConfig {
  bindingName: string;
  /** Track execution windows with an async_hooks hook (costly; on while capturing). */
  trackWindows: boolean;
  /** Also track the waits of requests (threadpool, sockets, fs, dns, timers): `waits` mode. */
  trackWaits?: boolean;
  /** How often buffered records are flushed, ms. */
  flushIntervalMs: number;
  /** Switch records buffered between flushes; a full buffer flushes at once. */
  windowCapacity: number;
  /**
   * The lease, ms: when the capture has not renewed it for this long (client killed, network
   * cut), the agent uninstalls itself. Absent: no lease (the agent stays until uninstalled).
   */
  leaseMs?: number;
  /** Close the inspector when the lease expires (Gapscope opened it with SIGUSR1). */
  closeInspectorOnExpiry?: boolean;
}

/** What the capture reads before installing: is another live Gapscope agent in the target? */
export interface AgentProbe {
  /** An agent is installed. */
  present: boolean;
  /** Its lease was renewed within its term (another capture is running). */
  fresh: boolean;
  /** Since its last renewal, ms. */
  sinceRenewalMs?: number;
}

/** What `install` returns to the capture (by value). */
export interface AgentInstallResult {
  pid: number;
  argv: string[];
  /** Node's own flags of the target (`process.execArgv`). */
  execArgv: string[];
  cwd: string;
  nodeVersion: string;
  /** hrtime µs minus `performance.now()` µs, measured at install. */
  clockOffsetUs: number;
  /** `processor` (pushed onto the provider), `wrapped` (startSpan wrapped), or `none`. */
  tracer: 'processor' | 'wrapped' | 'none';
  /** hrtime µs at install. */
  nowUs: number;
  /** The libuv thread pool size the target runs with (its UV_THREADPOOL_SIZE, default 4). */
  threadpoolSize?: number;
  /** The agent records every garbage collection (so a session without one had none). */
  recordsGc?: boolean;
}

/** A request seen starting. */
export interface AgentRequestStart {
  id: number;
  method: string;
  url: string;
  startUs: number;
}

/** A request seen ending (response finished, or request/socket closed first). */
export interface AgentRequestEnd {
  id: number;
  endUs: number;
  statusCode?: number;
  aborted?: boolean;
  route?: string;
}

/** One flush, sent as a JSON string through the binding. */
export interface AgentBatch {
  starts: AgentRequestStart[];
  ends: AgentRequestEnd[];
  /** Switches in time order: parallel arrays as in ExecutionWindows. */
  windows: { ts: number[]; req: number[] };
  spans: RecordedSpan[];
  /** Waits that ended since the last flush (`waits` tracking only; absent when none). */
  waits?: RecordedWait[];
  /** Run-queue delays of the JS thread since the last flush (Linux; absent when none). */
  runDelays?: RecordedRunDelay[];
  /** Garbage-collection pauses since the last flush (absent when none). */
  gcs?: RecordedGc[];
  /** Stretches in which the event loop sat idle in its poll (absent when none). */
  loopIdle?: RecordedLoopIdle[];
  /** The agent's own earlier flushes (each is sent with the batch after it). */
  agentPauses?: TimedInterval[];
  stats: AgentStats;
}

/** The batch's lists of what held the JS thread (each absent from a batch when empty). */
export const HELD_KEYS = ['runDelays', 'gcs', 'agentPauses', 'loopIdle'] as const;

export type HeldKey = (typeof HELD_KEYS)[number];

/** One list per kind of record of what held the thread. */
export type HeldRecords = { [K in HeldKey]: NonNullable<AgentBatch[K]> };

/** Empty lists of what held the thread. */
export function emptyHeld(): HeldRecords {
  return { runDelays: [], gcs: [], agentPauses: [], loopIdle: [] };
}

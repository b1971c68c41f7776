/**
 * The contract of the inspector layer, as the CLI and the language server use it.
 *
 *   const found = await listNodeProcesses();                         // processes.ts
 *   const attached = await attachToTarget(spec, options, token);     // attach.ts
 *   if (!attached.ok) show(attached.error);
 *   const capture = await startCapture(attached.value, captureOptions); // capture.ts
 *   capture.onDidProgress(p => ...);
 *   const session: SessionFile = await capture.stop();    // or capture.snapshot() while live
 *   await attached.value.detach();                        // leaves nothing behind in the target
 */
import type { Event } from '../core/lifecycle';
import type { ILogger } from '../core/logger';
import type { SessionFile } from '../core/session';

/** What the user named: a pid, `host:port`, or a `ws://` inspector URL. */
export type TargetSpec =
  | { kind: 'pid'; pid: number }
  | { kind: 'address'; host: string; port: number }
  | { kind: 'websocket'; url: string };

/** A running Node process as `gapscope list` and the attach picker show it. */
export interface NodeProcessInfo {
  pid: number;
  /** The command line, arguments joined by spaces. */
  commandLine: string;
  cwd: string;
  /** TCP ports the process listens on (IPv4 and IPv6), ascending. */
  listeningPorts: number[];
  /** The inspector port when the inspector is open (found among its listening ports). */
  inspectorPort?: number;
}

export interface AttachOptions {
  logger?: ILogger;
  /** Allow a non-loopback inspector address (the CLI's --allow-remote). */
  allowRemote?: boolean;
  /** Bound on each wait (activation, connect, evaluate), ms. Default 10 000. */
  timeoutMs?: number;
}

/** A live CDP connection to one verified target. */
export interface IInspectorSession {
  readonly pid: number;
  readonly inspectorUrl: string;
  /** True when we opened the inspector with SIGUSR1 and will close it on detach. */
  readonly inspectorOpenedByUs: boolean;
  /** Fires once when the connection ends for any reason (target exit, detach). */
  readonly onDidClose: Event<{ reason: 'detached' | 'target-exited' | 'error' }>;
  /** Stops any capture, removes the agent, closes the inspector if we opened it, disconnects. */
  detach(): Promise<void>;
  /**
   * Leaves at once, without ending the capture in order (nothing more is collected): removes
   * the agent, closes the inspector if we opened it, disconnects; each step bounded (ms).
   */
  detachNow(boundMs?: number): Promise<void>;
}

export interface CaptureOptions {
  /** Sampling interval asked for, µs. Default 10 000 (100 Hz). */
  samplingIntervalUs?: number;
  /** `windows` (default) tracks which request runs; `waits` also tracks async waits. */
  tracking?: 'windows' | 'waits';
  /**
   * Make V8 discard code optimised before the capture (default true), so hot lines of a
   * long-running service land on the right lines. Costs a short slowdown after attaching; it
   * also ends another client's precise coverage, if one was collecting it.
   */
  discardOptimizedCode?: boolean;
  /** Stop by itself after this many ms (the CLI's --duration). */
  durationMs?: number;
  /**
   * How often the profile is cut into a chunk, ms (default 5000). A target that exits loses
   * only the chunk in progress.
   */
  chunkIntervalMs?: number;
  /**
   * Keep only about this much recent history, ms: whole profile chunks older than that are
   * dropped at each chunk cut, with the requests, windows, spans and waits that ended before
   * the oldest chunk kept. A live view's memory and analysis time then stay flat however long
   * it runs. Unbounded when absent (a finite capture keeps everything).
   */
  keepMs?: number;
  /**
   * The agent's lease, ms (default 15 000): the capture renews it every few seconds, and an
   * agent whose capture stopped renewing (client killed, network cut) for this long uninstalls
   * itself and closes the inspector if Gapscope opened it.
   */
  leaseMs?: number;
}

export interface CaptureProgress {
  elapsedMs: number;
  requests: number;
  /** Samples received so far (updated at chunk boundaries). */
  samples: number;
}

export interface ICapture {
  readonly onDidProgress: Event<CaptureProgress>;
  /** Fires when the capture ended by itself (duration elapsed, target exited). */
  readonly onDidEnd: Event<SessionFile>;
  /**
   * The session so far, without stopping (a live view calls this every few seconds; it cuts a
   * profile chunk).
   */
  snapshot(): Promise<SessionFile>;
  /** Stops profiling and tracking and returns the whole session. Safe to call twice. */
  stop(): Promise<SessionFile>;
}

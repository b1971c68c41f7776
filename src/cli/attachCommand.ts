/**
 * `gapscope attach <pid | host:port | ws://…>`: attach to a running service, capture until the
 * duration elapses or Ctrl-C, detach, save the session and print the report.
 */
import path from 'node:path';
import { asGapscopeError, badArgument, type GapscopeError } from '../core/errors';
import { CancellationError, CancellationTokenSource } from '../core/lifecycle';
import type { SessionFile } from '../core/session';
import { attachToTarget } from '../inspector/attach';
import { parseTargetSpec } from '../inspector/targetSpec';
import type { CaptureOptions, IInspectorSession } from '../inspector/types';
import { runCapture } from './captureRun';
import type { CliContext } from './context';
import { ExitCode, exitCodeFor } from './exitCodes';
import { printError, printWarning } from './output';
import { ProgressLine } from './progress';
import { presentSession } from './reportCommand';
import { prepareOutputPath, saveWithFallback } from './sessionOutput';

export interface AttachCommandOptions {
  /** Seconds to capture; until Ctrl-C when absent. */
  duration?: number;
  /** Sampling interval, µs. */
  interval?: number;
  tracking?: 'windows' | 'waits';
  /** Shorthand for `tracking: 'waits'`. */
  waits?: boolean;
  json?: boolean;
  out?: string;
  allowRemote?: boolean;
}

/** The longest capture (s): 24 h. Longer timers overflow Node's 32-bit timeout (~24.8 days). */
export const MAX_DURATION_S = 24 * 60 * 60;

/** The exit code of a process interrupted before anything was captured (128 + SIGINT). */
const INTERRUPTED = 130;

export async function runAttach(
  targetText: string,
  options: AttachCommandOptions,
  context: CliContext,
): Promise<number> {
  const spec = parseTargetSpec(targetText);
  if (!spec.ok) return failWith(context, spec.error);

  const captureOptions = readCaptureOptions(options);
  if (!captureOptions.ok) return failWith(context, captureOptions.error);

  // A bad --out is found before attaching, not after a capture it would throw away.
  const out = await prepareOutputPath(
    options.out ? path.resolve(context.cwd, options.out) : defaultSessionPath(context.cwd),
    options.out ? '--out' : 'The default session folder',
    options.out ? 'own' : 'all',
  );
  if (!out.ok) return failWith(context, out.error);

  // Ctrl-C before the capture runs cancels the attach; during the capture it stops it.
  const cancel = new CancellationTokenSource();
  const interrupt = interruptSignal(() => cancel.cancel());
  try {
    const attached = await attachToTarget(
      spec.value,
      { logger: context.logger, allowRemote: Boolean(options.allowRemote) },
      cancel.token,
    );
    if (!attached.ok) return failWith(context, attached.error);

    const inspector = attached.value;
    interrupt.onForce(() => inspector.detachNow());
    const session = await captureAndDetach(
      attached.value,
      captureOptions.value,
      interrupt,
      context,
    );
    // A second signal skips saving and reporting: it exits once its detach is done.
    if (interrupt.forced) return await interrupt.exiting;
    return await finish(session, options.out ? out.value : undefined, options, context);
  } catch (error) {
    if (error instanceof CancellationError) {
      context.streams.stderr.write('Interrupted before the capture started; nothing was saved.\n');
      return INTERRUPTED;
    }
    const expected = asGapscopeError(error);
    if (expected) return failWith(context, expected);
    throw error;
  } finally {
    interrupt.dispose();
    cancel.dispose();
  }
}

async function captureAndDetach(
  attached: IInspectorSession,
  captureOptions: CaptureOptions,
  interrupt: InterruptSignal,
  context: CliContext,
): Promise<SessionFile> {
  const opened = attached.inspectorOpenedByUs ? ' (inspector opened by Gapscope)' : '';
  context.streams.stderr.write(`Attached to pid ${attached.pid}${opened}. Ctrl-C stops.\n`);

  const progress = new ProgressLine(
    context.streams.stderr,
    `capturing pid ${attached.pid}`,
    captureOptions.durationMs,
  );
  try {
    const session = await runCapture(attached, {
      capture: captureOptions,
      progress,
      logger: context.logger,
      stopRequested: interrupt.requested,
    });
    progress.finish(
      `captured ${session.requests.length} requests (${session.capture.endReason}); detaching`,
    );
    return session;
  } finally {
    await attached.detach();
  }
}

/** Saves the session (always: a capture is never thrown away), then prints the report. */
async function finish(
  session: SessionFile,
  out: string | undefined,
  options: AttachCommandOptions,
  context: CliContext,
): Promise<number> {
  if (session.capture.endReason === 'target-exited') {
    printWarning(
      context.streams,
      `the target exited during the capture; the part collected is kept`,
    );
  }

  const saved = await saveWithFallback(
    out ?? defaultSessionPath(context.cwd, session.target.pid),
    session,
    context,
  );
  presentSession(session, { json: Boolean(options.json) }, context);
  return saved.saved === undefined ? ExitCode.Failure : ExitCode.Ok;
}

/** `.gapscope/pid<PID>-<time>.gapscope.json` in `cwd` (the pid is unknown before attaching). */
function defaultSessionPath(cwd: string, pid?: number): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return path.join(cwd, '.gapscope', `pid${pid ?? 'target'}-${stamp}.gapscope.json`);
}

function readCaptureOptions(
  options: AttachCommandOptions,
): { ok: true; value: CaptureOptions } | { ok: false; error: GapscopeError } {
  const value: CaptureOptions = {};
  if (options.duration !== undefined) {
    if (!(options.duration > 0)) return invalid('--duration must be a positive number of seconds.');
    if (options.duration > MAX_DURATION_S) {
      return invalid(
        `--duration ${options.duration} is longer than ${MAX_DURATION_S} s (24 h), the longest ` +
          'capture Gapscope runs.',
        'Give a shorter --duration, or leave it out and stop with Ctrl-C.',
      );
    }
    value.durationMs = options.duration * 1000;
  }
  if (options.interval !== undefined) {
    if (!(options.interval >= 50 && options.interval <= 100_000)) {
      return invalid('--interval must be between 50 and 100000 microseconds.');
    }
    value.samplingIntervalUs = Math.round(options.interval);
  }
  if (options.tracking !== undefined) {
    if (options.tracking !== 'windows' && options.tracking !== 'waits') {
      return invalid('--tracking must be `windows` or `waits`.');
    }
    value.tracking = options.tracking;
  }
  if (options.waits) {
    if (options.tracking === 'windows') {
      return invalid('--waits and --tracking windows contradict each other; pick one.');
    }
    value.tracking = 'waits';
  }
  return { ok: true, value };
}

function invalid(message: string, hint?: string): { ok: false; error: GapscopeError } {
  return { ok: false, error: badArgument(message, hint ?? 'See `gapscope attach --help`.') };
}

function failWith(context: CliContext, error: GapscopeError): number {
  context.logger.debug('cli', 'failed', { code: error.code, detail: error.detail });
  printError(context.streams, error);
  return exitCodeFor(error.code);
}

/**
 * Ctrl-C, SIGTERM and SIGHUP as a promise: the first requests a stop (the capture is detached,
 * saved and reported as usual); the second skips saving and reporting but still leaves the
 * target clean (bounded by `FORCE_DETACH_MS`) before exiting.
 */
export interface InterruptSignal {
  readonly requested: Promise<void>;
  /** Registers what a second signal must still do before exiting (detach at once). */
  onForce(cleanup: () => Promise<unknown>): void;
  /** True once a second signal came: the process is about to exit, nothing is saved. */
  readonly forced: boolean;
  /** Never resolves: the process exits from the second signal's handler. */
  readonly exiting: Promise<never>;
  dispose(): void;
}

/** Bound on the clean-up a second signal runs before exiting, ms. */
const FORCE_DETACH_MS = 2000;

/** The signals that stop a capture, with the exit code of a process they end (128 + number). */
const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

type StopSignal = keyof typeof STOP_SIGNALS;

export function interruptSignal(onFirst?: () => void): InterruptSignal {
  let resolveRequested!: () => void;
  const requested = new Promise<void>(resolve => (resolveRequested = resolve));
  const cleanups: (() => Promise<unknown>)[] = [];
  let received = 0;

  const listener = (signal: StopSignal) => {
    received++;
    // After a hangup the terminal is gone: a failed write must not end us before we detach.
    if (signal === 'SIGHUP') ignoreWriteErrors();
    if (received > 1) return void forceExit(signal, cleanups);

    const again = signal === 'SIGINT' ? 'Ctrl-C again' : 'a second signal';
    writeQuietly(`\nStopping on ${signal} (${again} quits at once, without saving)…\n`);
    onFirst?.();
    resolveRequested();
  };
  const signals = Object.keys(STOP_SIGNALS) as StopSignal[];
  for (const signal of signals) process.on(signal, listener);
  return {
    requested,
    onForce: cleanup => void cleanups.push(cleanup),
    get forced() {
      return received > 1;
    },
    exiting: new Promise<never>(() => undefined),
    dispose: () => {
      for (const signal of signals) process.off(signal, listener);
    },
  };
}

/** Runs the clean-ups (detach at once), bounded, then exits with 128 + the signal number. */
async function forceExit(signal: StopSignal, cleanups: (() => Promise<unknown>)[]) {
  writeQuietly(`\n${signal} again: detaching without saving…\n`);
  // Should the loop empty first (the detach closed the last handle), the code still holds.
  process.exitCode = STOP_SIGNALS[signal];
  const bound = new Promise(resolve => setTimeout(resolve, FORCE_DETACH_MS));
  const cleaned = Promise.allSettled(cleanups.map(cleanup => cleanup()));
  await Promise.race([cleaned, bound]);
  process.exit(STOP_SIGNALS[signal]);
}

function writeQuietly(text: string) {
  try {
    process.stderr.write(text);
  } catch {
    // The terminal may be gone (SIGHUP); the detach matters more than the message.
  }
}

function ignoreWriteErrors() {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') === 0) stream.on('error', () => undefined);
  }
}

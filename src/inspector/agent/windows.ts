/**
 * Execution windows: which request's code runs on the JS thread. An async_hooks hook tags
 * every async resource with the request current at its creation; `before` reads the tag of
 * the resource about to run and records a switch only when the running request changes (a
 * callback of no request is recorded as BACKGROUND_JS, apart from the loop's own time);
 * `after` switches back to "no request". Callbacks run on every async hop of the service, so
 * they do as little as possible and never throw.
 */
import type * as AsyncHooks from 'node:async_hooks';
import { BACKGROUND_JS } from '../../core/session';
import type { Recorder } from './recorder';
import { LONG_STRETCH_MS, type RunDelayTracker } from './runDelay';

/** Where a resource carries the id of the request that created it. */
const REQUEST_TAG = Symbol('gapscope.request');

/** Idle time of a stretch below this (µs) is not recorded: too little to explain anything. */
const MIN_LOOP_IDLE_US = 5;

/** `ended` values of a request that finished, or whose client went away first. */
const ENDED = 1;
const ABORTED = 2;

type Tagged = { [REQUEST_TAG]?: number; socket?: Tagged | null };

export class WindowTracker {
  /** The request whose code runs now (0: none). */
  current = 0;
  /** The last value recorded in the windows: a request, 0, or BACKGROUND_JS. */
  private marked = 0;
  private hook: AsyncHooks.AsyncHook | undefined;
  /**
   * One byte per request id, ENDED or ABORTED once the request ended: a resource a request
   * created and others reuse later (a pooled client socket) must not charge their callbacks to
   * it.
   */
  private ended = new Uint8Array(1024);
  /** When the last switch was recorded (`performance.now()` ms). */
  private switchedAt = 0;
  /** Reads the thread's run-queue delay after long stretches (Linux only). */
  private runDelays: RunDelayTracker | undefined;
  /** libuv's cumulative idle time of the loop, ms, and its value at the last switch. */
  private loopIdleMs: (() => number) | undefined;
  private idleAtMs = 0;

  constructor(
    private readonly asyncHooks: typeof AsyncHooks,
    private readonly recorder: Recorder,
    private readonly now: () => number,
    /** False in "requests only" mode: switches are still kept at request start. */
    private readonly useHook: boolean,
  ) {}

  /** Starts tracking (the hook runs only while capturing). */
  enable(): void {
    if (!this.useHook || this.hook) return;

    const executionAsyncResource = this.asyncHooks.executionAsyncResource;
    const tracker = this;
    this.hook = this.asyncHooks.createHook({
      init(_asyncId, _type, _triggerAsyncId, resource) {
        try {
          if (tracker.current !== 0) (resource as Tagged)[REQUEST_TAG] = tracker.current;
        } catch {
          // A non-extensible resource simply stays untagged.
        }
      },
      before() {
        try {
          const requestId = requestOf(executionAsyncResource() as Tagged);
          // A callback of no request (or of one that ended) is JS too: marked apart from the
          // loop's own time between callbacks.
          if (requestId !== 0 && !(tracker.ended[requestId]! > 0)) tracker.switchTo(requestId);
          else tracker.switchToBackground();
        } catch {
          // Never let tracking break the service.
        }
      },
      after() {
        try {
          tracker.switchTo(0);
        } catch {
          // As above.
        }
      },
    });
    this.hook.enable();
  }

  disable(): void {
    this.hook?.disable();
    this.hook = undefined;
    this.runDelays?.close();
    this.runDelays = undefined;
  }

  /** Reads the run-queue delay at the end of each long stretch from now on. */
  trackRunDelays(tracker: RunDelayTracker | undefined): void {
    this.runDelays = tracker;
    this.switchedAt = this.now();
  }

  /**
   * Records, at each switch, how long the event loop sat idle in its poll since the last one
   * (`idleMs`: libuv's cumulative idle time, ms; about 30 ns a reading).
   */
  trackLoopIdle(idleMs: () => number): void {
    this.loopIdleMs = idleMs;
    this.idleAtMs = idleMs();
    this.switchedAt = this.now();
  }

  /** Records the loop's idle time of the stretch ending at `at` when there was some. */
  private readLoopIdle(at: number) {
    const idleMs = this.loopIdleMs!();
    const idleUs = (idleMs - this.idleAtMs) * 1000;
    this.idleAtMs = idleMs;
    if (idleUs < MIN_LOOP_IDLE_US) return;
    this.recorder.recordHeld('loopIdle', {
      startUs: this.recorder.toUs(this.switchedAt),
      endUs: this.recorder.toUs(at),
      idleUs: Math.round(idleUs),
    });
  }

  /** Records a switch to `requestId` (0: none) when it differs from the running one. */
  switchTo(requestId: number): void {
    this.current = requestId;
    this.mark(requestId);
  }

  /** A callback of no request starts: JS, but nobody's (recorded as BACKGROUND_JS). */
  private switchToBackground(): void {
    this.current = 0;
    this.mark(BACKGROUND_JS);
  }

  /** Records a switch to `value` when it differs from the last one recorded. */
  private mark(value: number): void {
    if (value === this.marked) return;

    this.marked = value;
    const at = this.now();
    if (this.loopIdleMs) this.readLoopIdle(at);
    if (this.runDelays && at - this.switchedAt >= LONG_STRETCH_MS) {
      this.runDelays.read(this.switchedAt);
    }
    this.switchedAt = at;
    this.recorder.recordSwitch(at, value);
  }

  /**
   * Marks the socket of a request, so that callbacks of the connection itself (body chunks,
   * `end`) count for the request being served on it.
   */
  tagSocket(socket: object | null | undefined, requestId: number): void {
    if (socket) (socket as Tagged)[REQUEST_TAG] = requestId;
  }

  /**
   * Notes that a request ended (`aborted`: its client went away first): callbacks of resources
   * it created no longer count for it.
   */
  markEnded(requestId: number, aborted = false): void {
    if (requestId >= this.ended.length) {
      const grown = new Uint8Array(Math.max(this.ended.length * 2, requestId + 1));
      grown.set(this.ended);
      this.ended = grown;
    }
    this.ended[requestId] = aborted ? ABORTED : ENDED;
  }

  /** True for a request not finished yet, or abandoned by its client (0, no request: false). */
  inFlightOrAborted(requestId: number): boolean {
    return requestId !== 0 && this.ended[requestId] !== ENDED;
  }

  /** Unmarks a socket whose request ended (keep-alive: the next request is not known yet). */
  untagSocket(socket: object | null | undefined, requestId: number): void {
    const tagged = socket as Tagged | null | undefined;
    if (tagged && tagged[REQUEST_TAG] === requestId) tagged[REQUEST_TAG] = 0;
  }
}

/**
 * The request a resource belongs to: its own tag, else (HTTP parser resources of a server
 * connection) the tag of its socket, else none.
 */
function requestOf(resource: Tagged | undefined): number {
  if (!resource) return 0;

  const own = resource[REQUEST_TAG];
  if (own !== undefined) return own;
  return resource.socket?.[REQUEST_TAG] ?? 0;
}

/**
 * Waits: the asynchronous operations a request starts and then waits on (a hash on the thread
 * pool, a file read, a lookup, a timer, a socket's reply). Only on in `waits` tracking: its own
 * async_hooks hook, plus a wrapper on `net.Socket#write` for socket reads, since a small write
 * completes synchronously and leaves no async resource behind.
 *
 * A wait runs from the resource's `init` (or the write) to the `before` of its completion
 * callback (or the socket's next read). Stacks are captured only for the types that matter;
 * a resource created with no user frame on the stack (an addon's work item made inside the
 * package's own callback) takes the site of the tracked resource that triggered it. Jobs of
 * the thread pool started outside any request are kept too (request 0, no stack taken): the
 * requests' jobs queue behind them.
 */
import type * as AsyncHooks from 'node:async_hooks';
import type { RecordedWait } from '../../core/session';
import { usesThreadpool, waitKindOf, type WaitKind } from '../../core/waitKinds';
import type { Recorder } from './recorder';
import type { WindowTracker } from './windows';

/** Pending waits kept at most (oldest dropped first): bounds memory under any load. */
const MAX_PENDING = 4096;

/** Sites kept for trigger chains, at most. */
const MAX_SITES = 4096;

/** Frames captured per stack: deep enough to get out of a package and Node's internals. */
const STACK_FRAMES = 16;

type CallSite = NonNullable<RecordedWait['callSite']>;

interface PendingWait {
  requestId: number;
  type: string;
  kind: WaitKind;
  /** performance.now() ms. */
  startMs: number;
  site: CallSite | undefined;
  /** The resource (connect requests: address and port are set after `init`). */
  resource?: { address?: unknown; port?: unknown };
  /**
   * The resource, weakly: whether a wait still pending at the end is really pending (a sync
   * `pbkdf2Sync` or `randomBytes` job fires `init` too but never completes as a callback).
   */
  handle?: WeakRef<object>;
  peer?: string;
}

/** What the wrapper reads from a socket. */
interface SocketLike {
  server?: unknown;
  remoteAddress?: string;
  remotePort?: number;
  _handle?: (object & { getpeername?(out: Record<string, unknown>): number }) | null;
}

interface SocketPrototype {
  write: (...args: unknown[]) => unknown;
}

/** V8's structured stack frame (`Error.prepareStackTrace`). */
interface V8CallSite {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
  getFunctionName(): string | null;
}

export class WaitTracker {
  private hook: AsyncHooks.AsyncHook | undefined;
  private readonly pending = new Map<number, PendingWait>();
  /**
   * The last job made whose completion callback is set right after it is made (`ondone`,
   * `oncomplete`), 0 when none: checked as soon as anything else happens (the next resource, the
   * next callback), when a sync job (`pbkdf2Sync`, made without one) is dropped before such
   * jobs can crowd real waits out of `pending`.
   */
  private unconfirmed = 0;
  /** Socket handle -> the wait from the first unanswered write to the next read. */
  private readonly pendingReads = new Map<object, PendingWait>();
  private readonly sites = new Map<number, CallSite>();
  private readonly kinds = new Map<string, WaitKind | null>();
  /** Stack file name -> its URL, or null when it is not the user's (Node, packages, eval). */
  private readonly urls = new Map<string, string | null>();
  private restoreWrite: (() => void) | undefined;

  constructor(
    private readonly asyncHooks: typeof AsyncHooks,
    private readonly recorder: Recorder,
    private readonly windows: WindowTracker,
    private readonly now: () => number,
    /** A stack frame's file name (a path or a URL) as a `file://` URL. */
    private readonly toUrl: (file: string) => string,
    private readonly socketPrototype: SocketPrototype | undefined,
  ) {}

  enable(): void {
    if (this.hook) return;

    const tracker = this;
    const executionAsyncResource = this.asyncHooks.executionAsyncResource;
    this.hook = this.asyncHooks.createHook({
      init(asyncId, type, triggerAsyncId, resource) {
        try {
          tracker.onInit(asyncId, type, triggerAsyncId, resource);
        } catch {
          // Tracking must never break the service.
        }
      },
      before(asyncId) {
        try {
          if (tracker.unconfirmed !== 0) tracker.dropSyncJob();
          if (tracker.pending.size !== 0) tracker.onBefore(asyncId);
          if (tracker.pendingReads.size !== 0) tracker.onRead(executionAsyncResource());
        } catch {
          // As above.
        }
      },
    });
    this.hook.enable();
    this.wrapSocketWrite();
  }

  disable(): void {
    this.hook?.disable();
    this.hook = undefined;
    this.restoreWrite?.();
    this.restoreWrite = undefined;
    // Waits of requests still in flight (or abandoned by their client) when the capture stops
    // were being waited on until now: recorded as ending here.
    if (this.unconfirmed !== 0) this.dropSyncJob();
    for (const wait of this.pending.values()) {
      if (this.windows.inFlightOrAborted(wait.requestId) && stillPending(wait)) this.record(wait);
    }
    for (const wait of this.pendingReads.values()) {
      if (this.windows.inFlightOrAborted(wait.requestId)) this.record(wait);
    }
    this.pending.clear();
    this.pendingReads.clear();
    this.sites.clear();
  }

  private onInit(asyncId: number, type: string, triggerAsyncId: number, resource: object) {
    if (this.unconfirmed !== 0) this.dropSyncJob();
    let kind = this.kinds.get(type);
    if (kind === undefined) {
      kind = waitKindOf(type) ?? null;
      // Connections are followed through their writes, not from their creation.
      if (type === 'TCPWRAP' || type === 'PIPEWRAP' || type === 'TLSWRAP') kind = null;
      this.kinds.set(type, kind);
    }
    if (kind === null) return;

    const requestId = this.windows.current;
    // Outside requests only the pool's jobs matter: a request's job queues behind them.
    let site: CallSite | undefined;
    if (requestId !== 0) {
      site = this.captureSite() ?? this.sites.get(triggerAsyncId);
      if (site) bounded(this.sites, MAX_SITES).set(asyncId, site);
    } else if (kind === 'native' || !usesThreadpool({ type, kind })) {
      // An addon's work item and an AsyncResource look alike: outside requests, only Node's
      // own pool jobs are known to be jobs.
      return;
    }
    const wait: PendingWait = {
      requestId,
      type,
      kind,
      startMs: this.now(),
      site,
    };
    if (kind === 'socket') wait.resource = resource as PendingWait['resource'];
    else wait.handle = new WeakRef(resource);
    bounded(this.pending, MAX_PENDING).set(asyncId, wait);
    if (hasCallbackField(type)) this.unconfirmed = asyncId;
  }

  /** Drops the last job made if it got no completion callback: a sync one. */
  private dropSyncJob() {
    const wait = this.pending.get(this.unconfirmed);
    if (wait && !awaitsCallback(wait)) this.pending.delete(this.unconfirmed);
    this.unconfirmed = 0;
  }

  private onBefore(asyncId: number) {
    const wait = this.pending.get(asyncId);
    if (!wait) return;

    this.pending.delete(asyncId);
    const address = wait.resource?.address;
    if (typeof address === 'string') wait.peer = `${address}:${String(wait.resource?.port)}`;
    this.record(wait);
  }

  private onRead(resource: object | undefined) {
    const wait = resource && this.pendingReads.get(resource);
    if (!wait) return;

    this.pendingReads.delete(resource);
    if (!wait.peer) wait.peer = peerOf(resource as SocketLike['_handle']);
    this.record(wait);
  }

  /** A write on a client connection of a request starts a wait for the next read. */
  private onWrite(socket: SocketLike) {
    if (this.windows.current === 0 || socket.server) return;

    const handle = socket._handle;
    if (!handle || this.pendingReads.has(handle)) return;
    const name = handle.constructor?.name;
    const wait: PendingWait = {
      requestId: this.windows.current,
      type: name === 'Pipe' ? 'PIPEWRAP' : name === 'TLSWrap' ? 'TLSWRAP' : 'TCPWRAP',
      kind: 'socket',
      startMs: this.now(),
      site: this.captureSite(),
    };
    if (socket.remoteAddress) wait.peer = `${socket.remoteAddress}:${socket.remotePort}`;
    bounded(this.pendingReads, MAX_PENDING).set(handle, wait);
  }

  private wrapSocketWrite() {
    const prototype = this.socketPrototype;
    if (!prototype || typeof prototype.write !== 'function') return;

    const original = prototype.write;
    const tracker = this;
    const wrapper = function (this: SocketLike, ...args: unknown[]) {
      try {
        if (tracker.hook) tracker.onWrite(this);
      } catch {
        // As above.
      }
      return original.apply(this, args);
    };
    prototype.write = wrapper;
    // Someone may have wrapped `write` again since: then ours stays below theirs, inert.
    this.restoreWrite = () => {
      if (prototype.write === wrapper) prototype.write = original;
    };
  }

  private record(wait: PendingWait) {
    const record: RecordedWait = {
      requestId: wait.requestId,
      type: wait.type,
      kind: wait.kind,
      startUs: this.recorder.toUs(wait.startMs),
      endUs: this.recorder.nowUs(),
    };
    if (wait.site) record.callSite = wait.site;
    if (wait.peer) record.peer = wait.peer;
    this.recorder.recordWait(record);
  }

  /** The first frame of the user's own code on the stack (async frames included). */
  private captureSite(): CallSite | undefined {
    const prepare = Error.prepareStackTrace;
    const limit = Error.stackTraceLimit;
    let frames: V8CallSite[] | undefined;
    try {
      Error.prepareStackTrace = (_error, callSites) => callSites;
      Error.stackTraceLimit = STACK_FRAMES;
      const holder: { stack?: V8CallSite[] } = {};
      Error.captureStackTrace(holder);
      frames = holder.stack;
    } finally {
      Error.prepareStackTrace = prepare;
      Error.stackTraceLimit = limit;
    }
    if (!Array.isArray(frames)) return undefined;

    for (const frame of frames) {
      const file = frame.getFileName();
      if (!file) continue;
      let url = this.urls.get(file);
      if (url === undefined) {
        url = isUserFile(file) ? this.toUrl(file) : null;
        bounded(this.urls, MAX_SITES).set(file, url);
      }
      if (url === null) continue;
      const site: CallSite = {
        url,
        line: frame.getLineNumber() ?? 0,
        column: frame.getColumnNumber() ?? 1,
      };
      const functionName = frame.getFunctionName();
      if (functionName) site.functionName = functionName;
      return site;
    }
    return undefined;
  }
}

/**
 * This module's own file when it runs from source (unit tests); the bundle injected with
 * `Runtime.evaluate` has no file name, so its frames are skipped anyway.
 */
const OWN_FILE = typeof __filename === 'string' ? __filename : undefined;

/** A file of the service itself: on disk, not Node's own, not a package, not the agent. */
function isUserFile(file: string): boolean {
  if (file.startsWith('node:') || file.includes('node_modules') || file === OWN_FILE) return false;
  return file.startsWith('/') || file.startsWith('file:') || /^[A-Za-z]:[\\/]/.test(file);
}

/**
 * Resource types that get their completion callback as a field right after they are made: a
 * crypto job's `ondone` (`PBKDF2REQUEST`, `RANDOMBYTESREQUEST`…), an fs or dns request's
 * `oncomplete`. The sync forms make the same resources without it.
 */
function hasCallbackField(type: string): boolean {
  return type.endsWith('REQUEST') || type === 'FSREQCALLBACK' || type.endsWith('INFOREQWRAP');
}

type CallbackFields = { ondone?: unknown; oncomplete?: unknown };

/** Whether a job of such a type waits for a completion callback (its resource still alive). */
function awaitsCallback(wait: PendingWait): boolean {
  const resource = wait.handle?.deref() as CallbackFields | undefined;
  if (!resource) return false;
  return typeof resource.ondone === 'function' || typeof resource.oncomplete === 'function';
}

/**
 * Whether a wait that never completed is still pending when the capture stops: a job that
 * waits for its completion callback, an armed timer; other kinds (fs.promises requests, an
 * addon's work) carry no such field and count while their resource lives.
 */
function stillPending(wait: PendingWait): boolean {
  if (!wait.handle) return true;
  if (hasCallbackField(wait.type)) return awaitsCallback(wait);

  const resource = wait.handle.deref() as
    { _onTimeout?: unknown; _destroyed?: boolean } | undefined;
  if (!resource) return false;
  if (wait.kind === 'timer') {
    return typeof resource._onTimeout === 'function' && !resource._destroyed;
  }
  return true;
}

function peerOf(handle: SocketLike['_handle']): string | undefined {
  if (!handle || typeof handle.getpeername !== 'function') return undefined;

  const out: Record<string, unknown> = {};
  if (handle.getpeername(out) !== 0 || typeof out.address !== 'string') return undefined;
  return `${out.address}:${String(out.port)}`;
}

/** The map, its oldest entry dropped first when it is full. */
function bounded<K, V>(map: Map<K, V>, max: number): Map<K, V> {
  if (map.size >= max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  return map;
}

/**
 * Owns the one session the server shows: a live capture of an attached target (re-analysed
 * every few seconds) or a saved session file. Everything that touches the target goes through
 * here, one operation at a time; failures outside a request surface through `onDidFail`.
 */
import {
  type GapscopeError,
  agentFailed,
  asGapscopeError,
  badArgument,
  targetExited,
} from '../core/errors';
import {
  DisposableStore,
  EventEmitter,
  type CancellationToken,
  type Event,
  type IDisposable,
} from '../core/lifecycle';
import type { ILogger } from '../core/logger';
import type { Analysis, RequestAnalysis } from '../core/model';
import type { SessionFile } from '../core/session';
import type { ICapture, IInspectorSession } from '../inspector/types';
import { TimelineData } from '../shared/timelineModel';
import type { ServerSettings, SessionState } from '../shared/protocol';
import type { IEngine } from './engine';
import { profileNextRequest } from './nextRequest';

/** What is loaded: the analysed session and where it came from. */
interface Loaded {
  session: SessionFile;
  analysis: Analysis;
  kind: 'live' | 'saved';
  label: string;
  path?: string;
}

/** The attached target and its capture, with everything to tear down on detach. */
interface Live {
  inspector: IInspectorSession;
  capture: ICapture;
  store: DisposableStore;
  timer?: NodeJS.Timeout;
  label: string;
  /** Resolves when the inspector connection closed, for whatever reason. */
  closed: Promise<void>;
  /** True until the first analysis of the current capture: that one starts a new session. */
  freshCapture: boolean;
}

/**
 * History a live session keeps, ms: the marks show the last two minutes, and each update's
 * analysis time and the server's memory stay flat however long the session runs
 * (bench/live.ts measures both).
 */
const LIVE_KEEP_MS = 120_000;

/** How long a failed snapshot waits to learn whether the target is gone, ms. */
const CLOSE_CONFIRM_MS = 3000;

/** Makes session ids of this server run unlike those of an earlier one (the panel outlives it). */
const RUN_ID = Date.now().toString(36);

export class SessionHost implements IDisposable {
  private readonly didChange = new EventEmitter<void>();
  private readonly didFail = new EventEmitter<GapscopeError>();
  private loaded: Loaded | undefined;
  private live: Live | undefined;
  private timeline: TimelineData | undefined;
  /** Identity of the loaded session for the timeline; see `TimelineModel.sessionId`. */
  private sessionId = `${RUN_ID}-0`;
  private sessionCount = 0;
  /** The last capture of Profile Next Request, kept viewable after the live capture resumed. */
  private focused: TimelineData | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private progress = { samples: 0, requests: 0 };

  /** Fires when the state or the analysis changed. */
  readonly onDidChange: Event<void> = this.didChange.event;
  /** Fires on a failure no request is waiting for (the target died, an analysis threw). */
  readonly onDidFail: Event<GapscopeError> = this.didFail.event;

  constructor(
    private readonly engine: IEngine,
    private readonly logger: ILogger,
    private settings: ServerSettings,
  ) {}

  /** The current analysis, if any session is loaded. */
  get analysis(): Analysis | undefined {
    return this.loaded?.analysis;
  }

  /** The status-bar view of the session. */
  get state(): SessionState {
    if (!this.loaded && !this.live) {
      return { kind: 'none', label: '', samples: 0, requests: 0, durationMs: 0 };
    }
    const totals = this.loaded?.analysis.totals;
    const state: SessionState = {
      kind: this.live ? 'live' : 'saved',
      label: this.live?.label ?? this.loaded?.label ?? '',
      samples: Math.max(totals?.samples ?? 0, this.live ? this.progress.samples : 0),
      requests: Math.max(totals?.requests ?? 0, this.live ? this.progress.requests : 0),
      durationMs: totals?.durationMs ?? 0,
    };
    const pid = this.live?.inspector.pid ?? this.loaded?.session.target.pid;
    if (pid !== undefined) state.pid = pid;
    if (this.loaded?.path) state.path = this.loaded.path;
    return state;
  }

  /**
   * The timeline host of the loaded session, built on first use; with `sessionId`, of that
   * session: the loaded one or the kept Profile Next Request capture, else none.
   */
  timelineData(sessionId?: string): TimelineData | undefined {
    if (sessionId !== undefined && sessionId !== this.sessionId) {
      return this.focused?.sessionId === sessionId ? this.focused : undefined;
    }
    if (!this.loaded) return undefined;

    this.timeline ??= new TimelineData(
      this.loaded.session,
      this.loaded.analysis,
      this.loaded.label,
      this.loaded.kind === 'live',
      this.sessionId,
    );
    return this.timeline;
  }

  /** The Node processes the user can attach to. */
  listProcesses() {
    return this.engine.listProcesses();
  }

  updateSettings(settings: ServerSettings): void {
    this.settings = settings;
  }

  /** Attaches to the target the user named and starts the live capture. */
  attach(target: string, token: CancellationToken): Promise<GapscopeError | undefined> {
    return this.serialize(async () => {
      const spec = this.engine.parseTarget(target);
      if (!spec.ok) return spec.error;

      // Attaching again to the attached process keeps the session (and its data) as it is.
      const current = this.live?.inspector.pid;
      if (spec.value.kind === 'pid' && spec.value.pid === current) return undefined;

      await this.stopLive();
      this.focused = undefined;
      const attached = await this.engine.attach(spec.value, { logger: this.logger }, token);
      if (!attached.ok) return attached.error;

      try {
        await this.startLive(attached.value, target);
      } catch (error) {
        await attached.value.detach().catch(() => undefined);
        return this.toError(error, 'capture.start');
      }
      return undefined;
    });
  }

  /** Detaches from the target (if any) and unloads the session. */
  detach(): Promise<void> {
    return this.serialize(async () => {
      await this.stopLive();
      this.focused = undefined;
      this.setLoaded(undefined);
    });
  }

  /** Loads a saved session file (detaching a live target first). */
  open(path: string): Promise<GapscopeError | undefined> {
    return this.serialize(async () => {
      const loaded = await this.engine.loadSession(path);
      if (!loaded.ok) return loaded.error;

      await this.stopLive();
      this.focused = undefined;
      try {
        const analysis = this.engine.analyze(loaded.value);
        const label = path.split(/[\\/]/).pop() ?? path;
        this.setLoaded({ session: loaded.value, analysis, kind: 'saved', label, path });
      } catch (error) {
        return this.toError(error, 'analyze');
      }
      return undefined;
    });
  }

  /** Writes the current session (a fresh snapshot while live) to `path`. */
  save(path: string): Promise<GapscopeError | undefined> {
    return this.serialize(async () => {
      const session = this.live ? await this.live.capture.snapshot() : this.loaded?.session;
      if (!session)
        return badArgument('There is no session to save.', 'Attach to a process first.');

      await this.engine.saveSession(path, session);
      this.logger.info('session.save', 'saved', { path });
      return undefined;
    });
  }

  /**
   * Captures the next request of `endpoint` at the fine interval, then resumes the live capture.
   * The fine capture's analysis becomes the current one, so the timeline can show the request;
   * it is a session of its own (`sessionId`), kept viewable after the next live update.
   */
  profileNext(
    endpoint: string | undefined,
    timeoutMs: number,
    token: CancellationToken,
  ): Promise<{ request: RequestAnalysis; sessionId: string } | { error: GapscopeError }> {
    return this.serialize(async () => {
      const live = this.live;
      if (!live) return { error: badArgument('Attach to a process before profiling a request.') };

      this.stopTimer(live);
      await live.capture.stop();
      try {
        const result = await profileNextRequest(this.engine, live.inspector, {
          endpoint,
          samplingIntervalUs: this.settings.fineSamplingIntervalUs,
          timeoutMs,
          token,
          logger: this.logger,
        });
        if ('request' in result) {
          this.setLoaded({ ...result, kind: 'live', label: live.label });
          this.focused = this.timelineData();
          return { request: result.request, sessionId: this.sessionId };
        }
        return { error: result.error };
      } finally {
        if (this.live === live) await this.restartLiveCapture(live);
      }
    });
  }

  dispose(): void {
    void this.detach();
    this.didChange.dispose();
    this.didFail.dispose();
  }

  private async startLive(inspector: IInspectorSession, target: string): Promise<void> {
    const store = new DisposableStore();
    const capture = await this.engine.startCapture(inspector, this.captureOptions());
    const label = `pid ${inspector.pid}` + (/^\d+$/.test(target) ? '' : ` (${target})`);
    let markClosed = () => {};
    const closed = new Promise<void>(resolve => (markClosed = resolve));
    const live: Live = { inspector, capture, store, label, closed, freshCapture: true };
    this.live = live;
    this.progress = { samples: 0, requests: 0 };
    this.watchCapture(live);
    store.add(
      inspector.onDidClose(({ reason }) => {
        markClosed();
        void this.onTargetClosed(live, reason);
      }),
    );

    this.logger.info('session.live', 'attached', {
      pid: inspector.pid,
      url: inspector.inspectorUrl,
    });
    this.setLoaded(undefined);
    this.scheduleTick(live);
  }

  private watchCapture(live: Live): void {
    live.store.add(
      live.capture.onDidProgress(progress => {
        this.progress = { samples: progress.samples, requests: progress.requests };
      }),
    );
  }

  private captureOptions() {
    return {
      samplingIntervalUs: this.settings.samplingIntervalUs,
      tracking: 'windows' as const,
      keepMs: LIVE_KEEP_MS,
    };
  }

  private scheduleTick(live: Live): void {
    this.stopTimer(live);
    live.timer = setTimeout(() => {
      void this.serialize(() => this.tick(live));
    }, this.settings.liveUpdateIntervalMs);
  }

  private stopTimer(live: Live): void {
    if (live.timer) clearTimeout(live.timer);
    live.timer = undefined;
  }

  /** One live update: snapshot, analyse, publish; the next tick is scheduled after. */
  private async tick(live: Live): Promise<void> {
    if (this.live !== live) return;

    try {
      const session = await live.capture.snapshot();
      const analysis = this.engine.analyze(session);
      // A capture that saw no request yet would wipe the marks the user is looking at.
      if (analysis.requests.length > 0 || !this.loaded) {
        const sameSession = !live.freshCapture;
        live.freshCapture = false;
        this.setLoaded({ session, analysis, kind: 'live', label: live.label }, sameSession);
      } else {
        this.didChange.fire();
      }
    } catch (error) {
      // A snapshot of a target that is exiting fails before the connection reports the close;
      // the close handler then tells the user the target exited, which is the real cause.
      if (await closesWithin(live, CLOSE_CONFIRM_MS)) return;
      if (this.live !== live) return;
      if (isContextGone(error)) return this.onTargetGone(live);
      this.didFail.fire(this.toError(error, 'session.live'));
    }
    if (this.live === live) this.scheduleTick(live);
  }

  private async restartLiveCapture(live: Live): Promise<void> {
    try {
      live.capture = await this.engine.startCapture(live.inspector, this.captureOptions());
      live.freshCapture = true;
      this.watchCapture(live);
      this.scheduleTick(live);
    } catch (error) {
      this.didFail.fire(this.toError(error, 'capture.restart'));
    }
  }

  private async onTargetClosed(live: Live, reason: string): Promise<void> {
    if (this.live !== live || reason === 'detached') return;

    this.logger.warn('session.live', 'target connection closed', {
      reason,
      pid: live.inspector.pid,
    });
    this.stopTimer(live);
    live.store.dispose();
    this.live = undefined;
    if (this.loaded)
      this.setLoaded({ ...this.loaded, kind: 'saved', label: `${live.label} (exited)` }, true);
    else this.didChange.fire();
    this.didFail.fire(targetExited(live.inspector.pid));
  }

  /**
   * The target's JS context is gone but the connection is open: a Node process that exits with
   * a debugger attached waits for it to disconnect. Detaching lets it finish exiting.
   */
  private async onTargetGone(live: Live): Promise<void> {
    this.logger.warn('session.live', 'target context destroyed: detaching', {
      pid: live.inspector.pid,
    });
    await this.stopLive();
    if (this.loaded)
      this.setLoaded({ ...this.loaded, kind: 'saved', label: `${live.label} (exited)` }, true);
    else this.didChange.fire();
    this.didFail.fire(targetExited(live.inspector.pid));
  }

  /** Stops the live capture and detaches, leaving the last analysis loaded. */
  private async stopLive(): Promise<void> {
    const live = this.live;
    if (!live) return;

    this.live = undefined;
    this.stopTimer(live);
    live.store.dispose();
    try {
      await live.capture.stop();
    } catch (error) {
      this.logger.warn('session.live', 'stopping the capture failed', { error: String(error) });
    }
    await live.inspector.detach();
    this.logger.info('session.live', 'detached', { pid: live.inspector.pid });
  }

  /** Loads `loaded`: a new session unless it is the same capture analysed again. */
  private setLoaded(loaded: Loaded | undefined, sameSession = false): void {
    this.loaded = loaded;
    this.timeline = undefined;
    if (!sameSession) this.sessionId = `${RUN_ID}-${++this.sessionCount}`;
    this.didChange.fire();
  }

  private toError(error: unknown, area: string): GapscopeError {
    const known = asGapscopeError(error);
    if (known) return known;

    this.logger.error(area, 'failed', {
      error: error instanceof Error ? error.stack : String(error),
    });
    const failure = agentFailed(error instanceof Error ? error.message : String(error));
    return { ...failure, message: `Gapscope failed (${area}): ${failure.detail ?? 'unknown'}.` };
  }

  /** Runs operations one at a time; a failed one does not block the next. */
  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.queue.then(operation, operation);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

function closesWithin(live: Live, ms: number): Promise<boolean> {
  return new Promise(resolve => {
    const timer = setTimeout(() => resolve(false), ms);
    void live.closed.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** True for the CDP errors of a target whose JS context was destroyed (it is exiting). */
function isContextGone(error: unknown): boolean {
  return /cannot find context|execution context was destroyed/i.test(String(error));
}

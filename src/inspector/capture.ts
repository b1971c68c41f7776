/**
 * A capture: the V8 profiler plus the agent, collected into a `SessionFile`. The profiler
 * cannot stream, so the profile is cut into chunks (stop and start back to back) every few
 * seconds: a target that exits mid-session loses only its last chunk.
 */
import type Cdp from 'devtools-protocol';
import type ProtocolMapping from 'devtools-protocol/types/protocol-mapping';
import { GapscopeFailure, agentFailed, alreadyProfiled, profilerBusy } from '../core/errors';
import { EventEmitter, type Event } from '../core/lifecycle';
import { nullLogger, type ILogger } from '../core/logger';
import {
  SESSION_FORMAT,
  SESSION_VERSION,
  type AgentStats,
  type CaptureInfo,
  type RecordedRequest,
  type RecordedSpan,
  type RecordedWait,
  type ScriptRecord,
  type SessionFile,
  type TimedInterval,
} from '../core/session';
import {
  AGENT_BINDING_NAME,
  HELD_KEYS,
  emptyHeld,
  type AgentBatch,
  type AgentConfig,
  type AgentInstallResult,
  type AgentProbe,
  type HeldRecords,
} from './agent/protocol';
import {
  AGENT_FLUSH_EXPRESSION,
  AGENT_PROBE_EXPRESSION,
  AGENT_RENEW_EXPRESSION,
  AGENT_UNINSTALL_EXPRESSION,
  agentInstallExpression,
} from './agentScript';
import { readScripts, userScriptUrls } from './scripts';
import { EXIT_REQUEST_TIMEOUT_MS, InspectorSession } from './session';
import type { CaptureOptions, CaptureProgress, ICapture, IInspectorSession } from './types';

type Commands = ProtocolMapping.Commands;

/**
 * 10 ms (100 Hz): at 1000 µs the sampler alone cost a lightly loaded service about 3-4% of a
 * core (bench/overhead.ts); fine captures (Profile Next Request, --interval) ask for more.
 */
const DEFAULT_SAMPLING_INTERVAL_US = 10_000;
const DEFAULT_CHUNK_INTERVAL_MS = 5000;

/**
 * The first chunk is cut early, ms: a target that dies soon after the attach (the usual way
 * to lose everything) then keeps all but its last second.
 */
const FIRST_CHUNK_MS = 1000;

/** Title of the console profile that spans each chunk cut (see `bridge`). */
const CHUNK_BRIDGE_TITLE = 'gapscope-chunk-bridge';
const PROGRESS_THROTTLE_MS = 1000;

/** The agent's lease term, ms: long enough for a loaded target, short enough to clean up. */
const DEFAULT_LEASE_MS = 15_000;

/** Longest pause between lease renewals, ms (shorter leases renew three times per term). */
const MAX_RENEW_INTERVAL_MS = 2000;

const AGENT_DEFAULTS: Omit<AgentConfig, 'trackWindows'> = {
  bindingName: AGENT_BINDING_NAME,
  flushIntervalMs: 200,
  windowCapacity: 16_384,
};

type EndReason = CaptureInfo['endReason'];

/** Starts profiling and tracking; failures to install the agent throw a GapscopeFailure. */
export async function startCapture(
  session: IInspectorSession,
  options: CaptureOptions = {},
  logger: ILogger = nullLogger,
): Promise<ICapture> {
  if (!(session instanceof InspectorSession)) {
    throw new Error('startCapture needs a session made by attachToTarget');
  }
  if (session.capturing) throw new GapscopeFailure(profilerBusy(session.pid));

  const capture = new Capture(session, options, logger);
  session.capturing = true;
  try {
    await capture.start();
  } catch (error) {
    session.capturing = false;
    throw error;
  }
  return capture;
}

class Capture implements ICapture {
  private readonly didProgress = new EventEmitter<CaptureProgress>();
  private readonly didEnd = new EventEmitter<SessionFile>();
  private readonly profiles: Cdp.Profiler.Profile[] = [];
  private readonly requests = new Map<number, RecordedRequest>();
  private readonly windows = { ts: [] as number[], req: [] as number[] };
  private readonly spans: RecordedSpan[] = [];
  private readonly waits: RecordedWait[] = [];
  /** What held the target's JS thread (run-queue delays, collections, flushes, loop idle). */
  private readonly held: HeldRecords = emptyHeld();
  private readonly notes: string[] = [];
  private readonly scriptCache = new Map<string, ScriptRecord>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly disposeListeners: (() => void)[] = [];
  private readonly startedAt = new Date();
  private readonly intervalUs: number;
  private stats: AgentStats | undefined;
  private installed: AgentInstallResult | undefined;
  private chunking: Promise<void> = Promise.resolve();
  private lastProgressAt = 0;
  /** True once the target waits at exit for us: requests then get a short bound. */
  private exiting = false;
  private ending: Promise<SessionFile> | undefined;
  /** Where the kept history begins once `keepMs` dropped older chunks (hrtime µs). */
  private keptFromUs: number | undefined;
  private droppedRequests = 0;

  readonly onDidProgress: Event<CaptureProgress> = this.didProgress.event;
  readonly onDidEnd: Event<SessionFile> = this.didEnd.event;

  constructor(
    private readonly session: InspectorSession,
    private readonly options: CaptureOptions,
    private readonly logger: ILogger,
  ) {
    this.intervalUs = options.samplingIntervalUs ?? DEFAULT_SAMPLING_INTERVAL_US;
  }

  async start(): Promise<void> {
    const { connection } = this.session;
    const binding = connection.on('Runtime.bindingCalled', event => {
      if (event.name === AGENT_BINDING_NAME) this.onBatch(event.payload);
    });
    this.disposeListeners.push(() => binding.dispose());
    const close = this.session.onDidClose(({ reason }) => {
      if (reason !== 'detached') void this.end('target-exited');
    });
    this.disposeListeners.push(() => close.dispose());
    this.disposeListeners.push(
      this.session.addParticipant({
        end: () => this.endQuietly('stopped'),
        targetExiting: () => this.endQuietly('target-exited'),
      }),
    );

    // Before anything of ours touches the target: another capture's agent must not be replaced.
    await this.refuseLiveAgent();
    try {
      await this.send('Profiler.enable');
      await this.setSamplingInterval();
      this.session.agentInstalledByUs = true;
      await this.send('Runtime.addBinding', { name: AGENT_BINDING_NAME });
      await this.installAgent();
      await this.send('Profiler.start');
      await this.discardOptimizedCode();
    } catch (error) {
      await this.abandon();
      throw error;
    }
    this.scheduleTimers();
    this.logger.info('capture', 'started', { pid: this.session.pid, intervalUs: this.intervalUs });
  }

  /** Refuses to start while another Gapscope session's agent holds a fresh lease here. */
  private async refuseLiveAgent() {
    let probe: AgentProbe;
    try {
      probe = await this.session.evaluate<AgentProbe>(AGENT_PROBE_EXPRESSION);
    } catch (error) {
      for (const dispose of this.disposeListeners.splice(0)) dispose();
      throw new GapscopeFailure(agentFailed(String(error)));
    }
    if (!probe.fresh) {
      if (probe.present) this.logger.info('capture', 'replacing a stale agent', { ...probe });
      return;
    }

    this.ending = Promise.reject(new Error('Another Gapscope session profiles this target'));
    this.ending.catch(() => undefined);
    for (const dispose of this.disposeListeners.splice(0)) dispose();
    throw new GapscopeFailure(alreadyProfiled(this.session.pid));
  }

  /** Undoes a start that failed half-way, so the target is left as it was. */
  private async abandon() {
    this.ending = Promise.reject(new Error('The capture failed to start'));
    this.ending.catch(() => undefined);
    await this.guard('uninstall the agent', () =>
      this.session.evaluate(AGENT_UNINSTALL_EXPRESSION),
    );
    await this.guard('disable the profiler', () => this.send('Profiler.disable'));
    for (const dispose of this.disposeListeners.splice(0)) dispose();
  }

  snapshot(): Promise<SessionFile> {
    if (this.ending) return this.ending;

    return this.queueChunk(true)
      .then(() => this.flushAgent())
      .then(() => this.build('stopped'));
  }

  stop(): Promise<SessionFile> {
    return this.end('stopped');
  }

  private end(reason: EndReason): Promise<SessionFile> {
    this.ending ??= this.runEnd(reason);
    return this.ending;
  }

  private async runEnd(reason: EndReason): Promise<SessionFile> {
    for (const timer of this.timers) clearTimeout(timer);
    this.exiting = reason === 'target-exited';
    if (!this.session.isClosed) {
      await this.chunking;
      await this.guard('stop the profiler', () => this.cutChunk(false));
      await this.guard('flush the agent', () => this.flushAgent());
    }
    if (!this.session.isClosed && !this.exiting) {
      await this.guard('uninstall the agent', () =>
        this.session.evaluate(AGENT_UNINSTALL_EXPRESSION),
      );
      await this.guard('disable the profiler', () => this.send('Profiler.disable'));
    }
    if (this.session.isClosed && reason === 'stopped') reason = 'target-exited';

    for (const dispose of this.disposeListeners.splice(0)) dispose();
    this.session.capturing = false;
    const file = await this.build(reason);
    this.logger.info('capture', 'ended', { reason, profiles: this.profiles.length });
    if (reason !== 'stopped') this.didEnd.fire(file);
    return file;
  }

  private async endQuietly(reason: EndReason) {
    await this.end(reason).catch(() => undefined);
  }

  /**
   * Code that V8 optimised before the profiler started carries no inlining positions, so its
   * samples land on the outermost frame's call line (seen here: a whole hot loop charged to the
   * line that called it). Switching precise coverage on and off makes V8 discard all optimised
   * code; functions re-optimise within moments, now with the detailed positions the running
   * profiler asks for. The cost is a short slowdown of the target right after attaching.
   */
  private async discardOptimizedCode() {
    if (this.options.discardOptimizedCode === false) return;

    await this.guard('discard optimised code', async () => {
      await this.send('Profiler.startPreciseCoverage', { callCount: false, detailed: false });
      await this.send('Profiler.stopPreciseCoverage');
    });
  }

  private async setSamplingInterval() {
    try {
      await this.send('Profiler.setSamplingInterval', { interval: this.intervalUs });
    } catch (error) {
      this.logger.warn('capture', 'sampling interval refused', { error: String(error) });
      this.notes.push(
        'Another client was already profiling this process, so the sampling interval it set ' +
          `stayed in force (${this.intervalUs} µs was asked); its profile was left running.`,
      );
    }
  }

  private async installAgent() {
    const trackWaits = this.tracking() === 'waits';
    const config: AgentConfig = {
      ...AGENT_DEFAULTS,
      trackWindows: true,
      trackWaits,
      leaseMs: this.leaseMs(),
      closeInspectorOnExpiry: this.session.inspectorOpenedByUs,
    };
    try {
      this.installed = await this.session.evaluate<AgentInstallResult>(
        agentInstallExpression(config),
        true,
      );
    } catch (error) {
      throw new GapscopeFailure(agentFailed(String(error)));
    }
    if (this.installed.execArgv?.some(flag => flag.startsWith('--cpu-prof'))) {
      this.notes.push(
        'The service runs with --cpu-prof: its own profile kept running beside ours and is ' +
          'written at exit as usual.',
      );
    }
    if (this.installed.tracer !== 'none') {
      this.notes.push(
        `Spans were read from the service's OpenTelemetry tracer (${this.installed.tracer}).`,
      );
    }
  }

  private scheduleTimers() {
    const chunkMs = this.options.chunkIntervalMs ?? DEFAULT_CHUNK_INTERVAL_MS;
    const firstChunkTimer = setTimeout(
      () => {
        void this.queueChunk(true);
        const chunkTimer = setInterval(() => void this.queueChunk(true), chunkMs);
        chunkTimer.unref();
        this.timers.push(chunkTimer);
      },
      Math.min(FIRST_CHUNK_MS, chunkMs),
    );
    firstChunkTimer.unref();
    this.timers.push(firstChunkTimer);
    const renewMs = Math.min(MAX_RENEW_INTERVAL_MS, this.leaseMs() / 3);
    const renewTimer = setInterval(() => void this.renewLease(), renewMs);
    renewTimer.unref();
    this.timers.push(renewTimer);
    if (this.options.durationMs !== undefined) {
      const durationTimer = setTimeout(() => void this.end('duration'), this.options.durationMs);
      this.timers.push(durationTimer);
    }
  }

  private leaseMs(): number {
    return this.options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /** Renews the agent's lease (bounded by the lease itself: a late renewal is useless). */
  private async renewLease() {
    if (this.ending || this.session.isClosed) return;

    await this.guard('renew the agent lease', async () => {
      const alive = await this.session.evaluate<boolean>(
        AGENT_RENEW_EXPRESSION,
        false,
        Math.min(this.requestTimeoutMs(), this.leaseMs()),
      );
      if (!alive && !this.ending) {
        this.logger.warn('capture', 'the agent is gone from the target (its lease expired?)');
      }
    });
  }

  /** Queues a chunk cut after the previous one; errors are logged, never thrown. */
  private queueChunk(restart: boolean): Promise<void> {
    this.chunking = this.chunking.then(() =>
      this.ending ? undefined : this.guard('cut a profile chunk', () => this.cutChunk(restart)),
    );
    return this.chunking;
  }

  /** Stops our profile and (when `restart`) starts the next one back to back. */
  private async cutChunk(restart: boolean) {
    if (this.session.isClosed) return;

    if (restart) await this.guard('open the chunk bridge', () => this.bridge('profile'));
    const stopping = this.send('Profiler.stop');
    const starting = restart ? this.send('Profiler.start') : undefined;
    const { profile } = await stopping;
    this.profiles.push(profile);
    this.trimHistory();
    await starting;
    if (restart) await this.guard('close the chunk bridge', () => this.bridge('profileEnd'));
    this.didProgress.fire(this.progress());
  }

  /**
   * Keeps V8's profiler running across a chunk cut. When its last profile stops, V8 drops its
   * code map, and the next start re-reads optimised code without inlining positions: code
   * optimised during the previous chunk was then charged to its callers' call lines (seen on
   * Node 20.20, every capture with a cut after warm-up). A console profile open across the
   * cut keeps the map alive; its own (tiny) profile is ignored.
   */
  private async bridge(call: 'profile' | 'profileEnd') {
    await this.session.evaluate(`console.${call}(${JSON.stringify(CHUNK_BRIDGE_TITLE)})`);
  }

  /**
   * Drops the chunks that ended more than `keepMs` before the newest one, and every record that
   * ended before the oldest chunk kept (the last switch before it stays: it says who runs then).
   */
  private trimHistory() {
    const keepMs = this.options.keepMs;
    const newest = this.profiles.at(-1);
    if (keepMs === undefined || !newest) return;

    const cutoffUs = newest.endTime - keepMs * 1000;
    let drop = 0;
    while (drop < this.profiles.length - 1 && this.profiles[drop]!.endTime <= cutoffUs) drop++;
    if (drop === 0) return;

    this.profiles.splice(0, drop);
    const fromUs = this.profiles[0]!.startTime;
    this.keptFromUs = fromUs;
    for (const [id, request] of this.requests) {
      if (request.endUs !== undefined && request.endUs < fromUs) {
        this.requests.delete(id);
        this.droppedRequests++;
      }
    }
    const firstSwitch = lastIndexAtOrBefore(this.windows.ts, fromUs);
    if (firstSwitch > 0) {
      this.windows.ts.splice(0, firstSwitch);
      this.windows.req.splice(0, firstSwitch);
    }
    keepWhere(this.spans, span => span.endUs >= fromUs);
    keepWhere(this.waits, wait => wait.endUs >= fromUs);
    for (const key of HELD_KEYS) {
      keepWhere<TimedInterval>(this.held[key], record => record.endUs >= fromUs);
    }
  }

  private async flushAgent() {
    if (!this.session.isClosed) {
      await this.session.evaluate(AGENT_FLUSH_EXPRESSION, false, this.requestTimeoutMs());
    }
  }

  private onBatch(payload: string) {
    let batch: AgentBatch;
    try {
      batch = JSON.parse(payload) as AgentBatch;
    } catch (error) {
      this.logger.assert(false, 'capture.batch', `unreadable agent batch: ${String(error)}`);
      return;
    }
    for (const start of batch.starts) this.requests.set(start.id, { ...start });
    for (const end of batch.ends) {
      const request = this.requests.get(end.id);
      if (request) Object.assign(request, end);
    }
    for (let i = 0; i < batch.windows.ts.length; i++) {
      this.windows.ts.push(batch.windows.ts[i]!);
      this.windows.req.push(batch.windows.req[i]!);
    }
    for (const span of batch.spans) this.spans.push(span);
    for (const wait of batch.waits ?? []) this.waits.push(wait);
    for (const key of HELD_KEYS) {
      for (const record of batch[key] ?? []) (this.held[key] as TimedInterval[]).push(record);
    }
    this.stats = batch.stats;
    this.reportProgressNow();
  }

  /** Fires progress between chunks too (request counts move faster), at most once a second. */
  private reportProgressNow() {
    const now = Date.now();
    if (now - this.lastProgressAt < PROGRESS_THROTTLE_MS) return;

    this.lastProgressAt = now;
    this.didProgress.fire(this.progress());
  }

  private progress(): CaptureProgress {
    const samples = this.profiles.reduce((sum, profile) => sum + (profile.samples?.length ?? 0), 0);
    const elapsedMs = Date.now() - this.startedAt.getTime();
    return { elapsedMs, requests: this.requests.size, samples };
  }

  private async build(endReason: EndReason): Promise<SessionFile> {
    const installed = this.installed;
    const startUs = this.keptFromUs ?? installed?.nowUs ?? this.profiles[0]?.startTime ?? 0;
    const endUs = this.profiles.at(-1)?.endTime ?? startUs;
    const capture: CaptureInfo = {
      startedAt: this.startedAt.toISOString(),
      startUs,
      endUs,
      samplingIntervalUs: this.intervalUs,
      tracking: this.tracking(),
      endReason,
      notes: [...this.notes, ...this.keepNotes(), ...this.exitNotes(endReason)],
    };
    if (this.stats) capture.agentStats = { ...this.stats };
    if (installed?.threadpoolSize !== undefined) capture.threadpoolSize = installed.threadpoolSize;
    const urls = new Set(userScriptUrls(this.profiles));
    for (const wait of this.waits) if (wait.callSite) urls.add(wait.callSite.url);
    const scripts = await readScripts([...urls], this.logger, this.scriptCache);
    const session: SessionFile = {
      format: SESSION_FORMAT,
      version: SESSION_VERSION,
      target: {
        pid: this.session.pid,
        argv: installed?.argv ?? [],
        cwd: installed?.cwd ?? '',
        nodeVersion: installed?.nodeVersion ?? '',
        inspectorUrl: this.session.inspectorUrl,
        inspectorOpenedByUs: this.session.inspectorOpenedByUs,
      },
      capture,
      profiles: [...this.profiles],
      requests: [...this.requests.values()].sort((a, b) => a.id - b.id),
      windows: { ts: [...this.windows.ts], req: [...this.windows.req] },
      spans: [...this.spans],
      waits: [...this.waits],
      scripts,
    };
    for (const key of HELD_KEYS) {
      // Collections are all recorded: an empty list then means that none ran.
      const always = key === 'gcs' && installed?.recordsGc;
      if (always || this.held[key].length) Object.assign(session, { [key]: [...this.held[key]] });
    }
    return session;
  }

  private tracking(): CaptureInfo['tracking'] {
    return this.options.tracking ?? 'windows';
  }

  private keepNotes(): string[] {
    if (this.keptFromUs === undefined) return [];
    return [
      `Only the most recent ${Math.round((this.options.keepMs ?? 0) / 1000)} s or so are kept ` +
        `(a live session's rolling window); ${this.droppedRequests} earlier requests were dropped.`,
    ];
  }

  private exitNotes(endReason: EndReason): string[] {
    if (endReason !== 'target-exited') return [];
    if (this.profiles.length === 0) {
      return [
        `The target (pid ${this.session.pid}) exited before the first profile chunk was ` +
          'saved: its CPU profile is lost; the requests seen are kept, without CPU.',
      ];
    }
    return [
      `The target (pid ${this.session.pid}) exited during the capture; what was collected ` +
        'before it exited is kept (all of it on a clean exit, up to the last chunk on a crash).',
    ];
  }

  private send<M extends keyof Commands>(method: M, params?: Commands[M]['paramsType'][0]) {
    return this.session.connection.send(method, params, { timeoutMs: this.requestTimeoutMs() });
  }

  private requestTimeoutMs(): number {
    return this.exiting ? EXIT_REQUEST_TIMEOUT_MS : this.session.timeoutMs;
  }

  /** Runs a step of the capture; failures are logged (a closed connection quietly). */
  private async guard(what: string, run: () => Promise<unknown>) {
    try {
      await run();
    } catch (error) {
      if (this.session.isClosed) return;
      this.logger.warn('capture', `could not ${what}`, { error: String(error) });
    }
  }
}

/** Index of the last entry of ascending `times` at or before `us` (0 when none is). */
function lastIndexAtOrBefore(times: readonly number[], us: number): number {
  let low = 0;
  let high = times.length - 1;
  let found = 0;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (times[mid]! <= us) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found;
}

/** Removes, in place, the entries of `list` that fail `keep`. */
function keepWhere<T>(list: T[], keep: (item: T) => boolean): void {
  let kept = 0;
  for (const item of list) if (keep(item)) list[kept++] = item;
  list.length = kept;
}

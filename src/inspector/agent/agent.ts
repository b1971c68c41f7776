/**
 * The agent injected into the target with `Runtime.evaluate` (bundled to `dist/agent.js`, see
 * `agentScript.ts`). It records request lifecycles, execution windows, spans and outbound calls
 * and flushes them through the runtime binding. `require` is the evaluate's own and dies with
 * it, so every module is taken here, synchronously; every callback left behind catches all.
 */
import type * as AsyncHooks from 'node:async_hooks';
import type * as DiagnosticsChannel from 'node:diagnostics_channel';
import type * as Fs from 'node:fs';
import type * as PerfHooks from 'node:perf_hooks';
import type * as Net from 'node:net';
import type * as Url from 'node:url';
import { threadpoolSizeOf } from '../../core/waitKinds';
import type { AgentStats } from '../../core/session';
import type { AgentConfig, AgentInstallResult } from './protocol';
import { AGENT_STATE_KEY } from './protocol';
import { Recorder, measureClockOffset } from './recorder';
import { GcTracker } from './gc';
import { RequestTracker } from './requests';
import { RunDelayTracker } from './runDelay';
import { SpanTracker } from './spans';
import { WaitTracker } from './waits';
import { WindowTracker } from './windows';

/** What the agent keeps on `globalThis[Symbol.for('gapscope.agent')]`. */
export interface AgentState {
  uninstall(): void;
  flush(): void;
  /** Renews the lease (the capture calls it every few seconds); true when it was not expired. */
  renew(): boolean;
  /** Whether a lease term is running and how long since it was last renewed. */
  lease(): { fresh: boolean; sinceRenewalMs: number };
  readonly stats: AgentStats;
}

interface InspectorModule {
  close(): void;
}

type Require = (id: string) => unknown;

/** Installs the agent (replacing an earlier one) and says what it found. */
export function install(config: AgentConfig, require: Require): AgentInstallResult {
  const key = Symbol.for(AGENT_STATE_KEY);
  const store = globalThis as unknown as Record<symbol, AgentState | undefined>;
  store[key]?.uninstall();

  const asyncHooks = require('async_hooks') as typeof AsyncHooks;
  const channels = require('diagnostics_channel') as typeof DiagnosticsChannel;
  const binding = (globalThis as unknown as Record<string, (text: string) => void>)[
    config.bindingName
  ];
  if (typeof binding !== 'function') throw new Error(`binding ${config.bindingName} is missing`);

  const now = performance.now.bind(performance);
  const offsetUs = measureClockOffset(now);
  const recorder = new Recorder(text => binding(text), now, offsetUs, config.windowCapacity);
  const windows = new WindowTracker(asyncHooks, recorder, now, config.trackWindows);
  const requests = new RequestTracker(channels, recorder, windows);
  const spans = new SpanTracker(recorder, windows, performance.timeOrigin);
  const waits = config.trackWaits ? makeWaitTracker(require, recorder, windows, now) : undefined;
  const gcs = new GcTracker(require('perf_hooks') as typeof PerfHooks, recorder);
  const inspector = config.closeInspectorOnExpiry
    ? (require('inspector') as InspectorModule)
    : undefined;
  let renewedAt = now();
  const leaseFresh = () => config.leaseMs === undefined || now() - renewedAt < config.leaseMs;

  requests.install();
  const tracer = spans.install();
  windows.enable();
  if (config.trackWindows) {
    windows.trackRunDelays(RunDelayTracker.open(require('fs') as typeof Fs, recorder, process.pid));
    const { performance: perf } = require('perf_hooks') as typeof PerfHooks;
    if (typeof perf.eventLoopUtilization === 'function') {
      windows.trackLoopIdle(() => perf.eventLoopUtilization().idle);
    }
  }
  waits?.enable();
  const recordsGc = gcs.enable();
  let tickedAt = now();
  const timer = setInterval(() => {
    try {
      // A late tick means the thread was held (a debugger's pause also stops the capture's
      // renewals): the client gets a fresh term before the lease is judged.
      const tick = now();
      if (config.leaseMs !== undefined && tick - tickedAt > config.leaseMs / 3) renewedAt = tick;
      tickedAt = tick;
      if (leaseFresh()) recorder.flush();
      else expire();
    } catch {
      // Flushing and expiring never throw; this guards the service anyway.
    }
  }, config.flushIntervalMs);
  timer.unref();

  // The client is gone without detaching: leave the target as it was before the attach.
  const expire = () => {
    state.uninstall();
    delete (globalThis as unknown as Record<string, unknown>)[config.bindingName];
    if (inspector) closeLater(inspector);
  };

  const state: AgentState = {
    stats: recorder.stats,
    flush: () => recorder.flush(),
    renew() {
      const fresh = leaseFresh();
      renewedAt = now();
      return fresh;
    },
    lease: () => ({ fresh: leaseFresh(), sinceRenewalMs: now() - renewedAt }),
    uninstall() {
      clearInterval(timer);
      gcs.disable();
      waits?.disable();
      windows.disable();
      requests.uninstall();
      spans.uninstall();
      recorder.flush();
      if (store[key] === state) delete store[key];
    },
  };
  store[key] = state;

  return {
    pid: process.pid,
    argv: process.argv.slice(),
    execArgv: process.execArgv.slice(),
    cwd: process.cwd(),
    nodeVersion: process.version,
    clockOffsetUs: offsetUs,
    tracer,
    nowUs: recorder.nowUs(),
    threadpoolSize: threadpoolSizeOf(process.env.UV_THREADPOOL_SIZE),
    recordsGc,
  };
}

/** Closes the inspector on a later turn (never inside the flush callback's own stack). */
function closeLater(inspector: InspectorModule): void {
  const timer = setTimeout(() => {
    try {
      inspector.close();
    } catch {
      // Already closed, or closing failed: nothing more the agent can do.
    }
  }, 0);
  timer.unref();
}

/** The wait tracker, with the modules it needs taken now (`require` dies with the evaluate). */
function makeWaitTracker(
  require: Require,
  recorder: Recorder,
  windows: WindowTracker,
  now: () => number,
): WaitTracker {
  const asyncHooks = require('async_hooks') as typeof AsyncHooks;
  const net = require('net') as typeof Net;
  const url = require('url') as typeof Url;
  const toUrl = (file: string) => (file.startsWith('file:') ? file : url.pathToFileURL(file).href);
  const socketPrototype = net.Socket.prototype as unknown as { write(...args: unknown[]): unknown };
  return new WaitTracker(asyncHooks, recorder, windows, now, toUrl, socketPrototype);
}

/**
 * The live path through the language server (`dist/server.js`), attached to the demo:
 *
 * - memory (issue 6, item 3): a long live session under a fixed-rate request mix, compressed
 *   in time; RSS of the server and of the target, request and sample counts of the session the
 *   server holds, and how long each live update took, every `sampleEveryS` seconds.
 * - latency (item 4): from the end of one login (seen by the client) to the first update
 *   that marks the `pbkdf2Sync` line of `auth.ts` in the editor, over several fresh attaches.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { listeningPortsOf } from '../src/inspector/processes';
import {
  Methods,
  defaultServerSettings,
  type AttachResult,
  type DidUpdateParams,
} from '../src/shared/protocol';
import { startLspClient, type LspClient } from '../test/server/lspClient';
import { login } from '../test/server/demo';
import { waitForPortsClosed } from './harness/inspectorPorts';
import { demoStreams } from './harness/demoLoad';
import { median, percentile, runLoad, type LoadStream } from './harness/load';
import { processCpuMs, processRssMib } from './harness/procCpu';
import { fixed, machine, machineLine, print, saveResults, table } from './harness/report';
import { DEMO_ROOT, startDemoTarget, type Target } from './harness/targets';

const AUTH = join(DEMO_ROOT, 'src', 'auth.ts');
const AUTH_URI = pathToFileURL(AUTH).href;
const AUTH_TEXT = readFileSync(AUTH, 'utf8');
/** 1-based line of the `pbkdf2Sync` call in verifyPassword. */
const PBKDF2_LINE = AUTH_TEXT.split('\n').findIndex(l => l.includes('pbkdf2Sync(attempt')) + 1;

/** PBKDF2 rounds of the demo here: a login of tens of ms, so a compressed hour fits. */
const ITERATIONS = 100_000;

/** The demo's mix at a fixed rate (about 100 requests/s). */
function mix(withLogins: boolean): LoadStream[] {
  return demoStreams(withLogins ? 2 : 0);
}

/** Overrides of the server's settings for a run (`--update-ms`); none by default. */
const overrides: Partial<typeof defaultServerSettings> = {};

/** Sets the live update interval of the next runs (to compare with the default). */
export function overrideUpdateInterval(ms: number | undefined): void {
  if (ms !== undefined) overrides.liveUpdateIntervalMs = ms;
}

/** Server settings of the run: the defaults, as a user gets them, unless overridden. */
function settings(): typeof defaultServerSettings {
  return { ...defaultServerSettings, ...overrides };
}

/**
 * Arrival times (performance.now(), ms) of the server's updates, index for index with
 * `lsp.updates`. The client's own handler fills `updates`; a second handler for the same
 * method would replace it, so the array's push is wrapped instead.
 */
function stampArrivals(lsp: LspClient): number[] {
  const arrivals = lsp.updates.map(() => NaN);
  const push = lsp.updates.push.bind(lsp.updates);
  lsp.updates.push = (...items: DidUpdateParams[]) => {
    for (let i = 0; i < items.length; i++) arrivals.push(performance.now());
    return push(...items);
  };
  return arrivals;
}

async function withServerAndDemo<T>(run: (lsp: LspClient, demo: Target) => Promise<T>) {
  const demo = await startDemoTarget({ env: { LOGIN_HASH_ITERATIONS: String(ITERATIONS) } });
  let lsp: LspClient | undefined;
  try {
    lsp = await startLspClient(settings(), DEMO_ROOT);
    void lsp.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: AUTH_URI, languageId: 'typescript', version: 1, text: AUTH_TEXT },
    });
    return await run(lsp, demo);
  } finally {
    await lsp?.stop();
    await demo.stop();
  }
}

async function attach(lsp: LspClient, demo: Target): Promise<void> {
  const result = await lsp.connection.sendRequest<AttachResult>(Methods.attach, {
    target: String(demo.pid),
  });
  if (!result.ok) throw new Error(`attach failed: ${JSON.stringify(result)}`);
}

/** One point of the memory curve. */
interface MemoryPoint {
  elapsedS: number;
  requestsSent: number;
  serverRssMib: number;
  targetRssMib: number;
  /** Target CPU over the last interval, % of one core. */
  targetCpuPct: number;
  /** Requests and samples in the session the server holds (its last update). */
  sessionRequests: number;
  sessionSamples: number;
  sessionDurationS: number;
  /** Median time between two updates minus the update interval: snapshot + analysis, ms. */
  updateWorkMs: number;
}

export interface MemoryOptions {
  durationS: number;
  sampleEveryS: number;
}

export async function runMemory(options: MemoryOptions): Promise<void> {
  const m = machine();
  const intervalMs = settings().liveUpdateIntervalMs;
  print(
    `memory: ${machineLine(m)}; ${options.durationS} s of load, a point every ${options.sampleEveryS} s`,
  );
  const points = await withServerAndDemo(async (lsp, demo) => {
    await attach(lsp, demo);
    const points: MemoryPoint[] = [];
    const arrivals = stampArrivals(lsp);
    const began = performance.now();
    let sent = 0;
    let cpuBefore = processCpuMs(demo.pid);
    let wallBefore = performance.now();
    while (performance.now() - began < options.durationS * 1000) {
      const load = await runLoad(demo.port, mix(true), options.sampleEveryS);
      sent += load.ok + load.failed;
      const now = performance.now();
      const cpu = processCpuMs(demo.pid);
      const last = lsp.updates.at(-1);
      const recent = arrivals.filter(t => t > wallBefore);
      const gaps = recent.slice(1).map((t, i) => t - recent[i]! - intervalMs);
      const point: MemoryPoint = {
        elapsedS: Math.round((now - began) / 1000),
        requestsSent: sent,
        serverRssMib: processRssMib(lsp.process.pid!),
        targetRssMib: processRssMib(demo.pid),
        targetCpuPct: ((cpu - cpuBefore) / (now - wallBefore)) * 100,
        sessionRequests: last?.state.requests ?? 0,
        sessionSamples: last?.state.samples ?? 0,
        sessionDurationS: (last?.state.durationMs ?? 0) / 1000,
        updateWorkMs: median(gaps),
      };
      cpuBefore = cpu;
      wallBefore = now;
      points.push(point);
      print(
        `  ${point.elapsedS} s: sent ${sent}, server ${fixed(point.serverRssMib)} MiB, ` +
          `target ${fixed(point.targetRssMib)} MiB, session ${point.sessionRequests} req / ` +
          `${point.sessionSamples} samples, update work ${fixed(point.updateWorkMs, 0)} ms`,
      );
    }
    return points;
  });

  const rows = points.map(p => [
    p.elapsedS,
    p.requestsSent,
    fixed(p.serverRssMib),
    fixed(p.targetRssMib),
    fixed(p.targetCpuPct),
    p.sessionRequests,
    p.sessionSamples,
    fixed(p.sessionDurationS, 0),
    fixed(p.updateWorkMs, 0),
  ]);
  const markdown = [
    '## Memory over a long live session',
    '',
    `Machine: ${machineLine(m)}. The language server attached live to the demo ` +
      `(PBKDF2 ${ITERATIONS.toLocaleString('en')} rounds) with its default settings ` +
      `(${JSON.stringify(settings())}); a fixed-rate mix of about 97 requests/s ` +
      `(${mix(true)
        .map(s => `${s.name} ${s.rate}/s`)
        .join(', ')}) for ${options.durationS} s.`,
    '',
    table(
      [
        'elapsed s',
        'requests sent',
        'server RSS MiB',
        'target RSS MiB',
        'target CPU %',
        'session requests',
        'session samples',
        'session span s',
        'update work ms',
      ],
      rows,
    ),
    '',
  ].join('\n');
  saveResults('memory', { machine: m, options, settings: settings(), points }, markdown);
}

/** One latency trial. */
interface LatencyTrial {
  /** From the login's response end to the update marking the pbkdf2Sync line, ms. */
  latencyMs: number;
  loginMs: number;
}

export async function runLatency(trials: number): Promise<void> {
  const m = machine();
  print(`latency: ${machineLine(m)}; ${trials} trials`);
  const results = await withServerAndDemo(async (lsp, demo) => {
    const results: LatencyTrial[] = [];
    const arrivals = stampArrivals(lsp);
    const background = runLoad(demo.port, mix(false), trials * 12);
    try {
      for (let i = 0; i < trials; i++) {
        results.push(await latencyTrial(lsp, demo, arrivals));
        print(`  trial ${i + 1}: ${fixed(results.at(-1)!.latencyMs, 0)} ms`);
      }
    } finally {
      await background;
    }
    return results;
  });

  const latencies = results.map(r => r.latencyMs).sort((a, b) => a - b);
  const summary = {
    medianMs: median(latencies),
    maxMs: latencies.at(-1) ?? NaN,
    p90Ms: percentile(latencies, 0.9),
  };
  const markdown = [
    '## Latency to the user',
    '',
    `Machine: ${machineLine(m)}. ${trials} trials; each attaches the language server afresh ` +
      'to the demo (background load without logins), waits for the first live update, sends one ' +
      'login at a random phase of the update cycle and times from its response end to the ' +
      'first update that marks the pbkdf2Sync line ' +
      `of auth.ts. Live update interval: ${settings().liveUpdateIntervalMs} ms.`,
    '',
    table(
      ['median ms', 'p90 ms', 'max ms', 'trials (ms)'],
      [
        [
          fixed(summary.medianMs, 0),
          fixed(summary.p90Ms, 0),
          fixed(summary.maxMs, 0),
          latencies.map(l => l.toFixed(0)).join(', '),
        ],
      ],
    ),
    '',
  ].join('\n');
  const name = overrides.liveUpdateIntervalMs
    ? `latency-${overrides.liveUpdateIntervalMs}ms`
    : 'latency';
  saveResults(name, { machine: m, settings: settings(), trials: results, summary }, markdown);
}

async function latencyTrial(
  lsp: LspClient,
  demo: Target,
  arrivals: number[],
): Promise<LatencyTrial> {
  const ports = await listeningPortsOf(demo.pid);
  await attach(lsp, demo);
  const attachedAt = lsp.updates.length;
  await lsp.waitForUpdate(
    u => lsp.updates.indexOf(u) >= attachedAt && u.state.kind === 'live' && u.state.requests > 0,
    'a live update after attaching',
  );

  // A login at a random phase of the update cycle: right after an update is the worst case.
  const phaseMs = Math.random() * settings().liveUpdateIntervalMs;
  await new Promise(resolve => setTimeout(resolve, phaseMs));
  const from = lsp.updates.length;
  const sentAt = performance.now();
  const status = await login(demo.port);
  const endedAt = performance.now();
  if (status !== 200) throw new Error(`login answered ${status}`);

  // An update that arrived while the login ran counts too (its notification came first).
  const marked = await lsp.waitForUpdate(
    u => lsp.updates.indexOf(u) >= from && marksPbkdf2(u),
    'the pbkdf2Sync line marked',
  );
  const latencyMs = arrivals[lsp.updates.indexOf(marked)]! - endedAt;

  await lsp.connection.sendRequest(Methods.detach, {});
  await waitForPortsClosed(demo.pid, ports);
  return { latencyMs, loginMs: endedAt - sentAt };
}

function marksPbkdf2(update: DidUpdateParams): boolean {
  return update.files.some(f => f.uri === AUTH_URI && f.lines.some(l => l.line === PBKDF2_LINE));
}

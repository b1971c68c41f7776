/**
 * Overhead on the target (issue 6, item 1): the target's own CPU time per request and the
 * client-side latency under a fixed request rate, in interleaved windows per mode:
 *
 *   none     not attached (the inspector closed)
 *   idle     attached: inspector open and connected, no capture
 *   default  capturing with the defaults the CLI and the server use
 *   fine     capturing at 100 µs (what "Profile Next Request" uses)
 *   waits    capturing with `tracking: 'waits'` (async-wait tracking)
 *
 * Each round runs every mode once, in an order rotated by one per round, and ratios are taken
 * to the round's own "none" window; the report gives the median over rounds. CPU comes from
 * /proc/PID/stat (all threads), so the load generator's and the capture client's own CPU are
 * not counted, and a busy neighbour on the machine stretches latency but not the target's CPU.
 */
import { attachToTarget } from '../src/inspector/attach';
import { startCapture } from '../src/inspector/capture';
import type { CaptureOptions, ICapture, IInspectorSession } from '../src/inspector/types';
import { neverCancelled } from '../src/core/lifecycle';
import { listeningPortsOf } from '../src/inspector/processes';
import type { SessionFile } from '../src/core/session';
import { waitForPortsClosed } from './harness/inspectorPorts';
import { demoStreams } from './harness/demoLoad';
import { runLoad, median, type LoadStream } from './harness/load';
import { processCpuMs } from './harness/procCpu';
import { fixed, machine, machineLine, pct, print, saveResults, table } from './harness/report';
import { startDemoTarget, startLightTarget, type Target } from './harness/targets';

/** A way of being attached, measured in one window. */
interface Mode {
  name: string;
  label: string;
  /** Undefined: not attached. Null: attached, no capture. */
  capture?: CaptureOptions | null;
}

const MODES: Mode[] = [
  { name: 'none', label: 'not attached' },
  { name: 'idle', label: 'attached, idle', capture: null },
  { name: 'default', label: 'profiling, defaults', capture: {} },
  { name: 'fine', label: 'profiling at 100 µs', capture: { samplingIntervalUs: 100 } },
  { name: 'waits', label: "profiling, tracking 'waits'", capture: { tracking: 'waits' } },
];

/** Modes run only when named with `--modes` (to find where the cost goes). */
const DIAGNOSTIC_MODES: Mode[] = [
  { name: 'agent', label: 'agent, sampling at 100 ms', capture: { samplingIntervalUs: 100_000 } },
  { name: 'i1000', label: 'profiling at 1000 µs', capture: { samplingIntervalUs: 1000 } },
  { name: 'i2000', label: 'profiling at 2000 µs', capture: { samplingIntervalUs: 2000 } },
  { name: 'i5000', label: 'profiling at 5000 µs', capture: { samplingIntervalUs: 5000 } },
  { name: 'i10000', label: 'profiling at 10 ms', capture: { samplingIntervalUs: 10_000 } },
];

/** The modes named in `--modes` ("none" always first), or the standard five. */
function selectModes(names: string | undefined): Mode[] {
  if (!names) return MODES;

  const all = [...MODES, ...DIAGNOSTIC_MODES];
  const picked = names.split(',').map(name => {
    const mode = all.find(m => m.name === name);
    if (!mode) throw new Error(`unknown mode ${name} (${all.map(m => m.name).join(', ')})`);
    return mode;
  });
  return [MODES[0]!, ...picked.filter(m => m.name !== 'none')];
}

/** A service and the fixed-rate load it is measured under. */
interface Scenario {
  name: string;
  start(): Promise<Target>;
  streams: LoadStream[];
}

function scenarios(lightRate: number): Scenario[] {
  return [
    {
      name: 'demo',
      start: () => startDemoTarget(),
      streams: demoStreams(1),
    },
    {
      name: `light@${lightRate}`,
      start: () => startLightTarget(),
      streams: [
        {
          name: 'GET /rows',
          method: 'GET',
          paths: ['/?offset=0', '/?offset=300', '/?offset=900'],
          connections: 4,
          rate: lightRate,
        },
      ],
    },
  ];
}

/** One measured window. */
interface Window {
  round: number;
  mode: string;
  wallMs: number;
  cpuMs: number;
  requests: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  /** What the capture produced (a check that it really profiled). */
  samples?: number;
  recordedRequests?: number;
  tracking?: string;
  intervalUs?: number;
  /** The agent's own flush cost, from its stats. */
  agentFlushCpuUs?: number;
}

export interface OverheadOptions {
  rounds: number;
  windowS: number;
  warmupS: number;
  lightRate: number;
  only?: string;
  /** Comma-separated mode names (default: the standard five). */
  modes?: string;
}

export async function runOverhead(options: OverheadOptions): Promise<void> {
  const m = machine();
  print(`overhead: ${machineLine(m)}; ${options.rounds} rounds of ${options.windowS} s windows`);
  const results: Record<string, { windows: Window[]; summary: ModeSummary[] }> = {};
  const sections: string[] = [];

  for (const scenario of scenarios(options.lightRate)) {
    if (options.only && !scenario.name.startsWith(options.only)) continue;

    const modes = selectModes(options.modes);
    const windows = await measureScenario(scenario, modes, options);
    const summary = summarize(windows, modes);
    results[scenario.name] = { windows, summary };
    sections.push(renderScenario(scenario, summary, modes));
  }

  const markdown = [
    '## Overhead on the target',
    '',
    `Machine: ${machineLine(m)}. ${options.rounds} rounds, each mode once per round in a ` +
      `rotated order, windows of ${options.windowS} s after ${options.warmupS} s of warm-up; ` +
      'ratios to the same round\'s "not attached" window, median over rounds. CPU: utime+stime ' +
      "of all the target's threads (/proc/PID/stat) per 2xx response. Latency: client side.",
    '',
    ...sections,
  ].join('\n');
  saveResults('overhead', { machine: m, options, results }, markdown);
}

async function measureScenario(
  scenario: Scenario,
  modes: Mode[],
  options: OverheadOptions,
): Promise<Window[]> {
  const target = await scenario.start();
  const windows: Window[] = [];
  try {
    // One warm-up under load so the JIT has settled before the first window.
    await runLoad(target.port, scenario.streams, options.warmupS * 2);
    for (let round = 0; round < options.rounds; round++) {
      for (let i = 0; i < modes.length; i++) {
        const mode = modes[(i + round) % modes.length]!;
        const window = await measureWindow(target, scenario, mode, round, options);
        windows.push(window);
        print(
          `  ${scenario.name} round ${round + 1} ${mode.name.padEnd(7)} ` +
            `cpu/req ${fixed(window.cpuMs / window.requests, 3)} ms, ` +
            `p50 ${fixed(window.p50Ms, 2)} p99 ${fixed(window.p99Ms, 2)} ms, ` +
            `${window.requests} ok` +
            (window.samples !== undefined ? `, ${window.samples} samples` : ''),
        );
      }
    }
  } finally {
    await target.stop();
  }
  return windows;
}

async function measureWindow(
  target: Target,
  scenario: Scenario,
  mode: Mode,
  round: number,
  options: OverheadOptions,
): Promise<Window> {
  let inspector: IInspectorSession | undefined;
  let capture: ICapture | undefined;
  const portsBefore = await listeningPortsOf(target.pid);
  try {
    if (mode.capture !== undefined) {
      const attached = await attachToTarget({ kind: 'pid', pid: target.pid }, {}, neverCancelled);
      if (!attached.ok) throw new Error(`attach failed: ${attached.error.message}`);
      inspector = attached.value;
      if (mode.capture !== null) capture = await startCapture(inspector, mode.capture);
    }

    await runLoad(target.port, scenario.streams, options.warmupS);
    const cpuBefore = processCpuMs(target.pid);
    const wallBefore = performance.now();
    const load = await runLoad(target.port, scenario.streams, options.windowS);
    const cpuMs = processCpuMs(target.pid) - cpuBefore;
    const wallMs = performance.now() - wallBefore;

    const window: Window = {
      round,
      mode: mode.name,
      wallMs,
      cpuMs,
      requests: load.ok,
      failed: load.failed,
      p50Ms: load.p50Ms,
      p99Ms: load.p99Ms,
    };
    if (capture) describeCapture(window, await capture.stop());
    return window;
  } finally {
    await capture?.stop().catch(() => undefined);
    await inspector?.detach().catch(() => undefined);
    if (inspector) await waitForPortsClosed(target.pid, portsBefore);
  }
}

function describeCapture(window: Window, session: SessionFile): void {
  window.samples = session.profiles.reduce((sum, p) => sum + (p.samples?.length ?? 0), 0);
  window.recordedRequests = session.requests.length;
  window.tracking = session.capture.tracking;
  window.intervalUs = session.capture.samplingIntervalUs;
  window.agentFlushCpuUs = session.capture.agentStats?.flushCpuUs;
}

/** The median ratios of one mode to "not attached". */
interface ModeSummary {
  mode: string;
  rounds: number;
  cpuPerRequestMs: number;
  cpuRatio: number;
  /** Lowest and highest CPU-per-request ratio over the rounds (the noise of this machine). */
  cpuRatioRange: [number, number];
  /** CPU added, in % of one core (the target's CPU per second minus the baseline's). */
  addedCorePct: number;
  throughputRatio: number;
  p50Ratio: number;
  p99Ratio: number;
  p50Ms: number;
  p99Ms: number;
  tracking?: string;
  samplesPerS?: number;
}

function summarize(windows: Window[], modes: Mode[]): ModeSummary[] {
  return modes.map(mode => {
    const ratios = { cpu: [] as number[], core: [] as number[], tput: [] as number[] };
    const p50 = [] as number[];
    const p99 = [] as number[];
    const own = windows.filter(w => w.mode === mode.name);
    for (const window of own) {
      const base = windows.find(w => w.round === window.round && w.mode === 'none');
      if (!base) continue;

      ratios.cpu.push(window.cpuMs / window.requests / (base.cpuMs / base.requests));
      ratios.core.push((window.cpuMs / window.wallMs - base.cpuMs / base.wallMs) * 100);
      ratios.tput.push(window.requests / window.wallMs / (base.requests / base.wallMs));
      p50.push(window.p50Ms / base.p50Ms);
      p99.push(window.p99Ms / base.p99Ms);
    }
    const summary: ModeSummary = {
      mode: mode.name,
      rounds: own.length,
      cpuPerRequestMs: median(own.map(w => w.cpuMs / w.requests)),
      cpuRatio: median(ratios.cpu),
      cpuRatioRange: [Math.min(...ratios.cpu), Math.max(...ratios.cpu)],
      addedCorePct: median(ratios.core),
      throughputRatio: median(ratios.tput),
      p50Ratio: median(p50),
      p99Ratio: median(p99),
      p50Ms: median(own.map(w => w.p50Ms)),
      p99Ms: median(own.map(w => w.p99Ms)),
    };
    const tracking = own.find(w => w.tracking)?.tracking;
    if (tracking) summary.tracking = tracking;
    const withSamples = own.filter(w => w.samples !== undefined);
    if (withSamples.length > 0) {
      summary.samplesPerS = median(withSamples.map(w => (w.samples! * 1000) / w.wallMs));
    }
    return summary;
  });
}

function renderScenario(scenario: Scenario, summary: ModeSummary[], modes: Mode[]): string {
  const load = scenario.streams.map(s => `${s.name} ${s.rate}/s`).join(', ');
  const rows = summary.map(s => {
    const mode = modes.find(m => m.name === s.mode)!;
    const base = mode.name === 'none';
    const label =
      mode.name === 'waits' && s.tracking && s.tracking !== 'waits'
        ? `${mode.label} (not available: ran '${s.tracking}')`
        : mode.label;
    return [
      label,
      fixed(s.cpuPerRequestMs, 3),
      base ? '—' : `${pct(s.cpuRatio)} [${pct(s.cpuRatioRange[0])}, ${pct(s.cpuRatioRange[1])}]`,
      base ? '—' : fixed(s.addedCorePct, 1),
      base ? '—' : pct(s.throughputRatio),
      `${fixed(s.p50Ms, 2)} (${base ? '—' : pct(s.p50Ratio)})`,
      `${fixed(s.p99Ms, 2)} (${base ? '—' : pct(s.p99Ratio)})`,
      s.samplesPerS !== undefined ? fixed(s.samplesPerS, 0) : '—',
    ];
  });
  return [
    `### ${scenario.name} (${load})`,
    '',
    table(
      [
        'mode',
        'CPU ms/req',
        'CPU/req vs none [range]',
        'added % of a core',
        'throughput',
        'p50 ms',
        'p99 ms',
        'samples/s',
      ],
      rows,
    ),
    '',
  ].join('\n');
}

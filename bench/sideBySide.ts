/**
 * Side by side (issue 6, item 5): the demo under the same fixed-rate mix, each window a fresh
 * process, interleaved per round:
 *
 *   plain     no profiler
 *   cpu-prof  `node --cpu-prof` (V8's own profile, written at exit; 1000 µs by default)
 *   gapscope  attached with Gapscope's default capture
 *
 * Overhead is CPU per request and latency against the round's "plain" window. Then what each
 * tool says about the login: the --cpu-prof profile read as a user would (top self time, the
 * share under verifyPassword), and Gapscope's analysis of its own capture of the same round.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Cdp from 'devtools-protocol';
import { analyzeSession } from '../src/core/analyze';
import type { Analysis } from '../src/core/model';
import type { SessionFile } from '../src/core/session';
import { attachToTarget } from '../src/inspector/attach';
import { startCapture } from '../src/inspector/capture';
import { demoStreams } from './harness/demoLoad';
import { median, runLoad } from './harness/load';
import { processCpuMs } from './harness/procCpu';
import { fixed, machine, machineLine, pct, print, saveResults, table } from './harness/report';
import { startDemoTarget } from './harness/targets';

/** The overhead benchmark's demo mix (fixed rates, the demo's real PBKDF2 cost). */
const STREAMS = demoStreams(1);

type Tool = 'plain' | 'cpu-prof' | 'gapscope';
const TOOLS: Tool[] = ['plain', 'cpu-prof', 'gapscope'];

interface Window {
  round: number;
  tool: Tool;
  cpuMs: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  loginP50Ms: number;
}

export interface SideBySideOptions {
  rounds: number;
  windowS: number;
}

export async function runSideBySide(options: SideBySideOptions): Promise<void> {
  const m = machine();
  print(`sidebyside: ${machineLine(m)}; ${options.rounds} rounds of ${options.windowS} s`);
  const scratch = mkdtempSync(join(tmpdir(), 'gapscope-bench-cpuprof-'));
  const windows: Window[] = [];
  let cpuProfile: Cdp.Profiler.Profile | undefined;
  let session: SessionFile | undefined;
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (let i = 0; i < TOOLS.length; i++) {
        const tool = TOOLS[(i + round) % TOOLS.length]!;
        const dir = join(scratch, `r${round}`);
        const result = await measure(tool, round, dir, options.windowS);
        windows.push(result.window);
        if (result.session) session = result.session;
        if (tool === 'cpu-prof') cpuProfile = readCpuProfile(dir);
        print(
          `  round ${round + 1} ${tool.padEnd(8)} cpu/req ${fixed(result.window.cpuMs / result.window.requests, 3)} ms, ` +
            `p50 ${fixed(result.window.p50Ms, 2)} p99 ${fixed(result.window.p99Ms, 2)} ms`,
        );
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  const overhead = TOOLS.map(tool => summarizeTool(tool, windows));
  const cpuProf = cpuProfile ? readLoginFromCpuProfile(cpuProfile) : undefined;
  const gapscope = session ? readLoginFromGapscope(analyzeSession(session)) : undefined;
  const markdown = render(m, options, overhead, cpuProf, gapscope);
  saveResults(
    'sidebyside',
    { machine: m, options, windows, overhead, cpuProf, gapscope },
    markdown,
  );
}

async function measure(tool: Tool, round: number, dir: string, windowS: number) {
  const execArgv = tool === 'cpu-prof' ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
  const target = await startDemoTarget({ execArgv });
  let session: SessionFile | undefined;
  try {
    const attached =
      tool === 'gapscope' ? await attachToTarget({ kind: 'pid', pid: target.pid }) : undefined;
    if (attached && !attached.ok) throw new Error(`attach failed: ${attached.error.message}`);
    const capture = attached?.ok ? await startCapture(attached.value) : undefined;
    try {
      await runLoad(target.port, STREAMS, 3);
      const cpuBefore = processCpuMs(target.pid);
      const load = await runLoad(target.port, STREAMS, windowS);
      const cpuMs = processCpuMs(target.pid) - cpuBefore;
      const login = load.streams.find(s => s.name === 'POST /login');
      const window: Window = {
        round,
        tool,
        cpuMs,
        requests: load.ok,
        p50Ms: load.p50Ms,
        p99Ms: load.p99Ms,
        loginP50Ms: login?.p50Ms ?? NaN,
      };
      session = await capture?.stop();
      return { window, session };
    } finally {
      await capture?.stop().catch(() => undefined);
      if (attached?.ok) await attached.value.detach().catch(() => undefined);
    }
  } finally {
    // SIGTERM: the demo exits through process.exit, which writes the --cpu-prof profile.
    await target.stop();
  }
}

function readCpuProfile(dir: string): Cdp.Profiler.Profile | undefined {
  const file = readdirSync(dir).find(name => name.endsWith('.cpuprofile'));
  return file
    ? (JSON.parse(readFileSync(join(dir, file), 'utf8')) as Cdp.Profiler.Profile)
    : undefined;
}

interface ToolSummary {
  tool: Tool;
  cpuPerRequestMs: number;
  cpuRatio: number;
  p50Ratio: number;
  p99Ratio: number;
  loginP50Ms: number;
}

function summarizeTool(tool: Tool, windows: Window[]): ToolSummary {
  const own = windows.filter(w => w.tool === tool);
  const base = (w: Window) => windows.find(b => b.round === w.round && b.tool === 'plain')!;
  return {
    tool,
    cpuPerRequestMs: median(own.map(w => w.cpuMs / w.requests)),
    cpuRatio: median(own.map(w => w.cpuMs / w.requests / (base(w).cpuMs / base(w).requests))),
    p50Ratio: median(own.map(w => w.p50Ms / base(w).p50Ms)),
    p99Ratio: median(own.map(w => w.p99Ms / base(w).p99Ms)),
    loginP50Ms: median(own.map(w => w.loginP50Ms)),
  };
}

/** What a user reads about the login in a plain V8 profile. */
interface CpuProfView {
  samples: number;
  durationMs: number;
  /** Share of all samples with verifyPassword on the stack. */
  verifyPasswordShare: number;
  /** The top self-time entries (function, file:line of the function, share of samples). */
  topSelf: { name: string; where: string; share: number }[];
}

function readLoginFromCpuProfile(profile: Cdp.Profiler.Profile): CpuProfView {
  const byId = new Map(profile.nodes.map(node => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const underVerify = new Map<number, boolean>();
  const isUnder = (id: number): boolean => {
    const known = underVerify.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const up = parent.get(id);
    const result =
      node.callFrame.functionName === 'verifyPassword' || (up !== undefined && isUnder(up));
    underVerify.set(id, result);
    return result;
  };

  const samples = profile.samples ?? [];
  const self = new Map<string, number>();
  let verify = 0;
  for (const id of samples) {
    const frame = byId.get(id)!.callFrame;
    const file = frame.url.split('/').pop() || '(native)';
    const key = `${frame.functionName || '(anonymous)'}\t${file}:${frame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + 1);
    if (isUnder(id)) verify++;
  }
  const topSelf = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([key, count]) => {
      const [name, where] = key.split('\t') as [string, string];
      return { name, where, share: count / samples.length };
    });
  return {
    samples: samples.length,
    durationMs: (profile.endTime - profile.startTime) / 1000,
    verifyPasswordShare: verify / samples.length,
    topSelf,
  };
}

/** What Gapscope reports about POST /login. */
interface GapscopeView {
  count: number;
  meanMs: number;
  cpuMsPerRequest: number;
  untracedMsPerRequest: number;
  explainedShare: number;
  hotLine?: string;
  gapCause?: string;
}

function readLoginFromGapscope(analysis: Analysis): GapscopeView | undefined {
  const login = analysis.endpoints.find(e => e.key === 'POST /login');
  if (!login) return undefined;

  const hot = login.hotLines[0];
  const cause = login.gapCauses[0];
  const view: GapscopeView = {
    count: login.count,
    meanMs: login.meanMs,
    cpuMsPerRequest: login.cpuMsPerRequest,
    untracedMsPerRequest: login.untracedMsPerRequest,
    explainedShare: login.explainedShare,
  };
  if (hot) {
    const file = hot.file.split('/').pop();
    view.hotLine = `${file}:${hot.line} ${hot.functionName} ${fixed(hot.msPerRequest)} ms/req`;
  }
  if (cause) view.gapCause = `${cause.label} ${fixed(cause.msPerRequest)} ms/req`;
  return view;
}

function render(
  m: ReturnType<typeof machine>,
  options: SideBySideOptions,
  overhead: ToolSummary[],
  cpuProf: CpuProfView | undefined,
  gapscope: GapscopeView | undefined,
): string {
  const overheadRows = overhead.map(s => [
    s.tool,
    fixed(s.cpuPerRequestMs, 3),
    s.tool === 'plain' ? '—' : pct(s.cpuRatio),
    s.tool === 'plain' ? '—' : pct(s.p50Ratio),
    s.tool === 'plain' ? '—' : pct(s.p99Ratio),
    fixed(s.loginP50Ms, 0),
  ]);
  const top = cpuProf?.topSelf
    .map(t => `${t.name} (${t.where}) ${(t.share * 100).toFixed(0)}%`)
    .join('; ');
  const rows = [
    ['requests of POST /login seen', 'no (no notion of request)', String(gapscope?.count ?? 'n/a')],
    [
      'time of one login',
      'no (samples summed over the run)',
      gapscope ? `${fixed(gapscope.meanMs)} ms mean` : 'n/a',
    ],
    [
      'CPU of one login',
      cpuProf
        ? `no; ${(cpuProf.verifyPasswordShare * 100).toFixed(0)}% of all samples under verifyPassword`
        : 'n/a',
      gapscope ? `${fixed(gapscope.cpuMsPerRequest)} ms/req` : 'n/a',
    ],
    ['the hot line', top ? `top self time: ${top}` : 'n/a', gapscope?.hotLine ?? 'n/a'],
    [
      'time outside spans (the gap)',
      'no (no spans)',
      gapscope
        ? `${fixed(gapscope.untracedMsPerRequest)} ms/req untraced, ` +
          `${(gapscope.explainedShare * 100).toFixed(0)}% explained` +
          (gapscope.gapCause ? `; top cause: ${gapscope.gapCause}` : '')
        : 'n/a',
    ],
  ];
  return [
    '## Side by side: node --cpu-prof',
    '',
    `Machine: ${machineLine(m)}. ${options.rounds} rounds; each window a fresh demo process ` +
      `(3 s warm-up, ${options.windowS} s measured), tools in a rotated order per round; ratios ` +
      "to the same round's plain window, median over rounds.",
    '',
    table(['tool', 'CPU ms/req', 'CPU/req vs plain', 'p50', 'p99', 'login p50 ms'], overheadRows),
    '',
    'What each says about the login (last round):',
    '',
    table(['question', 'node --cpu-prof', 'Gapscope (default capture)'], rows),
    '',
  ].join('\n');
}

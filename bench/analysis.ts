/**
 * Analysis speed benchmark (issue 6, item 2; not a test): times `analyzeSession` on synthetic
 * sessions of 0.01x, 0.1x, 1x and 10x the reference size (1x: 60 s at 100 µs, about 600,000
 * samples, 10,000 requests) and prints the median ms per size and per 100k samples, as wall
 * time and as CPU time of the process. On a shared machine the CPU time is the steadier figure:
 * other processes stretch the wall time of a run but not the CPU it uses.
 *
 *   node --expose-gc --import tsx bench/analysis.ts [--runs 5] [--sizes 0.01,0.1,1,10]
 *     [--core path/to/analyze.ts]
 *
 * `--core` loads `analyzeSession` from another copy of `src/core` (an older commit extracted
 * elsewhere) so two versions can be compared back to back on the same, equally loaded machine.
 */
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { analyzeSession as AnalyzeSession } from '../src/core/analyze';
import type { Analysis } from '../src/core/model';
import { syntheticSession } from './syntheticSession';

/** Benchmarks print their results on stdout. */
function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

interface BenchOptions {
  runs: number;
  sizes: number[];
  core: string;
}

/** Runs above this many samples are repeated at most 3 times: each takes seconds. */
const LARGE_SAMPLES = 2_000_000;

function parseArgs(argv: string[]): BenchOptions {
  const options: BenchOptions = {
    runs: 5,
    sizes: [0.01, 0.1, 1, 10],
    core: resolve(import.meta.dirname, '../src/core/analyze.ts'),
  };
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1] ?? '';
    if (argv[i] === '--runs') options.runs = Math.max(1, Number(value) || 1);
    else if (argv[i] === '--sizes') options.sizes = value.split(',').map(Number);
    else if (argv[i] === '--core') options.core = resolve(value);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return options;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** What the analysis found, printed so a run that analysed nothing is visible at once. */
function summary(analysis: Analysis): string {
  let gaps = 0;
  let slices = 0;
  for (const request of analysis.requests) {
    gaps += request.gaps.length;
    slices += request.cpuSlices.length;
  }
  const endpoints = analysis.endpoints.length;
  const hotLines = analysis.hotLines.length;
  return `endpoints ${endpoints}, hot lines ${hotLines}, gaps ${gaps}, slices ${slices}`;
}

/** One timed analysis: wall time, and CPU time of the whole process (GC threads included). */
function timeOnce(analyze: typeof AnalyzeSession, session: Parameters<typeof AnalyzeSession>[0]) {
  globalThis.gc?.();
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const analysis = analyze(session);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, analysis };
}

/**
 * Runs until the JIT has seen the code on this size (small sessions need several runs); returns
 * the summary only, so no old analysis stays alive to slow the timed runs' garbage collection.
 */
function warmUp(analyze: typeof AnalyzeSession, session: Parameters<typeof AnalyzeSession>[0]) {
  const first = timeOnce(analyze, session);
  const found = summary(first.analysis);
  let spentMs = first.ms;
  for (let run = 1; run < 20 && spentMs < 1000; run++) spentMs += timeOnce(analyze, session).ms;
  return found;
}

function perHundredK(ms: number, samples: number): string {
  return ((ms * 100_000) / Math.max(1, samples)).toFixed(1);
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const core = (await import(pathToFileURL(options.core).href)) as {
    analyzeSession: typeof AnalyzeSession;
  };
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  print(`analysis bench: ${options.core}`);
  print(
    `machine: ${cpus().length} x ${cpu}, node ${process.version}, ` +
      `load ${loadavg()
        .map(load => load.toFixed(2))
        .join(' ')}, gc between runs: ${globalThis.gc ? 'yes' : 'no'}`,
  );

  for (const scale of options.sizes) {
    const session = syntheticSession({ scale });
    let samples = 0;
    for (const profile of session.profiles) samples += profile.samples?.length ?? 0;
    const runs = samples > LARGE_SAMPLES ? Math.min(3, options.runs) : options.runs;

    const found = warmUp(core.analyzeSession, session);
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let run = 0; run < runs; run++) {
      const result = timeOnce(core.analyzeSession, session);
      wall.push(result.ms);
      cpu.push(result.cpuMs);
    }
    const ms = median(wall);
    const cpuMs = median(cpu);
    print(
      `${scale}x: ${samples} samples, ${session.requests.length} requests, ${runs} runs: ` +
        `wall median ${ms.toFixed(0)} ms (${wall.map(t => t.toFixed(0)).join(' ')}), ` +
        `${perHundredK(ms, samples)} ms per 100k samples; ` +
        `cpu median ${cpuMs.toFixed(0)} ms, ${perHundredK(cpuMs, samples)} ms per 100k samples`,
    );
    print(`  ${found}`);
  }
}

void main();

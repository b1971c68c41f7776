/**
 * What every benchmark prints and saves: the machine it ran on, and its results as
 * `bench/results/<name>.json` plus a Markdown summary `bench/results/<name>.md`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

export const RESULTS_DIR = join(__dirname, '..', 'results');

/** The machine a run happened on. */
export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  /** 1-minute load average when the part started: other work shared the cores. */
  loadAverage1m: number;
  at: string;
}

export function machine(): Machine {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    at: new Date().toISOString(),
  };
}

export function machineLine(m: Machine): string {
  return (
    `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ` +
    `load average ${m.loadAverage1m} at start, ${m.at}`
  );
}

/** Benchmarks print progress and results on stdout. */
export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Saves `bench/results/<name>.json` and `<name>.md` and prints the Markdown. */
export function saveResults(name: string, json: object, markdown: string): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(
    join(RESULTS_DIR, `${name}.md`),
    markdown.endsWith('\n') ? markdown : `${markdown}\n`,
  );
  print('');
  print(markdown);
}

/** A Markdown table from a header row and body rows. */
export function table(header: string[], rows: (string | number)[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/** `+3.2%` for a ratio of 1.032. */
export function pct(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  const value = (ratio - 1) * 100;
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}%`;
}

/** A number with `digits` decimals, `n/a` when not finite. */
export function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

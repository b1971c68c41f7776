/**
 * Checks that two copies of `src/core` analyse the synthetic sessions alike (not a test: a
 * guard for performance work, which must not change results):
 *
 *   node --import tsx bench/analysisDiff.ts path/to/other/core/analyze.ts [--sizes 0.01,0.1,1]
 *
 * Numbers may differ by float rounding (sums taken in another order); everything else must be
 * identical. Prints the first differences and exits 1 when there are any.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { analyzeSession as AnalyzeSession } from '../src/core/analyze';
import { analyzeSession } from '../src/core/analyze';
import { syntheticSession } from './syntheticSession';

/** Benchmarks print their results on stdout. */
function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Relative difference two floats may have and still count as equal. */
const TOLERANCE = 1e-9;

/** Differences of at most `limit` paths between `a` and `b`, written as `path: a != b`. */
function differences(a: unknown, b: unknown, path: string, out: string[], limit: number): void {
  if (out.length >= limit) return;
  if (typeof a === 'number' && typeof b === 'number') {
    const scale = Math.max(1, Math.abs(a), Math.abs(b));
    if (Math.abs(a - b) > TOLERANCE * scale) out.push(`${path}: ${a} != ${b}`);
    return;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    if (a !== b) out.push(`${path}: ${String(a)} != ${String(b)}`);
    return;
  }

  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const left = (a as Record<string, unknown>)[key];
    const right = (b as Record<string, unknown>)[key];
    differences(left, right, `${path}.${key}`, out, limit);
  }
}

async function main() {
  const args = process.argv.slice(2);
  const other = args[0];
  if (!other) throw new Error('usage: analysisDiff.ts path/to/other/analyze.ts [--sizes ...]');
  const sizesAt = args.indexOf('--sizes');
  const sizes = sizesAt >= 0 ? (args[sizesAt + 1] ?? '').split(',').map(Number) : [0.01, 0.1, 1];
  const core = (await import(pathToFileURL(resolve(other)).href)) as {
    analyzeSession: typeof AnalyzeSession;
  };

  let failed = false;
  for (const scale of sizes) {
    const session = syntheticSession({ scale });
    const ours = analyzeSession(structuredClone(session));
    const theirs = core.analyzeSession(structuredClone(session));
    const found: string[] = [];
    differences(ours, theirs, 'analysis', found, 20);
    print(`${scale}x: ${found.length === 0 ? 'same' : `${found.length}+ differences`}`);
    for (const line of found) print(`  ${line}`);
    failed ||= found.length > 0;
  }
  process.exit(failed ? 1 : 0);
}

void main();

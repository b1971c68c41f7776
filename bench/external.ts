/**
 * Benchmarks other engineers wrote, run as they are and their output kept beside ours:
 * `analysis` (bench/analysis.ts: analyzeSession speed at 0.01x to 10x of 600,000 samples) and
 * `timeline` (bench/timelineScale.ts: the timeline page with 1,000,000 samples in Chromium).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { machine, machineLine, print, saveResults } from './harness/report';

const SCRIPTS: Record<string, { file: string; nodeArgs: string[]; args: string[] }> = {
  analysis: { file: 'analysis.ts', nodeArgs: ['--expose-gc'], args: [] },
  timeline: { file: 'timelineScale.ts', nodeArgs: [], args: [] },
};

/**
 * Runs one of them, echoing its output, and saves that output as
 * `bench/results/<name>-latest.md` (their authors keep their own result files beside it).
 */
export async function runExternal(name: 'analysis' | 'timeline', extra: string[]): Promise<void> {
  const script = SCRIPTS[name]!;
  const m = machine();
  print(`${name}: ${machineLine(m)}`);
  const child = spawn(
    process.execPath,
    [...script.nodeArgs, '--import', 'tsx', join(__dirname, script.file), ...script.args, ...extra],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout!.on('data', chunk => {
    output += String(chunk);
    process.stdout.write(chunk);
  });
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve));
  if (code !== 0) throw new Error(`bench/${script.file} exited with code ${code}`);

  const markdown = [
    `## ${name === 'analysis' ? 'Analysis speed' : 'Timeline at scale'} (bench/${script.file})`,
    '',
    `Machine: ${machineLine(m)}.`,
    '',
    '```',
    output.trim(),
    '```',
    '',
  ].join('\n');
  saveResults(`${name}-latest`, { machine: m, output }, markdown);
}

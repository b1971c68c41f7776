/**
 * `npm run bench` runs every benchmark part; `npm run bench -- <part> [--rounds N]` runs one.
 * Parts: overhead, analysis, memory, latency, sidebyside, timeline. Each writes
 * `bench/results/<part>.json` and `.md`. Everything a part starts, it stops by pid.
 */
import { runExternal } from './external';
import { overrideUpdateInterval, runLatency, runMemory } from './live';
import { runOverhead } from './overhead';
import { runSideBySide } from './sideBySide';
import { print } from './harness/report';

interface Args {
  parts: string[];
  flags: Map<string, string>;
}

const PARTS = ['overhead', 'analysis', 'memory', 'latency', 'sidebyside', 'timeline'] as const;

function parseArgs(argv: string[]): Args {
  const parts: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--')) flags.set(arg.slice(2), argv[++i] ?? '');
    else parts.push(arg);
  }
  return { parts: parts.length > 0 ? parts : [...PARTS], flags };
}

function numberFlag(flags: Map<string, string>, name: string, fallback: number): number {
  const value = Number(flags.get(name));
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

async function main(): Promise<void> {
  const { parts, flags } = parseArgs(process.argv.slice(2));
  if (flags.has('update-ms')) overrideUpdateInterval(numberFlag(flags, 'update-ms', 1000));
  for (const part of parts) {
    if (!(PARTS as readonly string[]).includes(part)) {
      throw new Error(`unknown part ${part} (parts: ${PARTS.join(', ')})`);
    }
  }
  for (const part of parts) {
    print(`\n# bench ${part}`);
    switch (part) {
      case 'overhead':
        await runOverhead({
          rounds: numberFlag(flags, 'rounds', 3),
          windowS: numberFlag(flags, 'window', 8),
          warmupS: numberFlag(flags, 'warmup', 4),
          lightRate: numberFlag(flags, 'light-rate', 100),
          only: flags.get('only'),
          modes: flags.get('modes'),
        });
        break;
      case 'memory':
        await runMemory({
          durationS: numberFlag(flags, 'duration', 240),
          sampleEveryS: numberFlag(flags, 'every', 20),
        });
        break;
      case 'latency':
        await runLatency(numberFlag(flags, 'trials', 8));
        break;
      case 'sidebyside':
        await runSideBySide({
          rounds: numberFlag(flags, 'rounds', 3),
          windowS: numberFlag(flags, 'window', 10),
        });
        break;
      case 'analysis':
      case 'timeline':
        await runExternal(
          part,
          part === 'analysis' && flags.has('runs') ? ['--runs', flags.get('runs')!] : [],
        );
        break;
      default:
        print(`(${part}: not written yet)`);
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);

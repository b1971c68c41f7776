/**
 * `gapscope demo` (what `npm start` runs): start the demo login service, attach to it by pid
 * (it runs without --inspect), drive real HTTP load at it, then detach, stop it and print the
 * report beside the load generator's own latency figures.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GapscopeFailure, asGapscopeError, badArgument } from '../core/errors';
import type { EndpointKey } from '../core/model';
import { attachToTarget } from '../inspector/attach';
import { interruptSignal } from './attachCommand';
import { runCapture } from './captureRun';
import type { CliContext } from './context';
import { startDemoService, type DemoService } from './demoService';
import { ExitCode, exitCodeFor } from './exitCodes';
import { formatMs, padEnd, padStart } from './format';
import { DEMO_LOAD, runLoad, type LoadResult, type RunningLoad } from './loadGenerator';
import { printError } from './output';
import { ProgressLine } from './progress';
import { presentSession } from './reportCommand';
import { prepareOutputPath, saveWithFallback } from './sessionOutput';

export interface DemoCommandOptions {
  /** Seconds of load. */
  duration?: number;
  json?: boolean;
  /** Where to save the session; `.gapscope/demo-session.gapscope.json` by default. */
  out?: string;
}

/** The longest demo load (s): the demo is a showcase, not a soak test. */
const MAX_DEMO_LOAD_S = 600;

/** Seconds of load by default: enough logins (a few hundred ms each) for stable percentiles. */
const DEFAULT_LOAD_S = 8;

export async function runDemo(options: DemoCommandOptions, context: CliContext): Promise<number> {
  const { stderr } = context.streams;
  const loadS = options.duration ?? DEFAULT_LOAD_S;
  if (loadS > MAX_DEMO_LOAD_S) {
    const error = badArgument(
      `--duration ${loadS} is longer than the demo's ${MAX_DEMO_LOAD_S} s of load.`,
      'Give a shorter --duration (the default, 8 s, is enough for stable figures).',
    );
    printError(context.streams, error);
    return exitCodeFor(error.code);
  }

  // A bad --out is found before the demo starts, not after a capture it would throw away.
  const out = await prepareOutputPath(
    options.out
      ? path.resolve(context.cwd, options.out)
      : path.join(context.cwd, '.gapscope', 'demo-session.gapscope.json'),
    options.out ? '--out' : 'The default session folder',
    options.out ? 'own' : 'all',
  );
  if (!out.ok) {
    printError(context.streams, out.error);
    return exitCodeFor(out.error.code);
  }

  let service: DemoService | undefined;
  const interrupt = interruptSignal();
  try {
    stderr.write('Starting the demo login service (no --inspect)…\n');
    service = await startDemoService(findRepoRoot(), context.logger);
    const store = service.storePid ? ` (session store pid ${service.storePid})` : '';
    stderr.write(
      `Demo service pid ${service.pid}${store} listening on 127.0.0.1:${service.port}\n`,
    );

    const result = await captureUnderLoad(service, loadS, interrupt.requested, context);
    const saved = await saveWithFallback(out.value, result.session, context);

    const present = { json: Boolean(options.json), clientP50Ms: result.p50 };
    presentSession(result.session, { ...present, extraJson: { load: result.load } }, context);
    if (!options.json) context.streams.stdout.write(renderLoadSummary(result.load));
    return saved.saved === undefined ? ExitCode.Failure : ExitCode.Ok;
  } catch (error) {
    const expected = asGapscopeError(error);
    if (!expected) throw error;

    printError(context.streams, expected);
    return exitCodeFor(expected.code);
  } finally {
    interrupt.dispose();
    await service?.stop();
  }
}

async function captureUnderLoad(
  service: DemoService,
  loadS: number,
  interrupted: Promise<void>,
  context: CliContext,
) {
  const attached = await attachToTarget(
    { kind: 'pid', pid: service.pid },
    { logger: context.logger },
  );
  if (!attached.ok) throw new GapscopeFailure(attached.error);

  const opened = attached.value.inspectorOpenedByUs ? ', inspector opened by Gapscope' : '';
  context.streams.stderr.write(`Attached to pid ${service.pid}${opened}\n`);

  let load: RunningLoad | undefined;
  let loadDone!: () => void;
  const loadFinished = new Promise<void>(resolve => (loadDone = resolve));
  // Ctrl-C ends the load early; the capture then stops as if the load had run its course.
  void interrupted.then(() => load?.stop());
  const progress = new ProgressLine(context.streams.stderr, 'load + capture', loadS * 1000);
  try {
    const session = await runCapture(attached.value, {
      // Waits name what fills the async login's time; on the demo they cost a few % CPU.
      capture: { tracking: 'waits' },
      progress,
      logger: context.logger,
      stopRequested: Promise.race([loadFinished, interrupted]),
      onDidStart: () => {
        load = runLoad(service.port, DEMO_LOAD, loadS);
        // A failed load stops the capture too; its error surfaces where `done` is awaited.
        load.done.then(loadDone, loadDone);
      },
    });
    progress.finish(`captured ${session.requests.length} requests; detaching`);
    const results = (await load?.done) ?? [];
    return { session, load: results, p50: p50ByEndpoint(results) };
  } finally {
    await attached.value.detach();
  }
}

function p50ByEndpoint(results: readonly LoadResult[]): Map<EndpointKey, number> {
  return new Map(results.map(result => [result.endpoint, result.p50Ms]));
}

function renderLoadSummary(results: readonly LoadResult[]): string {
  // A blank line parts it from the report above, as every endpoint's block is parted.
  const lines = ['', 'Load generator (autocannon, client side):'];
  const width = Math.max(16, ...results.map(result => result.endpoint.length));
  for (const result of results) {
    const failures = result.errors + result.non2xx;
    const p50 = padStart(formatMs(result.p50Ms), 5);
    const p99 = padStart(formatMs(result.p99Ms), 5);
    lines.push(
      `  ${padEnd(result.endpoint, width)} ${padStart(String(result.requests), 6)} requests` +
        `   p50 ${p50} ms   p99 ${p99} ms` +
        (failures ? `   ${failures} errors/non-2xx` : ''),
    );
  }
  lines.push(
    '  Client latency also counts time queued before the service read the request (e.g. while',
    '  POST /login held the event loop); Gapscope measures from when the service received it.',
  );
  return lines.join('\n') + '\n';
}

/** The repository root: the nearest directory above this file whose package.json is ours. */
export function findRepoRoot(start = __dirname): string {
  let dir = start;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
      if (name === 'gapscope') return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

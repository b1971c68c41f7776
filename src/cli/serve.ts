/**
 * `gapscope serve <session-file>` and `gapscope serve --attach <target>`: the timeline as a web
 * page on 127.0.0.1 (port from `--port`, default 0: a free port, printed on stdout). Attached, the
 * page is live: a snapshot of the capture is analysed every few seconds and pushed over the
 * WebSocket until Ctrl-C, which stops the capture, detaches and closes the server.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeSession } from '../core/analyze';
import { GapscopeFailure, asGapscopeError, badArgument, type GapscopeError } from '../core/errors';
import { EventEmitter, type IDisposable } from '../core/lifecycle';
import type { ILogger } from '../core/logger';
import type { SessionFile } from '../core/session';
import { attachToTarget, parseTargetSpec } from '../inspector/attach';
import { startCapture } from '../inspector/capture';
import { loadSession } from '../inspector/sessionFile';
import type { ICapture, IInspectorSession } from '../inspector/types';
import { TimelineData } from '../shared/timelineModel';
import type { CliContext } from './context';
import { ExitCode, exitCodeFor } from './exitCodes';
import { printError } from './output';
import {
  startTimelineServer,
  type ITimelineSource,
  type RunningTimelineServer,
  type TimelineAssets,
} from './timelineServer';

export interface ServeCommandOptions {
  /** Target to attach to (pid, host:port or ws:// URL) instead of a session file. */
  attach?: string;
  /** Port on 127.0.0.1; 0 picks a free one. */
  port?: string | number;
  /** Seconds between live refreshes. Default 3. */
  refresh?: string | number;
}

/** How often a live page is refreshed by default (s). */
const DEFAULT_REFRESH_S = 3;

/** Runs the command until Ctrl-C (or until `stop` resolves, for tests); returns the exit code. */
export async function runServe(
  sessionPath: string | undefined,
  options: ServeCommandOptions,
  context: CliContext,
  stop: Promise<void> = interrupted(),
): Promise<number> {
  const port = Number(options.port ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    return fail(
      context,
      badArgument(
        `--port ${options.port} is not a port number.`,
        'Give a port from 1 to 65535, or 0 (the default) for a free one.',
      ),
    );
  }
  if (Boolean(sessionPath) === Boolean(options.attach)) {
    const both = sessionPath ? 'Give a session file or --attach <target>, not both.' : undefined;
    return fail(
      context,
      badArgument(
        both ?? 'Give either a session file or --attach <target>.',
        'e.g. `gapscope serve .gapscope/demo-session.gapscope.json` or ' +
          '`gapscope serve --attach 4242`.',
      ),
    );
  }

  try {
    return sessionPath
      ? await serveFile(sessionPath, port, context, stop)
      : await serveLive(options.attach!, port, refreshMs(options), context, stop);
  } catch (error) {
    const expected = asGapscopeError(error);
    if (expected) return fail(context, expected);
    throw error;
  }
}

async function serveFile(
  sessionPath: string,
  port: number,
  context: CliContext,
  stop: Promise<void>,
): Promise<number> {
  const loaded = await loadSession(sessionPath);
  if (!loaded.ok) return fail(context, loaded.error);

  const data = analyse(loaded.value, path.basename(sessionPath), false);
  const source: ITimelineSource = { current: () => data, onDidChange: () => noop };
  const server = await listen(source, port, context);
  await stop;
  await server.close();
  return ExitCode.Ok;
}

async function serveLive(
  target: string,
  port: number,
  everyMs: number,
  context: CliContext,
  stop: Promise<void>,
): Promise<number> {
  const spec = parseTargetSpec(target);
  if (!spec.ok) return fail(context, spec.error);
  const attached = await attachToTarget(spec.value, { logger: context.logger });
  if (!attached.ok) return fail(context, attached.error);

  const session = attached.value;
  try {
    const opened = session.inspectorOpenedByUs ? ' (inspector opened by Gapscope)' : '';
    context.streams.stderr.write(`Attached to pid ${session.pid}${opened}; capturing live.\n`);
    const capture = await startCapture(session, {}, context.logger);
    const live = new LiveSource(capture, titleOf(session), context.logger);
    await live.refresh();
    const server = await listen(live, port, context);
    const timer = setInterval(() => void live.refresh(), everyMs);
    const ended = new Promise<void>(resolve => capture.onDidEnd(() => resolve()));
    await Promise.race([stop, ended]);
    clearInterval(timer);
    // The live view keeps no file: `gapscope attach --out` is the command that saves one.
    context.streams.stderr.write(`Stopping the capture of pid ${session.pid}; nothing is saved.\n`);
    await live.finish();
    // A target that exited leaves its final analysis on the page until Ctrl-C.
    await stop;
    await server.close();
    return ExitCode.Ok;
  } finally {
    await session.detach();
    context.streams.stderr.write(`Detached from pid ${session.pid}.\n`);
  }
}

/** The capture's latest analysis; fires when a refresh produced a new one. */
class LiveSource implements ITimelineSource {
  private readonly changed = new EventEmitter<TimelineData>();
  private data: TimelineData | undefined;
  private busy = false;
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly capture: ICapture,
    private readonly title: string,
    private readonly logger: ILogger,
  ) {}

  current(): TimelineData {
    if (!this.data) throw new Error('LiveSource.current() before the first refresh');
    return this.data;
  }

  /** Cuts a snapshot and analyses it; skipped while the previous one still runs. */
  async refresh(): Promise<void> {
    if (this.busy) return;

    this.busy = true;
    try {
      this.publish(analyse(await this.capture.snapshot(), this.title, true));
    } catch (error) {
      this.logger.warn('serve.live', 'snapshot failed', { error: String(error) });
    } finally {
      this.busy = false;
    }
  }

  /** Stops the capture and publishes the final, no longer live, analysis. */
  async finish(): Promise<void> {
    this.publish(analyse(await this.capture.stop(), this.title, false));
  }

  private publish(data: TimelineData): void {
    this.data = data;
    this.changed.fire(data);
  }
}

function analyse(session: SessionFile, title: string, live: boolean): TimelineData {
  return new TimelineData(
    session,
    analyzeSession(session, { readFile: readTextFile }),
    title,
    live,
  );
}

/** Reads sources and source maps the session lacks from disk (the user's own files). */
function readTextFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function listen(
  source: ITimelineSource,
  port: number,
  context: CliContext,
): Promise<RunningTimelineServer> {
  let server: RunningTimelineServer;
  try {
    server = await startTimelineServer(source, {
      port,
      logger: context.logger,
      assets: timelineAssets(packageRoot(__dirname)),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;

    throw new GapscopeFailure(
      badArgument(
        code === 'EADDRINUSE'
          ? `Port ${port} on 127.0.0.1 is already in use.`
          : `Not allowed to listen on port ${port} of 127.0.0.1.`,
        'Pick another --port, or leave it out to get a free one.',
      ),
    );
  }
  context.streams.stdout.write(`Timeline at ${server.url} (Ctrl-C to stop)\n`);
  return server;
}

/**
 * The files the page needs, from the package: dist/ (the bundle and the codicons the build
 * copies there), media/, else the codicons package of a checkout.
 */
export function timelineAssets(root: string): TimelineAssets {
  const assets: TimelineAssets = {
    webviewJs: path.join(root, 'dist', 'webview.js'),
    styles: [path.join(root, 'media', 'page-theme.css'), path.join(root, 'media', 'timeline.css')],
  };
  const icon = path.join(root, 'media', 'icon.png');
  if (existsSync(icon)) assets.icon = icon;
  const copied = path.join(root, 'dist', 'codicons');
  const installed = path.join(root, 'node_modules', '@vscode', 'codicons', 'dist');
  const codicons = existsSync(path.join(copied, 'codicon.css')) ? copied : installed;
  if (existsSync(codicons)) {
    assets.codiconCss = path.join(codicons, 'codicon.css');
    assets.codiconFont = path.join(codicons, 'codicon.ttf');
  }
  return assets;
}

/** The folder holding package.json, from this file (src/cli or the dist bundle). */
export function packageRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return from;
    dir = parent;
  }
  return dir;
}

function titleOf(session: IInspectorSession): string {
  return `pid ${session.pid} (live)`;
}

function refreshMs(options: ServeCommandOptions): number {
  const seconds = Number(options.refresh ?? DEFAULT_REFRESH_S);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_REFRESH_S * 1000;
}

function fail(context: CliContext, error: GapscopeError): number {
  printError(context.streams, error);
  return exitCodeFor(error.code);
}

/** Resolves on the first SIGINT or SIGTERM. */
function interrupted(): Promise<void> {
  return new Promise(resolve => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

const noop: IDisposable = { dispose: () => undefined };

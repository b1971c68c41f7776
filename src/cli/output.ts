/**
 * Where the CLI's words go: results on stdout, everything else (progress, errors, logs) on
 * stderr, so `gapscope attach --json > out.json` stays clean. Colour only on a terminal.
 */
import { createColors } from 'picocolors';
import { ErrorCode, type GapscopeError } from '../core/errors';
import {
  formatLogRecord,
  Logger,
  type ILogSink,
  type LogLevel,
  type LogRecord,
} from '../core/logger';

/** The streams a command writes to; tests pass their own. */
export interface CliStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Writes log records to stderr, one line each. */
export class StderrLogSink implements ILogSink {
  constructor(private readonly stderr: NodeJS.WritableStream) {}

  write(record: LogRecord): void {
    this.stderr.write(formatLogRecord(record) + '\n');
  }
}

/** The logger of one CLI run, at the level `--log-level` named (warn by default). */
export function createCliLogger(streams: CliStreams, level: LogLevel): Logger {
  return new Logger([new StderrLogSink(streams.stderr)], level);
}

/** True when colour suits `stream`: a terminal, and neither NO_COLOR nor --no-color set. */
export function wantsColor(stream: { isTTY?: boolean }, flag: boolean | undefined): boolean {
  if (flag === false || process.env.NO_COLOR) return false;
  return Boolean(stream.isTTY) || Boolean(process.env.FORCE_COLOR);
}

/** What to do, for the few errors whose factory gives no hint. */
const FALLBACK_HINTS: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.TargetExited]: "Check the target's own output for why it ended, then try again.",
  [ErrorCode.BadArgument]: 'See `gapscope --help` for the commands and their options.',
};

/** Prints an expected failure: the cause on one line, what to do on the next (always). */
export function printError(streams: CliStreams, error: GapscopeError): void {
  const c = createColors(wantsColor(streams.stderr, undefined));
  streams.stderr.write(`${c.red('error:')} ${error.message}\n`);
  const hint =
    error.hint ??
    FALLBACK_HINTS[error.code] ??
    'Run again with --log-level debug to see the details in the log.';
  streams.stderr.write(`${c.dim('hint:')} ${hint}\n`);
}

/** Prints a warning line on stderr. */
export function printWarning(streams: CliStreams, message: string): void {
  const c = createColors(wantsColor(streams.stderr, undefined));
  streams.stderr.write(`${c.yellow('warning:')} ${message}\n`);
}

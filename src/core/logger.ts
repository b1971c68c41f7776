/**
 * One logger for every layer. Each call carries a level and a dotted area tag
 * (`cdp.send`, `attach`, `profile.attribute`, `lsp`) plus structured metadata; where the lines
 * go is decided by the host, which injects a sink (stderr in the CLI, the LSP console in the
 * server, an output channel in the extension, a ring buffer in tests).
 */

export enum LogLevel {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
  Off = 5,
}

export interface LogRecord {
  level: LogLevel;
  area: string;
  message: string;
  metadata?: Record<string, unknown>;
  /** Milliseconds since the epoch. */
  time: number;
}

export interface ILogSink {
  write(record: LogRecord): void;
}

export interface ILogger {
  trace(area: string, message: string, metadata?: Record<string, unknown>): void;
  debug(area: string, message: string, metadata?: Record<string, unknown>): void;
  info(area: string, message: string, metadata?: Record<string, unknown>): void;
  warn(area: string, message: string, metadata?: Record<string, unknown>): void;
  error(area: string, message: string, metadata?: Record<string, unknown>): void;
  /**
   * Reports a broken invariant: logged as an error in production, thrown when the environment
   * sets GAPSCOPE_STRICT (the test runner does), so tests catch what users would only log.
   */
  assert(condition: unknown, area: string, message: string): asserts condition;
}

const LEVEL_NAMES = ['trace', 'debug', 'info', 'warn', 'error', 'off'] as const;

export function logLevelName(level: LogLevel): string {
  return LEVEL_NAMES[level] ?? 'info';
}

/** Parses `trace|debug|info|warn|error|off`; unknown text gives `fallback`. */
export function parseLogLevel(text: string | undefined, fallback = LogLevel.Info): LogLevel {
  const index = LEVEL_NAMES.indexOf((text ?? '').toLowerCase() as (typeof LEVEL_NAMES)[number]);
  return index >= 0 ? (index as LogLevel) : fallback;
}

export class Logger implements ILogger {
  constructor(
    private readonly sinks: ILogSink[],
    public level: LogLevel = LogLevel.Info,
    private readonly strict = Boolean(process.env.GAPSCOPE_STRICT),
  ) {}

  trace(area: string, message: string, metadata?: Record<string, unknown>): void {
    this.log(LogLevel.Trace, area, message, metadata);
  }

  debug(area: string, message: string, metadata?: Record<string, unknown>): void {
    this.log(LogLevel.Debug, area, message, metadata);
  }

  info(area: string, message: string, metadata?: Record<string, unknown>): void {
    this.log(LogLevel.Info, area, message, metadata);
  }

  warn(area: string, message: string, metadata?: Record<string, unknown>): void {
    this.log(LogLevel.Warn, area, message, metadata);
  }

  error(area: string, message: string, metadata?: Record<string, unknown>): void {
    this.log(LogLevel.Error, area, message, metadata);
  }

  assert(condition: unknown, area: string, message: string): asserts condition {
    if (condition) return;

    if (this.strict) throw new Error(`Invariant broken in ${area}: ${message}`);
    this.error(area, `invariant broken: ${message}`);
  }

  private log(level: LogLevel, area: string, message: string, metadata?: Record<string, unknown>) {
    if (level < this.level) return;

    const record: LogRecord = { level, area, message, time: Date.now() };
    if (metadata) record.metadata = metadata;
    for (const sink of this.sinks) sink.write(record);
  }
}

/** Formats a record as one line: `12:00:01.123 warn  attach: message {"pid":1}`. */
export function formatLogRecord(record: LogRecord): string {
  const time = new Date(record.time).toISOString().slice(11, 23);
  const level = logLevelName(record.level).padEnd(5);
  const meta = record.metadata ? ' ' + JSON.stringify(record.metadata) : '';
  return `${time} ${level} ${record.area}: ${record.message}${meta}`;
}

/** Keeps the last `capacity` records in memory, for tests and bug reports. */
export class RingLogSink implements ILogSink {
  private readonly records: LogRecord[] = [];

  constructor(private readonly capacity = 1000) {}

  write(record: LogRecord): void {
    this.records.push(record);
    if (this.records.length > this.capacity) this.records.shift();
  }

  /** The kept records, oldest first. */
  snapshot(): readonly LogRecord[] {
    return [...this.records];
  }
}

/** A logger that drops everything, for callers that were given none. */
export const nullLogger: ILogger = new Logger([], LogLevel.Off, false);

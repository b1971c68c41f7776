/**
 * `gapscope report FILE`: the report of a saved session, without the target. Also the common
 * last step of `attach` and `demo`: analyse a session and print it as text or JSON.
 */
import { analyzeSession } from '../core/analyze';
import type { EndpointKey } from '../core/model';
import type { SessionFile } from '../core/session';
import { loadSession } from '../inspector/sessionFile';
import type { CliContext } from './context';
import { ExitCode, exitCodeFor } from './exitCodes';
import { printError } from './output';
import { renderReport, type ReportOptions } from './renderReport';

export interface PresentOptions {
  json?: boolean;
  /** The load generator's p50 per endpoint (the demo). */
  clientP50Ms?: ReadonlyMap<EndpointKey, number>;
  /** More top-level fields for the JSON output (the demo adds its load results). */
  extraJson?: Record<string, unknown>;
}

/** Loads `file` and prints its report. */
export async function runReport(
  file: string,
  options: PresentOptions,
  context: CliContext,
): Promise<ExitCode> {
  const loaded = await loadSession(file);
  if (!loaded.ok) {
    printError(context.streams, loaded.error);
    return exitCodeFor(loaded.error.code);
  }

  presentSession(loaded.value, options, context);
  return ExitCode.Ok;
}

/** Analyses the session and writes the report (or its JSON) to stdout. */
export function presentSession(
  session: SessionFile,
  options: PresentOptions,
  context: CliContext,
): void {
  const analysis = analyzeSession(session);
  if (options.json) {
    // The raw profiles, windows and sources stay in the session file (`--out`).
    const output = {
      target: session.target,
      capture: session.capture,
      analysis,
      ...options.extraJson,
    };
    context.streams.stdout.write(JSON.stringify(output, null, 2) + '\n');
    return;
  }

  const reportOptions: ReportOptions = { cwd: context.cwd, color: context.color };
  if (options.clientP50Ms) reportOptions.clientP50Ms = options.clientP50Ms;
  const text = renderReport(analysis, session, reportOptions);
  context.streams.stdout.write(text);
}

/**
 * The extension's log: a log-mode output channel (the user picks its level in the Output view),
 * behind core's ILogger so extension code logs like every other layer. Errors shown to the user
 * are one sentence with an "Open Log" action.
 */
import * as vscode from 'vscode';

import type { GapscopeError } from '../core/errors';
import { Logger, LogLevel, type LogRecord } from '../core/logger';

/** A logger writing to `channel`, at the level the channel is set to. */
export function createChannelLogger(channel: vscode.LogOutputChannel): Logger {
  return new Logger([{ write: record => writeRecord(channel, record) }], LogLevel.Trace, false);
}

function writeRecord(channel: vscode.LogOutputChannel, record: LogRecord): void {
  const text = `${record.area}: ${record.message}`;
  const args = record.metadata ? [record.metadata] : [];
  switch (record.level) {
    case LogLevel.Trace:
      return channel.trace(text, ...args);
    case LogLevel.Debug:
      return channel.debug(text, ...args);
    case LogLevel.Info:
      return channel.info(text, ...args);
    case LogLevel.Warn:
      return channel.warn(text, ...args);
    default:
      return channel.error(text, ...args);
  }
}

/** Shows an expected failure: its message (and hint) in one line, with "Open Log". */
export async function showError(
  error: GapscopeError | string,
  channel: vscode.OutputChannel,
): Promise<void> {
  const text =
    typeof error === 'string' ? error : [error.message, error.hint].filter(Boolean).join(' ');
  const choice = await vscode.window.showErrorMessage(text, 'Open Log');
  if (choice === 'Open Log') channel.show(true);
}

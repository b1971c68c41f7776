/**
 * The Gapscope extension: a thin client of the language server (`dist/server.js`), which owns the
 * inspector sessions and the analysis. Here: commands, decorations, the status bar, the attach
 * picker and the timeline panel host. Nothing heavy runs in the extension host.
 *
 * Two disposal scopes: the extension's (context.subscriptions) and the client's (stopped on
 * deactivate, restarted by the client's own error handler).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

import type { ILogger } from '../core/logger';
import { Methods, type DidFailParams, type DidUpdateParams } from '../shared/protocol';
import { Command, sessionContextKey } from './commands';
import { createClient } from './client';
import { onDidChangeSettings, readMarkSettings, readServerSettings } from './config';
import { HotLineDecorations } from './decorations';
import { createChannelLogger, showError } from './log';
import { register, registerSessionCommands, type ExtensionContext } from './sessionCommands';
import { SessionStatus, showSessionMenu } from './statusBar';
import { TimelinePanel } from './timelinePanel';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const channel = vscode.window.createOutputChannel('Gapscope', { log: true });
  const serverChannel = vscode.window.createOutputChannel('Gapscope Language Server', {
    log: true,
  });
  const logger = createChannelLogger(channel);
  let marks = readMarkSettings();
  const decorations = new HotLineDecorations(marks);
  const status = new SessionStatus();
  const timeline = new TimelinePanel(context.extensionUri, () => client, logger);
  context.subscriptions.push(channel, serverChannel, decorations, status, timeline);

  const languageClient = createClient(context, serverChannel, () => marks);
  client = languageClient;
  const extension: ExtensionContext = {
    client: languageClient,
    logger,
    channel,
    decorations,
    timeline,
    state: { kind: 'none', label: '', samples: 0, requests: 0, durationMs: 0 },
  };

  languageClient.onNotification(Methods.didUpdate, (params: DidUpdateParams) =>
    onDidUpdate(extension, params, status),
  );
  languageClient.onNotification(Methods.didFail, (params: DidFailParams) => {
    logger.warn('session', params.error.message, { code: params.error.code });
    void showError(params.error, channel);
  });

  context.subscriptions.push(
    ...registerSessionCommands(extension),
    register(Command.ToggleHotLines, () => {
      const visible = decorations.toggle();
      void vscode.window.setStatusBarMessage(
        `Gapscope: hot lines ${visible ? 'shown' : 'hidden'}`,
        3000,
      );
    }),
    register(Command.ShowStatusMenu, () => showSessionMenu(extension.state)),
    register(Command.OpenLog, () => channel.show(true)),
    onDidChangeSettings(() => {
      marks = readMarkSettings();
      decorations.updateSettings(marks);
      void languageClient.sendNotification(Methods.didChangeSettings, readServerSettings());
    }),
    vscode.workspace.onDidOpenTextDocument(document => openIfSession(document)),
  );

  await startClient(languageClient, logger, channel);
  for (const document of vscode.workspace.textDocuments) openIfSession(document);
}

export async function deactivate(): Promise<void> {
  const stopping = client?.stop();
  client = undefined;
  await stopping;
}

async function startClient(
  languageClient: LanguageClient,
  logger: ILogger,
  channel: vscode.OutputChannel,
): Promise<void> {
  try {
    await languageClient.start();
    logger.info('client', 'language server started');
  } catch (error) {
    logger.error('client', 'the language server did not start', { error: String(error) });
    void showError('The Gapscope language server did not start.', channel);
  }
}

function onDidUpdate(
  extension: ExtensionContext,
  params: DidUpdateParams,
  status: SessionStatus,
): void {
  const wasLoaded = extension.state.kind !== 'none';
  extension.state = params.state;
  status.update(params.state);
  void vscode.commands.executeCommand(
    'setContext',
    sessionContextKey,
    params.state.kind !== 'none',
  );
  void vscode.commands.executeCommand(
    'setContext',
    'gapscope.isLive',
    params.state.kind === 'live',
  );

  const keep = params.state.kind === 'none' && wasLoaded && readMarkSettings().keepMarksOnDetach;
  if (!keep) extension.decorations.update(params.files);
  void extension.timeline.refresh();
}

/** A `*.gapscope.json` opened in an editor is loaded as the session (lazy activation too). */
function openIfSession(document: vscode.TextDocument): void {
  if (document.uri.scheme !== 'file' || !document.fileName.endsWith('.gapscope.json')) return;

  void vscode.commands.executeCommand(Command.OpenSession, document.uri.fsPath);
}

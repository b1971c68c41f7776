/**
 * The commands that drive the server's session: attach, detach, open and save a session file,
 * show the timeline, profile the next request. Each asks the server and shows an expected
 * failure as one sentence with "Open Log".
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

import type { ILogger } from '../core/logger';
import {
  Methods,
  type AttachResult,
  type DetachResult,
  type ListProcessesResult,
  type OpenSessionResult,
  type ProfileNextRequestResult,
  type SaveSessionResult,
  type SessionState,
  type TimelineDataResult,
} from '../shared/protocol';
import { pickTarget } from './attachPicker';
import { Command, type CommandArgs } from './commands';
import type { HotLineDecorations } from './decorations';
import { showError } from './log';
import type { TimelinePanel } from './timelinePanel';

/** What the commands share with the rest of the extension. */
export interface ExtensionContext {
  client: LanguageClient;
  logger: ILogger;
  channel: vscode.OutputChannel;
  decorations: HotLineDecorations;
  timeline: TimelinePanel;
  /** The last state the server announced. */
  state: SessionState;
}

/** Registers a command with its typed arguments. */
export function register<C extends Command>(
  command: C,
  run: (...args: CommandArgs[C]) => unknown,
): vscode.Disposable {
  return vscode.commands.registerCommand(command, (...args: unknown[]) =>
    run(...(args as CommandArgs[C])),
  );
}

export function registerSessionCommands(extension: ExtensionContext): vscode.Disposable[] {
  return [
    register(Command.Attach, target => attach(extension, target)),
    register(Command.Detach, () => detach(extension)),
    register(Command.ShowTimeline, options => extension.timeline.show(options?.requestId)),
    register(Command.OpenSession, path => openSession(extension, path)),
    register(Command.SaveSession, path => saveSession(extension, path)),
    register(Command.ProfileNextRequest, endpoint => profileNextRequest(extension, endpoint)),
  ];
}

async function attach(extension: ExtensionContext, given?: string): Promise<void> {
  const { client, channel, logger } = extension;
  const processes = client
    .sendRequest<ListProcessesResult>(Methods.listProcesses, {})
    .then(result => result.processes);
  const target = given ?? (await pickTarget(processes));
  if (!target?.trim()) return;

  logger.info('attach', 'attaching', { target });
  const result = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Gapscope: attaching to ${target}…`,
    },
    () => client.sendRequest<AttachResult>(Methods.attach, { target: target.trim() }),
  );
  if (!result.ok) {
    logger.warn('attach', result.error.message, { code: result.error.code });
    return showError(result.error, channel);
  }
  logger.info('attach', 'attached', { label: result.state.label });
  void vscode.window.setStatusBarMessage(`Gapscope: attached to ${result.state.label}`, 5000);
}

async function detach(extension: ExtensionContext): Promise<void> {
  const result = await extension.client.sendRequest<DetachResult>(Methods.detach, {});
  extension.logger.info('detach', 'detached', { state: result.state.kind });
}

async function openSession(extension: ExtensionContext, given?: string): Promise<void> {
  const path = given ?? (await askOpenPath());
  if (!path) return;

  const result = await extension.client.sendRequest<OpenSessionResult>(Methods.openSession, {
    path,
  });
  if (!result.ok) return showError(result.error, extension.channel);
  extension.logger.info('session', 'opened', { path });
}

async function askOpenPath(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Gapscope: Open Saved Session',
    filters: { 'Gapscope session': ['json'] },
    canSelectMany: false,
  });
  return picked?.[0]?.fsPath;
}

async function saveSession(extension: ExtensionContext, given?: string): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const defaultUri = folder && vscode.Uri.joinPath(folder, `session-${stamp}.gapscope.json`);
  const path =
    given ??
    (
      await vscode.window.showSaveDialog({
        title: 'Gapscope: Save Session As',
        filters: { 'Gapscope session': ['json'] },
        ...(defaultUri ? { defaultUri } : {}),
      })
    )?.fsPath;
  if (!path) return;

  const result = await extension.client.sendRequest<SaveSessionResult>(Methods.saveSession, {
    path,
  });
  if (!result.ok) return showError(result.error, extension.channel);
  void vscode.window.showInformationMessage(`Gapscope session saved to ${result.path}.`);
}

async function profileNextRequest(extension: ExtensionContext, given?: string): Promise<void> {
  if (extension.state.kind !== 'live') {
    return showError('Attach to a Node process before profiling a request.', extension.channel);
  }
  const endpoint = given ?? (await pickEndpoint(extension));
  if (endpoint === undefined) return;

  const what = endpoint || 'request';
  const result = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Gapscope: waiting for the next ${what}…`,
      cancellable: true,
    },
    (_progress, token) =>
      extension.client.sendRequest<ProfileNextRequestResult>(
        Methods.profileNextRequest,
        endpoint ? { endpoint } : {},
        token,
      ),
  );
  if (!result.ok) return showError(result.error, extension.channel);
  extension.timeline.show(result.request.id, result.sessionId);
}

/** The endpoint to wait for: '' for any, undefined when the user cancelled. */
async function pickEndpoint(extension: ExtensionContext): Promise<string | undefined> {
  const data = await extension.client.sendRequest<TimelineDataResult>(Methods.timelineData, {
    query: 'snapshot',
  });
  const endpoints = data.model?.endpoints.map(endpoint => endpoint.key) ?? [];
  const picked = await vscode.window.showQuickPick(
    [{ label: 'Any endpoint', key: '' }, ...endpoints.map(key => ({ label: key, key }))],
    { title: 'Gapscope: Profile the next request of…' },
  );
  return picked?.key;
}

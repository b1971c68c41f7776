/**
 * Hosts the timeline webview. The host side of the timeline (view model, waterfalls, flame
 * graphs) runs in the language server, which holds the session; this panel relays the
 * webview's questions to it (`gapscope/timelineData`) and reveals lines in the editor.
 * A full snapshot is sent when the view (re)loads or the server's session changed (a new
 * `sessionId`); updates of the same session only while it is visible.
 *
 * Profile Next Request opens the panel on its fine capture and the panel stays on it (pinned)
 * while the live capture resumes; the status line says so. Show Timeline, or the server loading
 * another target or file, moves the panel back to the current session.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

import type { ILogger } from '../core/logger';
import { Methods, type TimelineDataParams, type TimelineDataResult } from '../shared/protocol';
import {
  isFromWebviewMessage,
  type FromWebviewMessage,
  type ToWebviewMessage,
} from '../shared/webviewMessages';
import { timelineHtml, timelineResourceRoots } from './timelineHtml';

export class TimelinePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private ready = false;
  /** The request the panel was opened for, shown once the webview is ready. */
  private pendingFocus: number | undefined;
  /** The session the webview shows (`TimelineModel.sessionId`); questions name it. */
  private shownSessionId: string | undefined;
  /** A session the panel stays on although the server moved on (Profile Next Request). */
  private pinnedSessionId: string | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: () => LanguageClient | undefined,
    private readonly logger: ILogger,
  ) {}

  /** True while the panel exists (for tests and the status menu). */
  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /**
   * Opens (or reveals) the panel; with `requestId`, at that request (its waterfall shown). With
   * `sessionId`, on that session, kept while the server's session changes (see the class);
   * without, on the server's current session.
   */
  show(requestId?: number, sessionId?: string): void {
    if (requestId !== undefined) this.logger.info('timeline', 'open at request', { requestId });
    this.pendingFocus = requestId;
    this.pinnedSessionId = sessionId;
    if (this.panel) {
      this.panel.reveal(undefined, false);
      // A webview still loading gets the snapshot and the focus when it says it is ready.
      if (this.ready) void this.sendSnapshot();
      return;
    }

    const panel = vscode.window.createWebviewPanel(
      'gapscope.timeline',
      'Gapscope Timeline',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: timelineResourceRoots(this.extensionUri),
      },
    );
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    panel.webview.html = timelineHtml(panel.webview, this.extensionUri, {
      codiconUri: codiconStylesheet(this.extensionUri),
    });
    this.subscriptions.push(
      panel.webview.onDidReceiveMessage(message => void this.onMessage(message)),
      // A hidden panel gets no refresh: catch up (maybe on another session) when it is shown.
      panel.onDidChangeViewState(({ webviewPanel }) => {
        if (webviewPanel.visible) void this.refresh();
      }),
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.ready = false;
        this.shownSessionId = undefined;
        this.pinnedSessionId = undefined;
      }),
    );
  }

  /**
   * The server's state changed: push it if the view is there to see it, as an update of the
   * shown session or as a snapshot of a new one.
   */
  async refresh(): Promise<void> {
    if (!this.panel?.visible || !this.ready) return;

    if (this.pinnedSessionId !== undefined) return this.refreshPinned(this.pinnedSessionId);
    const result = await this.query({ query: 'snapshot' });
    const model = result?.model;
    if (!model || model.sessionId !== this.shownSessionId) return this.sendSnapshot();

    this.post({
      type: 'update',
      sessionId: model.sessionId,
      endpoints: model.endpoints,
      requests: model.requests,
      totals: model.totals,
      hotLines: model.hotLines,
      live: model.live,
    });
  }

  /** Stays on the pinned session while the server keeps it; says that the live one goes on. */
  private async refreshPinned(pinned: string): Promise<void> {
    const kept = await this.query({ query: 'snapshot', sessionId: pinned });
    if (!kept?.model) {
      // The server let it go (another target, a file, a detach): follow the current session.
      this.pinnedSessionId = undefined;
      return this.sendSnapshot();
    }

    const current = await this.query({ query: 'snapshot' });
    if (current?.model && current.model.sessionId !== pinned) {
      const message =
        'Showing the profiled request; live capture resumed: Show Timeline follows it.';
      this.post({ type: 'status', live: false, message });
    }
  }

  dispose(): void {
    this.panel?.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private async onMessage(message: unknown): Promise<void> {
    if (!isFromWebviewMessage(message)) {
      this.logger.warn('timeline', 'unknown message from the webview', { message });
      return;
    }
    await this.handle(message);
  }

  private async handle(message: FromWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        return this.sendSnapshot();
      case 'getRequest': {
        const result = await this.query({
          query: 'request',
          requestId: message.requestId,
          ...this.shownSession(),
        });
        return this.post({ type: 'request', id: message.id, detail: result?.detail });
      }
      case 'getFlame': {
        const result = await this.query({
          query: 'flame',
          scope: message.scope,
          ...this.shownSession(),
        });
        if (result?.flame) this.post({ type: 'flame', id: message.id, flame: result.flame });
        return;
      }
      case 'reveal':
        return reveal(message.file, message.line, message.column);
      case 'log':
        return this.logger[message.level]('timeline.webview', message.message);
    }
  }

  /** Sends the full state, then the request the user came for (once), if any. */
  private async sendSnapshot(): Promise<void> {
    const pinned = this.pinnedSessionId;
    let result = await this.query({ query: 'snapshot', ...(pinned ? { sessionId: pinned } : {}) });
    if (pinned !== undefined && !result?.model) {
      this.pinnedSessionId = undefined;
      result = await this.query({ query: 'snapshot' });
    }
    if (!result?.model) {
      this.shownSessionId = undefined;
      const message = 'No session: attach or open one.';
      this.post({ type: 'status', live: false, message, noSession: true });
      return;
    }

    this.shownSessionId = result.model.sessionId;
    this.post({ type: 'snapshot', model: result.model });
    const requestId = this.pendingFocus;
    this.pendingFocus = undefined;
    if (requestId !== undefined) this.post({ type: 'focusRequest', requestId });
  }

  /** Names the shown session in a question, so a stale one gets no answer from a new one. */
  private shownSession(): { sessionId?: string } {
    return this.shownSessionId === undefined ? {} : { sessionId: this.shownSessionId };
  }

  private async query(params: TimelineDataParams): Promise<TimelineDataResult | undefined> {
    const client = this.client();
    if (!client) return undefined;

    try {
      return await client.sendRequest<TimelineDataResult>(Methods.timelineData, params);
    } catch (error) {
      this.logger.error('timeline', 'timeline data failed', { error: String(error) });
      return undefined;
    }
  }

  private post(message: ToWebviewMessage): void {
    void this.panel?.webview.postMessage(message);
  }
}

/** The codicon stylesheet the build copies into `dist/` (inside the panel's resource roots). */
function codiconStylesheet(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'codicons', 'codicon.css');
}

async function reveal(file: string, line: number, column?: number): Promise<void> {
  const uri = /^[a-z][a-z0-9+.-]+:/i.test(file) ? vscode.Uri.parse(file) : vscode.Uri.file(file);
  const position = new vscode.Position(Math.max(0, line - 1), Math.max(0, (column ?? 1) - 1));
  await vscode.window.showTextDocument(uri, {
    selection: new vscode.Range(position, position),
    viewColumn: vscode.ViewColumn.One,
  });
}

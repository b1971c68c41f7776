/**
 * The HTML of the timeline webview panel. The extension host creates the panel with
 * `localResourceRoots` limited to `dist/` and `media/` and calls this on every render: each
 * call makes a new nonce, so a stale page's script never runs in a new one.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { timelinePageHtml } from '../shared/timelinePage';

/** Options of the panel HTML. */
export interface TimelineHtmlOptions {
  /** URI of the codicon stylesheet (the build copies it to `dist/codicons/codicon.css`). */
  codiconUri?: vscode.Uri;
}

/** Builds the panel HTML for `webview`, with resources under `extensionUri`. */
export function timelineHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  options: TimelineHtmlOptions = {},
): string {
  const asset = (...path: string[]) =>
    webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  const page = {
    nonce: randomBytes(16).toString('base64'),
    cspSource: webview.cspSource,
    scriptUri: asset('dist', 'webview.js'),
    styleUris: [asset('media', 'timeline.css')],
  };
  return timelinePageHtml(
    options.codiconUri
      ? { ...page, codiconUri: webview.asWebviewUri(options.codiconUri).toString() }
      : page,
  );
}

/** The resource roots the panel needs (pass as `localResourceRoots`). */
export function timelineResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

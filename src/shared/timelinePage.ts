/**
 * The HTML of the timeline page, for both hosts: the VS Code panel (extension/timelineHtml.ts)
 * and the page `gapscope serve` sends. Deny-by-default CSP: scripts only with the per-render
 * nonce, styles and fonts only from the host's own origin (so no inline style is needed), no
 * eval. The body is one empty root; the bundle builds everything else with text-only DOM calls.
 */

export interface TimelinePageOptions {
  /** A fresh random value per render (base64), allowing exactly our script. */
  nonce: string;
  /** The CSP source of the host's own resources: `webview.cspSource`, or `'self'`. */
  cspSource: string;
  /** URI of dist/webview.js. */
  scriptUri: string;
  /** URIs of the stylesheets, in order (media/timeline.css last so it wins). */
  styleUris: string[];
  /** URI of codicon.css, when the host ships the codicon font. */
  codiconUri?: string;
  /** Extra `connect-src` sources (the served page's WebSocket). */
  connectSources?: string[];
  title?: string;
}

/** Builds the page. Every interpolated value is escaped. */
export function timelinePageHtml(options: TimelinePageOptions): string {
  const csp = timelineCsp(options);
  const styles = options.styleUris.map(uri => `<link rel="stylesheet" href="${escapeHtml(uri)}">`);
  if (options.codiconUri) {
    // vscode-elements' icon component finds the codicon font through this element id.
    const href = escapeHtml(options.codiconUri);
    styles.unshift(`<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${href}">`);
  }
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="UTF-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
    ...styles,
    `<title>${escapeHtml(options.title ?? 'Gapscope timeline')}</title>`,
    '</head>',
    '<body>',
    '<div id="app"><p>Loading the timeline…</p></div>',
    `<script nonce="${escapeHtml(options.nonce)}" src="${escapeHtml(options.scriptUri)}"></script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The Content-Security-Policy of the page. */
export function timelineCsp(options: TimelinePageOptions): string {
  const self = options.cspSource;
  const connect = options.connectSources?.length ? options.connectSources.join(' ') : `'none'`;
  return [
    `default-src 'none'`,
    `script-src 'nonce-${options.nonce}'`,
    `style-src ${self}`,
    `font-src ${self}`,
    `img-src ${self} data:`,
    `connect-src ${connect}`,
    `base-uri 'none'`,
    `form-action 'none'`,
  ].join('; ');
}

/** Escapes text for HTML text and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}

/**
 * The page server behind `gapscope serve`: HTTP for the page and its assets, a WebSocket for the
 * webview messages, on 127.0.0.1 only. It serves a fixed list of files (no path from the URL
 * reaches the file system), refuses requests whose Host or Origin is not this server (a page on
 * another site must not read the profile through DNS rebinding), and reads snippets only from
 * files the session names.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Event, IDisposable } from '../core/lifecycle';
import { nullLogger, type ILogger } from '../core/logger';
import { urlToPath } from '../shared/sampleIndex';
import type { TimelineData } from '../shared/timelineModel';
import { timelinePageHtml } from '../shared/timelinePage';
import {
  isFromWebviewMessage,
  type FromWebviewMessage,
  type RequestRow,
  type SourceSnippet,
  type ToWebviewMessage,
} from '../shared/webviewMessages';

/** Where the timeline's data comes from: a file (never changes) or a live capture. */
export interface ITimelineSource {
  current(): TimelineData;
  readonly onDidChange: Event<TimelineData>;
}

export interface TimelineServerOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  logger?: ILogger;
  /** Files served, by URL path: the bundle, the stylesheets and the codicon font. */
  assets: TimelineAssets;
}

/** Absolute paths of the files the page needs. */
export interface TimelineAssets {
  webviewJs: string;
  styles: string[];
  codiconCss?: string;
  codiconFont?: string;
  /** The page's icon, served as /favicon.ico (browsers ask for it; a 404 logs a page error). */
  icon?: string;
}

export interface RunningTimelineServer extends IDisposable {
  /** `http://127.0.0.1:PORT/`. */
  readonly url: string;
  readonly port: number;
  /** Closes every socket and the listener. */
  close(): Promise<void>;
}

/** Lines shown above and below a revealed line. */
const SNIPPET_CONTEXT = 4;

const CONTENT_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  ttf: 'font/ttf',
  map: 'application/json; charset=utf-8',
  png: 'image/png',
};

/** Starts the server; resolves once it listens. */
export async function startTimelineServer(
  source: ITimelineSource,
  options: TimelineServerOptions,
): Promise<RunningTimelineServer> {
  const logger = options.logger ?? nullLogger;
  const routes = assetRoutes(options.assets);
  let port = 0;
  const server = createServer((req, res) => {
    void handleHttp(req, res, routes, port, logger).catch(error => {
      logger.error('serve.http', 'request failed', { error: String(error) });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const clients = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    if (req.url !== '/ws' || !isOwnHost(req, port) || !isOwnOrigin(req, port)) {
      logger.warn('serve.ws', 'refused a WebSocket from another origin', {
        origin: req.headers.origin,
      });
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, ws => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('message', data => void onSocketMessage(ws, String(data), source, logger));
    });
  });

  const first = source.current().model();
  const sent: SentState = { sessionId: first.sessionId, rows: new Map() };
  for (const row of first.requests) sent.rows.set(row.id, JSON.stringify(row));
  const listener = source.onDidChange(data => broadcastUpdate(clients, data, sent));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  logger.info('serve', 'listening', { port });

  const close = async () => {
    listener.dispose();
    for (const ws of clients) ws.terminate();
    sockets.close();
    server.closeAllConnections();
    await new Promise<void>(resolve => server.close(() => resolve()));
  };
  return { url: `http://127.0.0.1:${port}/`, port, close, dispose: () => void close() };
}

function assetRoutes(assets: TimelineAssets): Map<string, string> {
  const routes = new Map<string, string>([['/webview.js', assets.webviewJs]]);
  routes.set('/webview.js.map', `${assets.webviewJs}.map`);
  assets.styles.forEach((path, i) => routes.set(`/media/${i}.css`, path));
  if (assets.codiconCss) routes.set('/codicons/codicon.css', assets.codiconCss);
  if (assets.codiconFont) routes.set('/codicons/codicon.ttf', assets.codiconFont);
  if (assets.icon) routes.set('/favicon.ico', assets.icon);
  return routes;
}

async function handleHttp(
  req: IncomingMessage,
  res: ServerResponse,
  routes: Map<string, string>,
  port: number,
  logger: ILogger,
): Promise<void> {
  if (!isOwnHost(req, port)) {
    res.writeHead(421, { 'content-type': 'text/plain' }).end('Misdirected request\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }

  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  const security = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
  if (path === '/') {
    res.writeHead(200, { ...security, 'content-type': 'text/html; charset=utf-8' });
    res.end(pageHtml(routes, port));
    return;
  }

  const file = routes.get(path);
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
    return;
  }
  try {
    const body = await readFile(file);
    // Typed by the file served, not the route: /favicon.ico is a PNG.
    const type = CONTENT_TYPES[file.slice(file.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
    res.writeHead(200, { ...security, 'content-type': type, 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (error) {
    logger.warn('serve.http', 'asset missing', { file, error: String(error) });
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
  }
}

function pageHtml(routes: Map<string, string>, port: number): string {
  const styles = [...routes.keys()].filter(r => r.startsWith('/media/'));
  const page = {
    nonce: randomBytes(16).toString('base64'),
    cspSource: `'self'`,
    scriptUri: '/webview.js',
    styleUris: styles,
    // The page may be opened as 127.0.0.1 or localhost (both accepted as Host): either socket.
    connectSources: [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`],
  };
  return timelinePageHtml(
    routes.has('/codicons/codicon.css') ? { ...page, codiconUri: '/codicons/codicon.css' } : page,
  );
}

/** True when the Host header names this server (127.0.0.1 or localhost at our port). */
function isOwnHost(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host ?? '';
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** WebSocket upgrades must come from our own page (browsers always send Origin). */
function isOwnOrigin(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin;
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}

async function onSocketMessage(
  ws: WebSocket,
  text: string,
  source: ITimelineSource,
  logger: ILogger,
): Promise<void> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    logger.warn('serve.ws', 'message is not JSON');
    return;
  }
  if (!isFromWebviewMessage(parsed)) {
    logger.warn('serve.ws', 'unknown webview message', {
      type: (parsed as { type?: unknown })?.type,
    });
    return;
  }

  const reply = await answer(parsed, source.current(), logger);
  if (reply && ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
}

/** The host's answer to one webview message, if it has one. */
export async function answer(
  message: FromWebviewMessage,
  data: TimelineData,
  logger: ILogger,
): Promise<ToWebviewMessage | undefined> {
  switch (message.type) {
    case 'ready':
      return { type: 'snapshot', model: data.model() };
    case 'getRequest':
      return {
        type: 'request',
        id: message.id,
        detail: data.requestDetail(Number(message.requestId)),
      };
    case 'getFlame':
      return { type: 'flame', id: message.id, flame: data.flame(message.scope) };
    case 'reveal': {
      const file = String(message.file);
      const line = Number(message.line);
      logger.info('serve.reveal', 'reveal', { file, line });
      return { type: 'snippet', file, line, snippet: await readSnippet(data, file, line) };
    }
    case 'log':
      logger.info('webview', String(message.message), { level: message.level });
      return undefined;
    default:
      logger.warn('serve.ws', 'unhandled webview message', { message });
      return undefined;
  }
}

/** Reads the lines around `line`, only from a file the session names. */
export async function readSnippet(
  data: TimelineData,
  file: string,
  line: number,
): Promise<SourceSnippet | undefined> {
  if (!Number.isInteger(line) || line < 1 || !data.knownFiles().has(file)) return undefined;

  const script = data.session.scripts.find(s => urlToPath(s.url) === file && s.source);
  let text = script?.source;
  if (text === undefined) {
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return undefined;
    }
  }
  const all = text.split(/\r?\n/);
  const firstLine = Math.max(1, line - SNIPPET_CONTEXT);
  const lines = all.slice(firstLine - 1, Math.min(all.length, line + SNIPPET_CONTEXT));
  return { file, line, firstLine, lines };
}

/** What the clients were last sent: the session, and each request row as JSON by id. */
interface SentState {
  sessionId: string | undefined;
  rows: Map<number, string>;
}

/**
 * Sends the new endpoints and the requests that are new or changed to every client; a snapshot
 * instead when the data is another session (its request ids would collide with the shown ones).
 */
function broadcastUpdate(clients: Set<WebSocket>, data: TimelineData, sent: SentState) {
  const model = data.model();
  if (model.sessionId !== sent.sessionId) {
    sent.sessionId = model.sessionId;
    sent.rows = new Map(model.requests.map(row => [row.id, JSON.stringify(row)]));
    const text = JSON.stringify({ type: 'snapshot', model } satisfies ToWebviewMessage);
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
    return;
  }

  const changed: RequestRow[] = [];
  for (const row of model.requests) {
    const text = JSON.stringify(row);
    if (sent.rows.get(row.id) === text) continue;

    sent.rows.set(row.id, text);
    changed.push(row);
  }
  const message: ToWebviewMessage = {
    type: 'update',
    sessionId: model.sessionId,
    endpoints: model.endpoints,
    requests: changed,
    totals: model.totals,
    hotLines: model.hotLines,
    live: model.live,
  };
  const text = JSON.stringify(message);
  for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
}

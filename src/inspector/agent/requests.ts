/**
 * Request lifecycles from diagnostics_channel: incoming HTTP requests (start, finish, or close
 * when the client went away) and outbound HTTP and fetch calls, recorded as synthetic spans.
 * Every subscriber catches everything: a throw here would reach the service.
 */
import type * as DiagnosticsChannel from 'node:diagnostics_channel';
import type { RecordedSpan } from '../../core/session';
import type { Recorder } from './recorder';
import type { WindowTracker } from './windows';

type Listener = (message: unknown, name: string | symbol) => void;

interface ServerMessage {
  request: { method?: string; url?: string; route?: { path?: unknown }; baseUrl?: unknown };
  response: {
    statusCode?: number;
    headersSent?: boolean;
    writableFinished?: boolean;
    once(event: 'close', listener: () => void): void;
  };
  socket?: object;
}

interface OpenRequest {
  id: number;
  ended: boolean;
}

interface OpenCall {
  span: RecordedSpan;
}

export class RequestTracker {
  private nextId = 1;
  private nextSpanId = 1;
  private readonly open = new WeakMap<object, OpenRequest>();
  private readonly calls = new WeakMap<object, OpenCall>();
  private readonly subscriptions: [string, Listener][] = [];
  private active = true;

  constructor(
    private readonly channels: typeof DiagnosticsChannel,
    private readonly recorder: Recorder,
    private readonly windows: WindowTracker,
  ) {}

  /** Subscribes to the server and client channels. */
  install(): void {
    this.subscribe('http.server.request.start', message => this.onServerStart(message));
    this.subscribe('http.server.response.finish', message => this.onServerFinish(message));
    this.subscribe('http.client.request.start', message => this.onCallStart(message, 'http'));
    this.subscribe('http.client.response.finish', message => this.onCallEnd(message));
    this.subscribe('http.client.request.error', message => this.onCallEnd(message, true));
    this.subscribe('undici:request:create', message => this.onCallStart(message, 'fetch'));
    this.subscribe('undici:request:trailers', message => this.onCallEnd(message));
    this.subscribe('undici:request:error', message => this.onCallEnd(message, true));
  }

  /** Unsubscribes everything; listeners left on in-flight responses turn into no-ops. */
  uninstall(): void {
    this.active = false;
    for (const [name, listener] of this.subscriptions.splice(0)) {
      this.channels.unsubscribe(name, listener);
    }
  }

  private subscribe(name: string, handle: (message: unknown) => void) {
    const listener: Listener = message => {
      try {
        if (this.active) handle(message);
      } catch {
        // Recording must never break the service.
      }
    };
    this.channels.subscribe(name, listener);
    this.subscriptions.push([name, listener]);
  }

  private onServerStart(message: unknown) {
    const { request, response, socket } = message as ServerMessage;
    const startUs = this.recorder.nowUs();
    const open: OpenRequest = { id: this.nextId++, ended: false };
    this.open.set(request, open);
    this.recorder.recordStart({
      id: open.id,
      method: String(request.method ?? ''),
      url: String(request.url ?? ''),
      startUs,
    });
    this.windows.tagSocket(socket, open.id);
    this.windows.switchTo(open.id);
    response.once('close', () => {
      try {
        if (this.active && !open.ended) this.end(message as ServerMessage, open, true);
      } catch {
        // As above.
      }
    });
  }

  private onServerFinish(message: unknown) {
    const open = this.open.get((message as ServerMessage).request);
    if (open && !open.ended) this.end(message as ServerMessage, open, false);
  }

  private end(message: ServerMessage, open: OpenRequest, closed: boolean) {
    open.ended = true;
    const { request, response, socket } = message;
    const aborted = closed && !response.writableFinished;
    const route = routeOf(request);
    this.recorder.recordEnd({
      id: open.id,
      endUs: this.recorder.nowUs(),
      // An abandoned request sent no status: the object's default 200 would be a lie.
      ...(response.headersSent ? { statusCode: response.statusCode } : {}),
      ...(aborted ? { aborted } : {}),
      ...(route !== undefined ? { route } : {}),
    });
    this.windows.untagSocket(socket, open.id);
    this.windows.markEnded(open.id, aborted);
    // What runs after the end in this same callback (socket shutdown, 'finish' listeners) is
    // no longer the request's.
    if (this.windows.current === open.id) this.windows.switchTo(0);
  }

  private onCallStart(message: unknown, kind: 'http' | 'fetch') {
    const request = (message as { request?: CallRequest }).request;
    if (!request) return;

    const span: RecordedSpan = {
      spanId: (this.nextSpanId++).toString(16).padStart(16, '0'),
      traceId: '',
      name: `${kind === 'fetch' ? 'fetch' : 'http'} ${callName(request)}`,
      kind: 2,
      startUs: this.recorder.nowUs(),
      endUs: 0,
      requestId: this.windows.current,
      source: 'gapscope',
    };
    this.calls.set(request, { span });
  }

  private onCallEnd(message: unknown, failed = false) {
    const request = (message as { request?: object }).request;
    const call = request && this.calls.get(request);
    if (!call) return;

    this.calls.delete(request);
    call.span.endUs = this.recorder.nowUs();
    if (failed) call.span.attributes = { error: true };
    this.recorder.recordSpan(call.span);
  }
}

interface CallRequest {
  method?: string;
  host?: string;
  origin?: string;
  path?: string;
}

/** `GET 127.0.0.1:6379/path` for node:http, `GET http://host/path` for undici. */
function callName(request: CallRequest): string {
  const where = request.origin ?? request.host ?? '';
  return `${request.method ?? 'GET'} ${where}${request.path ?? ''}`;
}

/** Express's route template (`/users/:id`, mounted routers included) when it named one. */
function routeOf(request: ServerMessage['request']): string | undefined {
  const path = request.route?.path;
  if (typeof path !== 'string') return undefined;

  const base = typeof request.baseUrl === 'string' ? request.baseUrl : '';
  return base + path;
}

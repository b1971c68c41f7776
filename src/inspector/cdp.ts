/**
 * A thin layer over chrome-remote-interface: every request carries a timeout and a cancellation
 * token, fails with an error that names the CDP method and code and whose stack shows the
 * caller, and is logged at trace (large payloads by size only). A closed connection is not an
 * error: pending requests fail, `onDidClose` fires once, and the owner ends its session.
 */
import CDP from 'chrome-remote-interface';
import type ProtocolMapping from 'devtools-protocol/types/protocol-mapping';
import {
  CancellationError,
  EventEmitter,
  TimeoutError,
  neverCancelled,
  toDisposable,
  type CancellationToken,
  type Event,
  type IDisposable,
} from '../core/lifecycle';
import { nullLogger, type ILogger } from '../core/logger';

type Commands = ProtocolMapping.Commands;
type Events = ProtocolMapping.Events;

/** Default bound on one CDP request, ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** Payloads longer than this (characters of JSON) are logged by size only. */
const MAX_LOGGED_PAYLOAD = 600;

/** A CDP request that failed: protocol error, timeout, or closed connection. */
export class CdpError extends Error {
  /** CDP error code (e.g. -32000), absent when the failure was not a protocol error. */
  code?: number;

  constructor(readonly method: string) {
    super(`CDP ${method} failed`);
    this.name = 'CdpError';
  }
}

/** Options of one request. */
export interface SendOptions {
  /** Bound on the request, ms (default 10 000). */
  timeoutMs?: number;
  token?: CancellationToken;
}

/** The loopback WebSocket connection to one inspector target. */
export class CdpConnection implements IDisposable {
  private readonly didClose = new EventEmitter<void>();
  private readonly listeners = new Map<string, Set<(params: unknown) => void>>();
  private closed = false;
  /**
   * The close in progress: the client's own close, called twice, drops the first caller's wait
   * (it replaces the socket's close listeners), so every caller shares one.
   */
  private closing: Promise<void> | undefined;

  /** Fires once when the socket closes, whoever closed it. */
  readonly onDidClose: Event<void> = this.didClose.event;

  private constructor(
    private readonly client: CDP.Client,
    readonly url: string,
    private readonly logger: ILogger,
  ) {
    client.on('event', message => this.dispatch(message.method, message.params));
    client.on('disconnect', () => this.markClosed());
  }

  /** Opens a WebSocket to an inspector target URL (`ws://127.0.0.1:PORT/UUID`). */
  static async connect(
    url: string,
    options: SendOptions & { logger?: ILogger } = {},
  ): Promise<CdpConnection> {
    const logger = options.logger ?? nullLogger;
    const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const error = new CdpError('connect');
    error.message = `Could not open the inspector WebSocket ${url}`;
    const opening = CDP({ target: url, local: true });
    const client = await raceWithLimits(opening, error, timeoutMs, options.token).catch(
      (thrown: unknown) => {
        // A late success must not leak an open socket.
        opening.then(
          late => void late.close(),
          () => undefined,
        );
        throw thrown;
      },
    );
    logger.debug('cdp', 'connected', { url });
    return new CdpConnection(client, url, logger);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends one request and returns its result; see `SendOptions` for the limits. */
  async send<M extends keyof Commands>(
    method: M,
    params?: Commands[M]['paramsType'][0],
    options: SendOptions = {},
  ): Promise<Commands[M]['returnType']> {
    // Built before sending so that its stack shows who asked.
    const error = new CdpError(method);
    if (this.closed) throw withMessage(error, `CDP ${method}: the connection is closed`);

    this.logger.trace('cdp.send', method, { params: summarize(params) });
    const send = this.client.send as unknown as (m: string, p?: unknown) => Promise<unknown>;
    const sent = send.call(this.client, method, params);
    const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    try {
      const result = await raceWithLimits(sent, error, timeoutMs, options.token);
      this.logger.trace('cdp.receive', method, { result: summarize(result) });
      return result as Commands[M]['returnType'];
    } catch (thrown) {
      throw this.describeFailure(error, thrown);
    }
  }

  /**
   * Sends a request of a domain `devtools-protocol` does not describe (Node's own `NodeRuntime`,
   * `NodeWorker`…), with the same limits and errors as `send`.
   */
  sendUntyped(method: string, params?: object, options?: SendOptions): Promise<unknown> {
    return (this.send as (m: string, p?: object, o?: SendOptions) => Promise<unknown>)(
      method,
      params,
      options,
    );
  }

  /** Listens to an event of a domain `devtools-protocol` does not describe. */
  onUntyped(event: string, listener: (params: unknown) => void): IDisposable {
    return this.on(event as keyof Events, listener as never);
  }

  /** Listens to one CDP event; returns a disposable that stops listening. */
  on<E extends keyof Events>(event: E, listener: (params: Events[E][0]) => void): IDisposable {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const untyped = listener as (params: unknown) => void;
    set.add(untyped);
    return toDisposable(() => set.delete(untyped));
  }

  /** Closes the socket; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;

    this.closing ??= this.client
      .close()
      .catch(() => undefined)
      .then(() => this.markClosed());
    await this.closing;
  }

  dispose(): void {
    void this.close();
  }

  private dispatch(method: string, params: unknown) {
    this.logger.trace('cdp.receive', method, { params: summarize(params) });
    for (const listener of [...(this.listeners.get(method) ?? [])]) {
      try {
        listener(params);
      } catch (error) {
        this.logger.error('cdp.receive', `listener of ${method} threw`, { error: String(error) });
      }
    }
  }

  private markClosed() {
    if (this.closed) return;

    this.closed = true;
    this.logger.debug('cdp', 'connection closed', { url: this.url });
    this.didClose.fire();
    this.didClose.dispose();
    this.listeners.clear();
  }

  private describeFailure(error: CdpError, thrown: unknown): Error {
    if (thrown instanceof CancellationError || thrown instanceof TimeoutError) return thrown;
    if (thrown === error) return error;

    const response = (thrown as { response?: { code?: number; message?: string } }).response;
    if (response?.code !== undefined) {
      error.code = response.code;
      return withMessage(
        error,
        `CDP ${error.method} failed (${response.code}): ${response.message}`,
      );
    }
    const reason = this.closed ? 'the connection closed' : String(thrown);
    return withMessage(error, `CDP ${error.method} failed: ${reason}`);
  }
}

/** Rejects with TimeoutError / CancellationError when a limit is hit first. */
function raceWithLimits<T>(
  promise: Promise<T>,
  error: CdpError,
  timeoutMs: number,
  token: CancellationToken = neverCancelled,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (token.isCancellationRequested) return reject(new CancellationError());

    const timer = setTimeout(
      () => reject(new TimeoutError(`CDP ${error.method}`, timeoutMs)),
      timeoutMs,
    );
    const cancel = token.onCancellationRequested(() => reject(new CancellationError()));
    const settle = () => {
      clearTimeout(timer);
      cancel.dispose();
    };
    promise.then(
      value => {
        settle();
        resolve(value);
      },
      (thrown: unknown) => {
        settle();
        reject(thrown);
      },
    );
  });
}

function withMessage(error: CdpError, message: string): CdpError {
  error.message = message;
  return error;
}

/** A payload for the trace log: itself when small, else its size. */
export function summarize(value: unknown): unknown {
  if (value === undefined) return undefined;

  const text = JSON.stringify(value) ?? '';
  return text.length <= MAX_LOGGED_PAYLOAD ? value : `<${text.length} chars>`;
}

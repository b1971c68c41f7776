/**
 * A small lifecycle kit shaped like the VS Code API (Disposable, Event, CancellationToken), so
 * the core and the inspector layer need no `vscode` import and extension code can pass VS Code's
 * own tokens in unchanged.
 */

export interface IDisposable {
  dispose(): void;
}

export function toDisposable(dispose: () => void): IDisposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      dispose();
    },
  };
}

/** Holds disposables and disposes them together, last added first. */
export class DisposableStore implements IDisposable {
  private readonly items: IDisposable[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Adds an item; adding to a store that is already disposed disposes the item at once. */
  add<T extends IDisposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  dispose(): void {
    if (this.disposed) return;

    this.disposed = true;
    const errors: unknown[] = [];
    for (const item of this.items.splice(0).reverse()) {
      try {
        item.dispose();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length) throw new AggregateError(errors, 'Some disposables failed');
  }
}

export type Event<T> = (listener: (value: T) => void) => IDisposable;

/** Fires events to listeners; expose only `event`, keep the emitter private. */
export class EventEmitter<T> implements IDisposable {
  private listeners = new Set<(value: T) => void>();

  readonly event: Event<T> = listener => {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }

  dispose(): void {
    this.listeners.clear();
  }
}

export interface CancellationToken {
  readonly isCancellationRequested: boolean;
  readonly onCancellationRequested: Event<unknown>;
}

/** Cancellation is not a failure: callers catch it apart and never report it as an error. */
export class CancellationError extends Error {
  constructor(message = 'Cancelled') {
    super(message);
    this.name = 'CancellationError';
  }
}

/** A wait on the target that ran out of time. */
export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

export const neverCancelled: CancellationToken = {
  isCancellationRequested: false,
  onCancellationRequested: () => toDisposable(() => undefined),
};

export class CancellationTokenSource implements IDisposable {
  private readonly emitter = new EventEmitter<unknown>();
  private cancelled = false;
  private timer: NodeJS.Timeout | undefined;

  readonly token: CancellationToken;

  constructor(parent?: CancellationToken) {
    const isCancelled = () => this.cancelled;
    this.token = {
      get isCancellationRequested() {
        return isCancelled();
      },
      onCancellationRequested: listener => {
        if (this.cancelled) {
          listener(undefined);
          return toDisposable(() => undefined);
        }
        return this.emitter.event(listener);
      },
    };
    if (parent) parent.onCancellationRequested(() => this.cancel());
  }

  /** A source that cancels itself after `ms`. */
  static withTimeout(ms: number, parent?: CancellationToken): CancellationTokenSource {
    const source = new CancellationTokenSource(parent);
    source.timer = setTimeout(() => source.cancel(), ms);
    source.timer.unref?.();
    return source;
  }

  cancel(): void {
    if (this.cancelled) return;

    this.cancelled = true;
    this.emitter.fire(undefined);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.emitter.dispose();
  }
}

/**
 * Races `promise` against the token and a timeout. Rejects with CancellationError or
 * TimeoutError; the underlying work is not stopped (callers that can stop it should).
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  token: CancellationToken = neverCancelled,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
    const listener = token.onCancellationRequested(() => reject(new CancellationError()));
    const settle = () => {
      clearTimeout(timer);
      listener.dispose();
    };
    promise.then(
      value => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}

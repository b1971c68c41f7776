/**
 * The one wrapper around the webview host. In VS Code it wraps `acquireVsCodeApi()` (messages and
 * persisted state); in the plain page served by `gapscope serve` it talks to the server over a
 * WebSocket and keeps state in sessionStorage, so the rest of the UI never knows which it runs in.
 */
import type { FromWebviewMessage, ToWebviewMessage } from '../src/shared/webviewMessages';

/** What the UI needs from its host. */
export interface IHostBridge {
  /** True in the plain web page (no editor to reveal in: show a snippet instead). */
  readonly isWebPage: boolean;
  post(message: FromWebviewMessage): void;
  onMessage(listener: (message: ToWebviewMessage) => void): void;
  getState<T>(): T | undefined;
  setState<T>(state: T): void;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare const acquireVsCodeApi: (() => VsCodeApi) | undefined;

const STATE_KEY = 'gapscope.timeline.state';

/** Picks the VS Code API when present, else a WebSocket to the page's own server. */
export function createHostBridge(): IHostBridge {
  if (typeof acquireVsCodeApi === 'function') return vscodeBridge(acquireVsCodeApi());
  return webSocketBridge(new URL('/ws', location.href.replace(/^http/, 'ws')).toString());
}

function vscodeBridge(api: VsCodeApi): IHostBridge {
  return {
    isWebPage: false,
    post: message => api.postMessage(message),
    onMessage: listener => {
      window.addEventListener('message', event => listener(event.data as ToWebviewMessage));
    },
    getState: <T>() => api.getState() as T | undefined,
    setState: state => api.setState(state),
  };
}

function webSocketBridge(url: string): IHostBridge {
  const socket = new WebSocket(url);
  const queue: string[] = [];
  const listeners: ((message: ToWebviewMessage) => void)[] = [];

  socket.addEventListener('open', () => {
    for (const text of queue.splice(0)) socket.send(text);
  });
  socket.addEventListener('message', event => {
    const message = parseMessage(event.data);
    if (message) for (const listener of listeners) listener(message);
  });
  socket.addEventListener('close', () => {
    for (const listener of listeners) {
      listener({ type: 'status', live: false, message: 'Disconnected from gapscope serve.' });
    }
  });

  return {
    isWebPage: true,
    post: message => {
      const text = JSON.stringify(message);
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
      else queue.push(text);
    },
    onMessage: listener => void listeners.push(listener),
    getState: <T>() => readStoredState<T>(),
    setState: state => sessionStorage.setItem(STATE_KEY, JSON.stringify(state)),
  };
}

function parseMessage(data: unknown): ToWebviewMessage | undefined {
  if (typeof data !== 'string') return undefined;

  try {
    const value = JSON.parse(data) as unknown;
    return typeof value === 'object' && value !== null ? (value as ToWebviewMessage) : undefined;
  } catch {
    return undefined;
  }
}

function readStoredState<T>(): T | undefined {
  const text = sessionStorage.getItem(STATE_KEY);
  if (!text) return undefined;

  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

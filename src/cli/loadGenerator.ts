/**
 * Real HTTP load for the demo, driven with autocannon on 127.0.0.1: several endpoints at once,
 * each its own autocannon run, so each endpoint gets the load generator's own latency figures
 * to set beside Gapscope's.
 */
import autocannon from 'autocannon';
import type { EndpointKey } from '../core/model';

/** One stream of requests at one endpoint. */
export interface LoadStream {
  /** The endpoint key Gapscope will report it under (`POST /login`). */
  endpoint: EndpointKey;
  method: 'GET' | 'POST';
  /** Paths to cycle through (several for `/users/:id` to show id collapsing). */
  paths: string[];
  body?: string;
  connections: number;
  /** Requests per second over all connections; unlimited when absent. */
  overallRate?: number;
}

/** What the load generator measured for one stream. */
export interface LoadResult {
  endpoint: EndpointKey;
  requests: number;
  /** Client-side latency percentiles (ms). */
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

/** The demo's mix: login at low concurrency so its server-side latency matches the client's. */
export const DEMO_LOAD: LoadStream[] = [
  {
    endpoint: 'POST /login',
    method: 'POST',
    paths: ['/login'],
    body: JSON.stringify({ user: 'ada', password: 'correct horse battery staple' }),
    connections: 1,
  },
  {
    // The same check with the async hash: it waits on the thread pool, and behind the sync one.
    endpoint: 'POST /login-async',
    method: 'POST',
    paths: ['/login-async'],
    body: JSON.stringify({ user: 'ada', password: 'correct horse battery staple' }),
    connections: 1,
    overallRate: 2,
  },
  {
    endpoint: 'GET /profile',
    method: 'GET',
    paths: ['/profile'],
    connections: 2,
    overallRate: 60,
  },
  { endpoint: 'GET /report', method: 'GET', paths: ['/report'], connections: 1, overallRate: 5 },
  {
    endpoint: 'GET /users/:id',
    method: 'GET',
    paths: ['/users/1', '/users/2', '/users/17', '/users/42'],
    connections: 1,
    overallRate: 30,
  },
];

/** Load in progress: its results once every stream has finished. */
export interface RunningLoad {
  done: Promise<LoadResult[]>;
  /** Ends every stream early (Ctrl-C); `done` then resolves with what was measured. */
  stop(): void;
}

/** Runs every stream against `port` for `durationS` seconds, all at once. */
export function runLoad(
  port: number,
  streams: readonly LoadStream[],
  durationS: number,
): RunningLoad {
  const running = streams.map(stream => runStream(port, stream, durationS));
  return {
    done: Promise.all(running.map(stream => stream.done)),
    stop: () => running.forEach(stream => stream.instance.stop()),
  };
}

function runStream(port: number, stream: LoadStream, durationS: number) {
  const requests = stream.paths.map(path => {
    const request: autocannon.Request = { method: stream.method, path };
    if (stream.body !== undefined) {
      request.body = stream.body;
      request.headers = { 'content-type': 'application/json' };
    }
    return request;
  });
  const options: autocannon.Options = {
    url: `http://127.0.0.1:${port}`,
    connections: stream.connections,
    duration: durationS,
    requests,
  };
  if (stream.overallRate !== undefined) options.overallRate = stream.overallRate;

  let instance!: autocannon.Instance;
  const done = new Promise<LoadResult>((resolve, reject) => {
    instance = autocannon(options, (error: unknown, result: autocannon.Result) => {
      if (error) return reject(error instanceof Error ? error : new Error(String(error)));

      resolve({
        endpoint: stream.endpoint,
        requests: result.requests.total,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        errors: result.errors,
        non2xx: result.non2xx,
      });
    });
  });
  return { instance, done };
}

/**
 * Fixed-rate HTTP load on 127.0.0.1 (autocannon in a worker thread, see loadWorker.mjs), with
 * latency percentiles computed from every response's own time.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** One stream of requests at a fixed rate. */
export interface LoadStream {
  name: string;
  method: 'GET' | 'POST';
  /** Paths cycled through, one per request. */
  paths: string[];
  body?: string;
  connections: number;
  /** Requests per second over all connections of the stream. */
  rate: number;
}

/** What one stream measured in one window. */
export interface StreamResult {
  name: string;
  /** Responses with a 2xx status. */
  ok: number;
  errors: number;
  non2xx: number;
  p50Ms: number;
  p99Ms: number;
}

/** What a load window measured: every stream, and all 2xx responses together. */
export interface LoadResult {
  streams: StreamResult[];
  ok: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
}

interface RawStream {
  name: string;
  latencies: number[];
  errors: number;
  non2xx: number;
}

const WORKER = join(__dirname, 'loadWorker.mjs');

/** Runs `streams` against `port` for `durationS` seconds, all at once. */
export function runLoad(
  port: number,
  streams: LoadStream[],
  durationS: number,
): Promise<LoadResult> {
  const worker = new Worker(WORKER, { workerData: { port, streams, durationS } });
  return new Promise<LoadResult>((resolve, reject) => {
    worker.once('message', (raw: RawStream[]) => resolve(summarize(raw)));
    worker.once('error', reject);
    worker.once('exit', code => reject(new Error(`load worker exited (code ${code})`)));
  }).finally(() => void worker.terminate());
}

function summarize(raw: RawStream[]): LoadResult {
  const all: number[] = [];
  const streams = raw.map(stream => {
    for (const latency of stream.latencies) all.push(latency);
    const sorted = [...stream.latencies].sort((a, b) => a - b);
    return {
      name: stream.name,
      ok: sorted.length,
      errors: stream.errors,
      non2xx: stream.non2xx,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
    };
  });
  all.sort((a, b) => a - b);
  return {
    streams,
    ok: all.length,
    failed: streams.reduce((sum, s) => sum + s.errors + s.non2xx, 0),
    p50Ms: percentile(all, 0.5),
    p99Ms: percentile(all, 0.99),
  };
}

/** The `q` quantile of ascending `sorted` (nearest rank); NaN when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** The median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  const sorted = values.filter(v => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// Runs fixed-rate load with autocannon on 127.0.0.1 in a worker thread, so that the capture
// client in the main thread does not delay the load generator's clock. Latencies are taken
// from autocannon's per-response event in float ms (its histograms keep whole ms only).
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

/** @param {{ name: string, method: string, paths: string[], body?: string, connections: number, rate: number }} stream */
function runStream(port, stream, durationS) {
  const latencies = [];
  let errors = 0;
  let non2xx = 0;
  const instance = autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: stream.connections,
    overallRate: stream.rate,
    duration: durationS,
    requests: stream.paths.map(path => ({
      method: stream.method,
      path,
      ...(stream.body
        ? { body: stream.body, headers: { 'content-type': 'application/json' } }
        : {}),
    })),
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    else non2xx++;
  });
  instance.on('reqError', () => errors++);
  return new Promise(resolve => {
    instance.on('done', () => resolve({ name: stream.name, latencies, errors, non2xx }));
  });
}

const { port, streams, durationS } = workerData;
const results = await Promise.all(streams.map(stream => runStream(port, stream, durationS)));
parentPort.postMessage(results);

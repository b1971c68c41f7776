/**
 * The login service: a small traced HTTP API used by `npm start` to show what Gapscope finds.
 *
 *   node examples/login-service/dist/server.js          # port 0: picks a free port
 *   PORT=8080 node examples/login-service/dist/server.js
 *
 * It starts its session store as a child process (or uses SESSION_STORE=host:port, e.g. a
 * local Redis), registers OpenTelemetry, listens on 127.0.0.1 and prints one readiness line:
 * `login-service listening on http://127.0.0.1:PORT (pid N, store pid M)`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SpanKind, type Tracer } from '@opentelemetry/api';
import { Routes } from './routes';
import { StoreClient } from './storeClient';
import { startTracing, stopTracing } from './tracing';

/** Request bodies above this size are refused (the demo only posts small JSON). */
const MAX_BODY_BYTES = 64 * 1024;

interface StoreAddress {
  host: string;
  port: number;
  child?: ChildProcess;
}

async function main(): Promise<void> {
  const tracer = startTracing('login-service');
  const storeAddress = await startStore();
  const store = await StoreClient.connect(storeAddress.host, storeAddress.port);
  const routes = new Routes(tracer, store);

  const server = http.createServer((req, res) => handle(tracer, routes, req, res));
  server.keepAliveTimeout = 10_000;
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    const store = storeAddress.child ? `, store pid ${storeAddress.child.pid}` : '';
    process.stdout.write(
      `login-service listening on http://127.0.0.1:${port} (pid ${process.pid}${store})\n`,
    );
  });

  const shutdown = () => {
    server.close();
    server.closeAllConnections();
    store.close();
    storeAddress.child?.kill();
    void stopTracing().finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

/** Uses SESSION_STORE when set, else forks the bundled store and waits for its port. */
function startStore(): Promise<StoreAddress> {
  const configured = process.env.SESSION_STORE;
  if (configured) {
    const [host = '127.0.0.1', port = '6379'] = configured.split(':');
    return Promise.resolve({ host, port: Number(port) });
  }

  const child = fork(path.join(__dirname, 'kvStore.js'), [], {
    env: { ...process.env, KV_STORE_PORT: '0' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    // The store is not the process under study: keep the parent's inspector flags off it.
    execArgv: [],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', code => reject(new Error(`session store exited early (code ${code})`)));
    child.once('message', message => {
      const { port } = message as { port: number };
      resolve({ host: '127.0.0.1', port, child });
    });
  });
}

function handle(
  tracer: Tracer,
  routes: Routes,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): void {
  const method = req.method ?? 'GET';
  const pathname = (req.url ?? '/').split('?')[0] ?? '/';
  const { route, handle: run } = routes.match(method, pathname);
  const attributes = { 'http.request.method': method, 'http.route': route, 'url.path': pathname };
  tracer.startActiveSpan(`${method} ${route}`, { kind: SpanKind.SERVER, attributes }, span => {
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      span.end();
    });

    readBody(req)
      .then(run)
      .then(reply => {
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(reply.json);
      })
      .catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(error) }));
      });
  });
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`login-service failed to start: ${String(error)}\n`);
  process.exit(1);
});

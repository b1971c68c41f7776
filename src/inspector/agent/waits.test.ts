import assert from 'node:assert/strict';
import * as asyncHooks from 'node:async_hooks';
import * as crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as tls from 'node:tls';
import { test } from 'node:test';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type { RecordedWait } from '../../core/session';
import { usesThreadpool } from '../../core/waitKinds';
import type { AgentBatch } from './protocol';
import { Recorder } from './recorder';
import { WaitTracker } from './waits';
import type { WindowTracker } from './windows';

/** Plain CommonJS user code with marked lines (tsx would move this file's own positions). */
const USER_FILE = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'waits', 'unitCalls.js');
const USER_URL = pathToFileURL(USER_FILE).href;
// A runtime path, so a plain require: an import would need a static specifier.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const user = require(USER_FILE) as {
  waitOnTimer(ms: number): Promise<void>;
  readThisFile(): Promise<Buffer>;
  sendPing(socket: net.Socket): void;
};

/** The 1-based line of `// @wait:NAME` in the user file. */
function markedLine(name: string): number {
  const lines = readFileSync(USER_FILE, 'utf8').split('\n');
  return lines.findIndex(line => line.includes(`// @wait:${name}`)) + 1;
}

/** A tracker whose "current request" is whatever the test sets, and the waits it recorded. */
function makeTracker() {
  const batches: AgentBatch[] = [];
  const now = () => performance.now();
  const recorder = new Recorder(text => batches.push(JSON.parse(text)), now, 0, 64);
  const windows = {
    current: 0,
    inFlightOrAborted: (requestId: number) => requestId !== 0,
  } as WindowTracker;
  const prototype = net.Socket.prototype as unknown as { write(...args: unknown[]): unknown };
  const toUrl = (file: string) => (file.startsWith('file:') ? file : pathToFileURL(file).href);
  const tracker = new WaitTracker(asyncHooks, recorder, windows, now, toUrl, prototype);
  const waits = (): RecordedWait[] => {
    recorder.flush();
    return batches.flatMap(batch => batch.waits ?? []);
  };
  return { tracker, windows, waits };
}

test('a timer and a file read of a request are recorded on their lines', async () => {
  const { tracker, windows, waits } = makeTracker();
  tracker.enable();
  try {
    windows.current = 7;
    await user.waitOnTimer(30);
    await user.readThisFile();
    windows.current = 0;
    await sleep(1);
  } finally {
    tracker.disable();
  }

  const recorded = waits();
  // The test runner may start timers of its own meanwhile: take the one of the user file.
  const timer = recorded.find(wait => wait.type === 'Timeout' && wait.callSite?.url === USER_URL);
  assert.ok(timer, JSON.stringify(recorded));
  assert.equal(timer.requestId, 7);
  assert.equal(timer.kind, 'timer');
  assert.ok(timer.endUs - timer.startUs >= 25_000, `${timer.endUs - timer.startUs} µs`);
  assert.equal(timer.callSite?.url, USER_URL);
  assert.equal(timer.callSite?.line, markedLine('unit-timer'));

  // fs.promises ops only: the test runner may do its own callback-style fs work meanwhile.
  // Every op of the read is this request's. Most carry the user's line; in full-suite runs one
  // op now and then was created with no user frame on its (async) stack and carries none
  // (a known limit, README), but none may carry a wrong line.
  const reads = recorded.filter(wait => wait.type === 'FSREQPROMISE');
  assert.ok(reads.length >= 2, JSON.stringify(recorded));
  const placed = reads.filter(read => read.callSite);
  assert.ok(placed.length >= reads.length / 2, JSON.stringify(reads));
  for (const read of placed) {
    assert.equal(read.callSite?.line, markedLine('unit-fs'), JSON.stringify(read));
  }
  // Of no request, only jobs of the thread pool are kept (a request's job queues behind them).
  const others = recorded.filter(wait => wait.requestId !== 7);
  assert.ok(
    others.every(wait => wait.requestId === 0 && usesThreadpool(wait) && !wait.callSite),
    JSON.stringify(others),
  );
});

test('a socket write waits for the next read, with the peer; disable restores write', async () => {
  const original = net.Socket.prototype.write;
  const server = net.createServer(socket => {
    socket.on('data', () => setTimeout(() => socket.write('pong'), 40));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect(port, '127.0.0.1');
  await new Promise(resolve => client.once('connect', resolve));

  let recorded: RecordedWait[];
  try {
    recorded = await pingAs(client, 3, () => {
      assert.notEqual(net.Socket.prototype.write, original);
    });
  } finally {
    client.destroy();
    await new Promise(resolve => server.close(resolve));
  }
  assert.equal(net.Socket.prototype.write, original);

  assertPingWait(recorded, 3, 'TCPWRAP', port);
});

/** Sends the user file's ping as request `requestId` while tracking; the waits recorded. */
async function pingAs(
  client: net.Socket,
  requestId: number,
  whileTracking: () => void = () => undefined,
): Promise<RecordedWait[]> {
  const { tracker, windows, waits } = makeTracker();
  tracker.enable();
  try {
    whileTracking();
    windows.current = requestId;
    const reply = new Promise(resolve => client.once('data', resolve));
    user.sendPing(client);
    await reply;
  } finally {
    windows.current = 0;
    tracker.disable();
  }
  return waits();
}

/** The ping of request `requestId` waited once, on its line, for the 40 ms late pong. */
function assertPingWait(recorded: RecordedWait[], requestId: number, type: string, port: number) {
  const sockets = recorded.filter(wait => wait.requestId === requestId && wait.kind === 'socket');
  assert.equal(sockets.length, 1, JSON.stringify(sockets));
  assert.equal(sockets[0]!.type, type);
  assert.equal(sockets[0]!.peer, `127.0.0.1:${port}`);
  assert.equal(sockets[0]!.callSite?.line, markedLine('unit-write'));
  assert.ok(sockets[0]!.endUs - sockets[0]!.startUs >= 35_000);
}

test('a wait still pending when tracking stops is recorded as ending there', async () => {
  const { tracker, windows, waits } = makeTracker();
  tracker.enable();
  let timer: Promise<void> | undefined;
  try {
    windows.current = 9;
    timer = user.waitOnTimer(200);
    windows.current = 0;
    await sleep(30);
  } finally {
    tracker.disable();
  }
  const stoppedUs = performance.now() * 1000;
  await timer;

  const cut = waits().find(wait => wait.type === 'Timeout' && wait.callSite?.url === USER_URL);
  assert.ok(cut, 'the pending timer was recorded');
  assert.equal(cut.requestId, 9);
  const lengthUs = cut.endUs - cut.startUs;
  assert.ok(lengthUs >= 25_000 && lengthUs < 200_000, `${lengthUs} µs`);
  assert.ok(cut.endUs <= stoppedUs, 'it ends when tracking stopped, not when the timer fired');
});

test('a sync hash is no wait, even when tracking stops after it', () => {
  const { tracker, windows, waits } = makeTracker();
  tracker.enable();
  try {
    windows.current = 4;
    // Sync jobs fire `init` with the async type but never complete as a callback.
    crypto.pbkdf2Sync('secret', 'salt', 1000, 32, 'sha256');
    crypto.randomBytes(16);
    windows.current = 0;
  } finally {
    tracker.disable();
  }
  const recorded = waits().filter(wait => wait.requestId === 4);
  assert.deepEqual(recorded, [], JSON.stringify(recorded));
});

test('sync jobs, however many, never crowd out a real pending wait', async () => {
  const { tracker, windows, waits } = makeTracker();
  tracker.enable();
  try {
    windows.current = 6;
    const hash = new Promise(resolve =>
      crypto.pbkdf2('secret', 'salt', 50_000, 32, 'sha256', resolve),
    );
    // More sync jobs than the pending table holds, in one go and outside any request.
    windows.current = 0;
    for (let i = 0; i < 6000; i++) crypto.randomBytes(8);
    await hash;
  } finally {
    tracker.disable();
  }
  const hashes = waits().filter(wait => wait.type === 'PBKDF2REQUEST');
  assert.equal(hashes.length, 1, JSON.stringify(hashes));
  assert.equal(hashes[0]!.requestId, 6);
});

test("outside requests an AsyncResource is no pool job; Node's own pool jobs are", async () => {
  const { tracker, windows, waits } = makeTracker();
  tracker.enable();
  try {
    windows.current = 0;
    new asyncHooks.AsyncResource('BackgroundTask');
    await new Promise(resolve => crypto.pbkdf2('job', 'salt', 1000, 32, 'sha256', resolve));
  } finally {
    tracker.disable();
  }
  const recorded = waits();
  assert.ok(
    recorded.every(wait => wait.type !== 'BackgroundTask'),
    JSON.stringify(recorded),
  );
  const job = recorded.find(wait => wait.type === 'PBKDF2REQUEST');
  assert.equal(job?.requestId, 0, JSON.stringify(recorded));
});

test('a TLS connection written by a request waits for its next read, as TLSWRAP', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'gapscope-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'],
      ...['-keyout', keyFile, '-out', certFile],
    ],
    { stdio: 'ignore' },
  );
  const key = readFileSync(keyFile);
  const cert = readFileSync(certFile);
  const server = tls.createServer({ key, cert }, socket => {
    socket.on('data', () => setTimeout(() => socket.write('pong'), 40));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const client = tls.connect({ port, host: '127.0.0.1', ca: cert, servername: 'localhost' });
  // The client first: the server closes only once its connections are gone.
  t.after(async () => {
    client.destroy();
    await new Promise(resolve => server.close(resolve));
  });
  await new Promise(resolve => client.once('secureConnect', resolve));

  assertPingWait(await pingAs(client, 8), 8, 'TLSWRAP', port);
});

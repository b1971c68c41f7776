/**
 * A bare LSP client for the server tests: spawns `dist/server.js --stdio` and speaks JSON-RPC to
 * it, collecting the server's notifications so tests can wait for them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';

import { Methods, type DidFailParams, type DidUpdateParams } from '../../src/shared/protocol';

const SERVER = join(__dirname, '..', '..', 'dist', 'server.js');

export interface LspClient {
  connection: MessageConnection;
  process: ChildProcess;
  updates: DidUpdateParams[];
  failures: DidFailParams[];
  /** The server's log lines (window/logMessage), for failure messages. */
  log: string[];
  /** Resolves with the first update (past or future) that satisfies `predicate`. */
  waitForUpdate(
    predicate: (update: DidUpdateParams) => boolean,
    what: string,
    ms?: number,
  ): Promise<DidUpdateParams>;
  waitForFailure(what: string, ms?: number): Promise<DidFailParams>;
  /** Shuts the server down (or kills it) and waits for the process to be gone. */
  stop(): Promise<void>;
}

/** Starts the server and runs the initialize handshake. */
export async function startLspClient(
  initializationOptions: object,
  rootPath: string,
): Promise<LspClient> {
  const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
  const connection = createMessageConnection(
    new StreamMessageReader(child.stdout!),
    new StreamMessageWriter(child.stdin!),
  );
  const client: LspClient = {
    connection,
    process: child,
    updates: [],
    failures: [],
    log: [],
    waitForUpdate: (predicate, what, ms = 60_000) =>
      waitFor(() => client.updates.find(predicate), `an update with ${what}`, ms, client.log),
    waitForFailure: (what, ms = 30_000) =>
      waitFor(() => client.failures[0], `a failure: ${what}`, ms, client.log),
    stop: async () => {
      try {
        await withDeadline(connection.sendRequest('shutdown'), 5000);
        void connection.sendNotification('exit');
      } catch {
        // A server that does not answer is killed below.
      }
      connection.dispose();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  connection.onNotification(Methods.didUpdate, (params: DidUpdateParams) => {
    client.updates.push(params);
  });
  connection.onNotification(Methods.didFail, (params: DidFailParams) => {
    client.failures.push(params);
  });
  connection.onNotification('window/logMessage', (params: { message: string }) => {
    client.log.push(params.message);
  });
  child.stderr!.on('data', chunk => client.log.push(`stderr: ${String(chunk)}`));
  connection.listen();

  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: `file://${rootPath}`,
    capabilities: {},
    initializationOptions,
  });
  void connection.sendNotification('initialized', {});
  return client;
}

async function waitFor<T>(
  find: () => T | undefined,
  what: string,
  ms: number,
  log: string[],
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${ms} ms waiting for ${what}. Server log:\n${log.slice(-30).join('\n')}`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('deadline')), ms).unref()),
  ]);
}

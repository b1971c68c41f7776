/**
 * Helpers for the inspector integration tests: fixture services started as real Node
 * processes (without --inspect), plain HTTP calls on loopback, and bounded waits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const FIXTURES = join(__dirname, '..', 'fixtures', 'servers');

/** A running fixture service. */
export interface Fixture {
  child: ChildProcess;
  pid: number;
  /** The HTTP port the service printed when ready. */
  port: number;
  /** What the service wrote on stderr so far (the inspector's messages land there). */
  stderr(): string;
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
  /** Kills the process (SIGKILL) if it still runs and waits for it to be gone. */
  stop(): Promise<void>;
}

export interface FixtureOptions {
  /** Node flags; defaults to `--inspect-port=0` so SIGUSR1 opens a random port. */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
}

/** Starts `test/fixtures/servers/<name>` and waits until it prints `listening PORT`. */
export async function startFixture(name: string, options: FixtureOptions = {}): Promise<Fixture> {
  const execArgv = options.execArgv ?? ['--inspect-port=0'];
  const child = spawn(process.execPath, [...execArgv, join(FIXTURES, name)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? { ...process.env, NODE_OPTIONS: '' },
  });
  let stderr = '';
  child.stderr!.on('data', chunk => (stderr += String(chunk)));
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };

  try {
    const port = await readyPort(child, exited);
    return { child, pid: child.pid!, port, stderr: () => stderr, exited, stop };
  } catch (error) {
    await stop();
    throw new Error(`${name} did not start: ${String(error)}\n${stderr}`);
  }
}

function readyPort(child: ChildProcess, exited: Promise<number | null>): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', chunk => {
      stdout += String(chunk);
      const match = /listening (\d+)/.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(code => reject(new Error(`exited with ${code} before listening`)));
  });
}

/** Starts a process that is not Node (`sleep 60`). */
export function startSleep(): {
  child: ChildProcess;
  exited: Promise<unknown>;
  stop(): Promise<void>;
} {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  const exited = new Promise(resolve => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return { child, exited, stop };
}

/** A response read whole. */
export interface Reply {
  status: number;
  body: string;
}

/** One HTTP request to 127.0.0.1 (no keep-alive, so each call is its own connection). */
export function http(port: number, path: string, method = 'GET', body?: string): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, res => {
      let text = '';
      res.on('data', chunk => (text += String(chunk)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Polls `probe` until it returns a value other than undefined, within `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** True while the process exists and is not a zombie. */
export function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

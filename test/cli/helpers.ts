/**
 * Helpers for the CLI tests: the built CLI (`dist/cli.js`) run as a child process, HTTP load on
 * loopback from the test process, and lines of fixture sources found by their markers.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

/** A CLI run that may still be going. */
export interface CliRun {
  /** Resolves when the CLI has exited. */
  done: Promise<CliResult>;
  /** Resolves once stderr contains `pattern`; rejects if the CLI exits first. */
  waitForStderr(pattern: RegExp): Promise<void>;
  /** Sends SIGINT, as Ctrl-C in a terminal does. */
  interrupt(): void;
  /** Kills the CLI (SIGKILL) if it still runs. */
  kill(): void;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** No CLI run in these tests should take longer; a hung run is killed and fails its test. */
const CLI_TIMEOUT_MS = 120_000;

/** Starts `gapscope ARGS` with colour off. */
export function startCli(args: string[], cwd = REPO_ROOT): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const stderrWaiters: { pattern: RegExp; resolve(): void }[] = [];
  child.stdout.on('data', chunk => (stdout += String(chunk)));
  child.stderr.on('data', chunk => {
    stderr += String(chunk);
    for (const waiter of stderrWaiters) if (waiter.pattern.test(stderr)) waiter.resolve();
  });

  const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
  const done = new Promise<CliResult>(resolve => {
    child.once('close', code => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return {
    done,
    waitForStderr: pattern =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();

        stderrWaiters.push({ pattern, resolve });
        void done.then(result =>
          reject(new Error(`CLI exited (${result.code}) before ${pattern}:\n${result.stderr}`)),
        );
      }),
    interrupt: () => child.kill('SIGINT'),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Runs `gapscope ARGS` to the end. */
export function runCli(args: string[], cwd = REPO_ROOT): Promise<CliResult> {
  return startCli(args, cwd).done;
}

/** Closed-loop HTTP load: `concurrency` workers per path, each one request at a time. */
export interface Load {
  /** Stops sending and resolves with the number of responses per path. */
  stop(): Promise<Map<string, number>>;
}

export function driveLoad(port: number, paths: string[], concurrency: number): Load {
  const agent = new http.Agent({ keepAlive: true, maxSockets: paths.length * concurrency });
  const counts = new Map(paths.map(p => [p, 0]));
  let running = true;
  const worker = async (requestPath: string) => {
    while (running) {
      await get(port, requestPath, agent).catch(() => undefined);
      counts.set(requestPath, (counts.get(requestPath) ?? 0) + 1);
    }
  };
  const workers = paths.flatMap(p => Array.from({ length: concurrency }, () => worker(p)));
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
      agent.destroy();
      return counts;
    },
  };
}

/** GET on loopback; resolves with the body. */
export function get(port: number, requestPath: string, agent?: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: requestPath, agent }, res => {
      let body = '';
      res.on('data', chunk => (body += String(chunk)));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** The 1-based line of `file` that contains `marker`; throws when there is not exactly one. */
export function lineOf(file: string, marker: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const found = lines.flatMap((text, index) => (text.includes(marker) ? [index + 1] : []));
  if (found.length !== 1) throw new Error(`${marker} found ${found.length} times in ${file}`);
  return found[0]!;
}

/** Parses the CLI's JSON output, with the stderr in the error when it is not JSON. */
export function parseJson<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(
      `stdout is not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`,
    );
  }
}

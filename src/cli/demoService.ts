/**
 * Starts and stops the demo login service (examples/login-service) as its own process, started
 * without --inspect, the way a user's service runs before Gapscope attaches to it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { GapscopeFailure, badArgument, timeout } from '../core/errors';
import type { ILogger } from '../core/logger';

/** How long the service may take to print its readiness line (it seeds a password hash). */
const READY_TIMEOUT_MS = 20_000;

/** How long it may take to exit after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 5_000;

/** How often the store's exit is checked while stopping, ms. */
const STORE_POLL_MS = 20;

const READY_LINE =
  /login-service listening on http:\/\/127\.0\.0\.1:(\d+) \(pid \d+(?:, store pid (\d+))?\)/;

export interface DemoService {
  pid: number;
  port: number;
  /** The session store child the service started, when it started one. */
  storePid?: number;
  /** The compiled entry point that runs. */
  entry: string;
  /**
   * SIGTERM, then SIGKILL after a grace period; resolves once the service and its store have
   * exited.
   */
  stop(): Promise<void>;
}

/** The compiled demo entry point, next to the CLI bundle's repository root. */
export function demoEntryPoint(repoRoot: string): string {
  return path.join(repoRoot, 'examples', 'login-service', 'dist', 'server.js');
}

/** Spawns the demo and waits for its readiness line; stops it again if that never comes. */
export async function startDemoService(repoRoot: string, logger: ILogger): Promise<DemoService> {
  const entry = demoEntryPoint(repoRoot);
  if (!existsSync(entry)) {
    throw new GapscopeFailure(
      badArgument(`The demo service is not built (${entry} is missing).`, 'Run `npm run build`.'),
    );
  }

  // Started without --inspect. --inspect-port=0 only chooses where the inspector opens when
  // Gapscope activates it, so a debugger already on 9229 does not block the demo.
  const child = spawn(process.execPath, ['--inspect-port=0', entry], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    logger.info('demo.service', chunk.toString('utf8').trimEnd());
  });
  try {
    const { port, storePid } = await waitForReadiness(child);
    logger.info('demo.service', 'ready', { pid: child.pid, port, storePid });
    const stop = async () => {
      await stopChild(child);
      if (storePid) await waitForStoreExit(storePid);
    };
    const service: DemoService = { pid: child.pid ?? 0, port, entry, stop };
    if (storePid) service.storePid = storePid;
    return service;
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

function waitForReadiness(child: ChildProcess): Promise<{ port: number; storePid?: number }> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      reject(new GapscopeFailure(timeout('The demo service readiness line', READY_TIMEOUT_MS)));
    }, READY_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const match = READY_LINE.exec(seen);
      if (!match) return;

      clearTimeout(timer);
      resolve({ port: Number(match[1]), storePid: Number(match[2]) || undefined });
    });
    child.once('exit', code => {
      clearTimeout(timer);
      reject(new Error(`The demo service exited before it was ready (exit code ${code}).`));
    });
    child.once('error', error => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;

  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * The store follows the service out (it exits when its IPC channel closes); wait until it has,
 * and kill it if it lingers, so the demo never leaves a process behind.
 */
async function waitForStoreExit(pid: number): Promise<void> {
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isRunning(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      return;
    }
    await sleep(STORE_POLL_MS);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The services the benchmarks measure, started as real Node processes the way users run them
 * (no --inspect; `--inspect-port=0` only picks where SIGUSR1 opens the inspector, so no bench
 * ever holds 9229 that another engineer's run may want). Every process is stopped by its pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** The demo login service's root (built by `npm run build`). */
export const DEMO_ROOT = join(ROOT, 'examples', 'login-service');

/** A started service. */
export interface Target {
  name: string;
  pid: number;
  port: number;
  child: ChildProcess;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

/** Extra Node flags and environment for a target (e.g. `--cpu-prof`). */
export interface TargetOptions {
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Starts the demo (its store child is stopped by the demo on SIGTERM). */
export function startDemoTarget(options: TargetOptions = {}): Promise<Target> {
  const entry = join(DEMO_ROOT, 'dist', 'server.js');
  return startTarget('demo', entry, /listening on http:\/\/127\.0\.0\.1:(\d+)/, {
    cwd: DEMO_ROOT,
    ...options,
    env: { PORT: '0', ...options.env },
  });
}

/** Starts the light service (about 1 ms of CPU per request). */
export function startLightTarget(options: TargetOptions = {}): Promise<Target> {
  const entry = join(__dirname, '..', 'services', 'lightService.js');
  return startTarget('light', entry, /listening (\d+)/, options);
}

async function startTarget(
  name: string,
  entry: string,
  ready: RegExp,
  options: TargetOptions,
): Promise<Target> {
  const execArgv = ['--inspect-port=0', ...(options.execArgv ?? [])];
  const child = spawn(process.execPath, [...execArgv, entry], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.on('data', chunk => (stderr = (stderr + String(chunk)).slice(-4000)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };

  try {
    const port = await new Promise<number>((resolve, reject) => {
      let stdout = '';
      child.stdout!.on('data', chunk => {
        stdout += String(chunk);
        const match = ready.exec(stdout);
        if (match) resolve(Number(match[1]));
      });
      void exited.then(() => reject(new Error(`${name} exited before it was ready: ${stderr}`)));
    });
    return { name, pid: child.pid!, port, child, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

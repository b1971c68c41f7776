/**
 * The demo login service (examples/login-service, built by `npm run build`) as a real target for
 * the server tests: started without --inspect (`--inspect-port=0` so attaching opens a random
 * port, never 9229 that another test may hold), and driven with logins on 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';

export const DEMO_ROOT = join(__dirname, '..', '..', 'examples', 'login-service');

export interface Demo {
  child: ChildProcess;
  pid: number;
  port: number;
  /** Kills the service (and so its store child) and waits for it to be gone. */
  stop(): Promise<void>;
}

/**
 * Starts the demo from `root` (a copy of it, for a test whose editor may change files);
 * `iterations` sets the PBKDF2 rounds (fewer keeps the test fast).
 */
export async function startDemo(iterations = 100_000, root = DEMO_ROOT): Promise<Demo> {
  const child = spawn(process.execPath, ['--inspect-port=0', join(root, 'dist', 'server.js')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      NODE_OPTIONS: '',
      LOGIN_HASH_ITERATIONS: String(iterations),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };
  let stderr = '';
  child.stderr!.on('data', chunk => (stderr += String(chunk)));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let stdout = '';
      child.stdout!.on('data', chunk => {
        stdout += String(chunk);
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
        if (match) resolve(Number(match[1]));
      });
      void exited.then(() => reject(new Error(`the demo exited before it was ready: ${stderr}`)));
    });
    return { child, pid: child.pid!, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One POST /login with the demo user's right password; resolves with the status code. */
export function login(port: number): Promise<number> {
  const body = JSON.stringify({ user: 'ada', password: 'correct horse battery staple' });
  return new Promise((resolve, reject) => {
    const call = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/login',
        headers: { 'content-type': 'application/json' },
      },
      response => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

/** Sends logins one after another until `stop` is called (a steady, light load). */
export function keepLoggingIn(port: number): { stop(): Promise<void>; count(): number } {
  let running = true;
  let count = 0;
  const loop = (async () => {
    while (running) {
      try {
        await login(port);
        count++;
      } catch {
        if (running) await new Promise(resolve => setTimeout(resolve, 50));
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
    count: () => count,
  };
}

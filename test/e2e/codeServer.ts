/**
 * A real VS Code for the end-to-end test: code-server (installed once by scripts/e2e/setup.sh
 * into a cache outside the repo) on 127.0.0.1, hermetic (fresh user data and extension dirs,
 * no gallery, no telemetry), with the packaged `.vsix` installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');

/** Paths of the installed tools, as setup.sh records them. */
export interface E2eTools {
  node: string;
  codeServer: string;
  chromium: string;
}

/** Runs the idempotent setup (a no-op once cached) and returns the installed tools. */
export function ensureTools(): E2eTools {
  const setup = spawnSync('bash', [join(REPO, 'scripts', 'e2e', 'setup.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 15 * 60_000,
  });
  if (setup.status !== 0) throw new Error(`scripts/e2e/setup.sh failed (${setup.status})`);

  const stamp = setup.stdout.trim().split('\n').pop()!;
  return JSON.parse(readFileSync(stamp, 'utf8')) as E2eTools;
}

/** Packages the extension with vsce into `out` (dist must be built). */
export function packageExtension(out: string): void {
  const vsce = join(REPO, 'node_modules', '.bin', 'vsce');
  const result = spawnSync(
    vsce,
    [
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--no-rewrite-relative-links',
      '--out',
      out,
    ],
    { cwd: REPO, encoding: 'utf8', timeout: 120_000 },
  );
  if (result.status !== 0) throw new Error(`vsce package failed: ${result.stderr}${result.stdout}`);
}

/** A free loopback port (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface CodeServer {
  url: string;
  process: ChildProcess;
  /** What code-server printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Installs the vsix and starts code-server on `folder`; resolves once /healthz answers. */
export async function startCodeServer(
  tools: E2eTools,
  home: string,
  vsix: string,
  folder: string,
  settings: Record<string, unknown>,
): Promise<CodeServer> {
  const userData = join(home, 'user-data');
  const extensions = join(home, 'extensions');
  const config = join(home, 'config.yaml');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  writeFileSync(config, '');
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const common = ['--config', config, '--user-data-dir', userData, '--extensions-dir', extensions];
  const env = { ...process.env, EXTENSIONS_GALLERY: '{}', NODE_OPTIONS: '' };

  const install = spawnSync(
    tools.node,
    [tools.codeServer, ...common, '--install-extension', vsix],
    {
      encoding: 'utf8',
      env,
      timeout: 120_000,
    },
  );
  if (install.status !== 0) throw new Error(`installing the vsix failed: ${install.stderr}`);

  const port = await freePort();
  const args = [
    ...common,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    folder,
  ];
  const child = spawn(tools.node, [tools.codeServer, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', chunk => (output += String(chunk)));
  child.stderr!.on('data', chunk => (output += String(chunk)));
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(`${url}/healthz`, 60_000, () => child.exitCode !== null);
  } catch (error) {
    await stop();
    throw new Error(`code-server did not start: ${String(error)}\n${output}`);
  }
  return { url, process: child, output: () => output, stop };
}

async function waitForHealth(url: string, ms: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (exited()) throw new Error('code-server exited');
    const ok = await new Promise<boolean>(resolve => {
      const request = get(url, response => {
        response.resume();
        resolve(response.statusCode === 200);
      });
      request.on('error', () => resolve(false));
      request.setTimeout(2000, () => request.destroy());
    });
    if (ok) return;
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

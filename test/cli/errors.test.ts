/**
 * What a fresh user ran into: a service port given as an inspector, a port in use, a session file
 * broken inside, a closed pipe, usage errors without a hint, and `list --json` without the
 * inspector state. Each ends in one line (and a hint) with the documented exit code.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SESSION_FORMAT, SESSION_VERSION, type SessionFile } from '../../src/core/session';
import { startFixture } from '../inspector/helpers';
import { CLI, runCli } from './helpers';

/** A session with `count` finished requests and no samples: a big JSON report. */
function sessionWithRequests(count: number): SessionFile {
  const requests = Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    method: 'GET',
    url: `/items/${i}?filter=${'x'.repeat(20)}`,
    startUs: i * 100,
    endUs: i * 100 + 50,
    statusCode: 200,
  }));
  return {
    format: SESSION_FORMAT,
    version: SESSION_VERSION,
    target: {
      pid: 1,
      argv: [],
      cwd: '/',
      nodeVersion: 'v20',
      inspectorUrl: 'ws://127.0.0.1:1/x',
      inspectorOpenedByUs: true,
    },
    capture: {
      startedAt: '2026-01-01T00:00:00.000Z',
      startUs: 0,
      endUs: count * 100 + 100,
      samplingIntervalUs: 1000,
      tracking: 'windows',
      endReason: 'stopped',
      notes: [],
    },
    profiles: [],
    requests,
    windows: { ts: [], req: [] },
    spans: [],
    waits: [],
    scripts: [],
  };
}

/** An HTTP service on loopback that is not an inspector. */
async function listenHttp(): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((_, res) => res.end('ok 666'));
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Asserts a one-line error with a hint and no stack trace. */
function assertOneLine(stderr: string, what: string): void {
  assert.match(stderr, /^error: .+$/m, what);
  assert.match(stderr, /^hint: .+$/m, what);
  assert.doesNotMatch(stderr, /^\s+at |unexpected failure|This is a bug/m, what);
}

describe('gapscope errors a fresh user met', () => {
  let dir: string;
  let bigFile: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gapscope-errors-'));
    bigFile = path.join(dir, 'big.gapscope.json');
    writeFileSync(bigFile, JSON.stringify(sessionWithRequests(3000)));
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('attach to an HTTP port that is no inspector: one line, exit 3', async () => {
    const { server, port } = await listenHttp();
    try {
      const result = await runCli(['attach', `127.0.0.1:${port}`, '-d', '1']);

      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, /answered, but not as a Node inspector/);
      assertOneLine(result.stderr, 'attach');
    } finally {
      server.close();
    }
  });

  it('serve on a port in use: one line with a hint, exit 2', async () => {
    const { server, port } = await listenHttp();
    try {
      const result = await runCli(['serve', bigFile, '--port', String(port)]);

      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
      assertOneLine(result.stderr, 'serve');
    } finally {
      server.close();
    }
  });

  it('report and serve on a session broken inside: exit 4 naming the field', async () => {
    const broken = path.join(dir, 'broken.gapscope.json');
    const session = sessionWithRequests(2);
    const cases: [string, object, RegExp][] = [
      ['empty profile', { ...session, profiles: [{}] }, /profiles\[0\]\.startTime is missing/],
      [
        'text time',
        { ...session, capture: { ...session.capture, startUs: 'x' } },
        /capture\.startUs is not a number/,
      ],
      [
        'request time',
        { ...session, requests: [{ ...session.requests[0], startUs: 'x' }] },
        /requests\[0\]\.startUs is not a number/,
      ],
    ];
    for (const [name, content, reason] of cases) {
      writeFileSync(broken, JSON.stringify(content));
      for (const command of ['report', 'serve']) {
        const result = await runCli([command, broken]);

        assert.equal(result.code, 4, `${name} (${command}): ${result.stderr}`);
        assert.match(result.stderr, reason, `${name} (${command})`);
        assertOneLine(result.stderr, `${name} (${command})`);
        assert.doesNotMatch(result.stdout, /NaN/, `${name} (${command})`);
      }
    }

    writeFileSync(broken, JSON.stringify({ ...session, version: SESSION_VERSION + 1 }));
    const future = await runCli(['report', broken]);
    assert.equal(future.code, 4, future.stderr);
    assert.match(future.stderr, /^hint: .*update Gapscope/m);
  });

  it('report --json into a pipe closed after one line: quiet, exit 0', async () => {
    const child = spawn(process.execPath, [CLI, 'report', bigFile, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', chunk => (stderr += String(chunk)));
    // What `| head -1` does: read up to the first line, then close the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>(resolve => child.once('close', resolve));

    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
  });

  it('usage errors name the command and its usage in a hint', async () => {
    const cases: [string[], RegExp][] = [
      [['attach'], /missing required argument 'target'[\s\S]*hint: Usage: gapscope attach/],
      [['attach', '1', '2'], /too many arguments[\s\S]*hint: Usage: gapscope attach .*<target>/],
      [['frobnicate'], /unknown command[\s\S]*hint: Commands: attach/],
      [['serve'], /session file or --attach[\s\S]*hint: e\.g\./],
      [['serve', '--port', 'abc'], /not a port number[\s\S]*hint: Give a port/],
    ];
    for (const [args, pattern] of cases) {
      const result = await runCli(args);

      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, pattern, args.join(' '));
    }
  });

  it('list --json says whether each inspector is open, and on which port', async () => {
    const { server, port } = await listenHttp();
    server.close();
    // `port` was free a moment ago; the open fixture's inspector takes it from the start.
    const open = await startFixture('httpServer.js', { execArgv: [`--inspect=127.0.0.1:${port}`] });
    const closed = await startFixture('httpServer.js');
    try {
      const result = await runCli(['list', '--json']);
      assert.equal(result.code, 0, result.stderr);
      const rows = JSON.parse(result.stdout) as { pid: number; inspector: string }[];

      assert.deepEqual(
        rows.find(row => row.pid === open.pid),
        { ...rows.find(row => row.pid === open.pid), inspector: 'open', inspectorPort: port },
      );
      assert.equal(rows.find(row => row.pid === closed.pid)?.inspector, 'closed');
    } finally {
      await open.stop();
      await closed.stop();
    }
  });
});

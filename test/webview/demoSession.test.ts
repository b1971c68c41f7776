/**
 * The timeline of a real recorded demo session in Chromium: `gapscope demo` records one (2 s of
 * load on the demo login service), `gapscope serve` serves it, the page shows the POST /login gap
 * filled by pbkdf2Sync, and clicking it reveals the line, whose snippet holds the call.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { analyzeSession } from '../../src/core/analyze';
import { loadSession } from '../../src/inspector/sessionFile';
import { TimelineData } from '../../src/shared/timelineModel';
import {
  launchChromium,
  openTimeline,
  serveTimeline,
  violations,
  type ServedTimeline,
} from './browser';

const ROOT = path.resolve(__dirname, '..', '..');
let folder: string;
let browser: Browser;
let served: ServedTimeline;

before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'gapscope-webview-'));
  const file = path.join(folder, 'demo.gapscope.json');
  await runCli(['demo', '--duration', '2', '--out', file]);
  const loaded = await loadSession(file);
  assert.ok(loaded.ok, 'the demo wrote a readable session');
  const data = new TimelineData(loaded.value, analyzeSession(loaded.value), 'demo');
  served = await serveTimeline(data);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await served?.server.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

test('the POST /login gap is labelled with the pbkdf2Sync line and reveals it', async () => {
  const { page, record, close } = await openTimeline(browser, served.server.url);
  try {
    await page.locator('tr[data-endpoint="POST /login"]').click();
    const cause = page.locator('button.cause', { hasText: 'pbkdf2Sync' }).first();
    await cause.waitFor();
    const label = (await cause.textContent()) ?? '';
    const [, file, line] = /(\w+\.ts):(\d+)/.exec(label) ?? [];
    assert.equal(file, 'auth.ts', `label names the user's line: ${label}`);

    await cause.click();
    await page.locator('.snippet .line.current').waitFor();
    const reveal = record.sent.find(m => m.type === 'reveal');
    assert.ok(reveal?.type === 'reveal' && reveal.file.endsWith('/login-service/src/auth.ts'));
    assert.equal(reveal.line, Number(line));
    assert.match((await page.locator('.snippet .line.current').textContent()) ?? '', /pbkdf2Sync/);
    assert.deepEqual(await violations(page), []);
    assert.deepEqual(record.errors, []);
  } finally {
    await close();
  }
});

/** Runs the built CLI; kills it if the test is torn down first. */
function runCli(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', chunk => (stderr += String(chunk)));
    const timer = setTimeout(() => child.kill('SIGINT'), 60_000);
    child.on('exit', code => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`gapscope ${args.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}

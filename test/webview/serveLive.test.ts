/**
 * `gapscope serve --attach PID` end to end: a real fixture service, the real inspector layer and
 * the page in Chromium. Requests made after the page opened appear without a reload, the page
 * says it is live, and stopping the command detaches and closes the server.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { LogLevel, Logger } from '../../src/core/logger';
import { runServe } from '../../src/cli/serve';
import { http, startFixture, waitFor, type Fixture } from '../inspector/helpers';
import { launchChromium, openTimeline } from './browser';

let fixture: Fixture;
let browser: Browser;
let stop: () => void;
let served: Promise<number>;
let stdout = '';
let stderr = '';

before(async () => {
  fixture = await startFixture('httpServer.js');
  browser = await launchChromium();
  const out = new PassThrough();
  out.on('data', chunk => (stdout += String(chunk)));
  const err = new PassThrough();
  err.on('data', chunk => (stderr += String(chunk)));
  const stopped = new Promise<void>(resolve => (stop = resolve));
  const context = {
    streams: { stdout: out, stderr: err },
    logger: new Logger([], LogLevel.Off, false),
    color: false,
    cwd: process.cwd(),
  };
  served = runServe(undefined, { attach: String(fixture.pid), refresh: 0.3 }, context, stopped);
});

after(async () => {
  stop?.();
  await served?.catch(() => undefined);
  await browser?.close();
  await fixture?.stop();
});

test('an attached page shows new requests live, then the command detaches cleanly', async () => {
  const url = await waitFor('the served URL', () => /Timeline at (\S+)/.exec(stdout)?.[1], 20_000);
  const { page, record, close } = await openTimeline(browser, url);
  try {
    assert.equal(await page.locator('vscode-badge').isVisible(), true, 'live badge');
    for (let i = 0; i < 5; i++) await http(fixture.port, `/burn?ms=15&tag=live${i}`);

    const row = page.locator('tr[data-endpoint^="GET /burn"]');
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    await page.locator('.request-row').first().waitFor();
    assert.ok((await page.locator('.request-row').count()) >= 1);
    assert.deepEqual(record.errors, []);
  } finally {
    await close();
  }

  stop();
  assert.equal(await served, 0);
  // Progress on stderr: attached, stopping (nothing saved), detached.
  assert.match(stderr, new RegExp(`Attached to pid ${fixture.pid}`));
  assert.match(stderr, /nothing is saved/);
  assert.match(stderr, new RegExp(`Detached from pid ${fixture.pid}\\.`));
  assert.equal(fixture.child.exitCode, null, 'the service keeps running after detach');
  assert.equal((await http(fixture.port, '/burn?ms=1')).status, 200);
});

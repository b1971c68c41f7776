/**
 * The page `gapscope serve` shows, in Chromium: counts of one read "1 request", the browser's
 * favicon request is answered (a 404 logs a console error), and an aborted request's status is
 * shown whole.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { TimelineData } from '../../src/shared/timelineModel';
import {
  launchChromium,
  openTimeline,
  serveTimeline,
  type ServedTimeline,
} from '../webview/browser';
import { syntheticSession } from '../webview/syntheticSession';

let browser: Browser;
let served: ServedTimeline;

before(async () => {
  browser = await launchChromium();
  const synthetic = syntheticSession({ requests: 1, samples: 100 });
  synthetic.analysis.requests[0]!.aborted = true;
  served = await serveTimeline(new TimelineData(synthetic.session, synthetic.analysis, 'one'));
});

after(async () => {
  await browser?.close();
  await served?.server.close();
});

test('one request reads "1 request", the favicon loads, the status is not cut', async () => {
  const { page, record, close } = await openTimeline(browser, served.server.url);
  try {
    const favicon = await page.request.get(new URL('/favicon.ico', served.server.url).href);
    assert.equal(favicon.status(), 200);
    assert.equal(favicon.headers()['content-type'], 'image/png');

    const header = await page.locator('header').first().innerText();
    assert.match(header, /\b1 request ·/);
    assert.doesNotMatch(header, /\b1 requests\b/);

    await page.locator('tr[data-endpoint="POST /login"]').click();
    const body = await page.locator('body').innerText();
    assert.doesNotMatch(body, /\b1 requests\b/);
    assert.match(body, /\b1 request · p50/);

    const status = page.locator('.request-row .status').first();
    assert.equal(await status.innerText(), 'aborted');
    const cut = await status.evaluate(element => element.scrollWidth > element.clientWidth);
    assert.equal(cut, false, 'the status column cuts "aborted"');

    // Chromium asks for /favicon.ico on its own; give it the time a page load takes.
    await page.reload();
    await page.waitForSelector('body[data-snapshot]');
    assert.deepEqual(record.errors, []);
  } finally {
    await close();
  }
});

test('the page opened as localhost gets its data too', async () => {
  const url = new URL(served.server.url);
  url.hostname = 'localhost';
  const { page, record, close } = await openTimeline(browser, url.href);
  try {
    const header = await page.locator('header').first().innerText();
    assert.match(header, /\b1 request ·/);
    assert.deepEqual(record.errors, []);
  } finally {
    await close();
  }
});

/**
 * A session of 10,000 requests and 1,000,000 samples renders in Chromium: the request list stays
 * virtual and the whole-endpoint flame graph draws every sample of the endpoint. How long it
 * takes is measured by bench/timelineScale.ts, not asserted here.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { TimelineData } from '../../src/shared/timelineModel';
import { launchChromium, openTimeline, serveTimeline, type ServedTimeline } from './browser';
import { syntheticSession } from './syntheticSession';

const REQUESTS = 10_000;
const SAMPLES = 1_000_000;
let browser: Browser;
let served: ServedTimeline;
let data: TimelineData;

before(async () => {
  const { session, analysis } = syntheticSession({ requests: REQUESTS, samples: SAMPLES });
  data = new TimelineData(session, analysis, 'scale');
  served = await serveTimeline(data);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await served?.server.close();
});

test('10,000 requests and 1,000,000 samples render, with a virtual request list', async () => {
  const { page, record, close } = await openTimeline(browser, served.server.url);
  try {
    assert.equal(await page.getAttribute('body', 'data-snapshot'), String(REQUESTS));
    await page.locator('tr[data-endpoint="POST /login"]').click();
    await page.locator('.request-row[aria-selected="true"]').waitFor();
    const rows = await page.locator('.request-row').count();
    const total = await page.locator('.request-list').getAttribute('aria-rowcount');
    assert.equal(Number(total), Math.ceil(REQUESTS / 3));
    assert.ok(rows > 5 && rows < 100, `only the visible rows exist (${rows})`);

    const select = page.locator('vscode-single-select[aria-label="Flame graph of"]');
    await select.click();
    await select.getByRole('option', { name: 'Whole endpoint' }).click();
    const expected = data.flame({ kind: 'endpoint', endpoint: 'POST /login' }).totalSamples;
    assert.ok(expected > SAMPLES / 4, `the endpoint has a third of the samples (${expected})`);
    await page.waitForSelector(`.flame-box canvas[data-samples="${expected}"]`);
    assert.deepEqual(record.errors, []);
  } finally {
    await close();
  }
});

/**
 * The timeline page in real Chromium, served by the `gapscope serve` server from a synthetic
 * session: rendering, the login gap and its reveal, hostile strings, state, live updates.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { TimelineData } from '../../src/shared/timelineModel';
import {
  launchChromium,
  openTimeline,
  serveTimeline,
  violations,
  type PageRecord,
  type ServedTimeline,
} from './browser';
import { AUTH_FILE, HOSTILE_NAME, PBKDF2_LINE, syntheticSession } from './syntheticSession';

const synthetic = syntheticSession({ requests: 90, samples: 9000, chunkSamples: 2500 });
const data = new TimelineData(synthetic.session, synthetic.analysis, 'synthetic');
let browser: Browser;
let served: ServedTimeline;
let page: Page;
let record: PageRecord;
let closePage: () => Promise<void>;

before(async () => {
  browser = await launchChromium();
  served = await serveTimeline(data);
  ({ page, record, close: closePage } = await openTimeline(browser, served.server.url));
});

after(async () => {
  await closePage?.();
  await browser?.close();
  await served?.server.close();
});

test('the page lists every endpoint and runs under its CSP without errors', async () => {
  const rows = await page.locator('table.endpoints tbody tr').allTextContents();

  assert.equal(rows.length, 3);
  assert.ok(rows.some(r => r.includes('POST /login') && r.includes('30')));
  assert.deepEqual(await violations(page), []);
  assert.deepEqual(record.errors, []);
});

test('POST /login shows its gap labelled with the pbkdf2Sync line; a click reveals', async () => {
  await page.locator('tr[data-endpoint="POST /login"]').click();
  const cause = page.locator('button.cause', { hasText: `pbkdf2Sync at auth.js:${PBKDF2_LINE}` });
  await cause.first().waitFor();

  await cause.first().click();
  await page.locator('.snippet .location').waitFor();
  const reveal = record.sent.find(m => m.type === 'reveal');
  assert.deepEqual(reveal, { type: 'reveal', file: AUTH_FILE, line: PBKDF2_LINE });
  assert.equal(
    await page.locator('.snippet .location').textContent(),
    `${AUTH_FILE}:${PBKDF2_LINE}`,
  );
});

test('a hostile function name and URL render as text and run nothing', async () => {
  await page.locator('tr[data-endpoint="GET /users/:id"]').click();
  await page.locator('.hot-lines button', { hasText: HOSTILE_NAME }).first().waitFor();
  const url = page.locator('.request-row .url').first();

  assert.match((await url.textContent()) ?? '', /<img src=x onerror=alert\(1\)>/);
  assert.equal(await page.locator('img').count(), 0);
  await hoverUntilTooltip(page, 'canvas[aria-label^="Flame graph"]', HOSTILE_NAME);
  assert.deepEqual(record.dialogs, []);
  assert.deepEqual(await violations(page), []);
});

test('clicking a CPU slice in the waterfall posts a reveal of its line', async () => {
  await page.locator('tr[data-endpoint="POST /login"]').click();
  await page.locator('button.cause').first().waitFor();
  const before = record.sent.filter(m => m.type === 'reveal').length;
  const canvas = page.locator('canvas[aria-label^="Request waterfall"]');
  const box = (await canvas.boundingBox())!;

  // Rows: axis 20 px, request, gaps, CPU; the pbkdf2Sync slice fills the middle of the CPU lane.
  await canvas.click({ position: { x: box.width * 0.5, y: 20 + 2 * 20 + 10 } });
  await waitFor(() => record.sent.filter(m => m.type === 'reveal').length > before);
  assert.deepEqual(record.sent.filter(m => m.type === 'reveal').at(-1), {
    type: 'reveal',
    file: AUTH_FILE,
    line: PBKDF2_LINE,
  });
});

test('the selection survives a reload (state through the host bridge)', async () => {
  await page.locator('tr[data-endpoint="GET /health"]').click();
  await page.reload();
  await page.waitForSelector('body[data-snapshot]');

  const selected = page.locator('table.endpoints tr.selected');
  assert.equal(await selected.getAttribute('data-endpoint'), 'GET /health');
});

test('keyboard: arrows and Enter select an endpoint', async () => {
  await page.locator('tr[data-endpoint="GET /health"]').focus();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');

  const selected = await page.locator('table.endpoints tr.selected').getAttribute('data-endpoint');
  assert.notEqual(selected, 'GET /health');
});

test('focusRequest from the host selects, scrolls to and draws that request', async () => {
  const opened = await openTimeline(browser, served.server.url, 'dark', { hostMessages: true });
  try {
    const { page: focused, record: focusRecord, toPage } = opened;
    const selected = focused.locator('table.endpoints tr.selected');
    const before = await selected.getAttribute('data-endpoint');
    // The fastest request of another endpoint: last in the slowest-first list, so off screen.
    const model = data.model();
    const endpoint = model.endpoints.find(e => e.key !== before)!;
    const ofEndpoint = model.requests.filter(r => r.endpoint === endpoint.key);
    const target = ofEndpoint.reduce((a, b) => (b.durationMs <= a.durationMs ? b : a));

    toPage!({ type: 'focusRequest', requestId: target.id });
    const waterfall = focused.locator(`.waterfall-box[data-request-id="${target.id}"]`);
    await waterfall.waitFor();

    assert.equal(await selected.getAttribute('data-endpoint'), endpoint.key);
    const row = focused.locator('.request-row.selected');
    assert.equal(await row.getAttribute('data-request-id'), String(target.id));
    const list = (await focused.locator('.request-list').boundingBox())!;
    const box = (await row.boundingBox())!;
    assert.ok(box.y >= list.y - 1 && box.y + box.height <= list.y + list.height + 1, 'in view');
    assert.ok(
      focusRecord.sent.some(m => m.type === 'getRequest' && m.requestId === target.id),
      'the waterfall of that request was asked for',
    );

    // An id the session does not hold changes nothing and is logged.
    toPage!({ type: 'focusRequest', requestId: 987_654 });
    await waitFor(() => focusRecord.sent.some(m => m.type === 'log' && /987654/.test(m.message)));
    assert.equal(await waterfall.count(), 1);
    assert.deepEqual(await violations(focused), []);
    assert.deepEqual(focusRecord.errors, []);
  } finally {
    await opened.close();
  }
});

test('a live update adds requests without a reload', async () => {
  const more = syntheticSession({ requests: 120, samples: 12000, chunkSamples: 2500 });
  served.publish(new TimelineData(more.session, more.analysis, 'synthetic', true));

  await page.locator('tr[data-endpoint="POST /login"]', { hasText: '40' }).waitFor();
  assert.equal(await page.locator('vscode-badge').isVisible(), true);
});

async function hoverUntilTooltip(p: Page, selector: string, text: string): Promise<void> {
  const canvas = p.locator(selector);
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  for (let y = 9; y < box.height; y += 18) {
    for (let x = 5; x < box.width; x += box.width / 40) {
      await canvas.hover({ position: { x, y } });
      const tip = await p.locator('.flame-box .tooltip').textContent();
      if (tip?.includes(text)) return;
    }
  }
  assert.fail(`no tooltip showed ${text}`);
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise(r => setTimeout(r, 25));
  assert.ok(condition(), 'condition never became true');
}

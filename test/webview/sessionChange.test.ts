/**
 * The timeline in real Chromium when the host's session changes (attach, open, Profile Next
 * Request, a live restart): request ids restart at 1 in every session, so nothing of the old
 * session may survive in the new one's rows, title or status line.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { TimelineData } from '../../src/shared/timelineModel';
import type { TimelineModel } from '../../src/shared/webviewMessages';
import { launchChromium, openTimeline, serveTimeline, type ServedTimeline } from './browser';
import { syntheticSession } from './syntheticSession';

/** Two sessions whose request ids collide (both start at 1); urls tell their rows apart. */
const sessionA = sessionData('session A', 'A', 30, '/a');
const sessionB = sessionData('session B', 'B', 12, '/b');
let browser: Browser;
let served: ServedTimeline;

before(async () => {
  browser = await launchChromium();
  served = await serveTimeline(sessionA);
});

after(async () => {
  await browser?.close();
  await served?.server.close();
});

test('an update of another session is dropped; its snapshot replaces every row', async () => {
  const opened = await openTimeline(browser, served.server.url, 'dark', { hostMessages: true });
  try {
    const { page, record, toPage } = opened;
    const a = sessionA.model();
    const b = sessionB.model();
    assert.deepEqual(await shownUrls(page, a), urlsByEndpoint(a));

    // What the panel host used to send when the session changed: B's rows as an update.
    toPage!({ type: 'status', live: true, message: 'status of session A' });
    toPage!({
      type: 'update',
      sessionId: b.sessionId,
      endpoints: b.endpoints,
      requests: b.requests,
      totals: b.totals,
      hotLines: b.hotLines,
      live: b.live,
    });
    await waitFor(() => record.sent.some(m => m.type === 'log' && /session B/.test(m.message)));
    assert.deepEqual(await shownUrls(page, a), urlsByEndpoint(a));
    assert.equal(await page.locator('h1').textContent(), 'session A');

    // The host sends B's snapshot: title B, only B's rows, A's status line gone.
    toPage!({ type: 'snapshot', model: b });
    await page.locator('h1', { hasText: 'session B' }).waitFor();
    assert.deepEqual(await shownUrls(page, b), urlsByEndpoint(b));
    assert.equal(await page.locator('p.status').textContent(), '');
    assert.deepEqual(record.errors, []);
  } finally {
    await opened.close();
  }
});

test('a host without a session empties the view', async () => {
  const opened = await openTimeline(browser, served.server.url, 'dark', { hostMessages: true });
  try {
    const { page, toPage } = opened;
    assert.ok((await page.locator('.request-row').count()) > 0, 'session A is shown first');

    toPage!({ type: 'status', live: false, message: 'No session.', noSession: true });
    await page.locator('p.status', { hasText: 'No session.' }).waitFor();
    assert.equal(await page.locator('.request-row').count(), 0);
    assert.equal(await page.locator('table.endpoints tr[data-endpoint]').count(), 0);
    assert.equal(await page.locator('h1').textContent(), '');
  } finally {
    await opened.close();
  }
});

test('gapscope serve sends a snapshot when its source becomes another session', async () => {
  const opened = await openTimeline(browser, served.server.url);
  try {
    const { page } = opened;
    assert.equal(await page.locator('h1').textContent(), 'session A');

    served.publish(sessionB);
    await page.locator('h1', { hasText: 'session B' }).waitFor();
    const b = sessionB.model();
    assert.deepEqual(await shownUrls(page, b), urlsByEndpoint(b));
  } finally {
    served.publish(sessionA);
    await opened.close();
  }
});

/** A synthetic session with its own title, id and url prefix. */
function sessionData(title: string, id: string, requests: number, prefix: string): TimelineData {
  const { session, analysis } = syntheticSession({ requests, samples: requests * 100 });
  const renamed = analysis.requests.map(r => ({ ...r, url: `${prefix}${r.url}` }));
  return new TimelineData(session, { ...analysis, requests: renamed }, title, true, id);
}

/** The urls each endpoint's request list shows, sorted (each endpoint selected in turn). */
async function shownUrls(page: Page, model: TimelineModel): Promise<Record<string, string[]>> {
  const shown: Record<string, string[]> = {};
  for (const endpoint of model.endpoints) {
    await page.locator(`table.endpoints tr[data-endpoint="${endpoint.key}"]`).click();
    await page
      .locator('table.endpoints tr.selected')
      .and(endpointRow(page, endpoint.key))
      .waitFor();
    shown[endpoint.key] = (await page.locator('.request-row .url').allTextContents()).sort();
  }
  return shown;
}

function endpointRow(page: Page, key: string) {
  return page.locator(`tr[data-endpoint="${key}"]`);
}

/** What `shownUrls` should read for a model: every request of every endpoint, nothing else. */
function urlsByEndpoint(model: TimelineModel): Record<string, string[]> {
  const expected: Record<string, string[]> = {};
  for (const endpoint of model.endpoints) {
    expected[endpoint.key] = model.requests
      .filter(r => r.endpoint === endpoint.key)
      .map(r => `${r.method} ${r.url}`)
      .sort();
  }
  return expected;
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise(r => setTimeout(r, 25));
  assert.ok(condition(), 'condition never became true');
}

/**
 * Makes the README's screenshots of the timeline (media/timeline-dark.png, -light.png) from a
 * recorded demo session, in headless Chromium with the page's dark and light themes.
 *
 *   npm start && node --import tsx test/webview/screenshots.ts [session-file]
 */
import path from 'node:path';
import { analyzeSession } from '../../src/core/analyze';
import { loadSession } from '../../src/inspector/sessionFile';
import { TimelineData } from '../../src/shared/timelineModel';
import { launchChromium, openTimeline, serveTimeline } from './browser';

const ROOT = path.resolve(__dirname, '..', '..');

async function main(): Promise<void> {
  const file = process.argv[2] ?? path.join(ROOT, '.gapscope', 'demo-session.gapscope.json');
  const loaded = await loadSession(file);
  if (!loaded.ok) throw new Error(loaded.error.message);

  const data = new TimelineData(loaded.value, analyzeSession(loaded.value), 'demo login service');
  const served = await serveTimeline(data);
  const browser = await launchChromium();
  try {
    for (const scheme of ['dark', 'light'] as const) {
      const { page, close } = await openTimeline(browser, served.server.url, scheme);
      await page.setViewportSize({ width: 1360, height: 820 });
      await page.locator('tr[data-endpoint="POST /login"]').click();
      await page.locator('button.cause').first().waitFor();
      await page.locator('.flame-box canvas:not([data-samples="0"])').waitFor();
      const out = path.join(ROOT, 'media', `timeline-${scheme}.png`);
      await page.screenshot({ path: out });
      process.stdout.write(`${out}\n`);
      await close();
    }
  } finally {
    await browser.close();
    await served.server.close();
  }
}

void main();

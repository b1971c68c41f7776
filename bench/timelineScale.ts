/**
 * Scale benchmark of the timeline: a synthetic session of 10,000 requests and 1,000,000 samples,
 * analysed by the real engine, served by the `gapscope serve` server and rendered in headless
 * Chromium. Prints and saves (bench/results/timeline-scale.json) how long each step took.
 *
 *   npm run build && node --import tsx bench/timelineScale.ts [requests] [samples]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeSession } from '../src/core/analyze';
import { TimelineData } from '../src/shared/timelineModel';
import { launchChromium, openTimeline, serveTimeline } from '../test/webview/browser';
import { syntheticSession } from '../test/webview/syntheticSession';

async function main(): Promise<void> {
  const requests = Number(process.argv[2] ?? 10_000);
  const samples = Number(process.argv[3] ?? 1_000_000);
  const times: Record<string, number> = {};
  const time = async <T>(name: string, work: () => T | Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await work();
    times[name] = Math.round(performance.now() - start);
    return result;
  };

  const { session } = await time('generate', () => syntheticSession({ requests, samples }));
  const sampleCount = session.profiles.reduce((sum, p) => sum + (p.samples?.length ?? 0), 0);
  const analysis = await time('analyzeSession', () => analyzeSession(session));
  const data = new TimelineData(session, analysis, `${requests} requests, ${sampleCount} samples`);
  await time('hostSnapshot', () => data.model());
  const served = await serveTimeline(data);
  const browser = await launchChromium();

  try {
    const opened = await time('pageToSnapshotRendered', () =>
      openTimeline(browser, served.server.url),
    );
    const { page } = opened;
    await time('firstRequestWaterfallAndFlame', () =>
      page.waitForSelector('.flame-box canvas:not([data-samples="0"])'),
    );
    await time('wholeEndpointFlame', async () => {
      const select = page.locator('vscode-single-select[aria-label="Flame graph of"]');
      await select.click();
      await select.getByRole('option', { name: 'Whole endpoint' }).click();
      await page.waitForFunction(
        `Number(document.querySelector('.flame-box canvas')?.dataset.samples) > 100000`,
      );
    });
    await time('switchEndpoint', async () => {
      await page.locator('tr[data-endpoint="GET /users/:id"]').click();
      await page.waitForSelector('.request-row[aria-selected="true"]');
    });
    const rowsInDom = await page.locator('.request-row').count();
    await opened.close();
    const result = {
      requests,
      samples: sampleCount,
      rowsInDom,
      ms: times,
      at: new Date().toISOString(),
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    const out = path.join(__dirname, 'results', 'timeline-scale.json');
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  } finally {
    await browser.close();
    await served.server.close();
  }
}

void main();

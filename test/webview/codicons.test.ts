/**
 * The codicon font ships with the extension: the build copies it into dist/codicons (the
 * `@vscode/codicons` package is a dev dependency and stays out of the .vsix), `.vscodeignore`
 * keeps it in the package, and the timeline page loads it from its own origin under its CSP.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { timelineAssets } from '../../src/cli/serve';
import { TimelineData } from '../../src/shared/timelineModel';
import {
  launchChromium,
  openTimeline,
  serveTimeline,
  violations,
  type ServedTimeline,
} from './browser';
import { syntheticSession } from './syntheticSession';

const ROOT = path.resolve(__dirname, '..', '..');
const CODICONS = path.join(ROOT, 'dist', 'codicons');

let browser: Browser;
let served: ServedTimeline;

before(async () => {
  browser = await launchChromium();
  const synthetic = syntheticSession({ requests: 30, samples: 3000, chunkSamples: 1000 });
  served = await serveTimeline(new TimelineData(synthetic.session, synthetic.analysis, 'icons'));
});

after(async () => {
  await browser?.close();
  await served?.server.close();
});

test('the build puts the codicon stylesheet and the font it names in dist/codicons', () => {
  const css = readFileSync(path.join(CODICONS, 'codicon.css'), 'utf8');
  const font = /url\("?\.\/([\w.-]+\.ttf)/.exec(css)?.[1];

  assert.equal(font, 'codicon.ttf', 'the stylesheet loads the font from its own folder');
  assert.ok(existsSync(path.join(CODICONS, font)));
  // `gapscope serve` uses the copy too, so an installed package needs no dev dependency.
  assert.equal(timelineAssets(ROOT).codiconCss, path.join(CODICONS, 'codicon.css'));
});

test('the .vsix keeps the codicons (vsce lists what it would package)', () => {
  const vsce = path.join(ROOT, 'node_modules', '.bin', 'vsce');
  const listed = spawnSync(vsce, ['ls', '--no-dependencies'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(listed.status, 0, listed.stderr);
  const files = listed.stdout.split('\n').map(line => line.trim());

  assert.ok(files.includes('dist/codicons/codicon.css'), listed.stdout);
  assert.ok(files.includes('dist/codicons/codicon.ttf'), listed.stdout);
  assert.ok(!files.some(file => file.startsWith('node_modules/')), 'no dev dependency shipped');
});

test('the page loads the codicon font from its own origin, within its CSP', async () => {
  const { page, record, close } = await openTimeline(browser, served.server.url);
  try {
    await page.locator('tr[data-endpoint="POST /login"]').click();
    const glyph = page.locator('button.cause .codicon').first();
    await glyph.waitFor();

    const family = await glyph.evaluate(element => getComputedStyle(element).fontFamily);
    assert.match(family, /codicon/);
    const loaded = await page.evaluate(async () => {
      await document.fonts.ready;
      const faces = await document.fonts.load('16px codicon');
      return faces.map(face => face.status);
    });
    assert.deepEqual(loaded, ['loaded']);
    assert.deepEqual(await violations(page), []);
    assert.deepEqual(record.errors, []);
  } finally {
    await close();
  }
});

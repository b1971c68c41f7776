/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * End to end in a real VS Code (code-server + Chromium, see scripts/e2e/setup.sh): the packaged
 * extension attaches to the running demo service from the command palette, marks the
 * `pbkdf2Sync` line of the demo's `.ts` source with its hint, shows the breakdown on hover,
 * opens the timeline, and clears the marks on Detach. Screenshots go to test-results/.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium, type Page } from 'playwright-core';

import { DEMO_ROOT, keepLoggingIn, startDemo } from '../server/demo';
import { ensureTools, packageExtension, startCodeServer } from './codeServer';
import { CHROMIUM_ARGS } from '../webview/browser';

const RESULTS = join(__dirname, '..', '..', 'test-results');
const HOT_CALL = 'crypto.pbkdf2Sync(attempt';

test(
  'attach from the palette, see the hot line, hover, timeline, detach',
  { timeout: 20 * 60_000 },
  async t => {
    // Cleanups run last-registered first (browser, code-server, load, demo, then the folder),
    // also when an assertion failed.
    const cleanups: (() => unknown)[] = [];
    t.after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });
    const tools = ensureTools();
    const home = mkdtempSync(join(tmpdir(), 'gapscope-e2e-'));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    mkdirSync(RESULTS, { recursive: true });
    const vsix = join(home, 'gapscope.vsix');
    packageExtension(vsix);

    // The editor works on a copy of the demo (inside the repo, so the copy still resolves the
    // repo's node_modules): nothing the test types can reach the real sources.
    const workspace = join(RESULTS, 'e2e-workspace');
    rmSync(workspace, { recursive: true, force: true });
    for (const part of ['src', 'dist', 'tsconfig.json']) {
      cpSync(join(DEMO_ROOT, part), join(workspace, part), { recursive: true });
    }
    cleanups.push(() => rmSync(workspace, { recursive: true, force: true }));
    const demo = await startDemo(300_000, workspace);
    cleanups.push(() => demo.stop());
    const load = keepLoggingIn(demo.port);
    cleanups.push(() => load.stop());

    const server = await startCodeServer(tools, home, vsix, workspace, {
      'gapscope.liveUpdateIntervalMs': 1000,
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'typescript.disableAutomaticTypeAcquisition': true,
      'telemetry.telemetryLevel': 'off',
      'extensions.ignoreRecommendations': true,
      'security.workspace.trust.enabled': false,
      'editor.hover.delay': 200,
      'files.autoSave': 'off',
      'files.hotExit': 'off',
    });
    cleanups.push(() => server.stop());

    const browser = await chromium.launchPersistentContext(join(home, 'chromium'), {
      executablePath: tools.chromium,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: CHROMIUM_ARGS,
    });
    cleanups.push(() => browser.close());
    const page = browser.pages()[0] ?? (await browser.newPage());
    const failure = async (what: string) => {
      await page
        .screenshot({ path: join(RESULTS, 'vscode-e2e-failure.png') })
        .catch(() => undefined);
      return `${what}\ncode-server output:\n${server.output().slice(-3000)}`;
    };

    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await openFile(page, 'auth.ts');
    await page.locator('.view-line', { hasText: HOT_CALL }).waitFor({ timeout: 60_000 });

    await runCommand(page, 'Gapscope: Attach to Node Process…');
    // Type only once our picker has the focus, or the pid lands in the editor. (Its "Enter
    // host:port" row goes last once the processes are listed, below the visible rows here.)
    await page
      .locator('.quick-input-widget .quick-input-title', {
        hasText: 'Gapscope: Attach to Node Process',
      })
      .waitFor({ timeout: 30_000 });
    await page.waitForFunction(
      () => document.activeElement?.closest('.quick-input-widget') !== null,
      undefined,
      { timeout: 30_000 },
    );
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: String(demo.pid) });
    await page.keyboard.type(String(demo.pid));
    await row.first().waitFor({ timeout: 30_000 });
    await row.first().click();

    const hint = await waitFor(() => hintOnLine(page, HOT_CALL), 90_000).catch(async error => {
      throw new Error(await failure(`no hint on the pbkdf2Sync line: ${String(error)}`));
    });
    assert.match(hint, /[\d,.]+ ms\/req · \d+% POST \/login/);
    assert.ok((await decoratedOverlays(page)).length > 0, 'no whole-line decoration painted');

    await page
      .locator('.view-line', { hasText: HOT_CALL })
      .locator('span', { hasText: /^pbkdf2Sync$/ })
      .first()
      .hover();
    const hover = page.locator('.monaco-hover', { hasText: 'Gapscope' });
    await hover.waitFor({ timeout: 30_000 }).catch(async error => {
      throw new Error(await failure(`no Gapscope hover: ${String(error)}`));
    });
    const hoverText = (await hover.innerText()).replace(/\s+/g, ' ');
    assert.match(hoverText, /POST \/login [\d,.]+ ms \d+% \d+/);
    assert.match(hoverText, /pbkdf2/i);
    await page.screenshot({ path: join(RESULTS, 'vscode-e2e-hot-line.png') });

    // The hover's link opens the timeline at the request it names.
    const link = hover.locator('a', { hasText: 'Open timeline at slowest request' });
    const requestId = requestIdOfLink((await link.getAttribute('data-href')) ?? '');
    await link.click();
    await page.locator('.tab', { hasText: 'Gapscope Timeline' }).waitFor({ timeout: 30_000 });
    const rendered = await waitFor(() => timelineRendered(page), 30_000).catch(async error => {
      throw new Error(await failure(`the timeline did not render: ${String(error)}`));
    });
    assert.ok(rendered.includes('POST /login'), rendered.slice(0, 500));
    const drawn = await waitFor(() => waterfallRequest(page, requestId), 30_000).catch(() => -1);
    assert.equal(drawn, requestId, 'the waterfall shows the request of the hover link');
    // The panel links the codicons the package ships in dist/codicons; the font must load.
    assert.deepEqual(await waitFor(() => codiconFaces(page), 30_000), ['loaded']);
    await page.screenshot({ path: join(RESULTS, 'vscode-e2e-timeline.png') });

    await page.locator('.tab', { hasText: 'auth.ts' }).first().click();
    await runCommand(page, 'Gapscope: Detach');
    await waitFor(
      async () => ((await hintOnLine(page, HOT_CALL)) === undefined ? true : undefined),
      30_000,
    );
    const left = await waitFor(
      async () => ((await decoratedOverlays(page)).length === 0 ? [] : undefined),
      15_000,
    ).catch(async () => decoratedOverlays(page));
    assert.deepEqual(left, [], 'marks left after Detach');
  },
);

async function openFile(page: Page, name: string): Promise<void> {
  await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } });
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').waitFor();
  await page.keyboard.type(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
}

async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').waitFor();
  await page.keyboard.type(title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** The `::after` text of a decoration on the editor line containing `needle`, if any. */
function hintOnLine(page: Page, needle: string): Promise<string | undefined> {
  return page.evaluate(text => {
    const line = [...document.querySelectorAll('.monaco-editor .view-line')].find(l =>
      (l.textContent ?? '').replace(/\u00a0/g, ' ').includes(text),
    );
    for (const span of line?.querySelectorAll('span') ?? []) {
      const content = getComputedStyle(span, '::after').content;
      if (content.includes('ms/req')) return content.replace(/^"|"$/g, '');
    }
    return undefined;
  }, needle);
}

/** Class names of extension decorations painted in the editor's overlay layer. */
function decoratedOverlays(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.monaco-editor .view-overlays div')]
      .map(element => element.className)
      .filter(name => name.includes('TextEditorDecorationType')),
  );
}

/** The text of the timeline webview once it lists the login endpoint, else undefined. */
async function timelineRendered(page: Page): Promise<string | undefined> {
  for (const frame of page.frames()) {
    const text = await frame
      .evaluate(() => {
        const app = document.getElementById('app');
        return app && app.children.length ? (app as HTMLElement).innerText : undefined;
      })
      .catch(() => undefined);
    if (text?.includes('POST /login')) return text;
  }
  return undefined;
}

/** The request id in a `command:gapscope.showTimeline?[{"requestId":N}]` link. */
function requestIdOfLink(href: string): number {
  const args = JSON.parse(decodeURIComponent(href.slice(href.indexOf('?') + 1))) as unknown;
  const requestId = (args as { requestId?: unknown }[])[0]?.requestId;
  assert.equal(typeof requestId, 'number', `no request id in ${href}`);
  return requestId as number;
}

/** The request the timeline webview's waterfall shows, once it is `expected`. */
async function waterfallRequest(page: Page, expected: number): Promise<number | undefined> {
  for (const frame of page.frames()) {
    const id = await frame
      .evaluate(() => document.querySelector<HTMLElement>('.waterfall-box')?.dataset.requestId)
      .catch(() => undefined);
    if (id === String(expected)) return expected;
  }
  return undefined;
}

/** Load states of the codicon font in the timeline webview, once its stylesheet is linked. */
async function codiconFaces(page: Page): Promise<string[] | undefined> {
  for (const frame of page.frames()) {
    const faces = await frame
      .evaluate(async () => {
        const link = document.getElementById('vscode-codicon-stylesheet') as HTMLLinkElement;
        if (!link?.sheet) return undefined;
        const loaded = await document.fonts.load('16px codicon');
        return loaded.map(face => face.status as string);
      })
      .catch(() => undefined);
    if (faces) return faces;
  }
  return undefined;
}

async function waitFor<T>(probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

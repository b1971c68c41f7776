/**
 * Real Chromium for the timeline tests: Debian's /usr/bin/chromium (scripts/ensure-chromium.sh
 * installs it) driven by playwright-core, headless, with a fresh profile per launch and nothing
 * reaching beyond loopback. Also serves a TimelineData on 127.0.0.1 the way `gapscope serve` does.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page, type WebSocketRoute } from 'playwright-core';
import { EventEmitter } from '../../src/core/lifecycle';
import { timelineAssets } from '../../src/cli/serve';
import { startTimelineServer, type RunningTimelineServer } from '../../src/cli/timelineServer';
import type { TimelineData } from '../../src/shared/timelineModel';
import type { FromWebviewMessage, ToWebviewMessage } from '../../src/shared/webviewMessages';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Flags for Debian's Chromium as root in a sandboxed, offline machine: no sandbox, no GPU, and
 * none of the background connections that the closed network would refuse.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ROOT = path.resolve(__dirname, '..', '..');

/** Launches headless Chromium with a fresh temporary profile. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** A served timeline whose data the test can replace (a live source). */
export interface ServedTimeline {
  server: RunningTimelineServer;
  publish(data: TimelineData): void;
}

export async function serveTimeline(data: TimelineData): Promise<ServedTimeline> {
  const changed = new EventEmitter<TimelineData>();
  let current = data;
  const server = await startTimelineServer(
    { current: () => current, onDidChange: changed.event },
    { port: 0, assets: timelineAssets(ROOT) },
  );
  return {
    server,
    publish: next => {
      current = next;
      changed.fire(next);
    },
  };
}

/** What a page did that a test checks: messages it sent, CSP violations, errors, dialogs. */
export interface PageRecord {
  sent: FromWebviewMessage[];
  violations: string[];
  errors: string[];
  dialogs: string[];
}

/** Options of `openTimeline`. */
export interface OpenTimelineOptions {
  /**
   * Route the page's WebSocket through Playwright (still connected to the server), so the test
   * can post host messages of its own with `toPage`, as the VS Code panel host would.
   */
  hostMessages?: boolean;
}

/** Opens the page, recording its WebSocket frames, CSP violations, errors and dialogs. */
export async function openTimeline(
  browser: Browser,
  url: string,
  colorScheme: 'dark' | 'light' = 'dark',
  options: OpenTimelineOptions = {},
) {
  const context = await browser.newContext({
    colorScheme,
    viewport: { width: 1400, height: 1000 },
  });
  const page = await context.newPage();
  const record: PageRecord = { sent: [], violations: [], errors: [], dialogs: [] };

  // Block anything that is not this server, so no test can reach beyond loopback.
  await context.route(
    target => !target.href.startsWith(url),
    route => route.abort(),
  );
  page.on('websocket', ws =>
    ws.on('framesent', frame => record.sent.push(JSON.parse(String(frame.payload)))),
  );
  page.on('pageerror', error => record.errors.push(String(error)));
  page.on('console', message => {
    if (message.type() === 'error') record.errors.push(message.text());
  });
  page.on('dialog', dialog => {
    record.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.addInitScript({ content: RECORD_VIOLATIONS });
  const toPage = options.hostMessages ? await routeHostSocket(page) : undefined;
  await page.goto(url);
  await page.waitForSelector('body[data-snapshot]');
  return { page, record, toPage, close: () => context.close() };
}

/**
 * Passes the page's socket to the server unchanged (frames both ways are forwarded when no
 * handler is set) and returns a function that sends a host message to the page.
 */
async function routeHostSocket(page: Page): Promise<(message: ToWebviewMessage) => void> {
  let socket: WebSocketRoute | undefined;
  await page.routeWebSocket(/\/ws$/, route => {
    route.connectToServer();
    socket = route;
  });
  return message => {
    if (!socket) throw new Error('the page has not opened its WebSocket');
    socket.send(JSON.stringify(message));
  };
}

/** CSP violations the page saw so far. */
export async function violations(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('window.__violations ?? []');
}

/** Page script (a string: this file is type-checked without the DOM library). */
const RECORD_VIOLATIONS = `
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', event => {
    window.__violations.push(event.violatedDirective + ' ' + event.blockedURI);
  });
`;

/**
 * The `gapscope serve` server without a browser: it answers only requests addressed to itself,
 * refuses WebSockets from other origins, answers the webview's messages, and reads snippets only
 * from files the session names.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import { nullLogger } from '../../src/core/logger';
import { answer } from '../../src/cli/timelineServer';
import { TimelineData } from '../../src/shared/timelineModel';
import type { ToWebviewMessage } from '../../src/shared/webviewMessages';
import { serveTimeline, type ServedTimeline } from './browser';
import { syntheticSession } from './syntheticSession';

const SCRIPT_URL = 'file:///app/src/auth.js';
const synthetic = syntheticSession({ requests: 12, samples: 1200 });
synthetic.session.scripts.push({
  url: SCRIPT_URL,
  source: Array.from({ length: 60 }, (_, i) => `// line ${i + 1}`).join('\n'),
});
const data = new TimelineData(synthetic.session, synthetic.analysis, 'server test');
let served: ServedTimeline;

before(async () => {
  served = await serveTimeline(data);
});

after(async () => {
  await served?.server.close();
});

test('the page carries a nonce CSP and its assets are served', async () => {
  const page = await get('/', `127.0.0.1:${served.server.port}`);
  const nonce = /script-src 'nonce-([^']+)'/.exec(page.body.replaceAll('&#39;', "'"))?.[1];

  assert.equal(page.status, 200);
  assert.ok(nonce && page.body.includes(`<script nonce="${nonce}" src="/webview.js">`));
  assert.equal((await get('/webview.js', `127.0.0.1:${served.server.port}`)).status, 200);
  assert.equal((await get('/package.json', `127.0.0.1:${served.server.port}`)).status, 404);
});

test('a request addressed to another host name is refused (DNS rebinding)', async () => {
  const reply = await get('/', `attacker.example:${served.server.port}`);

  assert.equal(reply.status, 421);
});

test('a WebSocket from another origin is refused; our own origin gets the snapshot', async () => {
  const url = `ws://127.0.0.1:${served.server.port}/ws`;
  const refused = new WebSocket(url, { origin: 'http://attacker.example' });
  await assert.rejects(
    new Promise((resolve, reject) => (refused.on('open', resolve), refused.on('error', reject))),
  );

  const own = new WebSocket(url, { origin: `http://127.0.0.1:${served.server.port}` });
  await new Promise(resolve => own.on('open', resolve));
  const reply = new Promise<ToWebviewMessage>(resolve =>
    own.once('message', text => resolve(JSON.parse(String(text)))),
  );
  own.send(JSON.stringify({ type: 'ready' }));
  const message = await reply;
  own.close();
  assert.equal(message.type, 'snapshot');
  assert.equal(message.type === 'snapshot' && message.model.requests.length, 12);
});

test('snippets come only from files the session names', async () => {
  const known = await answer(
    { type: 'reveal', file: '/app/src/auth.js', line: 41 },
    data,
    nullLogger,
  );
  const unknown = await answer({ type: 'reveal', file: '/etc/passwd', line: 1 }, data, nullLogger);

  assert.ok(known?.type === 'snippet' && known.snippet);
  assert.equal(known.snippet.lines[known.snippet.line - known.snippet.firstLine], '// line 41');
  assert.ok(unknown?.type === 'snippet');
  assert.equal(unknown.snippet, undefined);
});

function get(path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: served.server.port, path, headers: { host } },
      res => {
        let body = '';
        res.on('data', chunk => (body += String(chunk)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

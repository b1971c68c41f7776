import assert from 'node:assert/strict';
import { test } from 'node:test';

import { hotLineHover, slowestRequestId } from './hover';
import { endpointLenses, endpointLensTitle } from './lenses';
import { hotLine, testAnalysis } from './testAnalysis';

test('the hover breaks the line down and links to the slowest request', () => {
  const analysis = testAnalysis();
  const markdown = hotLineHover(analysis, [
    hotLine({}),
    hotLine({ endpoint: 'POST /signup', msPerRequest: 3 }),
  ]);

  assert.match(markdown, /\| POST \/login \| 612 ms \| 76% \| 6120 \|/);
  assert.match(markdown, /\| POST \/signup \| 3\.0 ms \|/);
  assert.match(markdown, /in `crypto\.pbkdf2Sync` · 600 ms\/req \(98% of the line\)/);
  assert.match(markdown, /600 ms\/req of it ran outside any span/);
  assert.match(markdown, /async crypto\.pbkdf2/);
  const link = /\(command:gapscope\.showTimeline\?([^)]+)\)/.exec(markdown);
  assert.deepEqual(JSON.parse(decodeURIComponent(link![1]!)), [{ requestId: 2 }]);
  assert.equal(slowestRequestId(analysis, 'GET /report'), 3);
});

test('the lens sits on the handler line and reads like the design', () => {
  const analysis = testAnalysis();
  const source = [
    'export class Routes {',
    '  match(method: string, path: string) {',
    "    if (method === 'POST' && path === '/login') return this.login;",
    "    if (method === 'GET' && path === '/report') return this.report;",
    '  }',
    '}',
  ].join('\n');
  const lenses = endpointLenses(analysis, source);

  assert.equal(
    endpointLensTitle(analysis.endpoints[0]!),
    'POST /login · p50 806 ms · 744 ms untraced · 97% explained',
  );
  assert.deepEqual(
    lenses.map(lens => [lens.range.start.line, lens.command?.title.split(' · ')[0]]),
    [
      [2, 'POST /login'],
      [2, 'Profile next request'],
      [3, 'GET /report'],
      [3, 'Profile next request'],
    ],
  );
});

test('an Express registration wins over a mere mention, and route params match', () => {
  const analysis = testAnalysis();
  analysis.endpoints[0] = {
    ...analysis.endpoints[0]!,
    method: 'GET',
    route: '/users/:id',
    key: 'GET /users/:id',
  };
  const source = [
    "// GET '/users/:id' returns a user",
    "router.get('/users/:userId', handler);",
  ].join('\n');

  assert.equal(endpointLenses(analysis, source)[0]?.range.start.line, 1);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { computeMarks, formatMs, hotLineLabel, toFileMarks } from './marks';
import { hotLine, testAnalysis } from './testAnalysis';

test('the hint reads like the design: ms per request, share, endpoint', () => {
  assert.equal(hotLineLabel(hotLine({})), '612 ms/req · 76% POST /login');
  assert.equal(
    hotLineLabel(hotLine({ msPerRequest: 3.44, share: 0.004 })),
    '3.4 ms/req · <1% POST /login',
  );
  assert.equal(formatMs(1234.4), '1,234 ms');
  assert.equal(formatMs(0.251), '0.25 ms');
});

test('marks keep lines above the threshold, heat relative to the hottest line', () => {
  const marks = computeMarks(testAnalysis(), 1);
  const auth = marks.get('file:///srv/app/src/auth.ts');
  const routes = marks.get('file:///srv/app/src/routes.ts');

  assert.deepEqual([...(auth?.keys() ?? [])], [10]);
  assert.equal(auth?.get(10)?.mark.heat, 1);
  assert.equal(auth?.get(10)?.mark.untraced, true);
  assert.equal(routes?.get(30)?.mark.untraced, false);
  assert.ok(Math.abs(routes!.get(30)!.mark.heat - 12 / 612) < 1e-9);
});

test('a line run by two endpoints is marked by the hotter one and keeps both entries', () => {
  const analysis = testAnalysis();
  analysis.hotLines.push(hotLine({ endpoint: 'POST /signup', msPerRequest: 900 }));
  const line = computeMarks(analysis, 1).get('file:///srv/app/src/auth.ts')?.get(10);

  assert.equal(line?.mark.endpoint, 'POST /signup');
  assert.deepEqual(
    line?.entries.map(entry => entry.endpoint),
    ['POST /signup', 'POST /login'],
  );
});

test('file marks follow the current line and drop edited-away lines', () => {
  const marks = computeMarks(testAnalysis(), 1);
  const files = toFileMarks(marks, (uri, line) => (uri.endsWith('auth.ts') ? line + 2 : undefined));

  assert.deepEqual(
    files.map(file => [file.uri, file.lines.map(mark => mark.line)]),
    [
      ['file:///srv/app/src/auth.ts', [12]],
      ['file:///srv/app/src/routes.ts', []],
    ],
  );
});

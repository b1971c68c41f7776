import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOSTILE_NAME, syntheticSession } from '../../test/webview/syntheticSession';
import { TimelineData, latencyHistogram } from './timelineModel';

const { session, analysis } = syntheticSession({ requests: 30, samples: 3000, chunkSamples: 700 });
const data = new TimelineData(session, analysis, 'synthetic');

test('the snapshot has one row per endpoint and per request, histograms counting all', () => {
  const model = data.model();

  assert.deepEqual(model.endpoints.map(e => e.key).sort(), [
    'GET /health',
    'GET /users/:id',
    'POST /login',
  ]);
  assert.equal(model.requests.length, 30);
  for (const endpoint of model.endpoints) {
    const counted = endpoint.histogram.counts.reduce((a, b) => a + b, 0);
    assert.equal(counted, endpoint.count);
  }
  const login = model.requests.find(r => r.method === 'POST');
  assert.match(login?.topGapLabel ?? '', /pbkdf2Sync at auth\.js:41/);
});

test('a request flame graph holds exactly the samples taken inside its execution window', () => {
  const request = analysis.requests[1]!;
  const flame = data.flame({ kind: 'request', requestId: request.id });
  const window = session.windows.req.indexOf(request.id);
  const inWindow = countSamplesBetween(
    session.windows.ts[window]!,
    session.windows.ts[window + 1]!,
  );

  assert.equal(flame.totalSamples, inWindow);
  assert.equal(
    flame.selfSamples.reduce((a, b) => a + b, 0),
    inWindow,
  );
  assert.ok(flame.frameNames.includes(HOSTILE_NAME));
  flame.parent.forEach((parent, i) => assert.ok(parent < i, 'parents come before children'));
});

test('an endpoint flame graph merges chunks: one node per call path', () => {
  const flame = data.flame({ kind: 'endpoint', endpoint: 'POST /login' });
  const paths = flame.parent.map((_, i) => pathOf(flame, i));

  assert.equal(new Set(paths).size, paths.length);
  assert.ok(paths.includes('login/pbkdf2Sync/run'));
  assert.ok(flame.totalSamples > 0);
  assert.ok(!flame.frameNames.includes(HOSTILE_NAME), 'no samples of other endpoints');
});

test('an unknown request has no detail; a known one lists its spans and gaps', () => {
  assert.equal(data.requestDetail(99_999), undefined);

  const detail = data.requestDetail(2);
  assert.equal(detail?.spans.length, 1);
  assert.ok((detail?.gaps.length ?? 0) > 0);
});

test('the latency histogram bins every duration, also when all are equal', () => {
  assert.deepEqual(latencyHistogram([5, 5, 5], 4).counts, [3, 0, 0, 0]);
  assert.deepEqual(latencyHistogram([0, 10], 2).counts, [1, 1]);
  assert.deepEqual(latencyHistogram([]).counts, []);
});

function countSamplesBetween(startUs: number, endUs: number): number {
  let count = 0;
  for (const profile of session.profiles) {
    let time = profile.startTime;
    for (const delta of profile.timeDeltas ?? []) {
      time += delta;
      if (time >= startUs && time < endUs) count++;
    }
  }
  return count;
}

function pathOf(flame: ReturnType<TimelineData['flame']>, node: number): string {
  const names: string[] = [];
  for (let n = node; n >= 0; n = flame.parent[n]!)
    names.unshift(flame.frameNames[flame.frame[n]!]!);
  return names.join('/');
}

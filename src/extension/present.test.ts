import assert from 'node:assert/strict';
import { test } from 'node:test';

import { describeProcess, heatLevel, statusText } from './present';

test('a process row names pid, command, cwd, ports and the inspector state', () => {
  const row = describeProcess({
    pid: 4242,
    commandLine: 'node dist/server.js',
    cwd: '/srv/login',
    listeningPorts: [8080, 9229],
    inspectorPort: 9229,
  });

  assert.equal(row.label, '4242  node dist/server.js');
  assert.equal(row.description, '/srv/login');
  assert.equal(row.detail, 'listening on 8080 · inspector open on 9229');
  const closed = describeProcess({
    pid: 1,
    commandLine: 'node a.js',
    cwd: '/',
    listeningPorts: [],
  });
  assert.equal(closed.detail, 'no listening ports · inspector closed (opened on attach)');
});

test('the status bar shows the target and live counts', () => {
  const text = statusText({
    kind: 'live',
    label: 'pid 4242',
    pid: 4242,
    samples: 12345,
    requests: 17,
    durationMs: 9000,
  });

  assert.equal(text, '$(pulse) Gapscope: pid 4242 · 12,345 samples · 17 req');
});

test('heat levels split the 0..1 range, hottest at the top', () => {
  assert.deepEqual([0, 0.1, 0.2, 0.5, 0.8, 1].map(heatLevel), [1, 1, 2, 3, 4, 4]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { describeProcess, heatLevel, orderForWorkspace, statusText } from './present';

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

test('the picker lists processes of the open workspace first, each group by pid', () => {
  const at = (pid: number, cwd: string) => ({ pid, commandLine: 'node', cwd, listeningPorts: [] });
  const list = [
    at(31, '/home/u/other'),
    at(1200, '/home/u/app/packages/api'),
    at(9, '/home/u/app2'),
    at(400, '/home/u/app'),
    at(5, ''),
    at(77, '/home/u/docs'),
  ];

  const ordered = orderForWorkspace(list, ['/home/u/app/', '/home/u/docs']);

  assert.deepEqual(
    ordered.map(info => info.pid),
    [77, 400, 1200, 5, 9, 31],
  );
  assert.deepEqual(
    orderForWorkspace(list, []).map(info => info.pid),
    [5, 9, 31, 77, 400, 1200],
  );
});

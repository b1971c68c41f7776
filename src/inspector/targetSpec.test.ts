import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../core/errors';
import { hostOfUrl, isLoopbackHost, parseTargetSpec } from './targetSpec';

test('parseTargetSpec reads pids, addresses and WebSocket URLs', () => {
  assert.deepEqual(parseTargetSpec('1234'), { ok: true, value: { kind: 'pid', pid: 1234 } });
  assert.deepEqual(parseTargetSpec(' 127.0.0.1:9229 '), {
    ok: true,
    value: { kind: 'address', host: '127.0.0.1', port: 9229 },
  });
  assert.deepEqual(parseTargetSpec('[::1]:9230'), {
    ok: true,
    value: { kind: 'address', host: '::1', port: 9230 },
  });
  assert.deepEqual(parseTargetSpec(':9229'), {
    ok: true,
    value: { kind: 'address', host: '127.0.0.1', port: 9229 },
  });
  const url = 'ws://127.0.0.1:9229/0f2c7a8e-1d7a-4a37-9d55-1f1c3b7f9c11';
  assert.deepEqual(parseTargetSpec(url), { ok: true, value: { kind: 'websocket', url } });
});

test('parseTargetSpec refuses what it cannot read', () => {
  for (const text of ['', '0', 'abc', 'host:0', 'host:70000', '1.2.3.4', 'ws://']) {
    const parsed = parseTargetSpec(text);
    assert.equal(!parsed.ok && parsed.error.code, ErrorCode.BadArgument, text);
  }
});

test('isLoopbackHost accepts 127.0.0.0/8, ::1 and localhost only', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) {
    assert.equal(isLoopbackHost(host), true, host);
  }
  for (const host of [
    '10.0.0.1',
    '0.0.0.0',
    '128.0.0.1',
    'example.com',
    '::',
    '127.0.0.1.nip.io',
  ]) {
    assert.equal(isLoopbackHost(host), false, host);
  }
  assert.equal(hostOfUrl('ws://[::1]:9229/x'), '::1');
  assert.equal(hostOfUrl('not a url'), undefined);
});

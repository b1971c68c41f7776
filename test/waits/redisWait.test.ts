/**
 * A socket wait on a real Redis server: the fixture's untraced RESP client blocks on BLPOP for
 * 200 ms; the request's gap must name the TCP wait with Redis's address and the calling line.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { http } from '../inspector/helpers';
import { at, captureScenario, causesOf, describeRequest, markedLine, requestOf } from './helpers';
import { startRedis, type RedisServer } from './redis';

describe('a wait on Redis', () => {
  let redis: RedisServer | undefined;

  before(async () => {
    redis = await startRedis();
  });

  after(async () => {
    await redis?.stop();
  });

  it('names the socket wait with the peer and the line of the call', async () => {
    const port = redis!.port;
    const { analysis } = await captureScenario(
      async servicePort => {
        assert.equal((await http(servicePort, '/session-redis')).status, 200);
      },
      { env: { ...process.env, NODE_OPTIONS: '', REDIS_PORT: String(port) } },
    );

    const request = requestOf(analysis, '/session-redis');
    const line = markedLine('session.js', 'socket-write');
    const socket = causesOf(request).filter(cause => cause.kind === 'socket');
    assert.equal(socket.length, 1, describeRequest(request));
    assert.equal(socket[0]!.label, `TCP 127.0.0.1:${port} from session.js:${line.line}`);
    assert.ok(at(socket[0]!, line));
    // BLPOP with a 0.2 s timeout on an empty list answers after about 200 ms.
    assert.ok(socket[0]!.ms >= 150 && socket[0]!.ms <= 400, describeRequest(request));
    assert.ok(request.explainedShare >= 0.97, describeRequest(request));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSession } from './analyze';
import type { RecordedWait } from './session';
import { SourceMapResolver } from './sourceMaps';
import { makeProfile, makeRequest, makeSession } from './testSessions';
import { poolRunStarts, waitLabel, waitPieces } from './waitPieces';
import { threadpoolSizeOf, usesThreadpool, waitKindOf } from './waitKinds';

const APP = 'file:///app/auth.js';

function hash(requestId: number, startUs: number, endUs: number): RecordedWait {
  return {
    requestId,
    type: 'PBKDF2REQUEST',
    kind: 'threadpool',
    startUs,
    endUs,
    callSite: { url: APP, line: 41, column: 9 },
  };
}

describe('waitKindOf', () => {
  it('names the kinds of the resource types that matter', () => {
    assert.equal(waitKindOf('PBKDF2REQUEST'), 'threadpool');
    assert.equal(waitKindOf('ZLIB'), 'threadpool');
    assert.equal(waitKindOf('FSREQPROMISE'), 'fs');
    assert.equal(waitKindOf('GETADDRINFOREQWRAP'), 'dns');
    assert.equal(waitKindOf('TCPCONNECTWRAP'), 'socket');
    assert.equal(waitKindOf('Timeout'), 'timer');
    assert.equal(waitKindOf('bcrypt:EncryptAsyncWorker'), 'native');
    for (const type of [
      'PROMISE',
      'TickObject',
      'Immediate',
      'HTTPINCOMINGMESSAGE',
      'FILEHANDLE',
    ]) {
      assert.equal(waitKindOf(type), undefined, type);
    }
  });

  it('counts fs, dns lookups and addon work as thread pool jobs, not timers or sockets', () => {
    assert.ok(usesThreadpool({ type: 'FSREQCALLBACK', kind: 'fs' }));
    assert.ok(usesThreadpool({ type: 'GETADDRINFOREQWRAP', kind: 'dns' }));
    assert.ok(usesThreadpool({ type: 'bcrypt:CompareAsyncWorker', kind: 'native' }));
    assert.ok(!usesThreadpool({ type: 'QUERYWRAP', kind: 'dns' }));
    assert.ok(!usesThreadpool({ type: 'Timeout', kind: 'timer' }));
    assert.equal(threadpoolSizeOf(undefined), 4);
    assert.equal(threadpoolSizeOf('16'), 16);
    assert.equal(threadpoolSizeOf('zero'), 4);
  });
});

describe('waitPieces', () => {
  const maps = new SourceMapResolver(new Map(), undefined);

  it('labels waits by kind, with the peer of a socket', () => {
    const location = { file: '/app/session.ts', line: 18 };
    const socket: RecordedWait = {
      requestId: 1,
      type: 'TCPWRAP',
      kind: 'socket',
      startUs: 0,
      endUs: 1,
      peer: '127.0.0.1:6379',
    };
    assert.equal(waitLabel(socket, location), 'TCP 127.0.0.1:6379 from session.ts:18');
    assert.equal(
      waitLabel(hash(1, 0, 1), { file: '/app/auth.ts', line: 41 }),
      'PBKDF2REQUEST at auth.ts:41',
    );
    assert.equal(waitLabel({ ...socket, type: 'Timeout', kind: 'timer' }, undefined), 'Timeout');
  });

  it('splits the fifth of five concurrent hashes into its queueing and its run', () => {
    // Five hashes of 100 ms submitted together on 4 threads: the fifth runs from 100 to 200.
    const waits = [1, 2, 3, 4].map(id => hash(id, 0, 100_000));
    waits.push(hash(5, 1_000, 200_000));
    const starts = poolRunStarts(waits, 4);
    assert.deepEqual([...starts], [[4, 100_000]]);

    const pieces = waitPieces(waits, maps, 4).get(5) ?? [];
    assert.deepEqual(
      pieces.map(piece => [piece.startUs, piece.endUs, piece.cause.kind]),
      [
        [1_000, 100_000, 'threadpool'],
        [100_000, 200_000, 'threadpool'],
      ],
    );
    assert.match(pieces[0]!.cause.label, /^threadpool busy: PBKDF2REQUEST at auth\.js:41/);
    assert.doesNotMatch(pieces[0]!.cause.hint ?? '', /iteration|fewer|weaker/i);
    assert.equal(waitPieces(waits, maps, 8).get(5)?.length, 1);
  });

  it('explains a queued request as "threadpool busy" in its gap', () => {
    const profile = makeProfile(
      [
        { id: 1, functionName: '(root)' },
        { id: 2, functionName: '(idle)', parent: 1 },
      ],
      new Array(20).fill(2),
      10_000,
    );
    const requests = [1, 2, 3, 4, 5].map(id => makeRequest(id, `/login?${id}`, 0, 200_000));
    const waits = [1, 2, 3, 4].map(id => hash(id, 0, 100_000));
    waits.push(hash(5, 0, 200_000));
    const session = makeSession({ profiles: [profile], requests, waits });

    const analysis = analyzeSession(session);
    const fifth = analysis.requests.find(request => request.id === 5)!;
    const causes = fifth.gaps.flatMap(gap => gap.causes);
    const busy = causes.find(cause => cause.label.startsWith('threadpool busy'));
    assert.ok(busy, JSON.stringify(causes));
    assert.ok(Math.abs(busy.ms - 100) < 1e-6, `${busy.ms}`);
    assert.equal(fifth.explainedShare, 1);
  });

  it('charges idle samples to the request whose window ran there', () => {
    // One 4 ms idle sample; the windows say request 1 ran from 1 to 2 ms and request 2 from 2
    // to 3 ms: 1 ms of own JS, 1 ms blocked, 2 ms quiet (1 ms of it a timer).
    const profile = makeProfile(
      [
        { id: 1, functionName: '(root)' },
        { id: 2, functionName: '(idle)', parent: 1 },
      ],
      [2],
      4_000,
    );
    const session = makeSession({
      profiles: [profile],
      requests: [makeRequest(1, '/a', 0, 4_000), makeRequest(2, '/b', 2_000, 3_000)],
      windows: { ts: [1_000, 2_000, 3_000], req: [1, 2, 0] },
      waits: [{ requestId: 1, type: 'Timeout', kind: 'timer', startUs: 3_000, endUs: 4_000 }],
    });

    const causes = analyzeSession(session).requests[0]!.gaps.flatMap(gap => gap.causes);
    const ms = (kind: string) =>
      causes.filter(cause => cause.kind === kind).reduce((sum, cause) => sum + cause.ms, 0);
    assert.equal(ms('cpu'), 1);
    assert.equal(ms('blocked'), 1);
    assert.equal(ms('timer'), 1);
    assert.equal(ms('idle'), 1);
    assert.equal(causes.find(cause => cause.kind === 'blocked')?.label, 'blocked by GET /b');
  });

  it('lets a pending wait explain a long sample of JS of no request', () => {
    // One CPU sample of 40 ms of no request's JS (a point seen at its start) over a 40 ms
    // timer wait of the request: the wait is known to be pending the whole time.
    const profile = makeProfile(
      [
        { id: 1, functionName: '(root)' },
        { id: 2, functionName: 'tick', parent: 1, url: 'file:///app/lib.js', lineNumber: 3 },
      ],
      [2],
      40_000,
    );
    const session = makeSession({
      profiles: [profile],
      requests: [makeRequest(1, '/a', 0, 40_000)],
      waits: [{ requestId: 1, type: 'Timeout', kind: 'timer', startUs: 0, endUs: 40_000 }],
    });

    const causes = analyzeSession(session).requests[0]!.gaps.flatMap(gap => gap.causes);
    const ms = (kind: string) =>
      causes.filter(cause => cause.kind === kind).reduce((sum, cause) => sum + cause.ms, 0);
    assert.equal(ms('other-cpu'), 0);
    assert.equal(ms('timer'), 40);
  });

  it("counts the loop's turnaround between two callbacks of a request as the request's", () => {
    const profile = makeProfile(
      [
        { id: 1, functionName: '(root)' },
        { id: 2, functionName: '(idle)', parent: 1 },
      ],
      [2],
      1_000,
    );
    // Request 1 runs 0-400, nothing 400-430 (30 µs: the loop between two of its callbacks),
    // runs 430-500, then nothing from 500 on (a real wait, unexplained here).
    const session = makeSession({
      profiles: [profile],
      requests: [makeRequest(1, '/a', 0, 1_000)],
      windows: { ts: [0, 400, 430, 500], req: [1, 0, 1, 0] },
    });

    const causes = analyzeSession(session).requests[0]!.gaps.flatMap(gap => gap.causes);
    const ms = (kind: string) =>
      causes.filter(cause => cause.kind === kind).reduce((sum, cause) => sum + cause.ms, 0);
    assert.ok(Math.abs(ms('cpu') - 0.5) < 1e-9, JSON.stringify(causes));
    assert.ok(Math.abs(ms('idle') - 0.5) < 1e-9, JSON.stringify(causes));
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type Cdp from 'devtools-protocol';
import { analyzeSession } from './analyze';
import type { HotLine } from './model';
import { makeProfile, makeRequest, makeSession } from './testSessions';

const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures', 'profiles');

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** A recorded profile as one request covering all of it; scripts by their base name. */
function recordedSession(profileName: string, scriptNames: string[]) {
  const profile = JSON.parse(fixture(profileName)) as Cdp.Profiler.Profile;
  const urls = new Set(profile.nodes.map(node => node.callFrame.url));
  const scripts = scriptNames.map(name => {
    const url = [...urls].find(u => u.endsWith(`/profiles/${name}`));
    assert.ok(url, `${name} is in ${profileName}`);
    return { url, source: fixture(name) };
  });
  const end = profile.endTime;
  return makeSession({
    profiles: [profile],
    requests: [makeRequest(1, '/work', profile.startTime, end)],
    windows: { ts: [profile.startTime], req: [1] },
    scripts,
  });
}

function fileName(line: HotLine): string {
  return line.file.split('/').pop() ?? '';
}

describe('line charges on recorded profiles', () => {
  it('charges pbkdf2Sync, deflateSync and JSON.stringify to their own call lines', () => {
    const analysis = analyzeSession(recordedSession('pbkdf2.cpuprofile', ['pbkdf2.js']));
    const lines = analysis.endpoints[0]?.hotLines.filter(line => fileName(line) === 'pbkdf2.js');
    const byLine = new Map(lines?.map(line => [line.line, line]));

    const hash = byLine.get(12);
    assert.equal(hash?.functionName, 'login');
    assert.equal(hash?.innerFrames[0]?.name, 'crypto.pbkdf2Sync');
    assert.match(hash?.hint ?? '', /slow by design/);
    assert.doesNotMatch(hash?.hint ?? '', /iteration/);
    const zip = byLine.get(13);
    assert.equal(zip?.innerFrames[0]?.name, 'zlib.deflateSync');
    assert.match(zip?.hint ?? '', /compression/);
    const json = byLine.get(14);
    assert.match(json?.hint ?? '', /JSON/);
    // Most of login's time is in these three lines; none goes to the function's header line.
    const login = (hash?.totalMs ?? 0) + (zip?.totalMs ?? 0) + (json?.totalMs ?? 0);
    assert.ok(login > 0.8 * (analysis.requests[0]?.cpuMs ?? 0), `login lines ${login} ms`);
    assert.equal(byLine.get(10), undefined);
  });

  it('puts the ticks of an inlined callee on the callee file, not on the caller file', () => {
    const session = recordedSession('inlining.cpuprofile', ['inlining.js', 'inliningLib.js']);
    const analysis = analyzeSession(session);
    const lines = analysis.endpoints[0]?.hotLines ?? [];

    const caller = lines.filter(line => fileName(line) === 'inlining.js');
    const callee = lines.filter(line => fileName(line) === 'inliningLib.js');
    // The caller's file has no functions on lines 5-12: nothing may land there.
    assert.deepEqual(
      caller.filter(line => line.line >= 5 && line.line <= 12),
      [],
    );
    const calleeMs = callee.reduce((total, line) => total + line.totalMs, 0);
    const callerMs = caller.reduce((total, line) => total + line.totalMs, 0);
    assert.ok(calleeMs > callerMs, `callee ${calleeMs} ms, caller ${callerMs} ms`);
    for (const line of callee) assert.ok(line.line >= 5 && line.line <= 11, `line ${line.line}`);
    assert.ok(callee.some(line => line.functionName === 'mix'));
  });
});

describe('source maps', () => {
  const dir = join(FIXTURES, 'sourcemap');
  const url = 'file://' + join(dir, 'handler.js');
  const profile = () =>
    makeProfile(
      [
        { id: 1, functionName: '(root)' },
        {
          id: 2,
          parent: 1,
          functionName: 'total',
          url,
          lineNumber: 3,
          columnNumber: 14,
          positionTicks: [{ line: 7, ticks: 4 }],
        },
      ],
      [2, 2, 2, 2],
    );
  const base = () => ({
    requests: [makeRequest(1, '/total', 0, 4_000)],
    windows: { ts: [0], req: [1] },
  });

  it('lands a generated line on the .ts line through a map read from disk', () => {
    const session = makeSession({ profiles: [profile()], ...base() });
    const analysis = analyzeSession(session, {
      readFile: path => {
        try {
          return readFileSync(path, 'utf8');
        } catch {
          return undefined;
        }
      },
    });

    const top = analysis.hotLines[0];
    assert.equal(top?.file, join(dir, 'handler.ts'));
    assert.equal(top?.line, 12);
  });

  it('uses the map recorded in the session, without any file access', () => {
    const scripts = [
      {
        url,
        source: fixture('sourcemap/handler.js'),
        sourceMap: JSON.parse(fixture('sourcemap/handler.js.map')),
        sourceMapUrl: url + '.map',
      },
    ];
    const analysis = analyzeSession(makeSession({ profiles: [profile()], ...base(), scripts }));

    assert.equal(analysis.hotLines[0]?.file, join(dir, 'handler.ts'));
    assert.equal(analysis.hotLines[0]?.line, 12);
    assert.equal(analysis.hotLines[0]?.msPerRequest, 4);
  });
});

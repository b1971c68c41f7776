/**
 * Captures against real services: request lifecycles under concurrent load, an aborted
 * request, execution windows of interleaving endpoints checked against the fixture's own
 * record of its slices, a target that exits mid-session, and another profiling client.
 *
 * The fixture and the test read the same clock: `process.hrtime` is CLOCK_MONOTONIC, shared by
 * every process of the machine, so the client's send and receive times bracket the server's.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ErrorCode, asGapscopeError } from '../../src/core/errors';
import type { ExecutionWindows, RecordedRequest, SessionFile } from '../../src/core/session';
import { attachToTarget } from '../../src/inspector/attach';
import { startCapture } from '../../src/inspector/capture';
import { CdpConnection } from '../../src/inspector/cdp';
import type { IInspectorSession } from '../../src/inspector/types';
import { listeningPortsOf } from '../../src/inspector/processes';
import { http, startFixture, waitFor, type Fixture } from './helpers';

/** Tolerance on comparisons between the two processes' stamps, µs (clock conversion error). */
const CLOCK_MARGIN_US = 1000;

/**
 * How late the server's `response.finish` may come after the client read the reply, µs: Node
 * emits it once the write completed, which can wait behind another request's synchronous slice.
 */
const FINISH_MARGIN_US = 100_000;

function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

async function attachTo(fixture: Fixture): Promise<IInspectorSession> {
  const attached = await attachToTarget({ kind: 'pid', pid: fixture.pid });
  assert.ok(attached.ok, JSON.stringify(!attached.ok && attached.error));
  return attached.value;
}

/** The request running at `timeUs` according to the windows (0: none). */
function requestAt(windows: ExecutionWindows, timeUs: number): number {
  let low = 0;
  let high = windows.ts.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (windows.ts[middle]! <= timeUs) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found < 0 ? 0 : windows.req[found]!;
}

interface Sent {
  path: string;
  sentUs: number;
  receivedUs: number;
}

/** Runs `workers` loops, each sending its share of `paths` one after the other. */
async function load(port: number, paths: string[], workers: number): Promise<Sent[]> {
  const sent: Sent[] = [];
  const queue = [...paths];
  const worker = async () => {
    for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
      const sentUs = nowUs();
      const method = path.startsWith('/body') ? 'POST' : 'GET';
      const reply = await http(
        port,
        path,
        method,
        method === 'POST' ? 'x'.repeat(2000) : undefined,
      );
      assert.equal(reply.status, 200);
      sent.push({ path, sentUs, receivedUs: nowUs() });
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return sent;
}

describe('startCapture', () => {
  test('records concurrent requests and attributes interleaving endpoints separately', async t => {
    const fixture = await startFixture('httpServer.js');
    t.after(() => fixture.stop());
    const session = await attachTo(fixture);
    t.after(() => session.detach());
    const capture = await startCapture(session, { chunkIntervalMs: 1000 });

    const paths: string[] = [];
    for (let i = 0; i < 12; i++) {
      paths.push(`/sliced?tag=alpha${i}&ms=2&slices=4`, `/sliced?tag=beta${i}&ms=1&slices=6`);
      paths.push(`/body?tag=gamma${i}&ms=2`, `/burn?tag=delta${i}&ms=3`);
    }
    const sent = await load(fixture.port, paths, 6);
    const file = await capture.stop();
    const truth = JSON.parse((await http(fixture.port, '/truth')).body) as {
      slices: { tag: string; startUs: number; endUs: number }[];
    };

    // Every request sent appears once, with start and end inside the client's own bracket.
    const byUrl = new Map(file.requests.map(r => [r.url, r]));
    assert.equal(file.requests.length, paths.length);
    for (const { path, sentUs, receivedUs } of sent) {
      const recorded = byUrl.get(path);
      assert.ok(recorded, `request ${path} was recorded`);
      assert.equal(recorded.statusCode, 200);
      assert.equal(recorded.method, path.startsWith('/body') ? 'POST' : 'GET');
      assert.ok(recorded.endUs !== undefined && recorded.endUs >= recorded.startUs);
      assert.ok(recorded.startUs >= sentUs - CLOCK_MARGIN_US, `${path} starts after it was sent`);
      const late = recorded.endUs - receivedUs;
      assert.ok(late <= FINISH_MARGIN_US, `${path} ends ${late} µs after its reply`);
    }

    // Every slice of work ran, by the windows, inside the request that did it.
    const byId = new Map<number, RecordedRequest>(file.requests.map(r => [r.id, r]));
    const slices = truth.slices.filter(slice => slice.startUs >= file.capture.startUs);
    assert.equal(slices.length, 12 * (4 + 6 + 1 + 1));
    const wrong = slices.filter(slice => {
      const id = requestAt(file.windows, (slice.startUs + slice.endUs) / 2);
      const owner = byId.get(id);
      const sameAtEdges =
        requestAt(file.windows, slice.startUs + 50) === id &&
        requestAt(file.windows, slice.endUs - 50) === id;
      if (!owner || !owner.url.includes(`tag=${slice.tag}&`) || !sameAtEdges) return true;
      // The request's recorded start and end hold every slice of its work.
      const holds =
        owner.startUs <= slice.startUs + CLOCK_MARGIN_US &&
        owner.endUs! >= slice.endUs - CLOCK_MARGIN_US;
      return !holds;
    });
    assert.deepEqual(wrong, [], 'slices charged to another request or to none');
    assert.equal(file.capture.agentStats?.droppedSwitches, 0);

    // The profile covers the window and the fixture's script is kept with its source.
    assert.ok(file.profiles.length >= 1);
    assert.ok(file.profiles.every(p => (p.samples?.length ?? 0) > 0));
    const script = file.scripts.find(s => s.url.endsWith('/test/fixtures/servers/httpServer.js'));
    assert.ok(script?.source?.includes('function burn('));
  });

  test('ends an aborted request at its close', async t => {
    const fixture = await startFixture('httpServer.js');
    t.after(() => fixture.stop());
    const session = await attachTo(fixture);
    t.after(() => session.detach());
    const capture = await startCapture(session);

    const client = request({
      host: '127.0.0.1',
      port: fixture.port,
      path: '/slow?ms=60000',
      agent: false,
    });
    client.on('error', () => undefined);
    client.end();
    await waitFor('the slow request to start', async () =>
      findRequest(await capture.snapshot(), '/slow'),
    );
    const destroyedUs = nowUs();
    client.destroy();

    const ended = await waitFor('the aborted request to end', async () => {
      const found = findRequest(await capture.snapshot(), '/slow');
      return found?.endUs !== undefined ? found : undefined;
    });
    const seenUs = nowUs();
    assert.equal(ended.aborted, true);
    assert.ok(ended.endUs! >= destroyedUs - CLOCK_MARGIN_US, 'ends after the client went away');
    assert.ok(ended.endUs! <= seenUs + CLOCK_MARGIN_US);
    const file = await capture.stop();
    assert.equal(findRequest(file, '/slow')?.aborted, true);
  });

  test('ends by itself when the duration elapsed, and snapshots while live', async t => {
    const fixture = await startFixture('httpServer.js');
    t.after(() => fixture.stop());
    const session = await attachTo(fixture);
    t.after(() => session.detach());
    const capture = await startCapture(session, { durationMs: 600 });
    const ended = new Promise<SessionFile>(resolve => capture.onDidEnd(resolve));

    await http(fixture.port, '/burn?tag=live&ms=2');
    const live = await capture.snapshot();
    assert.equal(findRequest(live, '/burn')?.statusCode, 200);
    const file = await ended;
    assert.equal(file.capture.endReason, 'duration');
    assert.ok(file.capture.endUs - file.capture.startUs >= 500_000, 'covers the duration');
    assert.equal(findRequest(file, '/burn')?.statusCode, 200);
    assert.equal(await capture.stop(), file, 'stop after the end returns the same session');
  });

  test('with keepMs, drops old chunks and what ended before them, keeps recent ones', async t => {
    const fixture = await startFixture('httpServer.js');
    t.after(() => fixture.stop());
    const session = await attachTo(fixture);
    t.after(() => session.detach());
    const capture = await startCapture(session, { keepMs: 300, chunkIntervalMs: 60_000 });
    t.after(() => capture.stop());

    await http(fixture.port, '/burn?tag=old&ms=2');
    const first = await capture.snapshot();
    const old = findRequest(first, '/burn?tag=old');
    assert.ok(old?.endUs, 'the first snapshot has the old request');

    // Each snapshot cuts a chunk; once one ends keepMs after the old chunk, the old one goes.
    const trimmed = await waitFor('the old request dropped', async () => {
      await http(fixture.port, '/burn?tag=new&ms=2');
      const file = await capture.snapshot();
      return findRequest(file, '/burn?tag=old') ? undefined : file;
    });
    const kept = trimmed.profiles[0]!;
    assert.ok(kept.startTime > old.endUs!, 'no kept chunk reaches back to the old request');
    assert.equal(trimmed.capture.startUs, kept.startTime);
    assert.ok(findRequest(trimmed, '/burn?tag=new')?.endUs, 'the recent request is kept');
    assert.ok(trimmed.windows.ts.length > 0 && trimmed.windows.ts[0]! <= kept.startTime);
    assert.ok(trimmed.capture.notes.some(note => /rolling window/.test(note)));
  });

  test('keeps what was collected when the target exits mid-session', async t => {
    const fixture = await startFixture('httpServer.js');
    t.after(() => fixture.stop());
    const session = await attachTo(fixture);
    t.after(() => session.detach());
    const capture = await startCapture(session, { chunkIntervalMs: 300 });
    const ended = new Promise<SessionFile>(resolve => capture.onDidEnd(resolve));
    const closed = new Promise<string>(resolve => session.onDidClose(e => resolve(e.reason)));

    // Samples grow only when a chunk is cut (progress also fires between chunks).
    let chunks = 0;
    let samples = 0;
    capture.onDidProgress(progress => {
      if (progress.samples > samples) chunks++;
      samples = progress.samples;
    });
    await waitFor('two profile chunks', async () => {
      await http(fixture.port, '/burn?tag=before&ms=5');
      return chunks >= 2 ? true : undefined;
    });
    await http(fixture.port, '/exit');
    await fixture.exited;

    const file = await ended;
    assert.equal(await closed, 'target-exited');
    assert.equal(file.capture.endReason, 'target-exited');
    assert.ok(file.profiles.length >= 2, `${file.profiles.length} chunks kept`);
    assert.ok(file.requests.filter(r => r.url.startsWith('/burn')).length >= 2);
    assert.ok(file.capture.notes.some(note => /exited/.test(note)));
    assert.equal((await capture.stop()).capture.endReason, 'target-exited');
  });

  test('keeps the chunks cut before the target was killed', async t => {
    const fixture = await startFixture('httpServer.js');
    t.after(() => fixture.stop());
    const session = await attachTo(fixture);
    t.after(() => session.detach());
    const capture = await startCapture(session, { chunkIntervalMs: 300 });
    const ended = new Promise<SessionFile>(resolve => capture.onDidEnd(resolve));

    // Samples grow only when a chunk is cut (progress also fires between chunks).
    let chunks = 0;
    let samples = 0;
    capture.onDidProgress(progress => {
      if (progress.samples > samples) chunks++;
      samples = progress.samples;
    });
    await waitFor('two profile chunks', async () => {
      await http(fixture.port, '/burn?tag=before&ms=5');
      return chunks >= 2 ? true : undefined;
    });
    fixture.child.kill('SIGKILL');

    const file = await ended;
    assert.equal(file.capture.endReason, 'target-exited');
    assert.ok(file.profiles.length >= 2, `${file.profiles.length} chunks kept`);
    assert.ok(file.profiles.every(p => p.endTime > p.startTime));
    assert.ok(file.requests.some(r => r.url.startsWith('/burn') && r.endUs !== undefined));
  });

  test('runs beside a --cpu-prof profile and never stops it', async t => {
    const dir = await mkdtemp(join(tmpdir(), 'gapscope-cpuprof-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const execArgv = ['--inspect-port=0', '--cpu-prof', `--cpu-prof-dir=${dir}`];
    const fixture = await startFixture('httpServer.js', { execArgv });
    t.after(() => fixture.stop());
    const session = await attachTo(fixture);
    const capture = await startCapture(session, { samplingIntervalUs: 500 });
    await load(fixture.port, Array(10).fill('/burn?ms=5'), 2);
    const file = await capture.stop();
    await session.detach();

    assert.ok(file.profiles[0]!.samples!.length > 0, 'our capture has samples');
    assert.ok(file.capture.notes.some(note => /--cpu-prof/.test(note)));
    await http(fixture.port, '/exit');
    await fixture.exited;
    const [written] = await readdir(dir);
    assert.ok(written, 'the --cpu-prof profile was written at exit');
    const other = JSON.parse(await readFile(join(dir, written), 'utf8')) as {
      startTime: number;
      endTime: number;
      samples: number[];
    };
    assert.ok(other.startTime <= file.capture.startUs && other.endTime >= file.capture.endUs);
    assert.ok(other.samples.length > 0);
  });

  test('runs beside another CDP client profiling, whose profile still completes', async t => {
    const fixture = await startFixture('httpServer.js', { execArgv: ['--inspect=127.0.0.1:0'] });
    t.after(() => fixture.stop());
    const inspectorPort = await waitFor('the inspector port', async () =>
      (await listeningPortsOf(fixture.pid)).find(port => port !== fixture.port),
    );
    const attached = await attachToTarget({
      kind: 'address',
      host: '127.0.0.1',
      port: inspectorPort,
    });
    assert.ok(attached.ok);
    const session = attached.value;
    t.after(() => session.detach());

    const other = await CdpConnection.connect(session.inspectorUrl);
    t.after(() => other.close());
    await other.send('Profiler.enable');
    await other.send('Profiler.setSamplingInterval', { interval: 2000 });
    await other.send('Profiler.start');

    const capture = await startCapture(session, { samplingIntervalUs: 500 });
    const second = await startCapture(session).catch((error: unknown) => error);
    assert.equal(asGapscopeError(second)?.code, ErrorCode.ProfilerBusy, 'one capture at a time');
    await load(fixture.port, Array(10).fill('/burn?ms=5'), 2);
    const file = await capture.stop();
    await session.detach();

    const { profile } = await other.send('Profiler.stop');
    assert.ok(file.profiles[0]!.samples!.length > 0);
    assert.ok(profile.samples!.length > 0, "the other client's profile completed");
    assert.ok(profile.endTime >= file.capture.endUs, 'and it ran past our capture');
    // On Node 20.20 V8 accepts our interval beside another profile; when it refuses, say so.
    for (const note of file.capture.notes) assert.doesNotMatch(note, /undefined|NaN/);
  });
});

function findRequest(file: SessionFile, urlPrefix: string): RecordedRequest | undefined {
  return file.requests.find(r => r.url.startsWith(urlPrefix));
}

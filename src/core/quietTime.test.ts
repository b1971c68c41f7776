/**
 * Quiet time of a request (no sample of its JS, no span) that no wait explains: what the
 * recorded evidence names, in its order (garbage collection, the agent's flushes, the kernel's
 * run-queue delay, the loop's turn between two callbacks), and what stays unexplained.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSession } from './analyze';
import type { GapCause } from './model';
import type { SessionFile } from './session';
import { makeProfile, makeRequest, makeSession } from './testSessions';

/** One idle sample of 10 ms from 0: the profile says nothing of the request. */
function idleProfile() {
  return makeProfile(
    [
      { id: 1, functionName: '(root)' },
      { id: 2, functionName: '(idle)', parent: 1 },
    ],
    [2],
    10_000,
  );
}

/** Request 1 over 0–10 ms; its JS ran 0–1000 and 9000–10000 µs; `extra` adds evidence. */
function holeSession(extra: Partial<SessionFile> = {}): SessionFile {
  return makeSession({
    profiles: [idleProfile()],
    requests: [makeRequest(1, '/a', 0, 10_000)],
    windows: { ts: [0, 1_000, 9_000, 10_000], req: [1, 0, 1, 0] },
    ...extra,
  });
}

function causesOf(session: SessionFile): GapCause[] {
  return analyzeSession(session).requests[0]!.gaps.flatMap(gap => gap.causes);
}

function msOf(causes: GapCause[], kind: string, label?: RegExp): number {
  return causes
    .filter(cause => cause.kind === kind && (!label || label.test(cause.label)))
    .reduce((sum, cause) => sum + cause.ms, 0);
}

function near(actual: number, expected: number, causes: GapCause[]) {
  assert.ok(
    Math.abs(actual - expected) < 1e-6,
    `${actual} != ${expected}: ${JSON.stringify(causes)}`,
  );
}

describe('quiet time', () => {
  it('stays "idle, unexplained" with no evidence', () => {
    const causes = causesOf(holeSession());
    near(msOf(causes, 'idle'), 8, causes);
    near(analyzeSession(holeSession()).requests[0]!.explainedShare, 0.2, causes);
  });

  it("charges the kernel's run-queue delay of the stretch, no more than it measured", () => {
    const session = holeSession({ runDelays: [{ startUs: 1_000, endUs: 9_050, delayUs: 5_000 }] });
    const causes = causesOf(session);
    near(msOf(causes, 'descheduled'), 5, causes);
    near(msOf(causes, 'idle'), 3, causes);
    assert.match(causes.find(cause => cause.kind === 'descheduled')!.hint ?? '', /no CPU/);
    near(analyzeSession(session).requests[0]!.explainedShare, 0.7, causes);
  });

  it('never charges more delay than the stretch the reading covers overlaps', () => {
    const causes = causesOf(
      holeSession({ runDelays: [{ startUs: 8_500, endUs: 9_500, delayUs: 4_000 }] }),
    );
    near(msOf(causes, 'descheduled'), 0.5, causes);
    near(msOf(causes, 'idle'), 7.5, causes);
  });

  it('names the run-queue delay before collections (a GC the OS stretched), then the GC', () => {
    const gcs = [
      { startUs: 2_000, endUs: 4_000, kind: 'minor' as const },
      { startUs: 9_200, endUs: 9_500, kind: 'minor' as const },
    ];
    const runDelays = [{ startUs: 1_000, endUs: 9_000, delayUs: 5_000 }];
    const causes = causesOf(holeSession({ gcs, runDelays }));
    near(msOf(causes, 'descheduled'), 5, causes);
    near(msOf(causes, 'gc'), 2 + 0.3, causes);
    near(msOf(causes, 'cpu'), 2 - 0.3, causes);
    near(msOf(causes, 'idle'), 1, causes);
  });

  it('takes the delay read at the end of its own window out of its JS', () => {
    const runDelays = [{ startUs: 9_000, endUs: 10_010, delayUs: 600 }];
    const causes = causesOf(holeSession({ runDelays }));
    near(msOf(causes, 'descheduled'), 0.6, causes);
    near(msOf(causes, 'cpu'), 2 - 0.6, causes);
  });

  it('calls poll idle between two callbacks a wait nothing recorded, not the loop', () => {
    // 150 µs between two callbacks, 120 µs of it in the poll: a short untracked wait.
    const session = makeSession({
      profiles: [idleProfile()],
      requests: [makeRequest(1, '/a', 0, 1_000)],
      windows: { ts: [0, 400, 550, 1_000], req: [1, 0, 1, 0] },
      loopIdle: [{ startUs: 400, endUs: 550, idleUs: 120 }],
    });
    const causes = causesOf(session);
    near(msOf(causes, 'idle', /nothing recorded/), 0.12, causes);
    near(msOf(causes, 'loop'), 0.03, causes);
    assert.ok(analyzeSession(session).requests[0]!.explainedShare < 0.9, 'a wait is unexplained');
  });

  it("names the agent's own flushes as the agent's", () => {
    const causes = causesOf(holeSession({ agentPauses: [{ startUs: 5_000, endUs: 6_000 }] }));
    near(msOf(causes, 'other-cpu', /^Gapscope agent/), 1, causes);
    near(msOf(causes, 'idle'), 7, causes);
  });

  it("calls a short stretch between two of the request's callbacks the loop's turn", () => {
    const short = makeSession({
      profiles: [idleProfile()],
      requests: [makeRequest(1, '/a', 0, 1_000)],
      windows: { ts: [0, 400, 550, 1_000], req: [1, 0, 1, 0] },
    });
    const causes = causesOf(short);
    near(msOf(causes, 'loop'), 0.15, causes);
    near(msOf(causes, 'idle'), 0, causes);

    // 300 µs is past a turn of the loop: a wait nobody recorded, left unexplained.
    const long = makeSession({
      profiles: [idleProfile()],
      requests: [makeRequest(1, '/a', 0, 1_000)],
      windows: { ts: [0, 400, 700, 1_000], req: [1, 0, 1, 0] },
    });
    const longCauses = causesOf(long);
    near(msOf(longCauses, 'loop'), 0, longCauses);
    near(msOf(longCauses, 'idle'), 0.3, longCauses);
  });

  it("counts the stretch from the request's start to its first switch as its own", () => {
    // The agent records the start and the switch in one call: 120 µs between them (a stall
    // no counter explains) is still the request's execution.
    const session = makeSession({
      profiles: [idleProfile()],
      requests: [makeRequest(1, '/a', 0, 1_000)],
      windows: { ts: [120, 1_000], req: [1, 0] },
    });
    const causes = causesOf(session);
    near(msOf(causes, 'cpu'), 1, causes);
    near(msOf(causes, 'idle'), 0, causes);

    // Another request's switch first: the lead-in is not this one's.
    const other = makeSession({
      profiles: [idleProfile()],
      requests: [makeRequest(1, '/a', 0, 1_000), makeRequest(2, '/b', 0, 50)],
      windows: { ts: [0, 50, 120, 1_000], req: [2, 0, 1, 0] },
    });
    const otherCauses = causesOf(other);
    near(msOf(otherCauses, 'cpu'), 0.88, otherCauses);
  });

  it("calls what the run-queue delay leaves of a stretched turn the loop's", () => {
    // 1.2 ms between two callbacks, 1 ms of it waiting for a CPU: 0.2 ms of loop work.
    const session = makeSession({
      profiles: [idleProfile()],
      requests: [makeRequest(1, '/a', 0, 2_000)],
      windows: { ts: [0, 400, 1_600, 2_000], req: [1, 0, 1, 0] },
      runDelays: [{ startUs: 400, endUs: 1_620, delayUs: 1_000 }],
    });
    const causes = causesOf(session);
    near(msOf(causes, 'descheduled'), 1, causes);
    near(msOf(causes, 'loop'), 0.2, causes);
    near(msOf(causes, 'idle'), 0, causes);
  });

  it('tells callbacks of no request apart from the loop between two of the request', () => {
    const session = makeSession({
      profiles: [idleProfile()],
      requests: [makeRequest(1, '/a', 0, 1_000)],
      windows: { ts: [0, 400, 450, 550, 600, 1_000], req: [1, 0, -1, 0, 1, 0] },
    });
    const causes = causesOf(session);
    near(msOf(causes, 'other-cpu', /outside any request/), 0.1, causes);
    near(msOf(causes, 'loop'), 0.1, causes);
    near(msOf(causes, 'idle'), 0, causes);

    // Background callbacks every few ms while the request waits: not one long loop turn.
    const waiting = makeSession({
      profiles: [idleProfile()],
      requests: [makeRequest(1, '/a', 0, 10_000)],
      windows: {
        ts: [0, 100, 200, 300, 5_000, 5_100, 9_000, 10_000],
        req: [1, 0, -1, 0, -1, 0, 1, 0],
      },
    });
    const waitingCauses = causesOf(waiting);
    near(msOf(waitingCauses, 'loop'), 0, waitingCauses);
    near(msOf(waitingCauses, 'other-cpu', /outside any request/), 0.2, waitingCauses);
    near(msOf(waitingCauses, 'idle'), 8.7, waitingCauses);
  });

  it('charges a GC sample only where a recorded collection was', () => {
    // One 10 ms sample that saw a collection at its start; the collection took 300 µs.
    const profile = makeProfile(
      [
        { id: 1, functionName: '(root)' },
        { id: 2, functionName: '(garbage collector)', parent: 1 },
      ],
      [2],
      10_000,
    );
    const base = {
      profiles: [profile],
      requests: [makeRequest(1, '/a', 0, 10_000)],
      windows: { ts: [0, 1_000, 9_000, 10_000], req: [1, 0, 1, 0] },
    };
    const recorded = causesOf(
      makeSession({ ...base, gcs: [{ startUs: 0, endUs: 300, kind: 'minor' }] }),
    );
    near(msOf(recorded, 'gc'), 0.3, recorded);
    near(msOf(recorded, 'cpu'), 2 - 0.3, recorded);
    // The rest is quiet: idle, or past a few sampling intervals, unsampled.
    near(msOf(recorded, 'idle') + msOf(recorded, 'unsampled'), 8, recorded);

    // An older session without recorded collections: the sample is all there is to go by, so
    // the request's whole first window counts as collecting.
    const sampled = causesOf(makeSession(base));
    near(msOf(sampled, 'gc'), 1, sampled);
  });

  it('lets a recorded wait explain a short stretch before the loop does', () => {
    const session = makeSession({
      profiles: [idleProfile()],
      requests: [makeRequest(1, '/a', 0, 1_000)],
      windows: { ts: [0, 400, 550, 1_000], req: [1, 0, 1, 0] },
      waits: [{ requestId: 1, type: 'Timeout', kind: 'timer', startUs: 390, endUs: 550 }],
    });
    const causes = causesOf(session);
    near(msOf(causes, 'timer'), 0.15, causes);
    near(msOf(causes, 'loop'), 0, causes);
  });
});

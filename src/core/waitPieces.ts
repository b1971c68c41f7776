/**
 * Recorded waits turned into the pieces that explain a request's idle time: each wait with
 * its label, line and hint, ranked by strength of evidence, and jobs of the libuv thread pool
 * split into the part spent queued for a thread ("threadpool busy") and the part that ran.
 *
 * The pool is modelled first-in first-out over every request's pool jobs: a job starts running
 * when it was submitted or when the earliest of the pool's threads became free, whichever is
 * later. A thread counts as busy until its job's callback ran, so a loop blocked meanwhile
 * makes the queueing look a little longer than it was. Jobs of no request (request 0) take
 * their place in the pool but explain no request's time.
 */
import type { GapCause, GapCauseKind, SourceLocation } from './model';
import type { RecordedWait } from './session';
import type { SourceMapResolver } from './sourceMaps';
import { DEFAULT_THREADPOOL_SIZE, usesThreadpool } from './waitKinds';
import { hintForWait, threadpoolBusyHint } from './hints';

/** Queueing shorter than this (µs) is the pool's own dispatch latency, not a busy pool. */
const MIN_QUEUED_US = 200;

/** Rank of each kind, strongest first (lower wins when pieces overlap). */
const RANK: Record<RecordedWait['kind'], number> = {
  threadpool: 0,
  native: 0,
  socket: 2,
  fs: 3,
  dns: 4,
  timer: 5,
  other: 6,
};

/** Rank of a job's queued part: below any running job, above the other kinds. */
const QUEUED_RANK = 1;

/** A stretch of a request's time that one wait explains. */
export interface WaitPiece {
  startUs: number;
  endUs: number;
  /** Lower is stronger evidence. */
  rank: number;
  /** The cause without its time (`ms` 0): label, kind, location, hint. */
  cause: GapCause;
}

/** Pieces of every request's waits, by request id, each list sorted by start. */
export function waitPieces(
  waits: readonly RecordedWait[],
  sourceMaps: SourceMapResolver,
  threadpoolSize = DEFAULT_THREADPOOL_SIZE,
): Map<number, WaitPiece[]> {
  const byRequest = new Map<number, WaitPiece[]>();
  if (waits.length === 0) return byRequest;

  const runStarts = poolRunStarts(waits, threadpoolSize);
  const locations = new Map<string, SourceLocation>();
  for (let i = 0; i < waits.length; i++) {
    const wait = waits[i] as RecordedWait;
    if (wait.requestId === 0 || wait.endUs <= wait.startUs) continue;

    let pieces = byRequest.get(wait.requestId);
    if (!pieces) byRequest.set(wait.requestId, (pieces = []));
    const location = locate(wait, sourceMaps, locations);
    const runStart = runStarts.get(i) ?? wait.startUs;
    if (runStart - wait.startUs >= MIN_QUEUED_US) {
      const cause = queuedCause(wait, location, threadpoolSize);
      pieces.push({ startUs: wait.startUs, endUs: runStart, rank: QUEUED_RANK, cause });
    }
    if (wait.endUs > runStart) {
      const cause = waitCause(wait, location);
      pieces.push({ startUs: runStart, endUs: wait.endUs, rank: RANK[wait.kind] ?? 6, cause });
    }
  }
  for (const pieces of byRequest.values()) pieces.sort((a, b) => a.startUs - b.startUs);
  return byRequest;
}

/**
 * Wait index -> when its job got a thread, for the pool's jobs that had to queue. FIFO over
 * all requests' jobs in order of submission.
 */
export function poolRunStarts(
  waits: readonly RecordedWait[],
  threadpoolSize: number,
): Map<number, number> {
  const jobs: number[] = [];
  for (let i = 0; i < waits.length; i++) if (usesThreadpool(waits[i] as RecordedWait)) jobs.push(i);
  jobs.sort((a, b) => (waits[a] as RecordedWait).startUs - (waits[b] as RecordedWait).startUs);

  const freeAt = new Array<number>(Math.max(1, threadpoolSize)).fill(-Infinity);
  const runStarts = new Map<number, number>();
  for (const index of jobs) {
    const wait = waits[index] as RecordedWait;
    let thread = 0;
    for (let t = 1; t < freeAt.length; t++)
      if ((freeAt[t] ?? 0) < (freeAt[thread] ?? 0)) thread = t;

    const runStart = Math.min(wait.endUs, Math.max(wait.startUs, freeAt[thread] ?? 0));
    freeAt[thread] = wait.endUs;
    if (runStart > wait.startUs) runStarts.set(index, runStart);
  }
  return runStarts;
}

function locate(
  wait: RecordedWait,
  sourceMaps: SourceMapResolver,
  cache: Map<string, SourceLocation>,
): SourceLocation | undefined {
  const site = wait.callSite;
  if (!site) return undefined;

  const key = `${site.url}:${site.line}:${site.column}`;
  let location = cache.get(key);
  if (!location) {
    location = sourceMaps.resolve(site.url, site.line, Math.max(0, site.column - 1));
    cache.set(key, location);
  }
  return location;
}

/** `PBKDF2REQUEST at auth.ts:41`, `TCP 127.0.0.1:6379 from session.ts:18`, `Timeout at …`. */
export function waitLabel(wait: RecordedWait, location: SourceLocation | undefined): string {
  const where = location ? shortLocation(location) : undefined;
  if (wait.kind === 'socket') {
    const protocol = socketProtocol(wait.type);
    const peer = wait.peer ? ` ${wait.peer}` : '';
    return `${protocol}${peer}${where ? ` from ${where}` : ''}`;
  }
  return where ? `${wait.type} at ${where}` : wait.type;
}

function waitCause(wait: RecordedWait, location: SourceLocation | undefined): GapCause {
  const cause: GapCause = {
    kind: wait.kind as GapCauseKind,
    ms: 0,
    label: waitLabel(wait, location),
  };
  if (location) cause.location = location;
  const hint = hintForWait(wait.type);
  if (hint) cause.hint = hint;
  return cause;
}

function queuedCause(
  wait: RecordedWait,
  location: SourceLocation | undefined,
  threadpoolSize: number,
): GapCause {
  const queued = `queued for one of ${threadpoolSize} threads`;
  const label = `threadpool busy: ${waitLabel(wait, location)} ${queued}`;
  const cause: GapCause = {
    kind: 'threadpool',
    ms: 0,
    label,
    hint: threadpoolBusyHint(threadpoolSize),
  };
  if (location) cause.location = location;
  return cause;
}

function socketProtocol(type: string): string {
  if (type.startsWith('PIPE')) return 'pipe';
  if (type.startsWith('TLS')) return 'TLS';
  return 'TCP';
}

function shortLocation(location: { file: string; line: number }): string {
  const base = location.file.split(/[\\/]/).pop() || location.file;
  return `${base}:${location.line}`;
}

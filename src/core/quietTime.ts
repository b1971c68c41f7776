/**
 * Quiet time of a request: the parts of a gap where no sample saw its JS and no window says it
 * ran. Recorded waits explain it first (strongest first); what is left is named from what held
 * the JS thread or the loop meanwhile: JS of no request (Gapscope's agent flushing, other
 * callbacks), other requests that ran while this one had nothing ready, then, in order of
 * evidence, the kernel's run-queue delay (the thread was ready, the OS ran other work), garbage
 * collection, the loop idle in its poll (a wait nothing tracked) and the loop's turn between two
 * of the request's callbacks. Only the rest is "idle, unexplained".
 */
import { RUN_DELAY_HINT } from './hints';
import type { GapCause } from './model';
import type { Interval } from './gaps';
import type { RecordedLoopIdle, RecordedRunDelay, TimedInterval } from './session';
import type { WaitPiece } from './waitPieces';

/** Label of collections, sampled or recorded. */
export const GC_LABEL = 'garbage collection';

/** Label of time the JS thread was ready to run but had no CPU (the kernel's run queue). */
export const RUN_DELAY_LABEL = 'not scheduled: the thread was ready, the OS ran other work';

/** Label of the agent's flushes: the cost of being watched, said as such. */
const AGENT_LABEL = 'Gapscope agent (flushing its records)';

/** Label of the loop's turn between two callbacks of the request. */
const LOOP_TURN_LABEL = "event loop between this request's callbacks";

/** Label of the loop sitting in its poll while the request had nothing recorded to wait on. */
const LOOP_IDLE_LABEL = 'waiting on I/O or a timer nothing recorded (the event loop sat idle)';

/** Label of the time other requests ran while this one waited (it had nothing ready to run). */
const OTHERS_RAN_LABEL = 'waiting (other requests ran meanwhile)';

/** Label of time no sample covered for too long to say what ran. */
const UNSAMPLED_LABEL =
  'no samples: the target was not scheduled or the sampler starved (busy machine)';

/** What else is known of quiet time, for the part no wait explains. */
export interface QuietEvidence {
  /** The thread's run-queue delays, sorted by start. */
  runDelays: readonly RecordedRunDelay[];
  /** Recorded garbage-collection pauses (sorted, disjoint). */
  gcPauses: readonly Interval[];
  /** Gapscope's agent flushing its records (sorted, disjoint). */
  agentPauses: readonly Interval[];
  /**
   * The loop's idle time in its poll by stretch, sorted by start: a lower bound (a poll the
   * profiler's signal interrupts loses its idle time).
   */
  loopIdle: readonly RecordedLoopIdle[];
  /** Parts of samples too long to trust: the target was not seen (sorted, disjoint). */
  unsampled: readonly Interval[];
  /** Samples of JS of no request. */
  otherCpu: readonly Interval[];
  /** Where other requests ran while this one had nothing ready. */
  othersRan: readonly Interval[];
  /** Short stretches between two of this request's windows (net of delay and poll idle). */
  loopTurns: readonly Interval[];
}

/** Totals of the rest, µs, by what explains them. */
interface RestTotals {
  delayed: number;
  gc: number;
  agent: number;
  loopIdle: number;
  loop: number;
  other: number;
  othersRan: number;
  unsampled: number;
  idle: number;
}

/** Splits quiet time by the request's wait pieces, then names the rest (see the top). */
export function quietCauses(
  quiet: readonly Interval[],
  pieces: readonly WaitPiece[],
  evidence: QuietEvidence,
): GapCause[] {
  const causes: GapCause[] = [];
  const rest = new RestSplitter(evidence);
  for (const [start, end] of quiet) {
    const overlapping =
      pieces.length === 0
        ? pieces
        : pieces.filter(piece => piece.startUs < end && piece.endUs > start);
    if (overlapping.length === 0) {
      rest.split(start, end);
      continue;
    }

    const points = new Set<number>([start, end]);
    for (const piece of overlapping) {
      if (piece.startUs > start) points.add(piece.startUs);
      if (piece.endUs < end) points.add(piece.endUs);
    }
    const sorted = [...points].sort((a, b) => a - b);
    for (let i = 0; i + 1 < sorted.length; i++) {
      const from = sorted[i] ?? 0;
      const to = sorted[i + 1] ?? 0;
      const piece = strongestPiece(overlapping, (from + to) / 2);
      if (piece) causes.push(timed(piece.cause, to - from));
      else rest.split(from, to);
    }
  }
  causes.push(...restCauses(rest.totals));
  return causes;
}

/** Names the parts of quiet time no wait explains, spending each stretch's readings once. */
class RestSplitter {
  readonly totals: RestTotals = {
    delayed: 0,
    gc: 0,
    agent: 0,
    loopIdle: 0,
    loop: 0,
    other: 0,
    othersRan: 0,
    unsampled: 0,
    idle: 0,
  };
  private readonly runDelay: StretchBudget<RecordedRunDelay>;
  private readonly loopIdle: StretchBudget<RecordedLoopIdle>;

  constructor(private readonly evidence: QuietEvidence) {
    this.runDelay = new StretchBudget(evidence.runDelays, delay => delay.delayUs);
    this.loopIdle = new StretchBudget(evidence.loopIdle, idle => idle.idleUs);
  }

  split(from: number, to: number): void {
    const { evidence, totals } = this;
    let left = to - from;
    const claim = (us: number) => {
      const taken = Math.max(0, Math.min(us, left));
      left -= taken;
      return taken;
    };
    // JS of no request first: Gapscope's agent flushing, any other, then other requests that
    // ran while this one had nothing ready.
    const agent = claim(overlapUs(evidence.agentPauses, from, to));
    const other = claim(
      overlapUs(evidence.otherCpu, from, to) -
        overlapOfBoth(evidence.otherCpu, evidence.agentPauses, from, to),
    );
    const othersRan = claim(overlapUs(evidence.othersRan, from, to));
    // Unknown (no sample) and idle alike are time in which this request did not run; each
    // piece of evidence below takes its share of both, unknown first.
    const unknown = Math.min(overlapUs(evidence.unsampled, from, to), left);
    const open = { unknown, idle: left - unknown };
    const take = (us: number) => {
      const taken = Math.max(0, Math.min(us, open.unknown + open.idle));
      const fromUnknown = Math.min(open.unknown, taken);
      open.unknown -= fromUnknown;
      open.idle -= taken - fromUnknown;
      return taken;
    };

    // The kernel saw the thread ready and waiting for a CPU: the strongest account of time in
    // which nothing ran, a collection stretched by it included.
    totals.delayed += take(this.runDelay.take(from, to, open.unknown + open.idle));
    // A recorded collection held the thread.
    totals.gc += take(overlapUs(evidence.gcPauses, from, to));
    // The loop sat in its poll: the request waited on something no tracking recorded.
    totals.loopIdle += take(this.loopIdle.take(from, to, open.unknown + open.idle));
    // What is left of a short stretch between two callbacks is the loop's own work.
    const turn = Math.min(open.idle, overlapUs(evidence.loopTurns, from, to));
    open.idle -= turn;
    totals.loop += turn;
    totals.agent += agent;
    totals.other += other;
    totals.othersRan += othersRan;
    totals.unsampled += open.unknown;
    totals.idle += open.idle;
  }
}

function restCauses(totals: RestTotals): GapCause[] {
  const causes: GapCause[] = [];
  const add = (kind: GapCause['kind'], us: number, label: string, hint?: string) => {
    if (us <= 0) return;
    const cause: GapCause = { kind, ms: us / 1000, label };
    if (hint) cause.hint = hint;
    causes.push(cause);
  };
  add('descheduled', totals.delayed, RUN_DELAY_LABEL, RUN_DELAY_HINT);
  add('gc', totals.gc, GC_LABEL);
  add('other-cpu', totals.other, 'JS outside any request');
  add('other-cpu', totals.agent, AGENT_LABEL);
  add('loop', totals.loop, LOOP_TURN_LABEL);
  add('unsampled', totals.unsampled, UNSAMPLED_LABEL);
  add('idle', totals.loopIdle, LOOP_IDLE_LABEL);
  add('idle', totals.othersRan, OTHERS_RAN_LABEL);
  add('idle', totals.idle, 'idle, unexplained');
  return causes;
}

/**
 * Readings per stretch between two window switches (run-queue delay, loop idle), each spent
 * at most once: a reading says how much of its stretch it covers, not where, so it explains
 * at most that much of the quiet time inside the stretch.
 */
export class StretchBudget<T extends TimedInterval = TimedInterval> {
  private readonly left = new Map<number, number>();

  constructor(
    private readonly readings: readonly T[],
    private readonly amountOf: (reading: T) => number,
  ) {}

  /** Up to `wantUs` of the readings of stretches overlapping `[from, to]`, taken. */
  take(from: number, to: number, wantUs: number): number {
    let taken = 0;
    for (let i = this.firstEndingAfter(from); i < this.readings.length && taken < wantUs; i++) {
      const reading = this.readings[i]!;
      if (reading.startUs >= to) break;

      const overlap = Math.min(reading.endUs, to) - Math.max(reading.startUs, from);
      const left = this.left.get(i) ?? this.amountOf(reading);
      const take = Math.min(left, overlap, wantUs - taken);
      if (take <= 0) continue;
      this.left.set(i, left - take);
      taken += take;
    }
    return taken;
  }

  /** What is left of the reading of the stretch that began at `startUs` (0: none), taken. */
  takeStretch(startUs: number, wantUs: number): number {
    const i = this.stretchAt(startUs);
    if (i < 0) return 0;

    const left = this.left.get(i) ?? this.amountOf(this.readings[i]!);
    const take = Math.max(0, Math.min(left, wantUs));
    this.left.set(i, left - take);
    return take;
  }

  /** The reading of the stretch that began at `startUs`, untouched by takes (0: none). */
  amountAt(startUs: number): number {
    const i = this.stretchAt(startUs);
    return i < 0 ? 0 : this.amountOf(this.readings[i]!);
  }

  private stretchAt(startUs: number): number {
    let low = 0;
    let high = this.readings.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.readings[mid]?.startUs ?? 0) < startUs) low = mid + 1;
      else high = mid;
    }
    return this.readings[low]?.startUs === startUs ? low : -1;
  }

  /** Binary search: the first reading whose stretch ends after `time` (stretches are disjoint). */
  private firstEndingAfter(time: number): number {
    let low = 0;
    let high = this.readings.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.readings[mid]?.endUs ?? 0) > time) high = mid;
      else low = mid + 1;
    }
    return low;
  }
}

/** µs of `[from, to]` covered by the sorted disjoint `intervals`. */
export function overlapUs(intervals: readonly Interval[], from: number, to: number): number {
  let low = 0;
  let high = intervals.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((intervals[mid]?.[1] ?? 0) > from) high = mid;
    else low = mid + 1;
  }

  let us = 0;
  for (let i = low; i < intervals.length; i++) {
    const [start, end] = intervals[i]!;
    if (start >= to) break;
    us += Math.min(end, to) - Math.max(start, from);
  }
  return us;
}

/** µs of `[from, to]` covered by both sorted disjoint lists. */
function overlapOfBoth(
  first: readonly Interval[],
  second: readonly Interval[],
  from: number,
  to: number,
): number {
  if (first.length === 0 || second.length === 0) return 0;

  let us = 0;
  for (const [start, end] of first) {
    if (start >= to) break;
    if (end > from) us += overlapUs(second, Math.max(start, from), Math.min(end, to));
  }
  return us;
}

/** The strongest piece covering `time`; on equal rank the one that started first. */
function strongestPiece(pieces: readonly WaitPiece[], time: number): WaitPiece | undefined {
  let best: WaitPiece | undefined;
  for (const piece of pieces) {
    if (piece.startUs > time || piece.endUs < time) continue;
    if (!best || piece.rank < best.rank) best = piece;
  }
  return best;
}

/** A copy of a cause template with its time. */
function timed(template: GapCause, us: number): GapCause {
  const cause: GapCause = { kind: template.kind, ms: us / 1000, label: template.label };
  if (template.location) cause.location = template.location;
  if (template.hint) cause.hint = template.hint;
  return cause;
}

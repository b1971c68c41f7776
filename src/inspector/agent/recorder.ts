/**
 * The agent's buffers: request starts and ends, execution-window switches in typed-array ring
 * buffers, and spans. Everything leaves through `flush`, one JSON string per call of the
 * runtime binding; a full buffer flushes at once, so nothing is dropped silently.
 *
 * Stamps are `performance.now()` (ms) while buffered, converted to hrtime µs at flush with the
 * offset measured at install.
 */
import type {
  AgentStats,
  RecordedGc,
  RecordedLoopIdle,
  RecordedRunDelay,
  RecordedSpan,
  RecordedWait,
  TimedInterval,
} from '../../core/session';
import type { AgentBatch, AgentRequestEnd, AgentRequestStart } from './protocol';

/** Request records buffered before a flush is forced. */
const MAX_BUFFERED_REQUEST_RECORDS = 4096;

/** Sends one batch; throws when the binding is gone. */
export type BatchSink = (text: string) => void;

export class Recorder {
  readonly stats: AgentStats = {
    droppedSwitches: 0,
    droppedRequests: 0,
    flushCpuUs: 0,
    flushes: 0,
  };
  private starts: AgentRequestStart[] = [];
  private ends: AgentRequestEnd[] = [];
  private spans: RecordedSpan[] = [];
  private waits: RecordedWait[] = [];
  private runDelays: RecordedRunDelay[] = [];
  private gcs: RecordedGc[] = [];
  private loopIdle: RecordedLoopIdle[] = [];
  /** The recorder's own flushes, sent with the next batch (a flush cannot time itself). */
  private pauses: TimedInterval[] = [];
  private readonly switchTimes: Float64Array;
  private readonly switchRequests: Int32Array;
  private switchCount = 0;
  private sinkBroken = false;

  constructor(
    private readonly sink: BatchSink,
    private readonly now: () => number,
    /** hrtime µs minus performance.now() µs. */
    private readonly offsetUs: number,
    capacity: number,
  ) {
    this.switchTimes = new Float64Array(capacity);
    this.switchRequests = new Int32Array(capacity);
  }

  /** Converts a `performance.now()` stamp (ms) to hrtime µs. */
  toUs(nowMs: number): number {
    return Math.round(nowMs * 1000 + this.offsetUs);
  }

  /** The hrtime µs of this moment. */
  nowUs(): number {
    return this.toUs(this.now());
  }

  /** Records that the JS thread switched to request `requestId` (0: none) at `nowMs`. */
  recordSwitch(nowMs: number, requestId: number): void {
    if (this.switchCount === this.switchTimes.length) this.flush();
    if (this.switchCount === this.switchTimes.length) {
      this.stats.droppedSwitches++;
      return;
    }
    this.switchTimes[this.switchCount] = nowMs;
    this.switchRequests[this.switchCount] = requestId;
    this.switchCount++;
  }

  recordStart(start: AgentRequestStart): void {
    this.starts.push(start);
    this.flushIfCrowded();
  }

  recordEnd(end: AgentRequestEnd): void {
    this.ends.push(end);
    this.flushIfCrowded();
  }

  recordSpan(span: RecordedSpan): void {
    this.spans.push(span);
    this.flushIfCrowded();
  }

  recordWait(wait: RecordedWait): void {
    this.waits.push(wait);
    this.flushIfCrowded();
  }

  recordRunDelay(delay: RecordedRunDelay): void {
    this.runDelays.push(delay);
    this.flushIfCrowded();
  }

  recordLoopIdle(idle: RecordedLoopIdle): void {
    this.loopIdle.push(idle);
    this.flushIfCrowded();
  }

  recordGc(gc: RecordedGc): void {
    this.gcs.push(gc);
    this.flushIfCrowded();
  }

  /** Sends everything buffered as one batch. Never throws. */
  flush(): void {
    const began = this.now();
    const batch: AgentBatch = {
      starts: this.starts,
      ends: this.ends,
      windows: this.takeSwitches(),
      spans: this.spans,
      stats: this.stats,
    };
    if (this.waits.length) batch.waits = this.waits;
    if (this.runDelays.length) batch.runDelays = this.runDelays;
    if (this.gcs.length) batch.gcs = this.gcs;
    if (this.loopIdle.length) batch.loopIdle = this.loopIdle;
    if (this.pauses.length) batch.agentPauses = this.pauses;
    this.starts = [];
    this.ends = [];
    this.spans = [];
    this.waits = [];
    this.runDelays = [];
    this.gcs = [];
    this.loopIdle = [];
    this.pauses = [];
    this.stats.flushes++;
    try {
      if (!this.sinkBroken) this.sink(JSON.stringify(batch));
    } catch {
      // The binding is gone (session closed without uninstalling): count what is lost.
      this.sinkBroken = true;
    }
    if (this.sinkBroken) {
      this.stats.droppedSwitches += batch.windows.ts.length;
      this.stats.droppedRequests += batch.starts.length;
    }
    const ended = this.now();
    this.stats.flushCpuUs += Math.round((ended - began) * 1000);
    this.pauses.push({ startUs: this.toUs(began), endUs: this.toUs(ended) });
  }

  private takeSwitches(): AgentBatch['windows'] {
    const ts = new Array<number>(this.switchCount);
    const req = new Array<number>(this.switchCount);
    for (let i = 0; i < this.switchCount; i++) {
      ts[i] = this.toUs(this.switchTimes[i]!);
      req[i] = this.switchRequests[i]!;
    }
    this.switchCount = 0;
    return { ts, req };
  }

  private flushIfCrowded() {
    const records =
      this.starts.length +
      this.ends.length +
      this.spans.length +
      this.waits.length +
      this.runDelays.length +
      this.gcs.length +
      this.loopIdle.length;
    if (records >= MAX_BUFFERED_REQUEST_RECORDS) this.flush();
  }
}

/**
 * hrtime µs minus performance.now() µs: the tightest of a few bracketed readings, so the
 * error stays below a microsecond or two.
 */
export function measureClockOffset(now: () => number): number {
  let bestSpan = Infinity;
  let offset = 0;
  for (let i = 0; i < 7; i++) {
    const before = now();
    const hr = process.hrtime.bigint();
    const after = now();
    if (after - before >= bestSpan) continue;

    bestSpan = after - before;
    const hrUs = Number(hr / 1000n) + Number(hr % 1000n) / 1000;
    offset = hrUs - ((before + after) / 2) * 1000;
  }
  return offset;
}

/**
 * The agent's buffers: request starts and ends, execution-window switches in typed-array ring
 * buffers, and spans. Everything leaves through `flush`, one JSON string per call of the
 * runtime binding; a full buffer flushes at once, so nothing is dropped silently.
 *
 * Stamps are `performance.now()` (ms) while buffered, converted to hrtime µs at flush with the
 * offset measured at install.
 */
import type { AgentStats, RecordedSpan, RecordedWait } from '../../core/session';
import {
  HELD_KEYS,
  emptyHeld,
  type AgentBatch,
  type AgentRequestEnd,
  type AgentRequestStart,
  type HeldKey,
  type HeldRecords,
} from './protocol';

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
  /**
   * What held the thread; `agentPauses` are the recorder's own flushes, each sent with the
   * batch after it (a flush cannot time itself).
   */
  private held: HeldRecords = emptyHeld();
  /** Records buffered since the last flush (switches and the flushes' own times aside). */
  private buffered = 0;
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
    this.counted();
  }

  recordEnd(end: AgentRequestEnd): void {
    this.ends.push(end);
    this.counted();
  }

  recordSpan(span: RecordedSpan): void {
    this.spans.push(span);
    this.counted();
  }

  recordWait(wait: RecordedWait): void {
    this.waits.push(wait);
    this.counted();
  }

  /** Records what held the thread: a run-queue delay, a collection, the loop's idle time. */
  recordHeld<K extends HeldKey>(key: K, record: HeldRecords[K][number]): void {
    (this.held[key] as HeldRecords[K][number][]).push(record);
    this.counted();
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
    for (const key of HELD_KEYS) {
      if (this.held[key].length) Object.assign(batch, { [key]: this.held[key] });
    }
    this.starts = [];
    this.ends = [];
    this.spans = [];
    this.waits = [];
    this.held = emptyHeld();
    this.buffered = 0;
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
    this.held.agentPauses.push({ startUs: this.toUs(began), endUs: this.toUs(ended) });
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

  /** Counts a buffered record; a crowded buffer flushes at once. */
  private counted() {
    if (++this.buffered >= MAX_BUFFERED_REQUEST_RECORDS) this.flush();
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

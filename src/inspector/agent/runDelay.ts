/**
 * Run-queue delay of the JS thread: how long the OS kept it waiting for a CPU while it had work
 * to do. On a busy machine this is the hole in a short request where nothing ran and nothing was
 * awaited: the callback was ready, the thread was not scheduled.
 *
 * Linux counts it per thread (`/proc/self/task/<tid>/schedstat`, second field, ns). A reading
 * costs about a microsecond, so the window tracker asks for one only when a stretch between two
 * switches was long: a thread held off a CPU for a millisecond makes the stretch it falls in
 * long, so what accumulates over the short stretches before it is negligible, and the increase
 * since the last reading is charged to the long stretch it ended.
 */
import type * as Fs from 'node:fs';
import type { RecordedRunDelay } from '../../core/session';
import type { Recorder } from './recorder';

/** A stretch between two switches at least this long (ms) is worth a reading. */
export const LONG_STRETCH_MS = 0.1;

/** Increases below this (µs) are not recorded: they explain nothing a request would show. */
const MIN_DELAY_US = 10;

export class RunDelayTracker {
  private readonly buffer = new Uint8Array(128);
  private lastNs: number;

  private constructor(
    private readonly fs: typeof Fs,
    private readonly fd: number,
    private readonly recorder: Recorder,
    firstNs: number,
  ) {
    this.lastNs = firstNs;
  }

  /**
   * Opens the scheduler statistics of the calling thread (the JS thread: the agent installs
   * there). Undefined where there are none: not Linux, or a kernel without them.
   */
  static open(fs: typeof Fs, recorder: Recorder, pid: number): RunDelayTracker | undefined {
    let fd: number | undefined;
    try {
      fd = fs.openSync(`/proc/self/task/${pid}/schedstat`, 'r');
      const tracker = new RunDelayTracker(fs, fd, recorder, 0);
      const first = tracker.readNs();
      if (first === undefined) throw new Error('unreadable schedstat');
      tracker.lastNs = first;
      return tracker;
    } catch {
      if (fd !== undefined) closeQuietly(fs, fd);
      return undefined;
    }
  }

  /**
   * Reads the delay at the end of the long stretch that began at `fromMs` (`performance.now()`
   * ms) and records the increase since the last reading, charged to that stretch. The stretch
   * is taken to end after the reading: the read is a system call, and a thread whose turn is
   * over is often preempted right there, so the delay it reports may have just happened.
   */
  read(fromMs: number): void {
    const ns = this.readNs();
    if (ns === undefined) return;

    const delayUs = (ns - this.lastNs) / 1000;
    this.lastNs = ns;
    if (delayUs < MIN_DELAY_US) return;
    const delay: RecordedRunDelay = {
      startUs: this.recorder.toUs(fromMs),
      endUs: this.recorder.nowUs(),
      delayUs: Math.round(delayUs),
    };
    this.recorder.recordHeld('runDelays', delay);
  }

  close(): void {
    closeQuietly(this.fs, this.fd);
  }

  /** The thread's cumulative run-queue delay, ns; undefined when the read fails. */
  private readNs(): number | undefined {
    try {
      const length = this.fs.readSync(this.fd, this.buffer, 0, this.buffer.length, 0);
      return runDelayNsOf(this.buffer, length);
    } catch {
      return undefined;
    }
  }
}

/**
 * The second field of a schedstat line (`<on cpu ns> <run delay ns> <timeslices>`), read
 * from the bytes without building a string: this runs on the service's hot path.
 */
export function runDelayNsOf(bytes: Uint8Array, length: number): number | undefined {
  let field = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i < length; i++) {
    const byte = bytes[i]!;
    if (byte >= 48 && byte <= 57) {
      if (field === 1) {
        value = value * 10 + (byte - 48);
        digits++;
      }
    } else if (byte === 32) {
      if (field === 1) break;
      field++;
    } else if (byte === 10) {
      break;
    } else {
      return undefined;
    }
  }
  return field === 1 && digits > 0 ? value : undefined;
}

function closeQuietly(fs: typeof Fs, fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Already closed: nothing to release.
  }
}

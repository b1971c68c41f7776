/**
 * Progress of a running capture on stderr. On a terminal one status line is redrawn in place;
 * elsewhere (CI logs, pipes) a plain line is written every few seconds, so logs stay readable.
 * The elapsed time ticks on its own (never past the planned duration: stopping takes a moment);
 * request counts come from the capture as they move, sample counts only when the profiler hands
 * over a chunk (every few seconds), so until the first chunk the line says samples are pending
 * rather than showing a misleading 0.
 */
import type { CaptureProgress } from '../inspector/types';
import { formatSeconds } from './format';

/** Time between two lines when stderr is not a terminal (ms). */
const PLAIN_EVERY_MS = 5000;

/** Time between two redraws on a terminal (ms). */
const TTY_EVERY_MS = 250;

export class ProgressLine {
  private startMs: number | undefined;
  private counts = { requests: 0, samples: 0 };
  /** True once the capture reported samples (the first chunk arrived). */
  private samplesKnown = false;
  private lastWriteMs = 0;
  private drawn = false;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param label what is running, e.g. `capturing pid 1234`
   * @param totalMs the planned duration, when there is one (shown as `3.0 s / 10.0 s`)
   */
  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly label: string,
    private readonly totalMs?: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts the clock and, unless `manual`, redraws on a timer until `finish`. */
  start(manual = false): void {
    this.startMs = this.now();
    this.tick();
    if (manual) return;

    this.timer = setInterval(() => this.tick(), this.everyMs());
    this.timer.unref();
  }

  /** Takes the capture's latest counts; shown at the next redraw. */
  update(progress: CaptureProgress): void {
    this.counts = { requests: progress.requests, samples: progress.samples };
    if (progress.samples > 0) this.samplesKnown = true;
    if (this.stream.isTTY) this.tick();
  }

  /** Redraws when the last line is old enough. */
  tick(): void {
    if (this.startMs === undefined) return;

    const now = this.now();
    if (this.drawn && now - this.lastWriteMs < this.everyMs()) return;

    this.lastWriteMs = now;
    this.write(this.describe(now - this.startMs));
  }

  /** Stops the clock and ends the status line with a final message. */
  finish(message: string): void {
    this.stop();
    this.write(message);
    if (this.stream.isTTY) this.stream.write('\n');
    this.drawn = false;
  }

  /** Stops the clock without writing (safe to call twice). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private everyMs(): number {
    return this.stream.isTTY ? TTY_EVERY_MS : PLAIN_EVERY_MS;
  }

  private describe(elapsedMs: number): string {
    const total = this.totalMs ? ` / ${formatSeconds(this.totalMs)}` : '';
    const elapsed = this.totalMs ? Math.min(elapsedMs, this.totalMs) : elapsedMs;
    const samples = this.samplesKnown
      ? `${this.counts.samples} samples`
      : 'samples counted per chunk (every few s)';
    return (
      `${this.label}: ${formatSeconds(elapsed)}${total}, ` +
      `${this.counts.requests} requests, ${samples}`
    );
  }

  private write(text: string): void {
    // On a terminal: back to column 0 and clear the line, so the line is redrawn in place.
    if (this.stream.isTTY) this.stream.write(`\r\x1b[2K${text}`);
    else this.stream.write(`${text}\n`);
    this.drawn = true;
  }
}

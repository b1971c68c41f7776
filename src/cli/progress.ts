/**
 * Progress of a running capture on stderr. On a terminal one status line is redrawn in place;
 * elsewhere (CI logs, pipes) a plain line is written every few seconds, so logs stay readable.
 */
import type { CaptureProgress } from '../inspector/types';
import { formatSeconds } from './format';

/** Minimum time between two lines when stderr is not a terminal (ms). */
const PLAIN_EVERY_MS = 5000;

/** Minimum time between two redraws on a terminal (ms). */
const TTY_EVERY_MS = 200;

export class ProgressLine {
  private lastWriteMs = 0;
  private drawn = false;

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

  /** Shows the latest figures, throttled. */
  update(progress: CaptureProgress): void {
    const now = this.now();
    const every = this.stream.isTTY ? TTY_EVERY_MS : PLAIN_EVERY_MS;
    if (this.drawn && now - this.lastWriteMs < every) return;

    this.lastWriteMs = now;
    this.write(this.describe(progress));
  }

  /** Ends the status line with a final message (a newline on a terminal). */
  finish(message: string): void {
    this.write(message);
    if (this.stream.isTTY) this.stream.write('\n');
    this.drawn = false;
  }

  private describe(progress: CaptureProgress): string {
    const total = this.totalMs ? ` / ${formatSeconds(this.totalMs)}` : '';
    return (
      `${this.label}: ${formatSeconds(progress.elapsedMs)}${total}, ` +
      `${progress.requests} requests, ${progress.samples} samples`
    );
  }

  private write(text: string): void {
    // On a terminal: back to column 0 and clear the line, so the line is redrawn in place.
    if (this.stream.isTTY) this.stream.write(`\r\x1b[2K${text}`);
    else this.stream.write(`${text}\n`);
    this.drawn = true;
  }
}

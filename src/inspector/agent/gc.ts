/**
 * Garbage collections of the target, from a `gc` PerformanceObserver: when each pause began and
 * how long it held the JS thread. A pause that falls between two callbacks of a request (V8
 * collects when anyone allocates, the agent's own flush included) is a hole no sample may see
 * at a coarse interval; its entry says exactly where it was. One entry per collection (tens a
 * second under load), delivered after the fact, so it costs next to nothing.
 */
import type * as PerfHooks from 'node:perf_hooks';
import type { RecordedGc } from '../../core/session';
import type { Recorder } from './recorder';

/** `detail.kind` of a gc entry (Node's NODE_PERFORMANCE_GC_* flags) -> our name. */
function kindNames(constants: typeof PerfHooks.constants): Map<number, RecordedGc['kind']> {
  return new Map<number, RecordedGc['kind']>([
    [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
    [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
    [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weak-callbacks'],
  ]);
}

interface GcEntry {
  startTime: number;
  duration: number;
  detail?: { kind?: number } | null;
}

export class GcTracker {
  private observer: PerfHooks.PerformanceObserver | undefined;

  constructor(
    private readonly perfHooks: typeof PerfHooks,
    private readonly recorder: Recorder,
  ) {}

  /** Starts observing; false when this Node gives no gc entries. */
  enable(): boolean {
    if (this.observer) return true;

    const recorder = this.recorder;
    try {
      const kinds = kindNames(this.perfHooks.constants);
      this.observer = new this.perfHooks.PerformanceObserver(list => {
        try {
          for (const entry of list.getEntries() as unknown as GcEntry[]) {
            recorder.recordHeld('gcs', {
              startUs: recorder.toUs(entry.startTime),
              endUs: recorder.toUs(entry.startTime + entry.duration),
              kind: kinds.get(entry.detail?.kind ?? 0) ?? 'other',
            });
          }
        } catch {
          // Never let tracking break the service.
        }
      });
      this.observer.observe({ entryTypes: ['gc'] });
    } catch {
      // No gc entries on this Node: pauses stay visible to the samples only.
      this.observer = undefined;
    }
    return this.observer !== undefined;
  }

  disable(): void {
    this.observer?.disconnect();
    this.observer = undefined;
  }
}

/**
 * Spans from the target's own OpenTelemetry tracer provider, when one is registered. The SDK's
 * list of span processors is private, so its shape is checked before a processor is pushed
 * onto it; otherwise the provider's `getTracer` is wrapped so new tracers report their spans.
 * Span times are wall-clock `[s, ns]` from `performance.timeOrigin + now()`, converted to the
 * hrtime µs clock here.
 */
import type { RecordedSpan } from '../../core/session';
import type { Recorder } from './recorder';
import type { WindowTracker } from './windows';

/** Where @opentelemetry/api 1.x keeps its registered globals. */
const OTEL_GLOBAL_KEY = 'opentelemetry.js.api.1';

type HrTime = [number, number];

interface SdkSpan {
  name?: string;
  kind?: number;
  startTime?: HrTime;
  endTime?: HrTime;
  attributes?: Record<string, unknown>;
  parentSpanId?: string;
  parentSpanContext?: { spanId?: string };
  /** SDK 2.x: `performance.now()` when the span started (its wall start is only ms-precise). */
  _performanceStartTime?: number;
  spanContext(): { spanId: string; traceId: string };
  end(endTime?: unknown): void;
}

interface Provider {
  getDelegate?(): Provider;
  getTracer(...args: unknown[]): { startSpan(...args: unknown[]): SdkSpan };
  _activeSpanProcessor?: { _spanProcessors?: unknown[] };
}

/** The span processor we push; plain object so the SDK calls it like its own. */
interface Processor {
  onStart(span: SdkSpan): void;
  onEnd(span: SdkSpan): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

export class SpanTracker {
  private readonly requestOfSpan = new WeakMap<object, number>();
  private removeHook: (() => void) | undefined;
  private active = true;

  constructor(
    private readonly recorder: Recorder,
    private readonly windows: WindowTracker,
    private readonly timeOriginMs: number,
  ) {}

  /** Hooks into the registered provider; says how (`processor`, `wrapped`) or `none`. */
  install(): 'processor' | 'wrapped' | 'none' {
    const registry = (globalThis as Record<symbol, { trace?: Provider } | undefined>)[
      Symbol.for(OTEL_GLOBAL_KEY)
    ];
    const proxy = registry?.trace;
    const provider = typeof proxy?.getDelegate === 'function' ? proxy.getDelegate() : proxy;
    if (!provider || typeof provider.getTracer !== 'function') return 'none';

    const processors = provider._activeSpanProcessor?._spanProcessors;
    if (Array.isArray(processors)) {
      const processor = this.makeProcessor();
      processors.push(processor);
      this.removeHook = () => {
        const index = processors.indexOf(processor);
        if (index >= 0) processors.splice(index, 1);
      };
      return 'processor';
    }
    this.wrapGetTracer(provider);
    return 'wrapped';
  }

  uninstall(): void {
    this.active = false;
    this.removeHook?.();
    this.removeHook = undefined;
  }

  private makeProcessor(): Processor {
    return {
      onStart: span => this.guard(() => this.onStart(span)),
      onEnd: span => this.guard(() => this.onEnd(span)),
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
  }

  /** Fallback when the SDK's shape is unknown: spans of tracers obtained from now on. */
  private wrapGetTracer(provider: Provider) {
    const original = provider.getTracer;
    const tracker = this;
    provider.getTracer = function (this: Provider, ...args: unknown[]) {
      const tracer = original.apply(this, args);
      const startSpan = tracer.startSpan;
      tracer.startSpan = function (this: unknown, ...spanArgs: unknown[]) {
        const span = startSpan.apply(this, spanArgs);
        tracker.guard(() => tracker.watchSpan(span));
        return span;
      };
      return tracer;
    };
    this.removeHook = () => {
      provider.getTracer = original;
    };
  }

  private watchSpan(span: SdkSpan) {
    this.onStart(span);
    const end = span.end;
    const tracker = this;
    span.end = function (this: SdkSpan, ...args: unknown[]) {
      end.apply(this, args as [unknown]);
      tracker.guard(() => tracker.onEnd(span));
    };
  }

  private onStart(span: SdkSpan) {
    if (this.active) this.requestOfSpan.set(span, this.windows.current);
  }

  private onEnd(span: SdkSpan) {
    if (!this.active || !span.startTime || !span.endTime) return;

    const context = span.spanContext();
    const record: RecordedSpan = {
      spanId: context.spanId,
      traceId: context.traceId,
      name: String(span.name ?? ''),
      kind: span.kind ?? 0,
      startUs: 0,
      endUs: 0,
      requestId: this.requestOfSpan.get(span) ?? 0,
      source: 'tracer',
    };
    this.setTimes(record, span.startTime, span.endTime, span._performanceStartTime);
    const parent = span.parentSpanContext?.spanId ?? span.parentSpanId;
    if (parent) record.parentSpanId = parent;
    const attributes = primitiveAttributes(span.attributes);
    if (attributes) record.attributes = attributes;
    this.recorder.recordSpan(record);
  }

  /**
   * Converts the span's times. SDK 2.x stamps the start with `Date.now()` (ms steps, and the
   * wall clock may have been adjusted since the process started) but keeps the precise
   * `performance.now()` of the start and a precise duration: use those when present. Otherwise
   * (SDK 1.x: `timeOrigin + now()`) convert the wall-clock time through the time origin.
   */
  private setTimes(record: RecordedSpan, start: HrTime, end: HrTime, performanceStart?: number) {
    const durationUs = (end[0] - start[0]) * 1e6 + (end[1] - start[1]) / 1e3;
    record.startUs =
      typeof performanceStart === 'number'
        ? this.recorder.toUs(performanceStart)
        : this.recorder.toUs(start[0] * 1000 - this.timeOriginMs + start[1] / 1e6);
    record.endUs = Math.round(record.startUs + durationUs);
  }

  private guard(run: () => void) {
    try {
      run();
    } catch {
      // A failure here must not reach the service's tracing.
    }
  }
}

/** Up to 32 string, number or boolean attributes; undefined when there are none. */
function primitiveAttributes(
  attributes: Record<string, unknown> | undefined,
): Record<string, string | number | boolean> | undefined {
  if (!attributes) return undefined;

  const kept: Record<string, string | number | boolean> = {};
  let count = 0;
  for (const [key, value] of Object.entries(attributes)) {
    if (count >= 32) break;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      continue;
    }
    kept[key] = value;
    count++;
  }
  return count > 0 ? kept : undefined;
}

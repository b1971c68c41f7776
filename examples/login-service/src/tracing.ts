/**
 * OpenTelemetry set up the way a traced service does it: a NodeTracerProvider registered at
 * start (which also installs the AsyncLocalStorage context manager), spans batched to an
 * exporter. The exporter here only counts spans: the demo sends telemetry nowhere.
 */
import { trace, type Tracer } from '@opentelemetry/api';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-node';

/** Result codes of the SDK's ExportResult (0 = success), kept local to avoid another package. */
const EXPORT_SUCCESS = 0;

/** Counts exported spans; stands in for an OTLP or vendor exporter. */
class CountingExporter implements SpanExporter {
  exported = 0;

  export(spans: ReadableSpan[], done: (result: { code: number }) => void): void {
    this.exported += spans.length;
    done({ code: EXPORT_SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

let provider: NodeTracerProvider | undefined;

/** Registers the global tracer provider; call once, before the server handles requests. */
export function startTracing(serviceName: string): Tracer {
  provider = new NodeTracerProvider({
    spanProcessors: [new BatchSpanProcessor(new CountingExporter())],
  });
  provider.register();
  return trace.getTracer(serviceName);
}

/** Flushes and stops the provider (on shutdown). */
export async function stopTracing(): Promise<void> {
  await provider?.shutdown();
}

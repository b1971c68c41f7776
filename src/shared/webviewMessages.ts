/**
 * Messages between a timeline host (the VS Code panel host, or `gapscope serve`) and the timeline
 * webview. Two discriminated unions tagged by `type`; a request from the webview carries an `id`
 * that the host echoes in its response. Both sides switch exhaustively and log unknown tags.
 *
 * The host computes, the webview renders: the view model below is derived on the host from an
 * `Analysis` (core/model.ts) and the session's profiles (see shared/timelineModel.ts). Every
 * string in it comes from the target and must be rendered as text.
 *
 * Units as in core/model.ts: `...Ms` durations in milliseconds, `...Us` points in time in
 * microseconds on the target's monotonic clock; lines are 1-based.
 */
import type {
  CpuSlice,
  EndpointKey,
  Gap,
  GapCauseTotal,
  HotLine,
  SessionTotals,
  SpanView,
} from '../core/model';

/** What the endpoint list shows for one endpoint. */
export interface EndpointRow {
  key: EndpointKey;
  method: string;
  route: string;
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  cpuMsPerRequest: number;
  untracedMsPerRequest: number;
  /** Untraced wall time over the endpoint's total wall time (0..1). */
  untracedShare: number;
  /** Wall time explained by spans or named causes (0..1). */
  explainedShare: number;
  /** Latency histogram of the endpoint's requests. */
  histogram: LatencyHistogram;
  gapCauses: GapCauseTotal[];
  hotLines: HotLine[];
}

/** Request counts in equal-width latency bins from `minMs` to `maxMs`. */
export interface LatencyHistogram {
  minMs: number;
  maxMs: number;
  counts: number[];
}

/** One request in the request list (the detail comes on demand, see `getRequest`). */
export interface RequestRow {
  id: number;
  endpoint: EndpointKey;
  method: string;
  url: string;
  statusCode?: number;
  aborted?: boolean;
  startUs: number;
  durationMs: number;
  cpuMs: number;
  untracedMs: number;
  explainedShare: number;
  /** Label of the biggest cause of the biggest gap, for the list's last column. */
  topGapLabel?: string;
}

/** The whole state a timeline shows, sent as a snapshot when the view becomes visible. */
export interface TimelineModel {
  /**
   * Which session this is: changes whenever the host's session does (attach, open, the capture
   * of Profile Next Request, each restart of the live capture), not on a live update of the same
   * capture. Request ids restart at 1 in every capture, so rows of two sessions never mix: an
   * `update` of another session is dropped. Absent for a host that only ever shows one session.
   */
  sessionId?: string;
  /** A title for the page: the target's command line or the session file name. */
  title: string;
  /** True while attached to a live target (updates follow). */
  live: boolean;
  totals: SessionTotals;
  notes: string[];
  endpoints: EndpointRow[];
  requests: RequestRow[];
  /** Hot lines over all endpoints, biggest first. */
  hotLines: HotLine[];
}

/** An asynchronous wait of a request, as the waterfall's wait lane shows it. */
export interface WaitView {
  kind: string;
  type: string;
  startUs: number;
  endUs: number;
  label: string;
  file?: string;
  line?: number;
}

/** Everything the waterfall needs for one request. */
export interface RequestDetail {
  row: RequestRow;
  endUs: number;
  spans: SpanView[];
  gaps: Gap[];
  cpuSlices: CpuSlice[];
  waits: WaitView[];
}

/**
 * An aggregated call tree for a flame graph, in parallel arrays (compact for large sessions).
 * Node `i` has parent `parent[i]` (-1 for roots, parents always before children) and runs frame
 * `frame[i]`; `selfSamples[i]` samples stopped in it. Frames index `frameNames`, `frameFiles`
 * (index into `files`, -1 for native/internal frames) and `frameLines` (1-based, 0 unknown).
 */
export interface FlameData {
  files: string[];
  frameNames: string[];
  frameFiles: number[];
  frameLines: number[];
  parent: number[];
  frame: number[];
  selfSamples: number[];
  /** Mean time one sample stands for (ms), to label widths in time. */
  msPerSample: number;
  totalSamples: number;
}

/** What a flame graph aggregates: one request, or every request of an endpoint. */
export type FlameScope =
  { kind: 'request'; requestId: number } | { kind: 'endpoint'; endpoint: EndpointKey };

/** Lines around a revealed line, for the plain web page (VS Code opens the editor instead). */
export interface SourceSnippet {
  file: string;
  line: number;
  /** 1-based number of `lines[0]`. */
  firstLine: number;
  lines: string[];
}

/** Host -> webview. */
export type ToWebviewMessage =
  | { type: 'snapshot'; model: TimelineModel }
  | {
      type: 'update';
      /** The session the update belongs to (`TimelineModel.sessionId`); another is dropped. */
      sessionId?: string;
      /** Replaces the endpoint list. */
      endpoints: EndpointRow[];
      /** New or changed requests, matched by id. */
      requests: RequestRow[];
      totals: SessionTotals;
      hotLines: HotLine[];
      live: boolean;
    }
  | { type: 'request'; id: number; detail: RequestDetail | undefined }
  | { type: 'flame'; id: number; flame: FlameData }
  | { type: 'snippet'; snippet: SourceSnippet | undefined; file: string; line: number }
  | {
      type: 'status';
      live: boolean;
      message?: string;
      /** True when the host holds no session any more: the view empties (nothing stale stays). */
      noSession?: boolean;
    }
  | {
      /**
       * Show this request: select its endpoint and the request, scroll it into view and show
       * its waterfall (the editor's "open the timeline at this request"). Sent after a snapshot;
       * an id the model does not hold is logged and ignored.
       */
      type: 'focusRequest';
      requestId: number;
    };

/** Webview -> host. */
export type FromWebviewMessage =
  | { type: 'ready' }
  | { type: 'getRequest'; id: number; requestId: number }
  | { type: 'getFlame'; id: number; scope: FlameScope }
  | { type: 'reveal'; file: string; line: number; column?: number }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string };

/** Every tag the host may send, for runtime validation on the webview side. */
export const TO_WEBVIEW_TYPES: readonly ToWebviewMessage['type'][] = [
  'snapshot',
  'update',
  'request',
  'flame',
  'snippet',
  'status',
  'focusRequest',
];

/** Every tag the webview may send, for runtime validation on the host side. */
export const FROM_WEBVIEW_TYPES: readonly FromWebviewMessage['type'][] = [
  'ready',
  'getRequest',
  'getFlame',
  'reveal',
  'log',
];

/** Narrows untrusted JSON to a webview message by its tag (fields are checked by the handler). */
export function isFromWebviewMessage(value: unknown): value is FromWebviewMessage {
  if (typeof value !== 'object' || value === null) return false;

  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' && (FROM_WEBVIEW_TYPES as readonly string[]).includes(type);
}

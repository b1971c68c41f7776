/**
 * Derives the timeline's view model from an analysis and its session (host side): the webview
 * only renders what this computes. Used by `gapscope serve` and by the VS Code panel host.
 */
import type { Analysis, EndpointStats, RequestAnalysis } from '../core/model';
import type { RecordedWait, SessionFile } from '../core/session';
import { buildSampleIndex, flameFor, urlToPath, type SampleIndex } from './sampleIndex';
import type {
  EndpointRow,
  FlameData,
  FlameScope,
  LatencyHistogram,
  RequestDetail,
  RequestRow,
  TimelineModel,
  WaitView,
} from './webviewMessages';

/** Bins in an endpoint's latency histogram. */
const HISTOGRAM_BINS = 24;

/** One analysed session as the timeline host serves it; caches what is costly to derive. */
export class TimelineData {
  private sampleIndex: SampleIndex | undefined;
  private readonly requestsById: Map<number, RequestAnalysis>;

  constructor(
    readonly session: SessionFile,
    readonly analysis: Analysis,
    readonly title: string,
    readonly live = false,
    /** The session's identity for the webview (`TimelineModel.sessionId`), if the host has one. */
    readonly sessionId?: string,
  ) {
    this.requestsById = new Map(analysis.requests.map(r => [r.id, r]));
  }

  /** The full snapshot the webview shows. */
  model(): TimelineModel {
    const model = buildTimelineModel(this.analysis, this.title, this.live);
    return this.sessionId === undefined ? model : { sessionId: this.sessionId, ...model };
  }

  /** The waterfall of one request, or undefined for an unknown id. */
  requestDetail(requestId: number): RequestDetail | undefined {
    const request = this.requestsById.get(requestId);
    if (!request) return undefined;

    return {
      row: requestRow(request),
      endUs: request.endUs,
      spans: request.spans,
      gaps: request.gaps,
      cpuSlices: request.cpuSlices,
      waits: this.session.waits.filter(w => w.requestId === requestId).map(waitView),
    };
  }

  /** The aggregated call tree of a request's or an endpoint's samples. */
  flame(scope: FlameScope): FlameData {
    this.sampleIndex ??= buildSampleIndex(this.session);
    return flameFor(this.sampleIndex, scope, endpoint =>
      this.analysis.requests.filter(r => r.endpoint === endpoint).map(r => r.id),
    );
  }

  /** Files the analysis or the profiles name: the only files a snippet may be read from. */
  knownFiles(): Set<string> {
    const files = new Set<string>();
    for (const line of this.analysis.hotLines) files.add(line.file);
    for (const request of this.analysis.requests) addRequestFiles(files, request);
    for (const script of this.session.scripts) files.add(urlToPath(script.url));
    for (const wait of this.session.waits) {
      if (wait.callSite) files.add(urlToPath(wait.callSite.url));
    }
    return files;
  }
}

/** Builds the snapshot from an analysis. */
export function buildTimelineModel(
  analysis: Analysis,
  title: string,
  live: boolean,
): TimelineModel {
  const durations = new Map<string, number[]>();
  for (const request of analysis.requests) {
    const list = durations.get(request.endpoint) ?? [];
    list.push(request.durationMs);
    durations.set(request.endpoint, list);
  }

  return {
    title,
    live,
    totals: analysis.totals,
    notes: analysis.notes,
    endpoints: analysis.endpoints.map(e => endpointRow(e, durations.get(e.key) ?? [])),
    requests: analysis.requests.map(requestRow),
    hotLines: analysis.hotLines,
  };
}

/** The endpoint list's row for one endpoint. */
export function endpointRow(endpoint: EndpointStats, durationsMs: number[]): EndpointRow {
  return {
    key: endpoint.key,
    method: endpoint.method,
    route: endpoint.route,
    count: endpoint.count,
    p50Ms: endpoint.p50Ms,
    p95Ms: endpoint.p95Ms,
    p99Ms: endpoint.p99Ms,
    meanMs: endpoint.meanMs,
    cpuMsPerRequest: endpoint.cpuMsPerRequest,
    untracedMsPerRequest: endpoint.untracedMsPerRequest,
    untracedShare: endpoint.meanMs > 0 ? endpoint.untracedMsPerRequest / endpoint.meanMs : 0,
    explainedShare: endpoint.explainedShare,
    histogram: latencyHistogram(durationsMs),
    gapCauses: endpoint.gapCauses,
    hotLines: endpoint.hotLines,
  };
}

/** Counts durations in equal bins; an empty list gives an empty histogram. */
export function latencyHistogram(durationsMs: number[], bins = HISTOGRAM_BINS): LatencyHistogram {
  if (durationsMs.length === 0) return { minMs: 0, maxMs: 0, counts: [] };

  let minMs = Infinity;
  let maxMs = -Infinity;
  for (const d of durationsMs) {
    minMs = Math.min(minMs, d);
    maxMs = Math.max(maxMs, d);
  }
  const counts = new Array<number>(bins).fill(0);
  const width = (maxMs - minMs) / bins;
  for (const d of durationsMs) {
    const bin = width > 0 ? Math.min(bins - 1, Math.floor((d - minMs) / width)) : 0;
    counts[bin]! += 1;
  }
  return { minMs, maxMs, counts };
}

/** The request list's row for one request. */
export function requestRow(request: RequestAnalysis): RequestRow {
  const row: RequestRow = {
    id: request.id,
    endpoint: request.endpoint,
    method: request.method,
    url: request.url,
    startUs: request.startUs,
    durationMs: request.durationMs,
    cpuMs: request.cpuMs,
    untracedMs: request.untracedMs,
    explainedShare: request.explainedShare,
  };
  if (request.statusCode !== undefined) row.statusCode = request.statusCode;
  if (request.aborted) row.aborted = true;

  const biggest = [...request.gaps].sort((a, b) => b.durationMs - a.durationMs)[0];
  const label = biggest?.causes[0]?.label;
  if (label) row.topGapLabel = label;
  return row;
}

function waitView(wait: RecordedWait): WaitView {
  const view: WaitView = {
    kind: wait.kind,
    type: wait.type,
    startUs: wait.startUs,
    endUs: wait.endUs,
    label: wait.peer ? `${wait.type} ${wait.peer}` : wait.type,
  };
  if (wait.callSite) {
    view.file = urlToPath(wait.callSite.url);
    view.line = wait.callSite.line;
  }
  return view;
}

function addRequestFiles(files: Set<string>, request: RequestAnalysis): void {
  for (const slice of request.cpuSlices) {
    if (slice.location) files.add(slice.location.file);
  }
  for (const gap of request.gaps) {
    for (const cause of gap.causes) {
      if (cause.location) files.add(cause.location.file);
    }
  }
}

/**
 * `analyzeSession`: the pure, deterministic analysis of a recorded session (see model.ts for
 * what it produces and session.ts for what it reads). No file system: sources and maps the
 * session lacks come through `AnalyzeOptions.readFile`.
 */
import { attributeSamples, clipToRequest } from './attribution';
import { type EndpointInput, type SiteTotal, backgroundHotLines, endpointStats } from './endpoints';
import { FrameCategory } from './frames';
import { classifyGap, complement, coveredIntervals, coveringSpans, spanViews } from './gaps';
import type { GapContext, Interval } from './gaps';
import { LineResolver } from './lines';
import type { Analysis, CpuSlice, Gap, RequestAnalysis } from './model';
import { NodeTimeTable } from './nodeTime';
import { buildProfileModel, type ProfileModel } from './profileModel';
import { endpointKey, requestRoute } from './routes';
import type { RecordedRequest, RecordedSpan, SessionFile } from './session';
import { type ReadFile, type ScriptSource, SourceMapResolver } from './sourceMaps';
import { safeRatio } from './stats';
import { buildNotes } from './notes';
import { type WaitPiece, waitPieces } from './waitPieces';

export interface AnalyzeOptions {
  /** Reads a file by absolute path: sources and source maps the session's `scripts` lack. */
  readFile?: ReadFile;
}

/** Per-request accumulators of the sample pass, indexed by request index. */
interface SamplePass {
  cpuUs: Float64Array;
  slices: CpuSlice[][];
  /** Request index -> site id of its last slice (-2: none yet, -1: GC), for merging. */
  lastSliceSite: Int32Array;
  /** Self time per (endpoint index, node). */
  nodeTime: NodeTimeTable;
  cpuTotalUs: number;
  attributedUs: number;
  /** CPU of the agent's own work, charged to no request (µs). */
  agentUs: number;
  /** CPU outside any request by site (µs, samples): where a busy process spends it. */
  background: Map<number, SiteTotal>;
}

/** How many sampling intervals (at least 1 ms each) one sample's state is trusted for. */
const SAMPLE_TRUST_INTERVALS = 4;

/** Read once: an enum member read through an import is a getter call per read under tsx. */
const IDLE = FrameCategory.Idle;
const ROOT = FrameCategory.Root;
const GC = FrameCategory.Gc;

/** Analyses a session; see model.ts for the result. */
export function analyzeSession(session: SessionFile, options: AnalyzeOptions = {}): Analysis {
  const model = buildProfileModel(session.profiles);
  const sampleRequest = attributeSamples(model.sampleStartUs, session.windows, session.requests);
  const sourceMaps = new SourceMapResolver(scriptSources(session), options.readFile);
  const lines = new LineResolver(model, sourceMaps);
  const requests = session.requests;
  const indexById = new Map(requests.map((request, index) => [request.id, index]));
  const keys = requests.map(request => endpointKey(request.method, requestRoute(request)));
  const endpointKeys = [...new Set(keys)];
  const endpointIndex = indexOf(keys, endpointKeys);

  const pass = samplePass(model, sampleRequest, indexById, endpointIndex, lines, requests);
  const context: GapContext = {
    model,
    sampleRequest,
    lines,
    sourceMaps,
    endpointOf: id => keys[indexById.get(id) ?? -1] ?? `request ${id}`,
    windows: session.windows,
    maxSampleUs: SAMPLE_TRUST_INTERVALS * Math.max(session.capture.samplingIntervalUs, 1000),
    runDelays: [...(session.runDelays ?? [])].sort((a, b) => a.startUs - b.startUs),
    gcPauses: session.gcs && unionOf(session.gcs),
    agentPauses: unionOf(session.agentPauses ?? []),
    loopIdle: [...(session.loopIdle ?? [])].sort((a, b) => a.startUs - b.startUs),
  };
  const endpoints = new Map<string, EndpointInput>();
  const spansByRequest = groupBy(coveringSpans(session.spans), span => span.requestId);
  const waitsByRequest = waitPieces(session.waits, sourceMaps, session.capture.threadpoolSize);
  const results = requests.map((request, index) => {
    const key = keys[index] ?? '';
    const endpoint = endpointInput(endpoints, key, request);
    const spans = spansByRequest.get(request.id) ?? [];
    const waits = waitsByRequest.get(request.id) ?? [];
    const result = analyzeRequest(context, session, request, key, spans, waits, pass, index);
    result.analysis.cpuSlices = mergeByStart(result.analysis.cpuSlices, result.blockedSlices);
    endpoint.requests.push(result.analysis);
    endpoint.coveredUs += result.coveredUs;
    for (const [site, us] of result.cpuBySite) siteTotal(endpoint.sites, site).untracedUs += us;
    return result.analysis;
  });
  addNodeTime(pass.nodeTime, lines, endpointKeys, endpoints);

  const endpointList = [...endpoints.values()].map(input => endpointStats(input, lines.sites));
  endpointList.sort((a, b) => b.count * b.meanMs - a.count * a.meanMs);
  const hotLines = endpointList.flatMap(endpoint => endpoint.hotLines);
  hotLines.sort((a, b) => b.totalMs - a.totalMs);

  // No samples because the target died before its first chunk was saved is not idleness.
  const profileLost = session.capture.endReason === 'target-exited' && model.sampleCount === 0;
  const idle = pass.cpuTotalUs <= 0 && !profileLost;
  return {
    endpoints: endpointList,
    requests: results,
    hotLines,
    ...backgroundField(pass, lines, session),
    totals: {
      durationMs: Math.max(0, session.capture.endUs - session.capture.startUs) / 1000,
      samples: model.sampleCount,
      requests: requests.length,
      attributedCpuShare: safeRatio(pass.attributedUs, pass.cpuTotalUs),
      idle,
      agentOverheadMs: pass.agentUs / 1000,
      ...(profileLost ? { profileLost } : {}),
    },
    notes: buildNotes(session, model, idle),
  };
}

/** The union of timed records as sorted, disjoint intervals. */
function unionOf(records: readonly { startUs: number; endUs: number }[]): Interval[] {
  const sorted = records
    .filter(record => record.endUs > record.startUs)
    .sort((a, b) => a.startUs - b.startUs);
  const union: Interval[] = [];
  for (const { startUs, endUs } of sorted) {
    const last = union[union.length - 1];
    if (last && startUs <= last[1]) last[1] = Math.max(last[1], endUs);
    else union.push([startUs, endUs]);
  }
  return union;
}

/** `backgroundHotLines` when CPU outside requests was sampled on some line. */
function backgroundField(
  pass: SamplePass,
  lines: LineResolver,
  session: SessionFile,
): { backgroundHotLines?: Analysis['hotLines'] } {
  const wallMs = Math.max(0, session.capture.endUs - session.capture.startUs) / 1000;
  const found = backgroundHotLines(pass.background, lines.sites, wallMs);
  return found.length ? { backgroundHotLines: found } : {};
}

function scriptSources(session: SessionFile): Map<string, ScriptSource> {
  const scripts = new Map<string, ScriptSource>();
  for (const script of session.scripts ?? []) {
    const entry: ScriptSource = {};
    if (script.source !== undefined) entry.source = script.source;
    if (script.sourceMap) entry.sourceMap = script.sourceMap;
    if (script.sourceMapUrl) entry.sourceMapUrl = script.sourceMapUrl;
    scripts.set(script.url, entry);
  }
  return scripts;
}

/** Each key's position in `distinct`. */
function indexOf(keys: readonly string[], distinct: readonly string[]): Int32Array {
  const positions = new Map(distinct.map((key, index) => [key, index]));
  return Int32Array.from(keys, key => positions.get(key) ?? 0);
}

function groupBy<T>(items: readonly T[], key: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const list = groups.get(key(item));
    if (list) list.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** One pass over all samples: CPU per request, time per (request, node), CPU slices. */
function samplePass(
  model: ProfileModel,
  sampleRequest: Int32Array,
  indexById: Map<number, number>,
  endpointIndex: Int32Array,
  lines: LineResolver,
  requests: readonly RecordedRequest[],
): SamplePass {
  const count = endpointIndex.length;
  const pass: SamplePass = {
    cpuUs: new Float64Array(count),
    slices: Array.from({ length: count }, () => []),
    lastSliceSite: new Int32Array(count).fill(-2),
    nodeTime: new NodeTimeTable(model.nodes.length),
    cpuTotalUs: 0,
    attributedUs: 0,
    agentUs: 0,
    background: new Map(),
  };
  // Windows hold one request for several samples in a row: look its index up once per window.
  let lastOwner = 0;
  let index: number | undefined;
  for (let i = 0; i < model.sampleCount; i++) {
    const node = model.sampleNode[i] ?? 0;
    const category = model.category[node];
    if (category === IDLE || category === ROOT) continue;

    const sampleStart = model.sampleStartUs[i] ?? 0;
    const sampleEnd = model.sampleEndUs[i] ?? 0;
    pass.cpuTotalUs += sampleEnd - sampleStart;
    if (category !== GC && lines.isAgentOverhead(node)) {
      pass.agentUs += sampleEnd - sampleStart;
      continue;
    }
    const owner = sampleRequest[i] ?? 0;
    if (owner === 0) {
      if (category !== GC) addBackground(pass, lines, node, sampleEnd - sampleStart);
      continue;
    }
    if (owner !== lastOwner) {
      lastOwner = owner;
      index = indexById.get(owner);
    }
    // A sample is a point: taken inside the request (attributeSamples checked that), it
    // stands for its whole interval in the line totals, which keeps them unbiased. Only the
    // request's own CPU and slices are clipped to its lifetime, so a waterfall never shows CPU
    // past the response; clipping the line totals too read short handlers 8-15% low.
    const weightUs = sampleEnd - sampleStart;
    const [start, end] = clipToRequest(sampleStart, sampleEnd, requests[index ?? -1]);
    const us = Math.max(0, end - start);
    pass.attributedUs += weightUs;
    if (index === undefined) continue;

    if (category === GC) {
      if (us > 0) addSlice(pass, index, start, end, -1, lines);
      continue;
    }
    pass.cpuUs[index] = (pass.cpuUs[index] ?? 0) + us;
    pass.nodeTime.add(endpointIndex[index] ?? 0, node, weightUs);
    if (us > 0) addSlice(pass, index, start, end, lines.chargeOf(node).primary, lines);
  }
  return pass;
}

/** Adds a sample of CPU outside any request to its lines. */
function addBackground(pass: SamplePass, lines: LineResolver, node: number, us: number) {
  const charge = lines.chargeOf(node);
  for (let k = 0; k < charge.sites.length; k++) {
    const weight = charge.weights[k] ?? 0;
    const total = siteTotal(pass.background, charge.sites[k] ?? 0);
    total.us += us * weight;
    total.samples += weight;
  }
}

/** Extends the request's last slice when it ends where this sample starts on the same site. */
function addSlice(
  pass: SamplePass,
  index: number,
  start: number,
  end: number,
  siteId: number,
  lines: LineResolver,
) {
  const slices = pass.slices[index] as CpuSlice[];
  const last = slices[slices.length - 1];
  if (last && last.endUs === start && pass.lastSliceSite[index] === siteId) {
    last.endUs = end;
    return;
  }

  const site = lines.sites[siteId];
  const kind = siteId === -1 ? 'gc' : 'cpu';
  const functionName = kind === 'gc' ? '(garbage collector)' : (site?.functionName ?? '');
  const slice: CpuSlice = { startUs: start, endUs: end, functionName, kind };
  if (site?.location) slice.location = site.location;
  if (site?.inner) slice.inner = site.inner;
  slices.push(slice);
  pass.lastSliceSite[index] = siteId;
}

/**
 * Two lists sorted by start merged into one; on equal starts `first` comes first (what a stable
 * sort of `first` then `second` gives).
 */
export function mergeByStart(first: CpuSlice[], second: CpuSlice[]): CpuSlice[] {
  if (second.length === 0) return first;
  if (first.length === 0) return second;

  const merged: CpuSlice[] = [];
  let i = 0;
  let j = 0;
  while (i < first.length && j < second.length) {
    const a = first[i] as CpuSlice;
    const b = second[j] as CpuSlice;
    if (b.startUs < a.startUs) {
      merged.push(b);
      j++;
    } else {
      merged.push(a);
      i++;
    }
  }
  while (i < first.length) merged.push(first[i++] as CpuSlice);
  while (j < second.length) merged.push(second[j++] as CpuSlice);
  return merged;
}

function endpointInput(
  endpoints: Map<string, EndpointInput>,
  key: string,
  request: RecordedRequest,
): EndpointInput {
  let input = endpoints.get(key);
  if (!input) {
    const route = requestRoute(request);
    input = {
      key,
      method: request.method.toUpperCase(),
      route,
      requests: [],
      sites: new Map(),
      coveredUs: 0,
    };
    endpoints.set(key, input);
  }
  return input;
}

function siteTotal(sites: Map<number, SiteTotal>, site: number): SiteTotal {
  let total = sites.get(site);
  if (!total) {
    total = { us: 0, samples: 0, untracedUs: 0 };
    sites.set(site, total);
  }
  return total;
}

/** Splits each (endpoint, node) time over the node's sites, into the endpoint's totals. */
function addNodeTime(
  nodeTime: NodeTimeTable,
  lines: LineResolver,
  endpointKeys: readonly string[],
  endpoints: Map<string, EndpointInput>,
) {
  for (let slot = 0; slot < nodeTime.size; slot++) {
    const endpoint = endpoints.get(endpointKeys[nodeTime.endpoint[slot] ?? -1] ?? '');
    if (!endpoint) continue;

    const us = nodeTime.us[slot] ?? 0;
    const samples = nodeTime.samples[slot] ?? 0;
    const charge = lines.chargeOf(nodeTime.node[slot] ?? 0);
    for (let k = 0; k < charge.sites.length; k++) {
      const weight = charge.weights[k] ?? 0;
      const total = siteTotal(endpoint.sites, charge.sites[k] ?? 0);
      total.us += us * weight;
      total.samples += samples * weight;
    }
  }
}

/** One request: spans, gaps and their causes, CPU. */
function analyzeRequest(
  context: GapContext,
  session: SessionFile,
  request: RecordedRequest,
  key: string,
  spans: RecordedSpan[],
  waits: WaitPiece[],
  pass: SamplePass,
  index: number,
) {
  const startUs = request.startUs;
  const endUs = Math.max(startUs, request.endUs ?? session.capture.endUs);
  const covered = coveredIntervals(spans, startUs, endUs);
  let coveredUs = 0;
  for (const [start, end] of covered) coveredUs += end - start;

  const gaps: Gap[] = [];
  const cpuBySite = new Map<number, number>();
  const blockedSlices: CpuSlice[] = [];
  let explainedUs = coveredUs;
  for (const interval of complement(covered, startUs, endUs)) {
    const result = classifyGap(context, request.id, interval, waits, startUs);
    gaps.push(result.gap);
    for (const slice of result.blockedSlices) blockedSlices.push(slice);
    for (const [site, us] of result.cpuBySite) cpuBySite.set(site, (cpuBySite.get(site) ?? 0) + us);
    for (const cause of result.gap.causes)
      if (cause.kind !== 'idle' && cause.kind !== 'unsampled') explainedUs += cause.ms * 1000;
  }

  let untracedUs = 0;
  for (const gap of gaps) untracedUs += gap.endUs - gap.startUs;
  const analysis: RequestAnalysis = {
    id: request.id,
    endpoint: key,
    method: request.method.toUpperCase(),
    url: request.url,
    startUs,
    endUs,
    durationMs: (endUs - startUs) / 1000,
    cpuMs: (pass.cpuUs[index] ?? 0) / 1000,
    untracedMs: untracedUs / 1000,
    explainedShare: Math.min(1, safeRatio(explainedUs, endUs - startUs, 1)),
    spans: spanViews(spans),
    gaps,
    cpuSlices: pass.slices[index] ?? [],
  };
  if (request.statusCode !== undefined) analysis.statusCode = request.statusCode;
  if (request.aborted) analysis.aborted = true;
  if (request.endUs === undefined) analysis.unfinished = true;
  return { analysis, cpuBySite, blockedSlices, coveredUs };
}

/** Per-endpoint statistics and hot lines, from the per-request results of the analysis. */
import { hintFor } from './hints';
import type { ChargeSite } from './lines';
import type { EndpointStats, GapCauseTotal, HotLine, RequestAnalysis } from './model';
import { nearestRank, safeRatio } from './stats';

/** Time charged to one site over the requests of one endpoint. */
export interface SiteTotal {
  /** Self time (µs). */
  us: number;
  /** Samples, fractional where a node's time was split over several lines. */
  samples: number;
  /** Part of `us` that fell in untraced gaps (µs). */
  untracedUs: number;
}

/** One endpoint's requests and the CPU charged to its sites. */
export interface EndpointInput {
  key: string;
  method: string;
  route: string;
  requests: RequestAnalysis[];
  /** Site id -> totals. */
  sites: Map<number, SiteTotal>;
  /** Wall time covered by spans, summed over the requests (µs). */
  coveredUs: number;
}

/** The stats of one endpoint. */
export function endpointStats(input: EndpointInput, sites: readonly ChargeSite[]): EndpointStats {
  const count = input.requests.length;
  // A request cut by the capture's stop has no latency yet: the percentiles leave it out.
  const finished = input.requests.filter(r => !r.unfinished);
  const ranked = finished.length ? finished : input.requests;
  const durations = ranked.map(r => r.durationMs).sort((a, b) => a - b);
  const unfinished = count - finished.length;
  const aborted = input.requests.filter(r => r.aborted).length;
  let wallMs = 0;
  let cpuMs = 0;
  let untracedMs = 0;
  let explainedMs = 0;
  for (const request of input.requests) {
    wallMs += request.durationMs;
    cpuMs += request.cpuMs;
    untracedMs += request.untracedMs;
    explainedMs += request.explainedShare * request.durationMs;
  }

  return {
    key: input.key,
    method: input.method,
    route: input.route,
    count,
    ...(unfinished ? { unfinished } : {}),
    ...(aborted ? { aborted } : {}),
    p50Ms: nearestRank(durations, 50),
    p95Ms: nearestRank(durations, 95),
    p99Ms: nearestRank(durations, 99),
    meanMs: safeRatio(wallMs, count),
    cpuMsPerRequest: safeRatio(cpuMs, count),
    untracedMsPerRequest: safeRatio(untracedMs, count),
    explainedShare: safeRatio(explainedMs, wallMs, 1),
    gapCauses: gapCauseTotals(input.requests, safeRatio(wallMs, count)),
    hotLines: hotLines(input, sites, wallMs),
  };
}

/**
 * A hint is worth showing only where the line or cause holds a meaningful part of the
 * endpoint: at least this share of its wall time...
 */
const HINT_MIN_SHARE = 0.05;
/** ...or at least this many ms per request. */
const HINT_MIN_MS_PER_REQUEST = 1;

/** True when `msPerRequest` of an endpoint averaging `meanMs` deserves a hint. */
function worthAHint(msPerRequest: number, meanMs: number): boolean {
  return msPerRequest >= HINT_MIN_MS_PER_REQUEST || msPerRequest >= HINT_MIN_SHARE * meanMs;
}

function gapCauseTotals(requests: readonly RequestAnalysis[], meanMs: number): GapCauseTotal[] {
  // Keyed by label, then kind: labels are shared strings, so no key is built per cause.
  const byLabel = new Map<string, GapCauseTotal[]>();
  const totals: GapCauseTotal[] = [];
  for (const request of requests) {
    for (const gap of request.gaps) {
      for (const cause of gap.causes) {
        let sameLabel = byLabel.get(cause.label);
        if (!sameLabel) byLabel.set(cause.label, (sameLabel = []));
        let total = sameLabel.find(known => known.kind === cause.kind);
        if (!total) {
          total = { kind: cause.kind, label: cause.label, msPerRequest: 0 };
          if (cause.location) total.location = cause.location;
          if (cause.hint) total.hint = cause.hint;
          sameLabel.push(total);
          totals.push(total);
        }
        total.msPerRequest += cause.ms;
      }
    }
  }

  for (const total of totals) {
    total.msPerRequest = safeRatio(total.msPerRequest, requests.length);
    if (total.hint && !worthAHint(total.msPerRequest, meanMs)) delete total.hint;
  }
  return totals.sort((a, b) => b.msPerRequest - a.msPerRequest);
}

/** The `endpoint` of the hot lines of CPU outside any request. */
export const OUTSIDE_REQUESTS = '(outside requests)';

/** How many lines of CPU outside requests the analysis keeps. */
const MAX_BACKGROUND_LINES = 10;

/** The top lines of CPU outside any request; `share` is of the capture's `wallMs`. */
export function backgroundHotLines(
  totals: Map<number, SiteTotal>,
  sites: readonly ChargeSite[],
  wallMs: number,
): HotLine[] {
  const input: EndpointInput = {
    key: OUTSIDE_REQUESTS,
    method: '',
    route: '',
    requests: [],
    sites: totals,
    coveredUs: 0,
  };
  return hotLines(input, sites, wallMs).slice(0, MAX_BACKGROUND_LINES);
}

/** Groups the endpoint's sites by line; sites without a line are not hot lines. */
function hotLines(input: EndpointInput, sites: readonly ChargeSite[], wallMs: number): HotLine[] {
  const count = input.requests.length;
  const byLine = new Map<string, { line: HotLine; fnUs: Map<string, number>; calls: string[] }>();
  for (const [siteId, total] of input.sites) {
    const site = sites[siteId];
    if (!site?.location || total.us <= 0) continue;

    let entry = byLine.get(site.lineKey);
    if (!entry) {
      const line: HotLine = {
        file: site.location.file,
        line: site.location.line,
        functionName: site.functionName,
        endpoint: input.key,
        msPerRequest: 0,
        totalMs: 0,
        share: 0,
        samples: 0,
        untracedMsPerRequest: 0,
        innerFrames: [],
      };
      entry = { line, fnUs: new Map(), calls: [] };
      byLine.set(site.lineKey, entry);
    }
    addSite(entry, site, total);
  }

  const result: HotLine[] = [];
  for (const { line, fnUs, calls } of byLine.values()) {
    line.functionName = biggestKey(fnUs) ?? line.functionName;
    line.msPerRequest = safeRatio(line.totalMs, count);
    line.untracedMsPerRequest = safeRatio(line.untracedMsPerRequest, count);
    line.share = safeRatio(line.totalMs, wallMs);
    line.samples = Math.round(line.samples);
    for (const inner of line.innerFrames) inner.ms = safeRatio(inner.ms, count);
    line.innerFrames.sort((a, b) => b.ms - a.ms);
    const hint = hintFor(
      line.innerFrames.map(inner => inner.name),
      calls,
    );
    // A hint on a line holding a trivial part of the endpoint sends the user the wrong way.
    const meanMs = safeRatio(wallMs, count);
    if (hint && (count === 0 || worthAHint(line.msPerRequest, meanMs))) line.hint = hint;
    result.push(line);
  }
  return result.sort((a, b) => b.totalMs - a.totalMs);
}

/** Adds a site's totals to its line (ms stay totals here; per-request division comes last). */
function addSite(
  entry: { line: HotLine; fnUs: Map<string, number>; calls: string[] },
  site: ChargeSite,
  total: SiteTotal,
) {
  const ms = total.us / 1000;
  entry.line.totalMs += ms;
  entry.line.samples += total.samples;
  entry.line.untracedMsPerRequest += total.untracedUs / 1000;
  entry.fnUs.set(site.functionName, (entry.fnUs.get(site.functionName) ?? 0) + total.us);
  for (const call of site.lineCalls) if (!entry.calls.includes(call)) entry.calls.push(call);
  if (site.detail?.includes('split')) entry.line.note = site.detail;
  if (!site.inner) return;

  const inner = entry.line.innerFrames.find(frame => frame.name === site.inner);
  if (inner) inner.ms += ms;
  else entry.line.innerFrames.push({ name: site.inner, ms });
}

function biggestKey(map: Map<string, number>): string | undefined {
  let best: string | undefined;
  let bestValue = -Infinity;
  for (const [key, value] of map) {
    if (value > bestValue) {
      bestValue = value;
      best = key;
    }
  }
  return best;
}

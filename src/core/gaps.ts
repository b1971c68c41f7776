/**
 * Untraced gaps: the parts of a request that no span covers, and what filled them, read from
 * the samples in the gap (split exactly at sample boundaries) and the request's recorded waits.
 */
import { FrameCategory } from './frames';
import type { LineResolver, ChargeSite } from './lines';
import type { CpuSlice, Gap, GapCause, GapCauseKind, SpanView } from './model';
import type { ProfileModel } from './profileModel';
import type { RecordedSpan, RecordedWait } from './session';
import type { SourceMapResolver } from './sourceMaps';
import { hintFor, hintForWait } from './hints';

/** OpenTelemetry SpanKind SERVER: such a span stands for the request itself. */
const SPAN_KIND_SERVER = 1;

/** Which wait kind explains idle time when several waits overlap, strongest first. */
const WAIT_PRECEDENCE: RecordedWait['kind'][] = [
  'threadpool',
  'socket',
  'fs',
  'dns',
  'timer',
  'native',
  'other',
];

/** Read once: an enum member read through an import is a getter call per read under tsx. */
const IDLE = FrameCategory.Idle;
const ROOT = FrameCategory.Root;
const GC = FrameCategory.Gc;

/** A closed time interval `[start, end]` in µs. */
export type Interval = [number, number];

/** The spans that count as coverage of a request: its own, minus SERVER spans. */
export function coveringSpans(spans: readonly RecordedSpan[]): RecordedSpan[] {
  return spans.filter(span => span.kind !== SPAN_KIND_SERVER);
}

/** The union of the spans clipped to `[startUs, endUs]`, sorted and disjoint. */
export function coveredIntervals(spans: readonly RecordedSpan[], startUs: number, endUs: number) {
  const clipped: Interval[] = [];
  for (const span of spans) {
    const start = Math.max(span.startUs, startUs);
    const end = Math.min(span.endUs, endUs);
    if (end > start) clipped.push([start, end]);
  }
  clipped.sort((a, b) => a[0] - b[0]);

  const union: Interval[] = [];
  for (const interval of clipped) {
    const last = union[union.length - 1];
    if (last && interval[0] <= last[1]) last[1] = Math.max(last[1], interval[1]);
    else union.push([interval[0], interval[1]]);
  }
  return union;
}

/** `[startUs, endUs]` minus the sorted disjoint `covered` intervals. */
export function complement(covered: readonly Interval[], startUs: number, endUs: number) {
  const gaps: Interval[] = [];
  let cursor = startUs;
  for (const [start, end] of covered) {
    if (start > cursor) gaps.push([cursor, start]);
    cursor = Math.max(cursor, end);
  }
  if (endUs > cursor) gaps.push([cursor, endUs]);
  return gaps;
}

/** Span views of a request, with their nesting depth among the request's own spans. */
export function spanViews(spans: readonly RecordedSpan[]): SpanView[] {
  const byId = new Map(spans.map(span => [span.spanId, span]));
  const views = spans.map(span => {
    const view: SpanView = {
      spanId: span.spanId,
      name: span.name,
      startUs: span.startUs,
      endUs: span.endUs,
      source: span.source,
      depth: spanDepth(span, byId, spans.length),
    };
    if (span.parentSpanId) view.parentSpanId = span.parentSpanId;
    return view;
  });
  return views.sort((a, b) => a.startUs - b.startUs);
}

/** How many ancestors of `span` are among `byId`, at most `limit` (a cycle stops there). */
function spanDepth(span: RecordedSpan, byId: Map<string, RecordedSpan>, limit: number): number {
  let depth = 0;
  let parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
  while (parent && depth < limit) {
    depth++;
    parent = parent.parentSpanId ? byId.get(parent.parentSpanId) : undefined;
  }
  return depth;
}

/** What classifying a gap needs from the rest of the analysis. */
export interface GapContext {
  model: ProfileModel;
  /** Sample -> request id (0: none). */
  sampleRequest: Int32Array;
  lines: LineResolver;
  sourceMaps: SourceMapResolver;
  /** The endpoint key of a request id, for `blocked by …` labels. */
  endpointOf(requestId: number): string;
  /** Site id -> its `cpu` cause without the time (label, location, hint), filled lazily. */
  siteCauses?: Map<number, GapCause>;
  /** Blocking request id -> the name of its slices, filled lazily. */
  blockedNames?: Map<number, string>;
  /** Blocking endpoint -> top site id -> its `blocked` cause without time and id, lazily. */
  blockedCauses?: Map<string, Map<number, GapCause>>;
}

/** A classified gap, plus the CPU of its own request by site (for hot lines' untraced time). */
export interface GapResult {
  gap: Gap;
  /** Site id -> µs of this request's CPU inside the gap. */
  cpuBySite: Map<number, number>;
  /** Samples of other requests inside the gap, merged, for timelines. */
  blockedSlices: CpuSlice[];
}

/** Classifies one gap `[startUs, endUs]` of request `requestId`. */
export function classifyGap(
  context: GapContext,
  requestId: number,
  interval: Interval,
  waits: readonly RecordedWait[],
): GapResult {
  const [gapStart, gapEnd] = interval;
  const { model, sampleRequest, lines } = context;
  const cpuBySite = new Map<number, number>();
  const blocked = new Map<number, Map<number, number>>();
  const blockedSlices: CpuSlice[] = [];
  const idle: Interval[] = [];
  let gcUs = 0;
  let otherUs = 0;
  let lastOwner = 0;
  let lastSlice: CpuSlice | undefined;
  let lastBySite: Map<number, number> | undefined;

  let cursor = gapStart;
  for (let i = firstSampleEndingAfter(model, gapStart); i < model.sampleCount; i++) {
    const sampleStart = model.sampleStartUs[i] ?? 0;
    if (sampleStart >= gapEnd) break;

    const start = Math.max(sampleStart, cursor);
    const end = Math.min(model.sampleEndUs[i] ?? 0, gapEnd);
    if (end <= start) continue;
    if (start > cursor) addInterval(idle, cursor, start);
    cursor = end;

    const us = end - start;
    const node = model.sampleNode[i] ?? 0;
    const category = model.category[node];
    const owner = sampleRequest[i] ?? 0;
    if (category === IDLE || category === ROOT) {
      addInterval(idle, start, end);
    } else if (category === GC) {
      gcUs += us;
    } else if (owner === requestId) {
      const charge = lines.chargeOf(node);
      for (let k = 0; k < charge.sites.length; k++) {
        addTo(cpuBySite, charge.sites[k] ?? 0, us * (charge.weights[k] ?? 0));
      }
    } else if (owner !== 0) {
      // One window holds the thread for many samples in a row: keep its owner's map at hand.
      if (owner !== lastOwner || !lastBySite) {
        lastBySite = blocked.get(owner);
        if (!lastBySite) blocked.set(owner, (lastBySite = new Map()));
      }
      addTo(lastBySite, lines.chargeOf(node).primary, us);
      if (owner === lastOwner && lastSlice && lastSlice.endUs === start) lastSlice.endUs = end;
      else lastSlice = blockedSlice(blockedSlices, start, end, owner, context);
      lastOwner = owner;
    } else {
      otherUs += us;
    }
  }
  if (gapEnd > cursor) addInterval(idle, cursor, gapEnd);

  const causes: GapCause[] = [];
  for (const [site, us] of cpuBySite) causes.push(cpuCause(context, site, us));
  for (const [owner, bySite] of blocked) causes.push(blockedCause(context, owner, bySite));
  if (gcUs > 0) causes.push({ kind: 'gc', ms: gcUs / 1000, label: 'garbage collection' });
  if (otherUs > 0) {
    causes.push({ kind: 'other-cpu', ms: otherUs / 1000, label: 'JS outside any request' });
  }
  causes.push(...mergeCauses(waitCauses(context, idle, waits)));

  const merged = causes.sort((a, b) => b.ms - a.ms);
  const gap: Gap = {
    startUs: gapStart,
    endUs: gapEnd,
    durationMs: (gapEnd - gapStart) / 1000,
    causes: merged,
  };
  return { gap, cpuBySite, blockedSlices };
}

/** Binary search: the first sample whose end is after `time`. */
function firstSampleEndingAfter(model: ProfileModel, time: number): number {
  let low = 0;
  let high = model.sampleCount;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((model.sampleEndUs[mid] ?? 0) > time) high = mid;
    else low = mid + 1;
  }
  return low;
}

function addTo(map: Map<number, number>, key: number, value: number) {
  map.set(key, (map.get(key) ?? 0) + value);
}

function addInterval(list: Interval[], start: number, end: number) {
  const last = list[list.length - 1];
  if (last && last[1] >= start) last[1] = Math.max(last[1], end);
  else list.push([start, end]);
}

function blockedSlice(
  slices: CpuSlice[],
  start: number,
  end: number,
  owner: number,
  context: GapContext,
): CpuSlice {
  context.blockedNames ??= new Map();
  let name = context.blockedNames.get(owner);
  if (name === undefined) {
    name = `blocked by ${context.endpointOf(owner)} (request ${owner})`;
    context.blockedNames.set(owner, name);
  }
  const slice: CpuSlice = { startUs: start, endUs: end, functionName: name, kind: 'blocked' };
  slices.push(slice);
  return slice;
}

/** `auth.ts:41 (login) in crypto.pbkdf2Sync`, or the inner frame alone without a line. */
export function siteLabel(site: ChargeSite | undefined): string {
  if (!site) return 'unknown code';
  if (site.inner === '(program)') return 'native code (program)';

  const inner = site.inner ? ` in ${site.inner}` : '';
  if (!site.location) return `${site.inner ?? site.functionName} (no user frame on the stack)`;
  const fn = site.functionName || '(anonymous)';
  return `${shortLocation(site.location)} (${fn})${inner}`;
}

function shortLocation(location: { file: string; line: number }): string {
  const base = location.file.split(/[\\/]/).pop() || location.file;
  return `${base}:${location.line}`;
}

function cpuCause(context: GapContext, siteId: number, us: number): GapCause {
  context.siteCauses ??= new Map();
  let template = context.siteCauses.get(siteId);
  if (!template) {
    const site = context.lines.sites[siteId];
    template = { kind: 'cpu', ms: 0, label: siteLabel(site) };
    if (site?.location) template.location = site.location;
    const hint = site && hintFor(site.inner ? [site.inner] : [], site.lineCalls);
    if (hint) template.hint = hint;
    context.siteCauses.set(siteId, template);
  }
  // Built field by field: a spread of the template costs more than the rest of the cause.
  const cause: GapCause = { kind: 'cpu', ms: us / 1000, label: template.label };
  if (template.location) cause.location = template.location;
  if (template.hint) cause.hint = template.hint;
  return cause;
}

function blockedCause(context: GapContext, owner: number, bySite: Map<number, number>): GapCause {
  let total = 0;
  let topSite = -1;
  let topUs = -1;
  for (const [site, us] of bySite) {
    total += us;
    if (us > topUs) {
      topUs = us;
      topSite = site;
    }
  }

  const endpoint = context.endpointOf(owner);
  context.blockedCauses ??= new Map();
  let bySiteCause = context.blockedCauses.get(endpoint);
  if (!bySiteCause) context.blockedCauses.set(endpoint, (bySiteCause = new Map()));
  let template = bySiteCause.get(topSite);
  if (!template) {
    template = blockedTemplate(context.lines.sites[topSite], endpoint);
    bySiteCause.set(topSite, template);
  }
  const label = template.label;
  const cause: GapCause = { kind: 'blocked', ms: total / 1000, label, blockingRequestId: owner };
  if (template.location) cause.location = template.location;
  return cause;
}

/** The `blocked` cause of an endpoint's top site, without time and blocking request. */
function blockedTemplate(site: ChargeSite | undefined, endpoint: string): GapCause {
  let label = `blocked by ${endpoint}`;
  if (site?.location) label += ` at ${shortLocation(site.location)}`;
  else if (site?.inner) label += ` in ${site.inner}`;
  const cause: GapCause = { kind: 'blocked', ms: 0, label };
  if (site?.location) cause.location = site.location;
  return cause;
}

/** Splits idle time by the request's waits (strongest kind first); the rest stays `idle`. */
function waitCauses(context: GapContext, idle: Interval[], waits: readonly RecordedWait[]) {
  const causes: GapCause[] = [];
  let idleUs = 0;
  for (const [start, end] of idle) {
    const overlapping =
      waits.length === 0 ? waits : waits.filter(wait => wait.startUs < end && wait.endUs > start);
    if (overlapping.length === 0) {
      idleUs += end - start;
      continue;
    }

    const points = new Set<number>([start, end]);
    for (const wait of overlapping) {
      if (wait.startUs > start) points.add(wait.startUs);
      if (wait.endUs < end) points.add(wait.endUs);
    }
    const sorted = [...points].sort((a, b) => a - b);
    for (let i = 0; i + 1 < sorted.length; i++) {
      const from = sorted[i] ?? 0;
      const to = sorted[i + 1] ?? 0;
      const wait = strongestWait(overlapping, (from + to) / 2);
      if (wait) causes.push(waitCause(context, wait, to - from));
      else idleUs += to - from;
    }
  }
  if (idleUs > 0) {
    causes.push({ kind: 'idle', ms: idleUs / 1000, label: 'idle: nothing recorded' });
  }
  return causes;
}

function strongestWait(waits: readonly RecordedWait[], time: number): RecordedWait | undefined {
  let best: RecordedWait | undefined;
  let bestRank = Infinity;
  for (const wait of waits) {
    if (wait.startUs > time || wait.endUs < time) continue;

    const rank = WAIT_PRECEDENCE.indexOf(wait.kind);
    const effective = rank < 0 ? WAIT_PRECEDENCE.length : rank;
    if (effective < bestRank) {
      bestRank = effective;
      best = wait;
    }
  }
  return best;
}

function waitCause(context: GapContext, wait: RecordedWait, us: number): GapCause {
  let label = `${wait.type}`;
  if (wait.peer) label += ` ${wait.peer}`;
  const cause: GapCause = { kind: wait.kind as GapCauseKind, ms: us / 1000, label };
  if (wait.callSite) {
    const { url, line, column } = wait.callSite;
    const location = context.sourceMaps.resolve(url, line, Math.max(0, column - 1));
    cause.location = location;
    cause.label += ` from ${shortLocation(location)}`;
  }
  const hint = hintForWait(wait.type);
  if (hint) cause.hint = hint;
  return cause;
}

/** Merges causes of the same kind and label (several samples or waits of one cause). */
function mergeCauses(causes: GapCause[]): GapCause[] {
  if (causes.length < 2) return causes;

  const byKey = new Map<string, GapCause>();
  for (const cause of causes) {
    const key = `${cause.kind}|${cause.label}`;
    const known = byKey.get(key);
    if (known) known.ms += cause.ms;
    else byKey.set(key, { ...cause });
  }
  return [...byKey.values()];
}

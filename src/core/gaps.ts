/**
 * Untraced gaps: the parts of a request that no span covers, and what filled them, read from
 * the samples in the gap (split exactly at sample boundaries) and the request's recorded waits.
 */
import { FrameCategory } from './frames';
import type { LineResolver, ChargeSite } from './lines';
import type { CpuSlice, Gap, GapCause, SpanView } from './model';
import type { ProfileModel } from './profileModel';
import {
  GC_LABEL,
  RUN_DELAY_LABEL,
  StretchBudget,
  overlapUs,
  quietCauses,
  type QuietEvidence,
} from './quietTime';
import type { ExecutionWindows, RecordedLoopIdle, RecordedRunDelay, RecordedSpan } from './session';
import type { SourceMapResolver } from './sourceMaps';
import { RUN_DELAY_HINT, hintFor } from './hints';
import type { WaitPiece } from './waitPieces';

/** OpenTelemetry SpanKind SERVER: such a span stands for the request itself. */
const SPAN_KIND_SERVER = 1;

/**
 * Longest stretch of "no request" between two windows of the same request that still counts
 * as that request's (µs): the event loop's own turnaround between two of its callbacks, or
 * the agent's bookkeeping between a request's start and its first window.
 */
const MAX_BRIDGE_US = 50;

/**
 * Longest "no request" stretch between two windows of one request that, when nothing else
 * explains it, is the event loop's turn between two of its callbacks (µs): ticks, microtasks,
 * hooks and a poll of libuv. Measured between a request's windows under load (agent on, sampled
 * every 100 µs): median 30 µs, p99 about 120 µs.
 */
const LOOP_TURN_MAX_US = 200;

/** Label of this request's JS that ran between two samples (the windows saw it, no line). */
const OWN_JS_LABEL = "this request's JS between samples (no line sampled)";

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
  /**
   * The agent's execution windows: time the samples call idle but a request's JS ran (a
   * sample interval is up to a few ms wide) is charged to that request instead.
   */
  windows?: ExecutionWindows;
  /**
   * Longest stretch a single sample's state is trusted for, µs (a few sampling intervals).
   * Beyond it, the sample's time is unknown and classified like idle time.
   */
  maxSampleUs?: number;
  /** The JS thread's run-queue delays, sorted by start (Linux captures). */
  runDelays?: readonly RecordedRunDelay[];
  /**
   * Recorded garbage-collection pauses, sorted and disjoint; absent in older sessions, where
   * only samples show collections.
   */
  gcPauses?: readonly Interval[];
  /** Where Gapscope's agent held the thread (its flushes), sorted and disjoint. */
  agentPauses?: readonly Interval[];
  /** The loop's idle time in its poll by stretch (a lower bound), sorted by start. */
  loopIdle?: readonly RecordedLoopIdle[];
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
  waits: readonly WaitPiece[],
  /** When the request started: the agent switches to it in the same call (see splitByWindows). */
  requestStartUs = NaN,
): GapResult {
  const [gapStart, gapEnd] = interval;
  const { model, sampleRequest, lines } = context;
  const maxSampleUs = context.maxSampleUs ?? Infinity;
  const windows = context.windows;
  const cpuBySite = new Map<number, number>();
  const blocked = new Map<number, Map<number, number>>();
  const blockedSlices: CpuSlice[] = [];
  const idle: Interval[] = [];
  /** Parts of samples too long to trust (a starved sampler): unknown, not idle. */
  const unsampled: Interval[] = [];
  let gcUs = 0;
  /** Samples of JS of no request: what quiet time no wait explains is charged to them. */
  const otherCpu: Interval[] = [];
  let lastOwner = 0;
  let lastSlice: CpuSlice | undefined;
  /** Stretches where other requests ran, decided at the end: blocking this one, or not. */
  const runs: OtherRun[] = [];
  /** How far apart two samples of one other request may be and still be one run (µs). */
  const readySlackUs = Math.max(MIN_READY_SLACK_US, 2 * model.medianIntervalUs);
  /** Extends the last run when it is `owner`'s and ended just before `start`. */
  const extendRun = (owner: number, start: number, end: number): OtherRun | undefined => {
    const run = runs[runs.length - 1];
    if (!run || run.owner !== owner || start - run.endUs > readySlackUs) return undefined;
    run.endUs = Math.max(run.endUs, end);
    return run;
  };

  let cursor = gapStart;
  for (let i = firstSampleEndingAfter(model, gapStart); i < model.sampleCount; i++) {
    const sampleStart = model.sampleStartUs[i] ?? 0;
    if (sampleStart >= gapEnd) break;

    const start = Math.max(sampleStart, cursor);
    const sampleEnd = Math.min(model.sampleEndUs[i] ?? 0, gapEnd);
    if (sampleEnd <= start) continue;
    if (start > cursor) addInterval(idle, cursor, start);
    cursor = sampleEnd;

    const node = model.sampleNode[i] ?? 0;
    const category = model.category[node];
    // A sample tells the state at its start; past a few intervals (a starved sampler) the
    // rest is unknown, and the windows and waits tell it better.
    const idleSample = category === IDLE || category === ROOT;
    const end = idleSample ? sampleEnd : Math.min(sampleEnd, sampleStart + maxSampleUs);
    const owner = sampleRequest[i] ?? 0;
    // A request's sample counts only while its windows say its JS ran; the rest of the
    // interval (the request already waiting) is quiet time.
    const clipped =
      idleSample || owner === 0 || !windows ? end : runEnd(windows, owner, start, end);
    if (clipped > start) chargeSample(start, clipped, node, category, owner);
    if (clipped < sampleEnd) addInterval(idle, Math.max(start, clipped), sampleEnd);
    if (end < sampleEnd) addInterval(unsampled, Math.max(start, end), sampleEnd);
  }
  if (gapEnd > cursor) addInterval(idle, cursor, gapEnd);

  /** Charges `[start, end]` of a sample by what it saw. */
  function chargeSample(
    start: number,
    end: number,
    node: number,
    category: FrameCategory | undefined,
    owner: number,
  ) {
    const us = end - start;
    if (category === IDLE || category === ROOT) {
      addInterval(idle, start, end);
    } else if (category === GC && context.gcPauses) {
      // The recorded pauses say where collections were; the sample only saw one at its start.
      // Its interval is split like an idle one's (windows, then recorded pauses and the rest).
      addInterval(idle, start, end);
    } else if (category === GC) {
      gcUs += us;
      // Another request's GC does not end its run (the loop is still held).
      if (owner !== 0 && owner !== requestId) extendRun(owner, start, end);
    } else if (owner === requestId) {
      const charge = lines.chargeOf(node);
      for (let k = 0; k < charge.sites.length; k++) {
        addTo(cpuBySite, charge.sites[k] ?? 0, us * (charge.weights[k] ?? 0));
      }
    } else if (owner !== 0) {
      let run = extendRun(owner, start, end);
      if (!run) runs.push((run = { owner, startUs: start, endUs: end, bySite: new Map() }));
      addTo(run.bySite, lines.chargeOf(node).primary, us);
      if (owner === lastOwner && lastSlice && lastSlice.endUs === start) lastSlice.endUs = end;
      else lastSlice = blockedSlice(blockedSlices, start, end, owner, context);
      lastOwner = owner;
    } else {
      // JS of no request is a point seen at the sample's start: a wait of this request known
      // to be pending is stronger evidence for the rest, so it is quiet time first.
      addInterval(idle, start, end);
      addInterval(otherCpu, start, end);
    }
  }
  const quiet = context.windows
    ? splitByWindows(context, idle, requestId, runs, gapStart, requestStartUs)
    : { intervals: idle, ownUs: 0, gcUs: 0, delayedUs: 0, loopTurns: [], backgroundJs: [] };
  gcUs += quiet.gcUs;
  // Another request's JS blocked this one only if this one had work ready when it ran (its
  // own callback ran right after); otherwise it was waiting anyway, e.g. for a timer.
  const othersRan: Interval[] = [];
  for (const run of runs) {
    // Samples cut a long window into pieces (GC, a starved sampler): what counts is whether
    // this request ran when the other one's whole window ended.
    const until = windows ? windowEnd(windows, run) : run.endUs;
    if (!windows || ranNext(context, windows, requestId, run, until, gapEnd, readySlackUs)) {
      let bySite = blocked.get(run.owner);
      if (!bySite) blocked.set(run.owner, (bySite = new Map()));
      for (const [site, us] of run.bySite) addTo(bySite, site, us);
    } else {
      othersRan.push([run.startUs, run.endUs]);
    }
  }
  // Runs from samples come before those only the windows saw: sorted and disjoint for the
  // overlap sums.
  othersRan.splice(0, othersRan.length, ...unionIntervals([], othersRan));
  quiet.intervals = unionIntervals(quiet.intervals, othersRan);

  const causes: GapCause[] = [];
  for (const [site, us] of cpuBySite) causes.push(cpuCause(context, site, us));
  for (const [owner, bySite] of blocked) causes.push(blockedCause(context, owner, bySite));
  if (gcUs > 0) causes.push({ kind: 'gc', ms: gcUs / 1000, label: GC_LABEL });
  if (quiet.ownUs > 0) causes.push({ kind: 'cpu', ms: quiet.ownUs / 1000, label: OWN_JS_LABEL });
  if (quiet.delayedUs > 0) {
    const ms = quiet.delayedUs / 1000;
    causes.push({ kind: 'descheduled', ms, label: RUN_DELAY_LABEL, hint: RUN_DELAY_HINT });
  }
  const evidence: QuietEvidence = {
    runDelays: context.runDelays ?? [],
    gcPauses: context.gcPauses ?? [],
    agentPauses: context.agentPauses ?? [],
    loopIdle: context.loopIdle ?? [],
    unsampled,
    // JS of no request: seen by samples, or by the windows of callbacks of no request.
    otherCpu: quiet.backgroundJs.length ? unionIntervals(otherCpu, quiet.backgroundJs) : otherCpu,
    othersRan,
    loopTurns: quiet.loopTurns,
  };
  causes.push(...quietCauses(quiet.intervals, waits, evidence));

  // Equal causes (one blocking endpoint's line over many requests, one wait site) are one.
  const merged = mergeCauses(causes).sort((a, b) => b.ms - a.ms);
  const gap: Gap = {
    startUs: gapStart,
    endUs: gapEnd,
    durationMs: (gapEnd - gapStart) / 1000,
    causes: merged,
  };
  // Timelines draw blocks only where this request was held: not while it waited anyway.
  const held = othersRan.length
    ? blockedSlices.filter(slice => overlapUs(othersRan, slice.startUs, slice.endUs) === 0)
    : blockedSlices;
  return { gap, cpuBySite, blockedSlices: held };
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
    // Site -1 is time only the windows saw (no line): it never names the blocking line.
    if (site >= 0 && us > topUs) {
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

/** A stretch in which another request's JS ran, with its CPU by site (-1: no line). */
interface OtherRun {
  owner: number;
  startUs: number;
  endUs: number;
  bySite: Map<number, number>;
}

/**
 * Least slack between another request's run and this one's next callback that still counts as
 * "ran right after" (µs); samples place the run's end only to a sampling interval or two.
 */
const MIN_READY_SLACK_US = 1000;

/** Where the other request's window stretch holding the run ends (at least the run's end). */
function windowEnd(windows: ExecutionWindows, run: OtherRun): number {
  const end = runEnd(windows, run.owner, run.startUs, Infinity);
  return Number.isFinite(end) ? Math.max(end, run.endUs) : run.endUs;
}

/**
 * True when this request was ready when another one's window ended at `time`: its own JS ran
 * next, before any other request's, and the thread never went idle in between (an idle loop
 * had nothing of this request to run). `slackUs` absorbs where samples put the end.
 */
function ranNext(
  context: GapContext,
  windows: ExecutionWindows,
  requestId: number,
  run: OtherRun,
  time: number,
  gapEnd: number,
  slackUs: number,
): boolean {
  let next: number | undefined;
  for (let i = Math.max(0, lastSwitchAtOrBefore(windows.ts, time - slackUs)); ; i++) {
    const at = windows.ts[i];
    // Past the gap this request is covered (or over): it did not run next within the gap.
    if (at === undefined || at > gapEnd + slackUs) return false;
    const owner = windows.req[i] ?? 0;
    if (owner === requestId) {
      next = Math.max(at, time);
      break;
    }
    if (owner > 0 && owner !== run.owner && at >= time) return false;
  }

  const { model } = context;
  for (let i = firstSampleEndingAfter(model, time); i < model.sampleCount; i++) {
    if ((model.sampleStartUs[i] ?? 0) >= next) break;
    const category = model.category[model.sampleNode[i] ?? 0];
    if (category === IDLE && (model.sampleStartUs[i] ?? 0) >= time) return false;
  }
  return true;
}

/** The union of two sorted lists of intervals, sorted and disjoint. */
function unionIntervals(first: readonly Interval[], second: readonly Interval[]): Interval[] {
  if (second.length === 0) return [...first];

  const all = [...first, ...second].sort((a, b) => a[0] - b[0]);
  const result: Interval[] = [];
  for (const [start, end] of all) addInterval(result, start, end);
  return result;
}

/** Idle intervals minus the time windows gave to a request (this one, or one blocking it). */
interface Quiet {
  intervals: Interval[];
  /** µs of this request's own JS found inside idle samples. */
  ownUs: number;
  /** µs of recorded collections inside this request's own windows. */
  gcUs: number;
  /** µs of its own windows in which the thread waited for a CPU (run-queue readings). */
  delayedUs: number;
  /** Short "no request" stretches between two of this request's windows (sorted, disjoint). */
  loopTurns: Interval[];
  /** Where callbacks of no request ran, by the windows (sorted, disjoint). */
  backgroundJs: Interval[];
}

/**
 * Splits idle sample time by the execution windows: where a request's JS ran, the time is its
 * CPU (this request's) or a block (another's), between samples too short to be seen; the rest
 * is the quiet time that waits may explain.
 */
function splitByWindows(
  context: GapContext,
  idle: readonly Interval[],
  requestId: number,
  runs: OtherRun[],
  gapStart: number,
  requestStartUs: number,
): Quiet {
  const windows = context.windows!;
  const gcPauses = context.gcPauses ?? [];
  const runDelays = new StretchBudget(context.runDelays ?? [], delay => delay.delayUs);
  const loopIdle = new StretchBudget(context.loopIdle ?? [], idle => idle.idleUs);
  const quiet: Interval[] = [];
  const loopTurns: Interval[] = [];
  const backgroundJs: Interval[] = [];
  let ownUs = 0;
  let gcUs = 0;
  let delayedUs = 0;
  // The request's own stretch is its JS, less the time the thread waited for a CPU (read at
  // the stretch's end) and the collections in it.
  const own = (from: number, to: number, stretchStart: number) => {
    const delayed = runDelays.takeStretch(stretchStart, to - from);
    const gc = gcPauses.length ? Math.min(overlapUs(gcPauses, from, to), to - from - delayed) : 0;
    delayedUs += delayed;
    gcUs += gc;
    ownUs += to - from - delayed - gc;
  };
  for (const [start, end] of idle) {
    let index = lastSwitchAtOrBefore(windows.ts, start);
    let from = start;
    while (from < end) {
      const owner = index >= 0 ? (windows.req[index] ?? 0) : 0;
      const next = windows.ts[index + 1];
      const to = next === undefined ? end : Math.min(end, Math.max(from, next));
      if (to > from) {
        // From the request's start to its first switch the agent runs in one synchronous call
        // (it records both), so that stretch is the request's own execution; a long one is
        // the OS holding the thread there, left to the run-queue readings.
        const leadInMaxUs = from === requestStartUs ? LOOP_TURN_MAX_US : MAX_BRIDGE_US;
        const leadIn = next === to && from === gapStart && to - from <= leadInMaxUs;
        const ownLeadIn = leadIn && windows.req[index + 1] === requestId;
        const stretchStart = windows.ts[index] ?? from;
        if (owner === 0 && (ownLeadIn || bridges(windows, index, requestId))) {
          own(from, to, stretchStart);
        } else if (owner === 0) {
          addInterval(quiet, from, to);
          // A turn stretched by the OS holding the thread, or around a short wait in the poll,
          // is still a turn: those are named first, and what is left is the loop's own work.
          const namedUs = (i: number) =>
            runDelays.amountAt(windows.ts[i] ?? 0) + loopIdle.amountAt(windows.ts[i] ?? 0);
          if (isLoopTurn(windows, index, requestId, namedUs)) addInterval(loopTurns, from, to);
        } else if (owner === requestId) {
          own(from, to, stretchStart);
        } else if (owner < 0) {
          // A callback of no request ran: JS outside any request, not the loop's turn.
          addInterval(quiet, from, to);
          addInterval(backgroundJs, from, to);
        } else {
          // A collection inside another request's window held the loop as a collection.
          const gc = gcPauses.length ? overlapUs(gcPauses, from, to) : 0;
          gcUs += gc;
          const us = to - from - gc;
          if (us > 0) runs.push({ owner, startUs: from, endUs: to, bySite: new Map([[-1, us]]) });
        }
      }
      from = to;
      index++;
    }
  }
  return { intervals: quiet, ownUs, gcUs, delayedUs, loopTurns, backgroundJs };
}

/** Switches looked through on each side of a stretch for the request's own windows. */
const MAX_TURN_SWITCHES = 32;

/**
 * True when the "no request" stretch at `index` is part of the loop's turn between two windows
 * of the request: the loop's own time between them (callbacks of no request left out, and what
 * `namedUs` says readings name in each stretch) is at most LOOP_TURN_MAX_US.
 */
function isLoopTurn(
  windows: ExecutionWindows,
  index: number,
  requestId: number,
  namedUs: (index: number) => number,
): boolean {
  const { ts, req } = windows;
  if (req[index] !== 0) return false;

  let before = index - 1;
  while (before >= 0 && (req[before] ?? 0) <= 0 && index - before <= MAX_TURN_SWITCHES) before--;
  let after = index + 1;
  while (after < req.length && (req[after] ?? 0) <= 0 && after - index <= MAX_TURN_SWITCHES) {
    after++;
  }
  if (req[before] !== requestId || req[after] !== requestId) return false;

  let loopUs = 0;
  for (let i = before + 1; i < after; i++) {
    if (req[i] === 0) loopUs += (ts[i + 1] ?? 0) - (ts[i] ?? 0) - namedUs(i);
  }
  return loopUs <= LOOP_TURN_MAX_US;
}

/**
 * Where the first stretch of `owner`'s windows that covers `start` ends, within `end`: short
 * "no request" stretches between two of its windows (the loop's turnaround) do not end it.
 * `start` itself when `owner` was not running then.
 */
function runEnd(windows: ExecutionWindows, owner: number, start: number, end: number): number {
  let index = lastSwitchAtOrBefore(windows.ts, start);
  if (index < 0 || windows.req[index] !== owner) return start;

  for (;;) {
    const next = windows.ts[index + 1];
    if (next === undefined || next >= end) return end;
    index++;
    if (windows.req[index] === owner || bridges(windows, index, owner)) continue;
    return next;
  }
}

/** True when window `index` is a short "no request" stretch between two of the request's. */
function bridges(windows: ExecutionWindows, index: number, requestId: number): boolean {
  if (index < 1 || windows.req[index] !== 0) return false;

  const start = windows.ts[index] ?? 0;
  const end = windows.ts[index + 1];
  if (end === undefined || end - start > MAX_BRIDGE_US) return false;
  return windows.req[index - 1] === requestId && windows.req[index + 1] === requestId;
}

/** Binary search: the index of the last switch at or before `time` (-1: none). */
function lastSwitchAtOrBefore(ts: readonly number[], time: number): number {
  let low = 0;
  let high = ts.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if ((ts[middle] ?? 0) <= time) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
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

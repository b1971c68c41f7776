/**
 * The text report of a session: a header saying what was captured and how, then per endpoint
 * its latency, CPU and untraced time, its hot lines (with the inner frame and a hint) and what
 * filled its untraced gaps. Plain text with optional colour; stdout is the CLI's to print it.
 */
import { createColors } from 'picocolors';
import type { Analysis, EndpointKey, EndpointStats, GapCauseTotal, HotLine } from '../core/model';
import type { SessionFile } from '../core/session';
import {
  displayPath,
  ellipsize,
  ellipsizeStart,
  formatMs,
  formatSeconds,
  formatShare,
  median,
  padEnd,
  padStart,
  shortenQualified,
} from './format';

export interface ReportOptions {
  /** Paths inside this directory are shown relative to it. */
  cwd: string;
  color: boolean;
  /** Hot lines shown per endpoint. Default 5. */
  maxHotLines?: number;
  /** Gap causes shown per endpoint. Default 5. */
  maxGapCauses?: number;
  /** The load generator's own p50 per endpoint (ms), shown beside ours (the demo passes it). */
  clientP50Ms?: ReadonlyMap<EndpointKey, number>;
}

type Colors = ReturnType<typeof createColors>;

/** What the agent's tracking modes record, and what that costs the target. */
const TRACKING_COST: Record<SessionFile['capture']['tracking'], string> = {
  windows: 'request switches only (low overhead)',
  waits: 'request switches and async waits (finer, costlier)',
};

/** Columns of the hot-line table; rows stay within REPORT_WIDTH without colour codes. */
const REPORT_WIDTH = 100;
const LOCATION_WIDTH = 40;
const FUNCTION_WIDTH = 18;
/** Columns of the untraced-time table. */
const CAUSE_KIND_WIDTH = 12;
const CAUSE_LABEL_WIDTH = 70;

/** Renders the whole report; ends with a newline. */
export function renderReport(analysis: Analysis, session: SessionFile, options: ReportOptions) {
  const c = createColors(options.color);
  const lines = [...renderHeader(analysis, session, c), ''];

  if (analysis.totals.idle) {
    lines.push(c.yellow('No CPU activity: the target was idle during the capture.'), '');
  }
  if (analysis.totals.profileLost) {
    lines.push(
      c.yellow('CPU profile lost: the target exited before Gapscope saved any of it.'),
      '',
    );
  }
  if (!analysis.endpoints.length) {
    lines.push(c.yellow('No HTTP requests were seen during the capture.'));
    lines.push('Send traffic to the service while attached, or capture for longer (--duration).');
    lines.push('');
  }

  for (const endpoint of sortEndpoints(analysis.endpoints)) {
    lines.push(...renderEndpoint(endpoint, options, c), '');
  }

  const outside = analysis.hotLines.filter(
    line => !analysis.endpoints.some(e => e.key === line.endpoint),
  );
  if (outside.length && !analysis.totals.idle) {
    lines.push(c.bold('Outside requests'));
    lines.push(...renderHotLines(outside, options, c, 'ms'), '');
  }
  const background = analysis.backgroundHotLines ?? [];
  if (background.length && !analysis.totals.idle) {
    lines.push(c.bold('CPU outside any request (timers, background work, a stuck loop)'));
    lines.push(...renderHotLines(background, options, c, 'ms'), '');
  }
  return lines.join('\n').replace(/\n+$/, '\n');
}

function renderHeader(analysis: Analysis, session: SessionFile, c: Colors): string[] {
  const { target, capture } = session;
  const lines = [
    `${c.bold('Gapscope')} · pid ${target.pid} · ${ellipsize(target.argv.join(' '), 70)}`,
  ];

  const started = capture.startedAt ? new Date(capture.startedAt).toLocaleTimeString() : '?';
  const totals = analysis.totals;
  lines.push(
    `Captured ${formatSeconds(totals.durationMs)} from ${started} (${capture.endReason}) · ` +
      `Node ${target.nodeVersion} · ${totals.samples} samples · ${totals.requests} requests`,
  );

  const inForce = effectiveIntervalUs(session);
  const asked = capture.samplingIntervalUs;
  const interval =
    inForce === undefined || Math.abs(inForce - asked) <= asked * 0.2
      ? `Sampling every ${asked} µs`
      : `Sampling every ~${Math.round(inForce)} µs in force (asked ${asked} µs)`;
  lines.push(`${interval} · tracking: ${capture.tracking}, ${TRACKING_COST[capture.tracking]}`);

  const stats = capture.agentStats;
  if (stats) {
    // Wall time on the JS thread: on a starved machine it includes time the OS held it.
    const heldMs = stats.flushCpuUs / 1000;
    const share = totals.durationMs > 0 ? heldMs / totals.durationMs : 0;
    lines.push(
      `Agent flushes held the JS thread ${formatMs(heldMs)} ms in ${stats.flushes} flushes ` +
        `(${formatShare(share)} of the window)`,
    );
  }
  if (!totals.idle) {
    lines.push(`${formatShare(totals.attributedCpuShare)} of sampled CPU ran request code`);
  }
  if (totals.agentOverheadMs) {
    lines.push(
      `Gapscope agent overhead sampled: ${formatMs(totals.agentOverheadMs)} ms CPU ` +
        '(its hooks; charged to no request or line)',
    );
  }

  const notes = [...new Set([...capture.notes, ...analysis.notes])];
  for (const note of notes) lines.push(c.dim(`note: ${note}`));
  return lines;
}

/** `2 still running at stop (not in the latency); 1 abandoned by its client`, or ''. */
function countNotes(endpoint: EndpointStats): string {
  const notes: string[] = [];
  if (endpoint.unfinished) {
    notes.push(`${endpoint.unfinished} still running at stop (not in the latency)`);
  }
  if (endpoint.aborted) {
    const clients = endpoint.aborted === 1 ? 'its client' : 'their clients';
    notes.push(`${endpoint.aborted} abandoned by ${clients}`);
  }
  return notes.join('; ');
}

function renderEndpoint(endpoint: EndpointStats, options: ReportOptions, c: Colors): string[] {
  const count = `${endpoint.count} request${endpoint.count === 1 ? '' : 's'}`;
  const lines = [`${c.bold(c.cyan(endpoint.key))}  ${c.dim('·')}  ${count}`];
  const notes = countNotes(endpoint);
  if (notes) for (const line of wrap(notes, REPORT_WIDTH - 4)) lines.push(`    ${c.dim(line)}`);

  const clientP50 = options.clientP50Ms?.get(endpoint.key);
  const client =
    clientP50 === undefined ? '' : c.dim(`   (load generator p50 ${formatMs(clientP50)})`);
  lines.push(
    `  latency ms   p50 ${formatMs(endpoint.p50Ms)}   p95 ${formatMs(endpoint.p95Ms)}` +
      `   p99 ${formatMs(endpoint.p99Ms)}${client}`,
  );
  lines.push(
    `  per request  CPU ${formatMs(endpoint.cpuMsPerRequest)} ms   untraced ` +
      `${formatMs(endpoint.untracedMsPerRequest)} ms   explained ` +
      formatShare(endpoint.explainedShare),
  );

  if (endpoint.hotLines.length) {
    lines.push(...renderHotLines(endpoint.hotLines, options, c, 'ms/req'));
  } else {
    lines.push(c.dim("  no CPU samples in this endpoint's code"));
  }

  const causes = endpoint.gapCauses.filter(cause => cause.msPerRequest > 0);
  if (causes.length) lines.push(...renderGapCauses(causes, options, c));
  return lines;
}

/** Hot-line rows; `unit` is `ms/req` per endpoint, `ms` for totals outside requests. */
function renderHotLines(
  hotLines: HotLine[],
  options: ReportOptions,
  c: Colors,
  unit: 'ms/req' | 'ms',
): string[] {
  const lines = [
    c.dim(
      `  ${padEnd('hot lines', LOCATION_WIDTH)} ${padEnd('function', FUNCTION_WIDTH)} ` +
        `${padStart(unit, 8)} ${padStart('share', 6)}`,
    ),
  ];
  for (const hot of hotLines.slice(0, options.maxHotLines ?? 5)) {
    const where = ellipsizeStart(
      `${displayPath(hot.file, options.cwd)}:${hot.line}`,
      LOCATION_WIDTH,
    );
    const name = ellipsize(hot.functionName || '(anonymous)', FUNCTION_WIDTH);
    const value = unit === 'ms/req' ? hot.msPerRequest : hot.totalMs;
    const figures = `${padStart(formatMs(value), 8)} ${padStart(formatShare(hot.share), 6)}`;
    const used = 2 + LOCATION_WIDTH + 1 + FUNCTION_WIDTH + 1 + figures.length;
    const innerName = hot.innerFrames[0]?.name;
    const inner = innerName ? `  in ${shortenQualified(innerName, REPORT_WIDTH - used - 5)}` : '';
    lines.push(
      `  ${c.yellow(padEnd(where, LOCATION_WIDTH))} ${padEnd(name, FUNCTION_WIDTH)} ` +
        `${figures}${c.dim(inner)}`,
    );
    if (hot.note) lines.push(`    ${c.dim(hot.note)}`);
    for (const hint of wrap(hot.hint ? `hint: ${hot.hint}` : '', REPORT_WIDTH - 4)) {
      lines.push(`    ${c.green(hint)}`);
    }
  }
  const hidden = hotLines.length - (options.maxHotLines ?? 5);
  if (hidden > 0) lines.push(c.dim(`  … ${hidden} more (--json lists them all)`));
  return lines;
}

function renderGapCauses(causes: GapCauseTotal[], options: ReportOptions, c: Colors): string[] {
  const labelWidth = CAUSE_KIND_WIDTH + CAUSE_LABEL_WIDTH;
  const lines = [c.dim(`  ${padEnd('untraced time', labelWidth)} ${padStart('ms/req', 8)}`)];
  const sorted = [...causes].sort((a, b) => b.msPerRequest - a.msPerRequest);
  // Hot lines already show the hints of CPU causes; a wait's hint is shown once, under it.
  const hinted = new Set<string>();
  for (const cause of sorted.slice(0, options.maxGapCauses ?? 5)) {
    const label = ellipsize(relativizeLabel(cause, options.cwd), CAUSE_LABEL_WIDTH);
    lines.push(
      `  ${padEnd(cause.kind, CAUSE_KIND_WIDTH)}${padEnd(label, CAUSE_LABEL_WIDTH)} ` +
        padStart(formatMs(cause.msPerRequest), 8),
    );
    if (!cause.hint || cause.kind === 'cpu' || hinted.has(cause.hint)) continue;
    hinted.add(cause.hint);
    for (const hint of wrap(`hint: ${cause.hint}`, REPORT_WIDTH - 4)) {
      lines.push(`    ${c.green(hint)}`);
    }
  }
  const hidden = sorted.length - (options.maxGapCauses ?? 5);
  if (hidden > 0) lines.push(c.dim(`  … ${hidden} more (--json lists them all)`));
  return lines;
}

/** Labels name files by absolute path when core has no cwd; show them like hot lines. */
function relativizeLabel(cause: GapCauseTotal, cwd: string): string {
  const file = cause.location?.file;
  if (!file) return cause.label;

  return cause.label.split(file).join(displayPath(file, cwd));
}

/** Splits `text` into lines of at most `width` characters at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current);
      current = `  ${word}`;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) lines.push(current);
  return lines;
}

/** Endpoints by total time spent in them, biggest first. */
function sortEndpoints(endpoints: readonly EndpointStats[]): EndpointStats[] {
  return [...endpoints].sort((a, b) => b.count * b.meanMs - a.count * a.meanMs);
}

/** The median gap between samples over all profiles (µs); undefined without samples. */
export function effectiveIntervalUs(session: SessionFile): number | undefined {
  const deltas: number[] = [];
  for (const profile of session.profiles) {
    // The first delta is from the profile's start, not from a previous sample.
    for (const delta of profile.timeDeltas?.slice(1) ?? []) deltas.push(delta);
  }
  return median(deltas);
}

/**
 * Turns an analysis into the marks the editor paints: one per hot line of the user's files, with
 * its heat and its end-of-line hint (`612 ms/req · 76% POST /login`). Pure.
 */
import { pathToFileURL } from 'node:url';

import type { Analysis, HotLine } from '../core/model';
import type { FileMarks, LineMark } from '../shared/protocol';

/** A hot line with the other endpoints that also ran it, hottest first. */
export interface MarkedLine {
  mark: LineMark;
  /** Every endpoint's entry for this line, hottest first (the first made the mark). */
  entries: HotLine[];
}

/** Marked lines grouped by file URI; line keys are 1-based as measured (before edits). */
export type MarksByFile = Map<string, Map<number, MarkedLine>>;

/** Formats a duration for a hint: `612 ms`, `12 ms`, `3.4 ms`, `0.25 ms`. */
export function formatMs(ms: number): string {
  if (ms >= 10) return `${Math.round(ms).toLocaleString('en-US')} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** Formats a 0..1 share as a whole percent (`76%`), with `<1%` for small non-zero ones. */
export function formatShare(share: number): string {
  if (share > 0 && share < 0.005) return '<1%';
  return `${Math.round(share * 100)}%`;
}

/** The end-of-line hint of a hot line: `612 ms/req · 76% POST /login`. */
export function hotLineLabel(line: HotLine): string {
  const perRequest = `${formatMs(line.msPerRequest)}/req`;
  return `${perRequest} · ${formatShare(line.share)} ${line.endpoint}`;
}

/** The URI the editor knows a hot line's file by (paths become `file://` URIs). */
export function fileUri(file: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(file) && !/^[a-z]:[\\/]/i.test(file)) return file;
  return pathToFileURL(file).href;
}

/**
 * Groups the analysis' hot lines by file and line, keeping those at or above `thresholdMs` per
 * request. The heat is relative to the hottest line kept.
 */
export function computeMarks(analysis: Analysis, thresholdMs: number): MarksByFile {
  const grouped = new Map<string, Map<number, HotLine[]>>();
  for (const hot of analysis.hotLines) {
    const uri = fileUri(hot.file);
    const lines = grouped.get(uri) ?? new Map<number, HotLine[]>();
    grouped.set(uri, lines);
    lines.set(hot.line, [...(lines.get(hot.line) ?? []), hot]);
  }

  const hottest = Math.max(0, ...analysis.hotLines.map(hot => hot.msPerRequest));
  const marks: MarksByFile = new Map();
  for (const [uri, lines] of grouped) {
    const kept = new Map<number, MarkedLine>();
    for (const [line, entries] of lines) {
      entries.sort((a, b) => b.msPerRequest - a.msPerRequest);
      const top = entries[0]!;
      if (top.msPerRequest < thresholdMs) continue;

      kept.set(line, { mark: toLineMark(top, hottest), entries });
    }
    if (kept.size) marks.set(uri, kept);
  }
  return marks;
}

function toLineMark(top: HotLine, hottestMs: number): LineMark {
  return {
    line: top.line,
    msPerRequest: top.msPerRequest,
    heat: hottestMs > 0 ? Math.min(1, top.msPerRequest / hottestMs) : 0,
    label: hotLineLabel(top),
    untraced: top.untracedMsPerRequest * 2 >= top.msPerRequest,
    endpoint: top.endpoint,
  };
}

/**
 * The marks as sent to the client, each line moved to where it is now (`currentLine` maps a
 * measured 1-based line of a file to its current 1-based line, or undefined when edited away).
 */
export function toFileMarks(
  marks: MarksByFile,
  currentLine: (uri: string, line: number) => number | undefined,
): FileMarks[] {
  const files: FileMarks[] = [];
  for (const [uri, lines] of marks) {
    const moved: LineMark[] = [];
    for (const { mark } of lines.values()) {
      const line = currentLine(uri, mark.line);
      if (line !== undefined) moved.push({ ...mark, line });
    }
    moved.sort((a, b) => a.line - b.line);
    files.push({ uri, lines: moved });
  }
  return files;
}

/**
 * Small text helpers shared by the CLI's renderers: numbers, durations, paths and columns.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Milliseconds with precision that suits their size: `0.42`, `12.3`, `286`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

/** A share (0..1) as a whole percentage, `<1%` for small non-zero values. */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return '–';
  if (share > 0 && share < 0.005) return '<1%';
  return `${Math.round(share * 100)}%`;
}

/** Seconds with one decimal: `10.0 s`. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The path to show for a file of the user's: relative to `cwd` when inside it, the plain path
 * for `file://` URLs, anything else (e.g. `node:internal/…`) unchanged.
 */
export function displayPath(file: string, cwd: string): string {
  let absolute = file;
  if (file.startsWith('file://')) {
    try {
      absolute = fileURLToPath(file);
    } catch {
      return file;
    }
  }
  if (!path.isAbsolute(absolute)) return absolute;

  const relative = path.relative(cwd, absolute);
  const inside = relative && !relative.startsWith('..') && !path.isAbsolute(relative);
  return inside ? relative : absolute;
}

/** Pads `text` to `width` on the right (left-aligned column). */
export function padEnd(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** Pads `text` to `width` on the left (right-aligned column). */
export function padStart(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

/** Shortens `text` to `width` characters with an ellipsis in the middle. */
export function ellipsize(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return text.slice(0, width);

  const head = Math.ceil((width - 1) / 2);
  const tail = width - 1 - head;
  return `${text.slice(0, head)}…${tail ? text.slice(-tail) : ''}`;
}

/** Shortens `text` to `width` characters by dropping its start (keeps a path's file name). */
export function ellipsizeStart(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return text.slice(-width);

  return `…${text.slice(-(width - 1))}`;
}

/**
 * Shortens a qualified name (`@opentelemetry/sdk-trace.startActiveSpan`) to `width` by dropping
 * whole leading segments, so what stays is readable (`…startActiveSpan`).
 */
export function shortenQualified(name: string, width: number): string {
  if (name.length <= width) return name;

  const cuts = [...name.matchAll(/[./]/g)].map(match => (match.index ?? 0) + 1);
  for (const cut of cuts) {
    if (name.length - cut + 1 <= width) return `…${name.slice(cut)}`;
  }
  return ellipsizeStart(name, width);
}

/** Median of a list of numbers; undefined when it is empty. */
export function median(values: readonly number[]): number | undefined {
  if (!values.length) return undefined;

  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2
    ? sorted[middle]
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Number formatting for the timeline: durations, shares, file names. */

/** `0.42 ms`, `4.2 ms`, `42 ms`, `1.23 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** `1 request`, `2 requests`: the count and its noun, singular for exactly one. */
export function counted(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}

/** `42%` from a share in 0..1. */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return '–';
  return `${Math.round(share * 100)}%`;
}

/** The last path segment of a file path or URL. */
export function baseName(file: string): string {
  const cut = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return cut >= 0 ? file.slice(cut + 1) : file;
}

/** `auth.js:41`. */
export function shortLocation(file: string, line: number): string {
  return `${baseName(file)}:${line}`;
}

/** Cuts `text` to fit `width` pixels in the context's font, with an ellipsis. */
export function fitText(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (width < 12) return '';
  if (ctx.measureText(text).width <= width) return text;

  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (ctx.measureText(text.slice(0, mid) + '…').width <= width) low = mid;
    else high = mid - 1;
  }
  return low > 0 ? text.slice(0, low) + '…' : '';
}

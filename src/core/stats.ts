/** Small statistics helpers that never return NaN. */

/**
 * The nearest-rank percentile `p` (0..100) of `sorted` (ascending): the smallest value with at
 * least p% of the values at or below it. 0 for an empty list.
 */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;

  const rank = Math.ceil((p / 100) * sorted.length);
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[index] ?? 0;
}

/** `numerator / denominator`, or `fallback` when the denominator is 0 or not finite. */
export function safeRatio(numerator: number, denominator: number, fallback = 0): number {
  if (!(denominator > 0) || !Number.isFinite(denominator)) return fallback;

  const ratio = numerator / denominator;
  return Number.isFinite(ratio) ? ratio : fallback;
}

/** Mean of the values, 0 for an empty list. */
export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return safeRatio(sum, values.length);
}

/** Microseconds to milliseconds. */
export function usToMs(us: number): number {
  return us / 1000;
}

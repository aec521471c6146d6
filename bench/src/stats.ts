/** Percentiles and summaries of latency samples (milliseconds). */

export type Summary = { n: number; p50: number | null; p95: number | null; p99: number | null; mean: number | null; max: number | null };

/**
 * The q-quantile (0..1) of the samples by the nearest-rank method: the
 * smallest sample with at least q of all samples at or below it. Always an
 * observed value, never interpolated; null when there are no samples.
 */
export function percentile(samples: readonly number[], q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within 0..1, got ${q}`);
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return pickRank(sorted, q);
}

function pickRank(sorted: readonly number[], q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}

export function summarize(samples: readonly number[]): Summary {
  const finite = samples.filter((s) => Number.isFinite(s));
  if (finite.length === 0) return { n: 0, p50: null, p95: null, p99: null, mean: null, max: null };
  const sorted = [...finite].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: pickRank(sorted, 0.5),
    p95: pickRank(sorted, 0.95),
    p99: pickRank(sorted, 0.99),
    mean: sorted.reduce((sum, s) => sum + s, 0) / sorted.length,
    max: sorted[sorted.length - 1] as number,
  };
}

/** a − b, or null when either is unknown. */
export function subtract(a: number | null | undefined, b: number | null | undefined): number | null {
  return a == null || b == null ? null : a - b;
}

/** a / b, or null when either is unknown or b is not positive. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  return a == null || b == null || b <= 0 ? null : a / b;
}

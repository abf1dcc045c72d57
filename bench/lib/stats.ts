/** Order statistics over timing samples. Nearest-rank percentiles: p99 of 1,000 samples is the 990th smallest. */

export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
};

export const summarize = (samples: readonly number[]): Summary => {
  const sorted = samples.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
};

export const median = (samples: readonly number[]): number => summarize(samples).p50;

/** Rounds for JSON output: timings to the microsecond are plenty. */
export const round = (value: number, digits = 3): number => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);

export const roundSummary = (summary: Summary): Summary =>
  Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, k === 'n' ? v : round(v)])) as unknown as Summary;

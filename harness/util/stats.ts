import { max, mean, median, min } from 'simple-statistics';

/** A summary of a sample: the shape of `Stats` in the results (report/result.ts). */
export interface SampleSummary {
  readonly count: number;
  readonly min: number;
  readonly median: number;
  readonly p95: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * min, median, p95, max and mean of a sample; null for an empty one. p95 interpolates linearly between the closest
 * ranks (the "R-7" method of R and NumPy's default), so 3 trials give a p95 between the two largest.
 */
export function summarize(values: readonly number[]): SampleSummary | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    min: min(sorted),
    median: median(sorted),
    p95: percentile(sorted, 0.95),
    max: max(sorted),
    mean: mean(sorted),
  };
}

/** Linear interpolation between closest ranks over an ascending sample. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 1) return sorted[0];
  const position = (sorted.length - 1) * p;
  const lower = Math.floor(position);
  const below = sorted[lower];
  const above = sorted[Math.min(lower + 1, sorted.length - 1)];
  return below + (above - below) * (position - lower);
}

/**
 * The statistics behind `rebound compare`: is the candidate's recovery time different from the baseline's, by how
 * much, and could the trials at hand have shown it at all?
 *
 * Why part of this is written here: no maintained npm package does the two-sided Mann-Whitney U test with a
 * p-value. @stdlib has Wilcoxon's signed-rank test (paired samples, not two independent groups) and Kruskal-Wallis
 * (a chi-square approximation: no exact p, no continuity correction); jStat has neither. simple-statistics gives
 * the rank sum with average ranks for ties, which is used, and its erf; the null distribution of U and the normal
 * approximation with tie correction are computed here. No package does a seeded bootstrap of a ratio of medians
 * either: the resampling loop is a few lines over rebound's own seeded RandomStream.
 */
import { errorFunction, median, wilcoxonRankSum } from 'simple-statistics';
import { RandomStream } from '../util/random.js';
import { percentile } from '../util/stats.js';

/** How a p-value was obtained: the exact null distribution of U, or the normal approximation. */
export type MannWhitneyMethod = 'exact' | 'normal';

/** The outcome of a two-sided Mann-Whitney U test of two independent samples. */
export interface MannWhitneyResult {
  /** U of the first sample: the pairs (x, y) with x > y, plus half the pairs that tie. n·m/2 means no shift. */
  readonly u: number;
  /** Two-sided p-value. */
  readonly p: number;
  readonly method: MannWhitneyMethod;
  /** Whether some values tie (which rules out the exact p-value). */
  readonly ties: boolean;
}

/**
 * The exact distribution is used up to this many pairs n·m (50 against 50). Its cost grows as n·m·min(n, m), a few
 * million additions here; beyond it the normal approximation is within a hair of the exact value anyway.
 */
const EXACT_MAX_PAIRS = 2500;

/**
 * The two-sided Mann-Whitney U test (Wilcoxon rank-sum test) of x against y.
 *
 * Which p-value: **exact** when no value ties and n·m <= 2500 (the full null distribution of U, counted); the
 * **normal approximation** otherwise, with the tie correction of the variance and a continuity correction of 0.5.
 * Both match scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='exact' | 'asymptotic'): the p-value is
 * twice the upper tail at max(U, n·m - U), capped at 1.
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  if (x.length === 0 || y.length === 0) throw new RangeError('the Mann-Whitney U test needs at least one value in each sample');
  const n = x.length;
  const m = y.length;
  const u = wilcoxonRankSum([...x], [...y]) - (n * (n + 1)) / 2;
  const tieSizes = tieGroupSizes([...x, ...y]);
  const ties = tieSizes.length > 0;
  // The two-sided p is symmetric: take the larger of U and its mirror and double its upper tail.
  const larger = Math.max(u, n * m - u);
  if (!ties && n * m <= EXACT_MAX_PAIRS) {
    const counts = exactDistribution(n, m);
    let total = 0;
    let tail = 0;
    counts.forEach((count, value) => {
      total += count;
      if (value >= larger) tail += count;
    });
    return { u, p: Math.min(1, (2 * tail) / total), method: 'exact', ties };
  }
  const all = n + m;
  const tieTerm = tieSizes.reduce((sum, t) => sum + (t ** 3 - t), 0);
  const variance = ((n * m) / 12) * (all + 1 - tieTerm / (all * (all - 1)));
  // Every value the same: no evidence of any shift.
  if (variance <= 0) return { u, p: 1, method: 'normal', ties };
  const z = (larger - (n * m) / 2 - 0.5) / Math.sqrt(variance);
  return { u, p: Math.min(1, 2 * upperNormalTail(z)), method: 'normal', ties };
}

/**
 * The smallest two-sided p-value the exact Mann-Whitney test can give with samples of m and n values: when one
 * sample lies wholly above the other, 2 / C(m+n, m). Ties and the normal approximation aside, no result of these
 * sizes can be more significant than this.
 */
export function smallestPValue(m: number, n: number): number {
  if (m <= 0 || n <= 0) return 1;
  return Math.min(1, 2 / binomial(m + n, m));
}

/**
 * The smallest equal number of values per sample for which the exact two-sided Mann-Whitney test can reach
 * p < alpha at all: 3 against 3 never can at alpha = 0.05 (its smallest p is 2/C(6,3) = 0.1), 4 against 4 can
 * (2/70 = 0.029).
 */
export function minimumSampleSize(alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, not ${alpha}`);
  for (let n = 1; ; n += 1) if (smallestPValue(n, n) < alpha) return n;
}

/** How a bootstrap interval is drawn. */
export interface BootstrapOptions {
  /** Seed of the resampling: the same seed and samples give the same interval. */
  readonly seed: number;
  /** Names the stream of random numbers (a scenario's name), so one interval never depends on another's draws. */
  readonly stream: string;
  /** The confidence level: 0.95 for a 95 % interval. */
  readonly confidence: number;
  /** How many resamples; 10,000 by default, enough for stable 2.5 % tails. */
  readonly resamples?: number;
}

/** A ratio with its confidence interval. Infinity where a baseline median of 0 makes the ratio unbounded. */
export interface RatioInterval {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly confidence: number;
  readonly resamples: number;
}

/** Resamples drawn when BootstrapOptions.resamples is not given. */
export const DEFAULT_RESAMPLES = 10_000;

/**
 * The ratio median(candidate) / median(baseline) with a percentile bootstrap confidence interval: each sample is
 * resampled with replacement on its own (the two runs are independent), the ratio is taken each time, and the
 * interval is the (1-c)/2 and (1+c)/2 percentiles of those ratios (R-7 interpolation). Seeded, so reproducible.
 * A percentile interval of a median is coarse with few values (medians of resamples take few distinct values),
 * which is honest: it is wide when the data are few.
 */
export function bootstrapRatioOfMedians(baseline: readonly number[], candidate: readonly number[], options: BootstrapOptions): RatioInterval {
  if (baseline.length === 0 || candidate.length === 0) throw new RangeError('a ratio of medians needs at least one value on each side');
  if (!(options.confidence > 0 && options.confidence < 1)) throw new RangeError(`confidence must be between 0 and 1, not ${options.confidence}`);
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, not ${resamples}`);
  const random = RandomStream.derive(options.seed, `compare/bootstrap/${options.stream}`, 0, 0);
  const draw = (sample: readonly number[], into: number[]): number[] => {
    for (let i = 0; i < sample.length; i += 1) into[i] = sample[random.below(sample.length)];
    return into;
  };
  const baselineDraw = new Array<number>(baseline.length);
  const candidateDraw = new Array<number>(candidate.length);
  const ratios = new Array<number>(resamples);
  for (let i = 0; i < resamples; i += 1) {
    // Baseline first, then candidate, always: the order of draws is part of what the seed reproduces.
    const b = median(draw(baseline, baselineDraw));
    ratios[i] = ratioOf(median(draw(candidate, candidateDraw)), b);
  }
  ratios.sort((a, b) => a - b);
  const tail = (1 - options.confidence) / 2;
  return {
    estimate: ratioOf(median([...candidate]), median([...baseline])),
    lower: quantile(ratios, tail),
    upper: quantile(ratios, 1 - tail),
    confidence: options.confidence,
    resamples,
  };
}

/** candidate / baseline, where a baseline of 0 gives Infinity (or 1 when both are 0: no change). */
function ratioOf(candidate: number, baseline: number): number {
  if (baseline === 0) return candidate === 0 ? 1 : Infinity;
  return candidate / baseline;
}

/** R-7 percentile, falling back to the nearest rank where Infinity makes interpolation meaningless. */
function quantile(sorted: readonly number[], p: number): number {
  const value = percentile(sorted, p);
  if (Number.isFinite(value)) return value;
  return sorted[Math.round((sorted.length - 1) * p)];
}

/** Sizes of the groups of equal values (only groups of two or more). */
function tieGroupSizes(values: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const sizes: number[] = [];
  let run = 1;
  for (let i = 1; i <= sorted.length; i += 1) {
    if (i < sorted.length && sorted[i] === sorted[i - 1]) {
      run += 1;
    } else {
      if (run > 1) sizes.push(run);
      run = 1;
    }
  }
  return sizes;
}

/**
 * How many of the C(n+m, n) orderings of n x's and m y's give each value of U (pairs with x > y), by the
 * recurrence f(n, m, u) = f(n-1, m, u-m) + f(n, m-1, u): the largest value is either an x, above all m y's, or a y.
 * Only additions of positive counts, so doubles stay accurate (C(100, 50) ~ 1e29 is far from overflow).
 */
function exactDistribution(n: number, m: number): Float64Array {
  // The distribution is the same with the roles swapped: keep the shorter dimension in memory.
  const rows = Math.min(n, m);
  const steps = Math.max(n, m);
  // counts[j]: the distribution for (i, j) at the current step i, of length i·j + 1.
  let counts: Float64Array[] = Array.from({ length: rows + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= steps; i += 1) {
    const next: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= rows; j += 1) {
      const current = new Float64Array(i * j + 1);
      const withoutX = counts[j]; // (i-1, j): shifted by j
      const withoutY = next[j - 1]; // (i, j-1)
      for (let u = 0; u < withoutX.length; u += 1) current[u + j] = (current[u + j]) + (withoutX[u]);
      for (let u = 0; u < withoutY.length; u += 1) current[u] = (current[u]) + (withoutY[u]);
      next.push(current);
    }
    counts = next;
  }
  return counts[rows];
}

/** P(Z > z) for a standard normal Z. */
function upperNormalTail(z: number): number {
  // errorFunction is accurate to about 1e-7 (relative), which is plenty for a p-value compared with alpha.
  return 0.5 * (1 - errorFunction(z / Math.SQRT2));
}

/** C(n, k) as a double. */
function binomial(n: number, k: number): number {
  const small = Math.min(k, n - k);
  let value = 1;
  for (let i = 1; i <= small; i += 1) value = (value * (n - small + i)) / i;
  return value;
}

/** C(n, k) exactly. */
function choose(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let result = 1n;
  for (let i = 1; i <= Math.min(k, n - k); i += 1) result = (result * BigInt(n - i + 1)) / BigInt(i);
  return result;
}

/**
 * Fisher's exact test, one-sided, of a 2x2 table of trials: does the candidate fail to recover more often than the
 * baseline? With the margins fixed, the candidate's failures follow a hypergeometric law; p is the chance of at
 * least as many as seen, computed in exact integers and divided once (so 3 of 3 against 0 of 3 gives exactly the
 * double nearest 1/20, never a hair below an alpha of 0.05). Exact at any size, which matters at the handful of
 * trials a scenario gets (2 against 2 can never be significant: p = 1/6; 4 against 4, all recovered against none,
 * gives p = 1/70).
 */
export function moreFailuresP(baseline: { failed: number; total: number }, candidate: { failed: number; total: number }): number {
  if (candidate.failed <= 0) return 1;
  const n = baseline.total + candidate.total;
  const failed = baseline.failed + candidate.failed;
  const draws = candidate.total;
  let tail = 0n;
  for (let x = candidate.failed; x <= Math.min(failed, draws); x += 1) tail += choose(failed, x) * choose(n - failed, draws - x);
  const all = choose(n, draws);
  // Both integers fit a double's range up to n of about 1,000 trials; beyond, scale them down together first.
  const shift = BigInt(Math.max(0, all.toString(2).length - 1000));
  return Math.min(1, Number(tail >> shift) / Number(all >> shift));
}

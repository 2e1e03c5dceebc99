/**
 * The other half of a comparison under load: what the disruption cost the service's clients, trial by trial (the
 * failed requests between injection and recovery, and the p95 latency of the requests of that span). Compared as
 * recovery times are, with a two-sided Mann-Whitney U test, and judged on the medians: `regressed` when the
 * candidate's median is significantly above the baseline's by more than the allowance (or above a baseline of
 * 0), `improved` when significantly below, `inconclusive` when the samples are too small for the test to ever
 * reach alpha, `unchanged` otherwise.
 */
import { median } from 'simple-statistics';
import type { ComparableScenario, ComparisonVerdict } from './comparable.js';
import { pClause, percentText } from './format.js';
import { mannWhitneyU, minimumSampleSize, smallestPValue, type MannWhitneyResult } from './statistics.js';

/** The figures of the disruption under load that a comparison reads. */
export type LoadFigure = 'failedRequests' | 'p95LatencyMs';

/** One figure of the disruption under load, compared. */
export interface LoadComparison {
  readonly figure: LoadFigure;
  /** Per trial with a measured disruption. */
  readonly baseline: readonly number[];
  readonly candidate: readonly number[];
  readonly baselineMedian: number | null;
  readonly candidateMedian: number | null;
  readonly test: MannWhitneyResult | null;
  readonly verdict: ComparisonVerdict;
  readonly reason: string;
}

const LABELS: Readonly<Record<LoadFigure, string>> = {
  failedRequests: 'failed requests during the disruption',
  p95LatencyMs: 'p95 latency during the disruption (ms)',
};

function samples(scenario: ComparableScenario, figure: LoadFigure): number[] {
  return scenario.trials.flatMap((trial) => {
    const budget = trial.verdict === 'ERROR' || trial.verdict === 'ABORTED' || trial.verdict === 'SKIPPED' ? null : trial.load?.errorBudget ?? null;
    const value = budget === null ? null : figure === 'failedRequests' ? budget.failed : budget.p95Ms;
    return value === null ? [] : [value];
  });
}

/** Each load figure both runs measured, compared; empty when either run had no load. */
export function compareDisruptionLoad(
  baseline: ComparableScenario,
  candidate: ComparableScenario,
  settings: { readonly maxRegression: number; readonly alpha: number },
): LoadComparison[] {
  const comparisons: LoadComparison[] = [];
  for (const figure of ['failedRequests', 'p95LatencyMs'] as const) {
    const b = samples(baseline, figure);
    const c = samples(candidate, figure);
    if (b.length === 0 && c.length === 0) continue;
    comparisons.push(compareFigure(figure, b, c, settings));
  }
  return comparisons;
}

function compareFigure(
  figure: LoadFigure,
  b: number[],
  c: number[],
  settings: { readonly maxRegression: number; readonly alpha: number },
): LoadComparison {
  const base = {
    figure,
    baseline: b,
    candidate: c,
    baselineMedian: b.length > 0 ? median(b) : null,
    candidateMedian: c.length > 0 ? median(c) : null,
  };
  const label = LABELS[figure];
  if (b.length === 0 || c.length === 0 || smallestPValue(b.length, c.length) >= settings.alpha) {
    return { ...base, test: null, verdict: 'inconclusive', reason: `${label}: too few trials (${b.length} baseline, ${c.length} candidate); need at least ${minimumSampleSize(settings.alpha)} per side` };
  }
  const test = mannWhitneyU(c, b);
  const bm = base.baselineMedian ?? 0;
  const cm = base.candidateMedian ?? 0;
  const figures = `median ${round(bm)} -> ${round(cm)}, ${pClause(test.p)}`;
  const significant = test.p < settings.alpha;
  if (significant && cm > bm * (1 + settings.maxRegression) && cm > bm) {
    return { ...base, test, verdict: 'regressed', reason: `${label}: more beyond the allowed +${percentText(settings.maxRegression)}: ${figures}` };
  }
  if (significant && cm < bm) return { ...base, test, verdict: 'improved', reason: `${label}: fewer: ${figures}` };
  return { ...base, test, verdict: 'unchanged', reason: `${label}: ${significant ? 'within the allowance' : 'no significant difference'}: ${figures}` };
}

function round(value: number): string {
  return String(Number(value.toPrecision(4)));
}

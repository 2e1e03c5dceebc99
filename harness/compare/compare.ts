/**
 * Two runs side by side: is the candidate (a new operator version, say) slower to heal than the baseline, or is
 * the difference noise? Per scenario present in both runs, the recovery times of the trials that broke are compared
 * with a Mann-Whitney U test and a bootstrap confidence interval of the ratio of medians, and get a verdict.
 *
 * Which trials count. The sample of a side is the recovery times of its trials that broke and recovered, whatever
 * their verdict (a FAIL for a too-long single break, or for a fault that failed after the system healed, still
 * measured a real recovery). Left out, and counted: undisrupted trials (the fault never broke anything: nothing
 * to measure), trials that broke and never recovered in time (a FAIL with no recovery time: censored, their time is
 * only known to be long) and ERROR trials (rebound could not measure). Trials that never recovered are not guessed
 * at; the run's own verdict already fails them, and the comparison warns when the candidate has more of them. How
 * often each side recovered at all is compared too: a candidate that recovers significantly less often (Fisher's
 * exact test, one-sided, p < alpha) is `regressed`, whatever its recovered trials' times say.
 *
 * Verdicts, with p the two-sided Mann-Whitney p-value and [lower, upper] the (1 - alpha) bootstrap interval of
 * median(candidate) / median(baseline):
 * - `inconclusive`: a side has no recovery time, or the sizes are too small for the exact test ever to give
 *   p < alpha (smallest possible p = 2 / C(n+m, n) >= alpha); `neededPerSide` says how many trials per side would do;
 * - `regressed`: p < alpha, the ratio's point estimate > 1 + maxRegression, and lower > 1. The point estimate,
 *   not the lower bound, is held against the allowance: with the 10 or so trials a scenario gets, the interval of
 *   a median is wide, and requiring all of it beyond +10 % (criterion.rs's rule, made for thousands of samples)
 *   missed about half of the 30 % slowdowns in synthetic data with +-20 % noise. Noise is ruled out by the test and
 *   by the interval excluding 1. On that data (10 trials a side, 100 seeds; the "error rates" test in
 *   test/unit/compare/compare.test.ts checks it), identical distributions come out `regressed` once in 100 and a
 *   30 % slowdown 94 times in 100. The price: a real slowdown right at the allowance is flagged about one time in
 *   five (it is real, and its best estimate is beyond the allowance half of the time);
 * - `improved`: p < alpha, the point estimate < 1 and upper < 1: faster, beyond doubt;
 * - `unchanged`: everything else: no significant difference, a significant slowdown whose estimate is within the
 *   allowance, or a rank difference the interval of the medians does not confirm (the reason says which).
 * The run as a whole: `regressed` if any scenario regressed; else `inconclusive` if nothing could be compared or any
 * scenario was inconclusive; else `improved` if any improved; else `unchanged`.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Verdict, Environment } from '../report/result.js';
import { summarize } from '../util/stats.js';
import type { ComparableRun, ComparableScenario, ComparableTrial, ComparisonVerdict } from './comparable.js';
import { compareDisruptionLoad, type LoadComparison } from './disruption-load.js';
import { environmentWarnings } from './environment.js';
import { bracket, pClause, percentText, pText, times } from './format.js';
import { checkCompareSettings, COMPARE_DEFAULTS } from './options.js';
import {
  bootstrapRatioOfMedians,
  DEFAULT_RESAMPLES,
  mannWhitneyU,
  minimumSampleSize,
  moreFailuresP,
  smallestPValue,
  type MannWhitneyResult,
} from './statistics.js';

export type { ComparableRun, ComparableScenario, ComparableTrial, ComparisonVerdict } from './comparable.js';

/** The version of the compare.json layout: add fields freely, a rename or removal bumps it. */
export const COMPARISON_SCHEMA_VERSION = 1;

/** How to compare. */
export interface CompareOptions {
  /** The slowdown allowed before it counts as a regression, as a fraction: 0.10 for 10 %. */
  readonly maxRegression: number;
  /** The significance level of the test; the confidence interval is at 1 - alpha. */
  readonly alpha: number;
  /** Seed of the bootstrap; COMPARE_DEFAULTS.seed when left out, so results are reproducible either way. */
  readonly seed?: number;
  /** Bootstrap resamples per scenario (default 10,000). */
  readonly resamples?: number;
  /** The files the runs came from, recorded in the comparison. */
  readonly files?: { readonly baseline?: string; readonly candidate?: string };
}

/** One run's side of a scenario's comparison: the recovery times compared and what was left out of them. */
export interface SideSummary {
  readonly trials: number;
  /** Recovery times (ms) of the trials that broke and recovered: the sample that is compared. */
  readonly recoveryTimesMs: readonly number[];
  readonly medianMs: number | null;
  /** R-7 (NumPy's default) 95th percentile. */
  readonly p95Ms: number | null;
  /** Trials whose faults never broke the steady state. */
  readonly undisrupted: number;
  /** Trials that broke and did not recover in time (FAIL, no recovery time). */
  readonly unrecovered: number;
  /** ERROR trials: rebound could not measure them. */
  readonly errors: number;
}

/** median(candidate) / median(baseline) with its bootstrap interval; null where a baseline median of 0 leaves it unbounded. */
export interface RatioEstimate {
  readonly estimate: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  /** 1 - alpha. */
  readonly confidence: number;
  readonly resamples: number;
}

/** The comparison of one scenario present in both runs. */
export interface ScenarioComparison {
  readonly name: string;
  readonly verdict: ComparisonVerdict;
  /** Why, in words, with the figures. */
  readonly reason: string;
  readonly baseline: SideSummary;
  readonly candidate: SideSummary;
  /** null when a side has no recovery time. */
  readonly ratio: RatioEstimate | null;
  /** Two-sided Mann-Whitney U test of candidate against baseline (u counts candidate-slower pairs); null when a side has no recovery time. */
  readonly test: MannWhitneyResult | null;
  /** For an inconclusive verdict: the trials per side, broken and recovered, the test needs to be able to reach p < alpha. */
  readonly neededPerSide: number | null;
  /** What makes this scenario's figures doubtful (the scenario changed, the candidate failed to recover more often). */
  readonly warnings: readonly string[];
  /** Under load: the failed requests and p95 latency during the disruption, compared; a regression there is the scenario's. */
  readonly load: readonly LoadComparison[];
}

/** One of the two runs, as the comparison names it. */
export interface RunSummary {
  readonly file: string | null;
  readonly startedAt: string;
  readonly verdict: Verdict;
  readonly environment: Environment | null;
}

/** A comparison of two runs: compare.json. */
export interface Comparison {
  readonly schemaVersion: typeof COMPARISON_SCHEMA_VERSION;
  readonly verdict: ComparisonVerdict;
  readonly options: { readonly maxRegression: number; readonly alpha: number; readonly seed: number; readonly resamples: number };
  readonly baseline: RunSummary;
  readonly candidate: RunSummary;
  /** Why the two runs may not be comparable (their environments differ, scenarios are missing): shown first, loudly. */
  readonly warnings: readonly string[];
  /** --var values that differ between the runs: often the point of the comparison (IMAGE=v1 against IMAGE=v2). */
  readonly varsChanged: readonly { readonly name: string; readonly baseline: string | null; readonly candidate: string | null }[];
  readonly scenarios: readonly ScenarioComparison[];
  /** Scenarios of the baseline the candidate did not run: not compared. */
  readonly onlyInBaseline: readonly string[];
  /** Scenarios of the candidate the baseline does not have: not compared. */
  readonly onlyInCandidate: readonly string[];
}

/** Compares the candidate run with the baseline, scenario by scenario (matched by name). */
export function compareRuns(baseline: ComparableRun, candidate: ComparableRun, options: CompareOptions): Comparison {
  checkCompareSettings(options);
  const settings = {
    maxRegression: options.maxRegression,
    alpha: options.alpha,
    seed: options.seed ?? COMPARE_DEFAULTS.seed,
    resamples: options.resamples ?? DEFAULT_RESAMPLES,
  };
  const warnings = environmentWarnings(baseline.environment, candidate.environment);
  const baselineByName = firstByName(baseline.scenarios, 'baseline', warnings);
  const candidateByName = firstByName(candidate.scenarios, 'candidate', warnings);
  const onlyInBaseline = [...baselineByName.keys()].filter((name) => !candidateByName.has(name));
  const onlyInCandidate = [...candidateByName.keys()].filter((name) => !baselineByName.has(name));
  if (onlyInBaseline.length > 0) warnings.push(`not in the candidate, so not compared: ${onlyInBaseline.join(', ')}`);
  if (onlyInCandidate.length > 0) warnings.push(`not in the baseline, so not compared: ${onlyInCandidate.join(', ')}`);
  const scenarios: ScenarioComparison[] = [];
  for (const [name, b] of baselineByName) {
    const c = candidateByName.get(name);
    if (c !== undefined) scenarios.push(withLoad(compareScenario(b, c, settings), b, c, settings));
  }
  const varNames = [...new Set([...Object.keys(baseline.vars), ...Object.keys(candidate.vars)])].sort();
  return {
    schemaVersion: COMPARISON_SCHEMA_VERSION,
    verdict: overallVerdict(scenarios.map((s) => s.verdict)),
    options: settings,
    baseline: summaryOf(baseline, options.files?.baseline),
    candidate: summaryOf(candidate, options.files?.candidate),
    warnings,
    varsChanged: varNames
      .map((name) => ({ name, baseline: baseline.vars[name] ?? null, candidate: candidate.vars[name] ?? null }))
      .filter((v) => v.baseline !== v.candidate),
    scenarios,
    onlyInBaseline,
    onlyInCandidate,
  };
}

/** What `rebound run --baseline FILE` gates on: the comparison, and whether any scenario regressed. */
export function gate(baseline: ComparableRun, candidate: ComparableRun, options: CompareOptions): { regressed: boolean; comparison: Comparison } {
  const comparison = compareRuns(baseline, candidate, options);
  return { regressed: comparison.verdict === 'regressed', comparison };
}

type Settings = Comparison['options'];

/** The recovery comparison joined with the load's: a regression in what clients saw regresses the scenario. */
function withLoad(recovery: Omit<ScenarioComparison, 'load'>, baseline: ComparableScenario, candidate: ComparableScenario, settings: Settings): ScenarioComparison {
  const load = compareDisruptionLoad(baseline, candidate, settings);
  const regressed = load.filter((l) => l.verdict === 'regressed');
  if (regressed.length === 0 || recovery.verdict === 'regressed') return { ...recovery, load };
  return { ...recovery, verdict: 'regressed', reason: `${regressed.map((l) => l.reason).join('; ')} (recovery time: ${recovery.verdict}: ${recovery.reason})`, load };
}

/**
 * A scenario compared: its recovery times, and before them how often each side recovered at all. A candidate that
 * fails to recover significantly more often than the baseline (Fisher's exact test, one-sided, p < alpha) has
 * regressed, whatever the times of the trials that did recover say: that is how a drift the old version won back
 * and the new one leaves shows.
 */
function compareScenario(baseline: ComparableScenario, candidate: ComparableScenario, settings: Settings): Omit<ScenarioComparison, 'load'> {
  const recovery = compareRecoveryTimes(baseline, candidate, settings);
  const { baseline: b, candidate: c } = recovery;
  if (c.unrecovered <= b.unrecovered) return recovery;
  const broken = (side: SideSummary): number => side.recoveryTimesMs.length + side.unrecovered;
  const p = moreFailuresP({ failed: b.unrecovered, total: broken(b) }, { failed: c.unrecovered, total: broken(c) });
  if (p >= settings.alpha) return recovery;
  return {
    ...recovery,
    verdict: 'regressed',
    reason: `recovers less often: the candidate did not recover in time in ${c.unrecovered} of ${broken(c)} trials that broke, `
      + `the baseline in ${b.unrecovered} of ${broken(b)} (Fisher's exact test, one-sided, ${pClause(p)}); recovery time: ${recovery.verdict}: ${recovery.reason}`,
  };
}

function compareRecoveryTimes(baseline: ComparableScenario, candidate: ComparableScenario, settings: Settings): Omit<ScenarioComparison, 'load'> {
  const b = sideOf(baseline);
  const c = sideOf(candidate);
  const warnings = scenarioWarnings(baseline, candidate, b, c);
  const base = { name: baseline.name, baseline: b, candidate: c, warnings };
  const needed = minimumSampleSize(settings.alpha);
  const bn = b.recoveryTimesMs.length;
  const cn = c.recoveryTimesMs.length;
  if (bn === 0 || cn === 0) {
    const empty = bn === 0 && cn === 0 ? 'neither run has a' : `the ${bn === 0 ? 'baseline' : 'candidate'} has no`;
    return {
      ...base,
      verdict: 'inconclusive',
      reason: `${empty} trial that broke and recovered: nothing to compare; need at least ${needed} per side`,
      ratio: null,
      test: null,
      neededPerSide: needed,
    };
  }
  const interval = bootstrapRatioOfMedians(b.recoveryTimesMs, c.recoveryTimesMs, {
    seed: settings.seed,
    stream: baseline.name,
    confidence: 1 - settings.alpha,
    resamples: settings.resamples,
  });
  const ratio: RatioEstimate = {
    estimate: finite(interval.estimate),
    lower: finite(interval.lower),
    upper: finite(interval.upper),
    confidence: interval.confidence,
    resamples: interval.resamples,
  };
  const test = mannWhitneyU(c.recoveryTimesMs, b.recoveryTimesMs);
  const figures = `median ${times(interval.estimate)} ${bracket(interval.lower, interval.upper)}, ${pClause(test.p)}`;
  const smallest = smallestPValue(bn, cn);
  if (smallest >= settings.alpha) {
    return {
      ...base,
      verdict: 'inconclusive',
      reason: `too few trials: ${bn} baseline and ${cn} candidate recovery times can never give p < ${settings.alpha} ` +
        `(the smallest possible p is ${pText(smallest)}); need at least ${needed} per side (${figures})`,
      ratio,
      test,
      neededPerSide: needed,
    };
  }
  const significant = test.p < settings.alpha;
  const threshold = 1 + settings.maxRegression;
  const allowed = `the allowed ${times(threshold)} (+${percentText(settings.maxRegression)})`;
  let verdict: ComparisonVerdict = 'unchanged';
  let reason: string;
  if (!significant) {
    reason = `no significant difference: ${figures} (not below ${settings.alpha})`;
  } else if (interval.estimate > threshold && interval.lower > 1) {
    verdict = 'regressed';
    reason = `slower beyond ${allowed}: ${figures}`;
  } else if (interval.estimate < 1 && interval.upper < 1) {
    verdict = 'improved';
    reason = `faster: ${figures}`;
  } else if (interval.estimate > 1 && interval.estimate <= threshold) {
    reason = `slower, within ${allowed}: ${figures}`;
  } else {
    reason = `the ranks differ significantly but the ${percentText(interval.confidence)} interval of the median ratio includes 1: ${figures}; more trials would settle it`;
  }
  return { ...base, verdict, reason, ratio, test, neededPerSide: null };
}

function sideOf(scenario: ComparableScenario): SideSummary {
  // ABORTED trials were cut short by a signal, SKIPPED ones never ran: like ERROR trials, nothing was measured.
  const unmeasured = (t: ComparableTrial): boolean => t.verdict === 'ERROR' || t.verdict === 'ABORTED' || t.verdict === 'SKIPPED';
  const measured = scenario.trials.filter((t) => !t.undisrupted && !unmeasured(t) && t.recoveryTimeMs !== null);
  const recoveryTimesMs = measured.map((t) => t.recoveryTimeMs as number);
  const stats = summarize(recoveryTimesMs);
  return {
    trials: scenario.trials.length,
    recoveryTimesMs,
    medianMs: stats?.median ?? null,
    p95Ms: stats?.p95 ?? null,
    undisrupted: scenario.trials.filter((t) => t.undisrupted && !unmeasured(t)).length,
    unrecovered: scenario.trials.filter((t) => !t.undisrupted && !unmeasured(t) && t.recoveryTimeMs === null).length,
    errors: scenario.trials.filter(unmeasured).length,
  };
}

function scenarioWarnings(baseline: ComparableScenario, candidate: ComparableScenario, b: SideSummary, c: SideSummary): string[] {
  const warnings: string[] = [];
  if (c.unrecovered > b.unrecovered) {
    warnings.push(
      `the candidate did not recover in time in ${c.unrecovered} of ${c.trials} trials (baseline: ${b.unrecovered} of ${b.trials}); ` +
      'those have no recovery time and are left out of the figures, and the candidate run FAILs on them',
    );
  }
  if (c.errors > 0 || b.errors > 0) warnings.push(`ERROR, ABORTED or SKIPPED trials left out: ${b.errors} baseline, ${c.errors} candidate`);
  const expectKeys = ['recoveryWithinMs', 'settleMs', 'maxDisruptionMs', 'mustBreak'] as const;
  const changed = expectKeys.filter((key) => baseline.expect[key] !== candidate.expect[key]).map((key) => `expect.${key}`);
  // Check by check: joined into one text, ['a\nb'] and ['a', 'b'] would look the same.
  if (!isDeepStrictEqual(baseline.steadyState, candidate.steadyState)) changed.push('steadyState');
  if (changed.length > 0) {
    warnings.push(`the scenario itself differs between the runs (${changed.join(', ')}): the times may not measure the same thing`);
  }
  return warnings;
}

function overallVerdict(verdicts: readonly ComparisonVerdict[]): ComparisonVerdict {
  if (verdicts.includes('regressed')) return 'regressed';
  if (verdicts.length === 0 || verdicts.includes('inconclusive')) return 'inconclusive';
  if (verdicts.includes('improved')) return 'improved';
  return 'unchanged';
}

/** Scenarios by name; a name seen twice keeps its first result, with a warning. */
function firstByName(scenarios: readonly ComparableScenario[], role: string, warnings: string[]): Map<string, ComparableScenario> {
  const byName = new Map<string, ComparableScenario>();
  for (const scenario of scenarios) {
    if (byName.has(scenario.name)) warnings.push(`the ${role} has scenario ${scenario.name} more than once: only the first is compared`);
    else byName.set(scenario.name, scenario);
  }
  return byName;
}

function summaryOf(run: ComparableRun, file: string | undefined): RunSummary {
  return { file: file ?? null, startedAt: run.startedAt, verdict: run.verdict, environment: run.environment };
}

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

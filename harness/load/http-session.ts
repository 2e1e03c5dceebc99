/**
 * A trial's load as rebound's built-in driver makes it: requests from the warm-up to the end of the trial, every
 * one recorded, judged over [T0, end) with k6's metric names and thresholds, and split at the trial's moments into
 * phases (`baseline`, `recovery`, `recovered`) so that thresholds and the error budget can look at the disruption
 * alone.
 */
import type { LoadDriverSpec } from '../scenario/schema.js';
import type { LoadResult, ThresholdResult } from '../report/result.js';
import { isoOf, monotonicNow } from '../util/clock.js';
import { LoadDriver } from './driver.js';
import { errorBudget, firstSuccessAfter, httpMetrics, perSecond, type Phases, type SecondStats } from './http-metrics.js';
import { BUILTIN_METRICS, type Metric, type MetricSource } from './metric.js';
import type { LoadContext, LoadSession, TrialMoments } from './session.js';
import { evaluateThresholds, parseThresholds, thresholdsToAbort, type Threshold } from './thresholds.js';

/** How often, at most, abortOnFail thresholds are judged while the trial runs (k6 judges every 2 s). */
const ABORT_EVALUATION_MS = 500;

/** What results.json reports of each metric: k6's summary aggregations for its type. */
const REPORTED: Readonly<Record<string, readonly string[]>> = {
  counter: ['count', 'rate'],
  rate: ['rate'],
  trend: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
  gauge: ['value'],
};

/** The built-in driver's options, with built-in variables already expanded in the targets. */
export type HttpLoadOptions = Extract<LoadDriverSpec, { kind: 'http' }> & {
  readonly maxRequests: number;
  readonly thresholds: Readonly<Record<string, unknown>>;
};

/** The trial's moments as k6 sub-metric phases. */
function phasesOf(moments: TrialMoments): Phases {
  if (moments.injectedAt === null) return { baseline: [moments.t0, moments.end] };
  const recovered = moments.recoveredAt ?? moments.end;
  return {
    baseline: [moments.t0, moments.injectedAt],
    recovery: [moments.injectedAt, recovered],
    recovered: [recovered, moments.end],
  };
}

function valuesOf(metric: Metric): Record<string, number> {
  const values: Record<string, number> = {};
  for (const method of REPORTED[metric.type] ?? []) {
    const value = metric.value(method);
    if (value !== undefined) values[method] = value;
  }
  // A rate's passes and fails, as k6's summary has them: passes are the non-zero samples.
  if (metric.type === 'rate') {
    const passes = Math.round((metric.value('rate') ?? 0) * metric.samples);
    values.passes = passes;
    values.fails = metric.samples - passes;
  }
  return values;
}

/** Starts the driver now; the session judges its requests when the trial finishes it. */
export function startHttpLoad(options: HttpLoadOptions, context: LoadContext): LoadSession {
  const parsed = parseThresholds(options.thresholds, BUILTIN_METRICS);
  // The scenario's rules refused bad thresholds; this is a bug if it happens.
  if (!parsed.ok) throw new Error(`internal: spec.load.thresholds passed validation but do not parse: ${parsed.problems.map((p) => p.message).join('; ')}`);
  const thresholds: readonly Threshold[] = parsed.thresholds;
  const driver = new LoadDriver({
    targets: options.targets.map((t) => ({
      url: t.url,
      method: t.method,
      headers: t.headers,
      ...(t.body === undefined ? {} : { body: t.body }),
      expectedStatuses: t.expectedStatuses,
    })),
    model: options.model,
    timeoutMs: options.timeout.toMilliseconds(),
    maxRequests: options.maxRequests,
    maxDurationMs: Math.max(1000, context.deadline - monotonicNow()),
  });
  const startedAt = monotonicNow();
  driver.start();
  context.log.info({ targets: options.targets.map((t) => t.url), model: options.model }, 'load started');
  let abortedBy: string | null = null;
  let lastAbortCheck = 0;
  let finished = false;
  const aborting = thresholds.filter((t) => t.abortOnFail);

  return {
    startedAt,
    abortReason: (sofar) => {
      if (aborting.length === 0 || sofar.end - lastAbortCheck < ABORT_EVALUATION_MS) return undefined;
      lastAbortCheck = sofar.end;
      const source = httpMetrics(driver.log, [sofar.t0, sofar.end], phasesOf(sofar));
      const crossed = thresholdsToAbort(aborting, source, sofar.end - sofar.t0)[0];
      if (crossed === undefined) return undefined;
      abortedBy = `${crossed.metric} ${crossed.expression}`;
      return `load threshold ${abortedBy} crossed (${crossed.aggregation}=${Number((crossed.value ?? 0).toPrecision(4))})`;
    },
    finish: async (moments) => {
      finished = true;
      const summary = await driver.stop();
      const { t0, end, injectedAt } = moments;
      const source = httpMetrics(driver.log, [t0, end], phasesOf(moments));
      const verdicts = evaluateThresholds(thresholds, source);
      const results: ThresholdResult[] = verdicts.map((v) => ({
        metric: v.metric,
        expression: v.expression,
        ok: v.ok,
        value: v.value ?? null,
        abortOnFail: v.abortOnFail,
      }));
      const requests = source.metric('http_reqs', {})?.value('count') ?? 0;
      const failedMetric = source.metric('http_req_failed', {});
      const failed = Math.round((failedMetric?.value('rate') ?? 0) * (failedMetric?.samples ?? 0));
      const budgetTo = moments.recoveredAt ?? end;
      const budget = injectedAt === null ? undefined : errorBudget(driver.log, injectedAt, budgetTo);
      const first = injectedAt === null ? undefined : firstSuccessAfter(driver.log, injectedAt);
      const stopped = summary.reason === 'maxRequests' ? `maxRequests (${options.maxRequests}) reached`
        : summary.reason === 'maxDuration' ? "the scenario's timeout reached" : null;
      return {
        driver: 'http',
        window: { warmupFrom: isoOf(startedAt), from: isoOf(t0), to: isoOf(end) },
        requests,
        failed,
        dropped: driver.log.dropsBetween(t0, end),
        metrics: reportedMetrics(source, thresholds),
        thresholds: results,
        abortedBy,
        stoppedBy: stopped,
        perSecond: perSecond(driver.log, startedAt, end).map(slice),
        series: { binMs: binFor(end - t0), bins: perSecond(driver.log, t0, end, binFor(end - t0)).map(slice) },
        errorBudget: budget === undefined || injectedAt === null ? null : {
          from: isoOf(injectedAt),
          to: isoOf(budgetTo),
          requests: budget.total,
          failed: budget.failed,
          longestFailureRun: { requests: budget.longestFailureRun?.count ?? 0, ms: budget.longestFailureRun?.ms ?? 0 },
          p95Ms: budget.total > 0 ? httpMetrics(driver.log, [injectedAt, budgetTo]).metric('http_req_duration', {})?.value('p(95)') ?? null : null,
        },
        firstSuccessAfterInjectionMs: first === undefined || injectedAt === null ? null : first.end - injectedAt,
        note: summary.cancelled > 0 ? `${summary.cancelled} request${summary.cancelled === 1 ? ' was' : 's were'} still in flight when the trial ended and were cancelled (not counted)` : null,
      };
    },
    cancel: async () => {
      if (finished) return;
      finished = true;
      await driver.stop();
    },
  };
}

/** A slice of the run as results.json carries it: no percentile where there was no request. */
function slice(s: SecondStats): LoadResult['perSecond'][number] {
  return {
    at: isoOf(s.at),
    requests: s.requests,
    failed: s.failed,
    p50: s.requests > 0 ? s.p50 : null,
    p95: s.requests > 0 ? s.p95 : null,
    p99: s.requests > 0 ? s.p99 : null,
  };
}

/** Slices of a round length giving about 100 over the window: a sub-second disruption must show on the chart. */
function binFor(windowMs: number): number {
  return [50, 100, 250, 500, 1000, 2000, 5000, 10_000].find((ms) => windowMs / ms <= 120) ?? 30_000;
}

/** Every built-in metric over the window, and the sub-metrics the thresholds name (as k6's summary lists them). */
function reportedMetrics(source: MetricSource, thresholds: readonly Threshold[]): Record<string, Record<string, number>> {
  const metrics: Record<string, Record<string, number>> = {};
  for (const name of Object.keys(BUILTIN_METRICS)) {
    const metric = source.metric(name, {});
    if (metric) metrics[name] = valuesOf(metric);
  }
  for (const threshold of thresholds) {
    if (Object.keys(threshold.tags).length === 0 || metrics[threshold.metric]) continue;
    const metric = source.metric(threshold.name, threshold.tags);
    if (metric) metrics[threshold.metric] = valuesOf(metric);
  }
  return metrics;
}

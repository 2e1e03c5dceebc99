/**
 * Metrics as k6 defines them, so that k6's thresholds mean the same thing on rebound's numbers: a metric has one of
 * k6's four types, and each type answers k6's aggregation methods (counter: count, rate; rate: rate; gauge: value;
 * trend: avg, min, max, med, p(N)).
 */

/** k6's metric types. */
export type MetricType = 'counter' | 'rate' | 'trend' | 'gauge';

/** One metric's values over a window, answering k6's aggregation methods for its type. */
export interface Metric {
  readonly type: MetricType;
  /** How many samples it holds. */
  readonly samples: number;
  /**
   * The value of an aggregation method as k6 names it (`count`, `rate`, `value`, `avg`, `min`, `max`, `med`,
   * `p(95)`, `p(99.9)`), or undefined when this type has no such method.
   */
  value(method: string): number | undefined;
}

/** Where thresholds find their metrics: by name and, for k6's sub-metrics (`http_req_duration{status:200}`), tags. */
export interface MetricSource {
  /** The metric, or undefined when no metric of that name exists (a sub-metric with no sample is empty, not absent). */
  metric(name: string, tags: Readonly<Record<string, string>>): Metric | undefined;
}

/** A counter: `count`, and `rate` per second over the window's length. */
export function counterMetric(count: number, windowSeconds: number): Metric {
  return {
    type: 'counter',
    samples: count,
    value: (method) => {
      if (method === 'count') return count;
      if (method === 'rate') return windowSeconds > 0 ? count / windowSeconds : 0;
      return undefined;
    },
  };
}

/** A rate: the share of non-zero samples (`rate`); 0 without samples, as k6 has it. */
export function rateMetric(nonZero: number, total: number): Metric {
  return {
    type: 'rate',
    samples: total,
    value: (method) => (method === 'rate' ? (total > 0 ? nonZero / total : 0) : undefined),
  };
}

/** A gauge: its last `value`. */
export function gaugeMetric(value: number): Metric {
  return { type: 'gauge', samples: 1, value: (method) => (method === 'value' ? value : undefined) };
}

const PERCENTILE = /^p\((\d+(?:\.\d+)?)\)$/;

/**
 * k6's percentile of sorted values: the value at rank pct * (n - 1), linearly interpolated between its neighbours
 * when that rank falls between two; the only value when there is one; 0 when there is none.
 */
export function percentile(sorted: ArrayLike<number>, pct: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  if (n === 1) return sorted[0];
  const rank = (pct / 100) * (n - 1);
  const below = sorted[Math.floor(rank)];
  const above = sorted[Math.ceil(rank)];
  return below + (above - below) * (rank - Math.floor(rank));
}

/** A trend (durations in milliseconds): avg, min, max, med and p(N); each 0 without samples, as k6 has it. */
export function trendMetric(values: ArrayLike<number>): Metric {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const n = sorted.length;
  return {
    type: 'trend',
    samples: n,
    value: (method) => {
      switch (method) {
        case 'avg': return n > 0 ? sum / n : 0;
        case 'min': return n > 0 ? (sorted[0]) : 0;
        case 'max': return n > 0 ? (sorted[n - 1]) : 0;
        case 'med': return percentile(sorted, 50);
        default: {
          const match = PERCENTILE.exec(method);
          if (!match) return undefined;
          const pct = Number(match[1]);
          return pct <= 100 ? percentile(sorted, pct) : undefined;
        }
      }
    },
  };
}

/**
 * The metrics rebound's built-in HTTP driver records, under k6's names and types, so that thresholds written for
 * k6 mean the same here. Tags: `status`, `name` (the target URL), `expected_response` and `phase`.
 */
/** The tags the built-in driver's requests carry, for sub-metrics; `phase` takes one of LOAD_PHASES. */
export const BUILTIN_TAGS: readonly string[] = ['status', 'name', 'expected_response', 'phase'];

/** The phases of a trial a request can fall in: before the injection, until the recovery, after it. */
export const LOAD_PHASES: readonly string[] = ['baseline', 'recovery', 'recovered'];

export const BUILTIN_METRICS: Readonly<Record<string, MetricType>> = {
  http_reqs: 'counter',
  http_req_failed: 'rate',
  http_req_duration: 'trend',
  checks: 'rate',
  dropped_iterations: 'counter',
};

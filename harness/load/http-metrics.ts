/**
 * k6's HTTP metrics computed from a RequestLog, so that thresholds written for k6 (`http_req_failed: rate<0.01`,
 * `http_req_duration{phase:recovery}: p(99)<500`) judge the built-in driver's requests the way k6 would judge its
 * own. Only requests that ended count: those still in flight and those cancelled when the driver stopped do not.
 */
import { BUILTIN_TAGS, counterMetric, percentile, rateMetric, trendMetric, type Metric, type MetricSource } from './metric.js';
import type { RequestLog } from './request-log.js';

/** A time range [from, to) in monotonic ms. */
export type TimeRange = readonly [from: number, to: number];

/** Named phases of a run (`baseline`, `recovery`, `recovered`): a request belongs to the one its start falls in. */
export type Phases = Readonly<Record<string, TimeRange>>;

/** The tags the HTTP metrics can be filtered by, as in k6's sub-metrics. */
const KNOWN_TAGS = new Set(BUILTIN_TAGS);

/** Which requests a sub-metric selects, and over which times. */
interface Selection {
  readonly from: number;
  readonly to: number;
  /** False when a tag no request can carry was asked for: the metric is then empty. */
  readonly possible: boolean;
  /** Whether the selection filters on request tags (drops carry none of them). */
  readonly byRequestTag: boolean;
  readonly matches: (log: RequestLog, slot: number) => boolean;
}

/**
 * The HTTP metrics of the requests started in the judged window [from, to), as a MetricSource:
 * - `http_reqs` (counter), `dropped_iterations` (counter): their rate is per second of the window, or, when the
 *   sub-metric has a `phase` tag, per second of that phase within the window (a phase is a window of its own).
 * - `http_req_failed` (rate): the share of requests whose response was not the expected one.
 * - `http_req_duration` (trend, ms): every request, failed ones included, as k6 records it.
 * - `checks` (rate): the share of requests whose status check passed. The driver's only check is the expected
 *   status, so this is 1 - `http_req_failed`; it exists so that k6 scripts' `checks` thresholds carry over.
 * Tags: `status` (the code as a string, "0" for a failure without response), `name` (the target's URL),
 * `expected_response` ("true"/"false") and `phase`. A tag no request carries (or any other tag) gives an empty
 * metric; dropped requests carry only `phase`.
 */
export function httpMetrics(log: RequestLog, window: TimeRange, phases: Phases = {}): MetricSource {
  return {
    metric(name: string, tags: Readonly<Record<string, string>>): Metric | undefined {
      const selection = select(log, window, phases, tags);
      const seconds = Math.max(0, selection.to - selection.from) / 1000;
      switch (name) {
        case 'http_reqs': {
          let count = 0;
          each(log, selection, () => { count += 1; });
          return counterMetric(count, seconds);
        }
        case 'http_req_failed':
        case 'checks': {
          let expected = 0;
          let total = 0;
          each(log, selection, (slot) => {
            total += 1;
            if (log.expected(slot)) expected += 1;
          });
          return rateMetric(name === 'checks' ? expected : total - expected, total);
        }
        case 'http_req_duration': {
          const durations: number[] = [];
          each(log, selection, (slot) => { durations.push(log.duration(slot)); });
          return trendMetric(durations);
        }
        case 'dropped_iterations': {
          const count = selection.possible && !selection.byRequestTag ? log.dropsBetween(selection.from, selection.to) : 0;
          return counterMetric(count, seconds);
        }
        default:
          return undefined;
      }
    },
  };
}

function each(log: RequestLog, selection: Selection, visit: (slot: number) => void): void {
  if (!selection.possible) return;
  log.forEachDone(selection.from, selection.to, (slot) => {
    if (selection.matches(log, slot)) visit(slot);
  });
}

function select(log: RequestLog, window: TimeRange, phases: Phases, tags: Readonly<Record<string, string>>): Selection {
  let [from, to] = window;
  let possible = true;
  const tests: ((log: RequestLog, slot: number) => boolean)[] = [];
  for (const [key, value] of Object.entries(tags)) {
    if (!KNOWN_TAGS.has(key)) possible = false;
    if (key === 'phase') {
      const range = Object.hasOwn(phases, value) ? phases[value] : undefined;
      if (range === undefined) possible = false;
      else [from, to] = [Math.max(from, range[0]), Math.min(to, range[1])];
    } else if (key === 'status') {
      const status = /^(0|[1-9]\d{0,2})$/.test(value) ? Number(value) : -1;
      tests.push((l, slot) => l.status(slot) === status);
    } else if (key === 'expected_response') {
      if (value !== 'true' && value !== 'false') possible = false;
      const wanted = value === 'true';
      tests.push((l, slot) => l.expected(slot) === wanted);
    } else if (key === 'name') {
      const targets = new Set(log.targets.flatMap((url, index) => (url === value ? [index] : [])));
      tests.push((l, slot) => targets.has(l.target(slot)));
    }
  }
  return {
    from,
    to,
    possible,
    byRequestTag: tests.length > 0,
    matches: (l, slot) => tests.every((test) => test(l, slot)),
  };
}

/** One second of a run: what the per-second chart of a report plots. */
export interface SecondStats {
  /** The second's start (monotonic ms): `from` + n * 1000. */
  readonly at: number;
  readonly requests: number;
  /** Requests whose response was not the expected one. */
  readonly failed: number;
  /** Duration percentiles (ms, k6's interpolation) of the second's requests; 0 when it has none. */
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/**
 * The requests of [from, to) second by second (by start time, the last second cut at `to`), so that a report can
 * show when errors began and latency rose, not only the window's totals. `binMs` makes the slices finer (a
 * sub-second disruption needs them to be seen) or coarser; `at` and the counts are then per slice.
 */
export function perSecond(log: RequestLog, from: number, to: number, binMs = 1000): SecondStats[] {
  const seconds: SecondStats[] = [];
  for (let at = from; at < to; at += binMs) {
    const durations: number[] = [];
    let failed = 0;
    log.forEachDone(at, Math.min(at + binMs, to), (slot) => {
      durations.push(log.duration(slot));
      if (!log.expected(slot)) failed += 1;
    });
    const sorted = Float64Array.from(durations).sort();
    seconds.push({
      at,
      requests: durations.length,
      failed,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
    });
  }
  return seconds;
}

/** The longest run of consecutive failed requests (by start time) within a window. */
export interface FailureRun {
  readonly count: number;
  /** From the first failure's start to the last failure's end (its start plus its duration), ms. */
  readonly ms: number;
  /** The first failure's start and the last failure's end (monotonic ms). */
  readonly from: number;
  readonly to: number;
}

/** What a disruption cost the clients: how many requests failed, and the worst unbroken stretch of failures. */
export interface ErrorBudget {
  readonly failed: number;
  readonly total: number;
  /** The longest run by count (the earliest of equally long ones); undefined when no request failed. */
  readonly longestFailureRun: FailureRun | undefined;
}

/**
 * The requests started in [from, to) that failed, and the longest run of failures between two successes: a run
 * says how long clients saw nothing but errors, which the failed count alone cannot tell (100 failures spread over
 * a minute are not 100 failures in a row).
 */
export function errorBudget(log: RequestLog, from: number, to: number): ErrorBudget {
  let failed = 0;
  let total = 0;
  let longest: FailureRun | undefined;
  let runCount = 0;
  let runFrom = 0;
  let runTo = 0;
  const closeRun = (): void => {
    if (runCount > (longest?.count ?? 0)) longest = { count: runCount, ms: runTo - runFrom, from: runFrom, to: runTo };
    runCount = 0;
  };
  log.forEachDone(from, to, (slot) => {
    total += 1;
    if (log.expected(slot)) {
      closeRun();
      return;
    }
    failed += 1;
    if (runCount === 0) runFrom = log.start(slot);
    runTo = log.start(slot) + log.duration(slot);
    runCount += 1;
  });
  closeRun();
  return { failed, total, longestFailureRun: longest };
}

/** When a request started and when it ended (monotonic ms). */
export interface RequestSpan {
  readonly start: number;
  readonly end: number;
}

/**
 * The first request started at or after `at` that got the expected response: the clients' view of recovery,
 * after a fault is injected or once the workload is declared recovered. Undefined when there is none (yet).
 */
export function firstSuccessAfter(log: RequestLog, at: number): RequestSpan | undefined {
  for (let slot = log.slotAt(at); slot < log.length; slot += 1) {
    if (log.expected(slot)) return { start: log.start(slot), end: log.start(slot) + log.duration(slot) };
  }
  return undefined;
}

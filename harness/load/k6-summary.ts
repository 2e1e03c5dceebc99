/**
 * k6's end-of-test summary, from either of the JSON forms k6 writes, read into one shape: a k6 load's verdict is its
 * thresholds' verdict, and k6 reports it in one of two ways.
 * - `--summary-export` (legacy): a metric is its values plus `thresholds: { expr: boolean }`, where true means the
 *   threshold was CROSSED (k6's summary-wrapper.js writes `!threshold.ok`), and a rate metric's `rate` is renamed
 *   `value`; metric types are not written.
 * - `handleSummary(data)`: a metric is `{ type, contains, values, thresholds: { expr: { ok } } }`.
 */
import type { MetricType } from './metric.js';
import { parseThresholdExpression } from './thresholds.js';

/** Which of k6's forms the text was. */
export type SummaryFormat = 'summary-export' | 'handle-summary';

/** One threshold as k6 judged it. */
export interface SummaryThreshold {
  readonly expression: string;
  readonly ok: boolean;
}

/**
 * One metric (or sub-metric: `http_req_duration{status:200}`): its k6 type (in legacy files, told by the values k6
 * writes for each type; undefined when there are none), its values by k6's names (a rate's share is `rate` in both
 * forms), and its thresholds.
 */
export interface SummaryMetric {
  readonly type: MetricType | undefined;
  readonly values: Readonly<Record<string, number>>;
  readonly thresholds: readonly SummaryThreshold[];
}

/** A crossed threshold, with the value it compared when k6 wrote it (a p(99.9) not in summaryTrendStats is not). */
export interface CrossedThreshold {
  readonly metric: string;
  readonly expression: string;
  /** The aggregation the expression compares (`p(95)`); undefined if the expression does not parse. */
  readonly aggregation: string | undefined;
  readonly value: number | undefined;
}

/** A k6 summary: every metric, and the thresholds' verdict (passed when none was crossed, or there are none). */
export interface K6Summary {
  readonly format: SummaryFormat;
  readonly metrics: Readonly<Record<string, SummaryMetric>>;
  readonly thresholdsPassed: boolean;
  /** By metric name, each metric's in the order k6 wrote them. */
  readonly crossed: readonly CrossedThreshold[];
}

/** The summary, or what is wrong with the text. */
export type K6SummaryParse =
  | { readonly ok: true; readonly summary: K6Summary }
  | { readonly ok: false; readonly error: string };

const TYPES: readonly string[] = ['counter', 'gauge', 'rate', 'trend'];

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/** A legacy metric's type from the values k6 writes for each: rate passes/fails, gauge value, counter count+rate. */
function legacyType(values: Readonly<Record<string, number>>): MetricType | undefined {
  const has = (name: string): boolean => Object.hasOwn(values, name);
  if (has('passes') || has('fails')) return 'rate';
  if (has('value')) return 'gauge';
  if (has('rate')) return 'counter';
  return Object.keys(values).length > 0 ? 'trend' : undefined;
}

/** What is wrong with a summary, thrown only within this module to stop at the first fault; never escapes it. */
class SummaryError extends Error {}

function numbers(entries: readonly [string, unknown][], where: string): Record<string, number> {
  return Object.fromEntries(entries.map(([name, value]) => {
    if (typeof value !== 'number') throw new SummaryError(`${where}["${name}"] is ${kindOf(value)}, not a number`);
    return [name, value];
  }));
}

function legacyMetric(name: string, raw: Readonly<Record<string, unknown>>): SummaryMetric {
  const where = `metrics["${name}"]`;
  const values = numbers(Object.entries(raw).filter(([key]) => key !== 'thresholds'), where);
  const type = legacyType(values);
  if (type === 'rate' && Object.hasOwn(values, 'value')) {
    const { value, ...rest } = values;
    return { type, values: { ...rest, rate: value }, thresholds: legacyThresholds(raw['thresholds'], where) };
  }
  return { type, values, thresholds: legacyThresholds(raw['thresholds'], where) };
}

function legacyThresholds(raw: unknown, where: string): SummaryThreshold[] {
  if (raw === undefined) return [];
  if (!isRecord(raw)) throw new SummaryError(`${where}.thresholds is ${kindOf(raw)}, not an object of expressions`);
  return Object.entries(raw).map(([expression, crossed]) => {
    if (typeof crossed !== 'boolean') {
      throw new SummaryError(`${where}.thresholds["${expression}"] is ${kindOf(crossed)}, not true (crossed) or false (passed)`);
    }
    return { expression, ok: !crossed };
  });
}

function handleSummaryMetric(name: string, raw: Readonly<Record<string, unknown>>): SummaryMetric {
  const where = `metrics["${name}"]`;
  const { type, values, thresholds } = raw;
  if (type !== undefined && (typeof type !== 'string' || !TYPES.includes(type))) {
    throw new SummaryError(`${where}.type is ${JSON.stringify(type)}, not one of ${TYPES.join(', ')}`);
  }
  if (!isRecord(values)) throw new SummaryError(`${where}.values is ${kindOf(values)}, not an object of numbers`);
  let verdicts: SummaryThreshold[] = [];
  if (thresholds !== undefined) {
    if (!isRecord(thresholds)) throw new SummaryError(`${where}.thresholds is ${kindOf(thresholds)}, not an object of expressions`);
    verdicts = Object.entries(thresholds).map(([expression, verdict]) => {
      const ok = isRecord(verdict) ? verdict['ok'] : undefined;
      if (typeof ok !== 'boolean') throw new SummaryError(`${where}.thresholds["${expression}"] has no ok: true or false`);
      return { expression, ok };
    });
  }
  return { type: type as MetricType | undefined, values: numbers(Object.entries(values), `${where}.values`), thresholds: verdicts };
}

/** The value a threshold compared: its aggregation's, under k6's name or as the expression wrote it. */
function crossedValue(metric: SummaryMetric, expression: string): { aggregation: string | undefined; value: number | undefined } {
  const parsed = parseThresholdExpression(expression);
  if (!parsed.ok) return { aggregation: undefined, value: undefined };
  const { aggregation, source, operator } = parsed.expression;
  const written = source.slice(0, source.indexOf(operator)).trim();
  const { values } = metric;
  const name = [aggregation, written].find((candidate) => Object.hasOwn(values, candidate));
  return { aggregation, value: name === undefined ? undefined : values[name] };
}

function readSummary(document: unknown): K6Summary {
  if (!isRecord(document)) {
    throw new SummaryError(`a k6 summary is a JSON object with a metrics field, not ${kindOf(document)}`);
  }
  const raw = document['metrics'];
  if (raw === undefined) {
    throw new SummaryError('no metrics field: expected the JSON of k6 --summary-export or of handleSummary(data)');
  }
  if (!isRecord(raw)) throw new SummaryError(`metrics is ${kindOf(raw)}, not an object of metrics`);
  const entries = Object.entries(raw).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, metric] of entries) {
    if (!isRecord(metric)) throw new SummaryError(`metrics["${name}"] is ${kindOf(metric)}, not an object`);
  }
  const records = entries as [string, Readonly<Record<string, unknown>>][];
  // handleSummary's metrics hold `values`; a legacy metric's fields are numbers and `thresholds`.
  const modern = records.filter(([, metric]) => Object.hasOwn(metric, 'values')).length;
  if (modern > 0 && modern < records.length) {
    throw new SummaryError('metrics mixes the two k6 formats (some have values, some not): not a file k6 wrote');
  }
  const format: SummaryFormat = modern > 0 || (records.length === 0 && ('state' in document || 'options' in document))
    ? 'handle-summary'
    : 'summary-export';
  const metrics = records.map(([name, metric]): [string, SummaryMetric] =>
    [name, format === 'handle-summary' ? handleSummaryMetric(name, metric) : legacyMetric(name, metric)]);
  const crossed = metrics.flatMap(([name, metric]) => metric.thresholds
    .filter((threshold) => !threshold.ok)
    .map(({ expression }) => ({ metric: name, expression, ...crossedValue(metric, expression) })));
  return { format, metrics: Object.fromEntries(metrics), thresholdsPassed: crossed.length === 0, crossed };
}

/** Reads the text of a k6 summary file, in either form; a file that is not one gives a message saying why. */
export function parseK6Summary(text: string): K6SummaryParse {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not JSON (${error instanceof Error ? error.message : String(error)}): expected the JSON of k6 --summary-export or of handleSummary(data)` };
  }
  try {
    return { ok: true, summary: readSummary(document) };
  } catch (error) {
    if (error instanceof SummaryError) return { ok: false, error: error.message };
    throw error;
  }
}

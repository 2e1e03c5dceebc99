/**
 * k6's thresholds, read and judged the way k6 does, so that a `thresholds` block copied from a k6 script means the
 * same on rebound's numbers. Pure: times come in as arguments.
 *
 * Semantics follow k6's source (grafana/k6 metrics/thresholds.go, thresholds_parser.go, metric.go; and
 * internal/metrics/engine/engine.go for when they are evaluated):
 * - an expression is `<aggregation> <operator> <number>`, split at the first of `<=`, `<`, `>=`, `>`, `===`, `==`,
 *   `!=` found, each side trimmed; nothing may stand inside `p(...)` but the number;
 * - `==` and `===` are the same float comparison;
 * - at the end of a test every threshold is judged, an empty metric included: an empty trend, counter or gauge
 *   answers 0, while a rate without samples has no `rate` and its thresholds pass;
 * - while the test runs, metrics without samples are skipped, and an `abortOnFail` threshold stops the test once
 *   crossed after more than its `delayAbortEval`.
 * Stricter than k6, on purpose, as these are mistakes: p(N) outside 0..100 (k6 fails at run time), NaN and infinite
 * bounds, unknown fields in the object form (k6 ignores `abortonfail: true`, silently disabling the abort), repeated
 * tags, and a delayAbortEval without a unit (k6 reads `'10'` as 10 ms) or in days; all are reported.
 */
import { closest, distance } from 'fastest-levenshtein';
import { Duration, DurationSyntaxError } from '../scenario/duration.js';
import type { Metric, MetricSource, MetricType } from './metric.js';

/** k6's comparison operators. */
export type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

/** k6's aggregation methods; `p` is p(N), with N in `ThresholdExpression.percentile`. */
export type AggregationMethod = 'count' | 'rate' | 'value' | 'avg' | 'min' | 'max' | 'med' | 'p';

/** One parsed expression; `aggregation` is the name k6's summaries use for the value it compares (`p(99.9)`). */
export interface ThresholdExpression {
  readonly source: string;
  readonly method: AggregationMethod;
  /** N of p(N), 0..100; undefined for other methods. */
  readonly percentile: number | undefined;
  readonly aggregation: string;
  readonly operator: ThresholdOperator;
  readonly bound: number;
}

/** One threshold of a `thresholds` block, ready to judge. */
export interface Threshold {
  /** The key as written: `http_req_duration{status:200}`. */
  readonly metric: string;
  /** The metric's name and the sub-metric's tags, as the MetricSource is asked for them. */
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly expression: ThresholdExpression;
  readonly abortOnFail: boolean;
  /** How long after the judged window began a crossing may abort; undefined: at once. */
  readonly delayAbortEvalMs: number | undefined;
}

/**
 * What is wrong in a `thresholds` block and what to write instead; `path` is where, as segments below the block
 * (`['http_req_duration', 1]`, shown as http_req_duration[1]), so a scenario's validation can place it in its file.
 */
export interface ThresholdProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Either every threshold, or every problem found: k6 refuses to start on any of them. */
export type ThresholdsParse =
  | { readonly ok: true; readonly thresholds: readonly Threshold[] }
  | { readonly ok: false; readonly problems: readonly ThresholdProblem[] };

/** Why a verdict has no measured value. */
export type Unmeasured = 'no-metric' | 'no-samples' | 'unsupported-aggregation';

/** One threshold judged: the value it compared and whether it held. */
export interface ThresholdVerdict {
  readonly metric: string;
  readonly expression: string;
  readonly aggregation: string;
  readonly value: number | undefined;
  /** Set when value is undefined: a rate without samples passes (as in k6); the other two fail. */
  readonly unmeasured: Unmeasured | undefined;
  readonly samples: number;
  readonly ok: boolean;
  readonly abortOnFail: boolean;
  readonly delayAbortEvalMs: number | undefined;
}

// k6 tries the operators in this order, longer ones before their prefixes.
const OPERATORS: readonly ThresholdOperator[] = ['<=', '<', '>=', '>', '===', '==', '!='];
const METHODS_OF: Readonly<Record<MetricType, readonly AggregationMethod[]>> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p'],
};
const KEYWORDS: readonly string[] = ['value', 'count', 'rate', 'avg', 'min', 'med', 'max'];
const SYNONYMS: Readonly<Record<string, string>> = {
  average: 'avg', mean: 'avg', median: 'med', minimum: 'min', maximum: 'max', last: 'value', sum: 'count', total: 'count',
};
// What Go's strconv.ParseFloat reads in decimal, which is what k6 uses on both numbers.
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const FORM = 'write <aggregation> <operator> <number>, e.g. p(95)<500 or rate<0.01 (operators <, <=, >, >=, ==, ===, !=)';
const OBJECT_FIELDS = ['threshold', 'abortOnFail', 'delayAbortEval'];

/** A list of aggregations as k6 users write them. */
function methodList(methods: readonly AggregationMethod[]): string {
  return methods.map((method) => (method === 'p' ? 'p(N)' : method)).join(', ');
}

/** p(N) with N printed plainly, so p(99.90) and p(99.9) name the same value, as k6's `%g` key does. */
function percentileName(pct: number): string {
  const text = String(pct);
  return `p(${text.includes('e') ? pct.toFixed(20).replace(/\.?0+$/, '') : text})`;
}

/** What to write instead of an aggregation k6 does not know. */
function aggregationHint(lhs: string): string {
  const percent = /^(?:p|pct|percentile)\s*\(?\s*(\d+(?:\.\d+)?)\s*\)?$/i.exec(lhs);
  if (percent !== null) return `write p(${percent[1]})`;
  const synonym = SYNONYMS[lhs.toLowerCase()] ?? (KEYWORDS.includes(lhs.toLowerCase()) ? lhs.toLowerCase() : undefined);
  if (synonym !== undefined) return `write ${synonym}`;
  return `use one of ${methodList(['count', 'rate', 'value', 'avg', 'min', 'max', 'med', 'p'])}`;
}

/** What to write instead of a bound with a unit (`500ms`, `2s`, `1%`): k6 compares bare numbers. */
function boundHint(lhs: string, operator: ThresholdOperator, rhs: string): string {
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))\s*(ms|s|m|%)$/i.exec(rhs);
  const scale: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, '%': 0.01 };
  const factor = match?.[2] === undefined ? undefined : scale[match[2].toLowerCase()];
  if (match === null || factor === undefined) return FORM;
  const number = Number((Number(match[1]) * factor).toPrecision(12));
  const why = match[2] === '%' ? 'a rate is a fraction from 0 to 1' : 'trend values are milliseconds';
  return `write ${lhs}${operator}${number} (${why})`;
}

/** Parses one expression (`p(95) < 500`); the error message says what to write instead. */
export function parseThresholdExpression(source: string):
  | { readonly ok: true; readonly expression: ThresholdExpression }
  | { readonly ok: false; readonly message: string } {
  const fail = (message: string) => ({ ok: false as const, message });
  const operator = OPERATORS.find((op) => source.includes(op));
  if (operator === undefined) {
    const single = source.includes('=') ? ' (compare with ==, not =)' : '';
    return fail(`\`${source}\` has no comparison operator${single}; ${FORM}`);
  }
  const at = source.indexOf(operator);
  const lhs = source.slice(0, at).trim();
  const rhs = source.slice(at + operator.length).trim();
  if (lhs === '') return fail(`\`${source}\` has no aggregation before \`${operator}\`; ${FORM}`);

  let method: AggregationMethod;
  let percentile: number | undefined;
  if (KEYWORDS.includes(lhs)) {
    method = lhs as AggregationMethod;
  } else if (lhs.startsWith('p(') && lhs.endsWith(')')) {
    const inner = lhs.slice(2, -1);
    if (!NUMBER.test(inner)) {
      const hint = NUMBER.test(inner.trim()) ? `write p(${inner.trim()}), without spaces` : 'e.g. p(95) or p(99.9)';
      return fail(`\`${lhs}\` in \`${source}\`: p(N) takes a number from 0 to 100 and nothing else; ${hint}`);
    }
    percentile = Number(inner);
    if (percentile < 0 || percentile > 100) {
      return fail(`\`${lhs}\` in \`${source}\`: a percentile is from 0 to 100, e.g. p(95) or p(99.9)`);
    }
    method = 'p';
  } else {
    return fail(`unknown aggregation \`${lhs}\` in \`${source}\`; ${aggregationHint(lhs)}`);
  }

  if (rhs === '') return fail(`\`${source}\` has no number after \`${operator}\`; ${FORM}`);
  if (!NUMBER.test(rhs)) return fail(`\`${rhs}\` in \`${source}\` is not a number; ${boundHint(lhs, operator, rhs)}`);
  const bound = Number(rhs);
  if (!Number.isFinite(bound)) return fail(`\`${rhs}\` in \`${source}\` is too large a number`);
  const aggregation = percentile === undefined ? method : percentileName(percentile);
  return { ok: true, expression: { source, method, percentile, aggregation, operator, bound } };
}

/** Splits `name{tag:value,...}` as k6 does (tags trimmed of spaces and quotes; a value may hold `:`). */
function parseMetricKey(key: string):
  | { readonly ok: true; readonly name: string; readonly tags: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly message: string } {
  const fail = (message: string) => ({ ok: false as const, message });
  const example = 'write name{tag:value}, e.g. http_req_duration{status:200}';
  const open = key.indexOf('{');
  const close = key.lastIndexOf('}');
  const name = key.slice(0, open === -1 ? key.length : open);
  if (name.trim() !== name) return fail(`\`${key}\` has spaces around the metric name; write \`${name.trim()}${key.slice(name.length)}\``);
  if (open === -1 && close === -1) return { ok: true, name, tags: {} };
  if (close === -1) return fail(`\`${key}\` has a \`{\` without its \`}\`; ${example}`);
  if (open === -1 || close < open) return fail(`\`${key}\` has a \`}\` without its \`{\`; ${example}`);
  if (close !== key.length - 1) return fail(`\`${key}\` must end with its \`}\`; ${example}`);
  const tags: [string, string][] = [];
  for (const part of key.slice(open + 1, close).split(',')) {
    const colon = part.indexOf(':');
    const strip = (text: string): string => text.trim().replace(/^["']+|["']+$/g, '');
    const tag = strip(colon === -1 ? part : part.slice(0, colon));
    const value = colon === -1 ? '' : strip(part.slice(colon + 1));
    if (tag === '' && value === '') return fail(`\`${key}\` has an empty tag; ${example}`);
    if (tag === '') return fail(`\`${key}\`: \`${part.trim()}\` has no tag name before \`:\`; ${example}`);
    if (value === '') return fail(`\`${key}\`: tag \`${tag}\` has no value; ${example}`);
    if (tags.some(([seen]) => seen === tag)) return fail(`\`${key}\` gives tag \`${tag}\` twice; keep one`);
    tags.push([tag, value]);
  }
  return { ok: true, name, tags: Object.fromEntries(tags) };
}

/** Why a metric name is not among the known ones, with the likely one. */
function unknownMetric(name: string, known: readonly string[]): string {
  const best = known.length > 0 ? closest(name, known) : undefined;
  if (best !== undefined && distance(name, best) <= Math.max(2, Math.floor(best.length / 4))) {
    return `unknown metric \`${name}\`; did you mean ${best}?`;
  }
  return `unknown metric \`${name}\`; known metrics: ${[...known].sort().join(', ')}`;
}

/** delayAbortEval as k6 takes it: a duration string, or a number of milliseconds. */
function parseDelay(raw: unknown): { readonly ok: true; readonly ms: number | undefined } | { readonly ok: false; readonly message: string } {
  if (raw === undefined || raw === null) return { ok: true, ms: undefined };
  if (typeof raw === 'number') {
    return Number.isFinite(raw) && raw >= 0
      ? { ok: true, ms: raw }
      : { ok: false, message: `delayAbortEval must not be negative; write a duration such as '10s'` };
  }
  if (typeof raw !== 'string') return { ok: false, message: `delayAbortEval must be a duration such as '10s' or '1m30s'` };
  try {
    return { ok: true, ms: Duration.parse(raw).toMilliseconds() };
  } catch (error) {
    if (error instanceof DurationSyntaxError) return { ok: false, message: `delayAbortEval: ${error.message}` };
    throw error;
  }
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What one entry of a metric's list says, as a string or in k6's object form. */
interface Entry {
  readonly source: string;
  readonly abortOnFail: boolean;
  readonly delayAbortEvalMs: number | undefined;
}

/** Reads one entry of a metric's list, adding what is wrong with it to `problems`; undefined without an expression. */
function parseEntry(entry: unknown, path: readonly (string | number)[], problems: ThresholdProblem[]): Entry | undefined {
  const asked = "must be an expression string such as 'p(95)<500', or { threshold: 'p(95)<500', abortOnFail: true }";
  if (typeof entry === 'string') return { source: entry, abortOnFail: false, delayAbortEvalMs: undefined };
  if (!isRecord(entry)) {
    problems.push({ path, message: asked });
    return undefined;
  }
  for (const field of Object.keys(entry).filter((name) => !OBJECT_FIELDS.includes(name))) {
    const near = OBJECT_FIELDS.find((name) => name.toLowerCase() === field.toLowerCase());
    const message = `unknown field \`${field}\`; ${near === undefined ? `the fields are ${OBJECT_FIELDS.join(', ')}` : `write ${near}`}`;
    problems.push({ path: [...path, field], message });
  }
  const { threshold: source, abortOnFail, delayAbortEval } = entry;
  if (source === undefined) {
    problems.push({ path, message: "has no `threshold`; write { threshold: 'p(95)<500', abortOnFail: true, delayAbortEval: '10s' }" });
  } else if (typeof source !== 'string') {
    problems.push({ path: [...path, 'threshold'], message: asked });
  }
  if (abortOnFail !== undefined && typeof abortOnFail !== 'boolean') {
    problems.push({ path: [...path, 'abortOnFail'], message: 'abortOnFail must be true or false' });
  }
  const delay = parseDelay(delayAbortEval);
  if (!delay.ok) problems.push({ path: [...path, 'delayAbortEval'], message: delay.message });
  if (typeof source !== 'string') return undefined;
  return { source, abortOnFail: abortOnFail === true, delayAbortEvalMs: delay.ok ? delay.ms : undefined };
}

/**
 * Reads a `thresholds` block as k6 users write it, against the metrics that exist and their k6 types (a sub-metric
 * has its metric's type), reporting every problem k6 would refuse to start on, and a few it would silently accept.
 */
export function parseThresholds(input: unknown, known: Readonly<Record<string, MetricType>>): ThresholdsParse {
  if (!isRecord(input)) {
    return {
      ok: false,
      problems: [{ path: [], message: "thresholds must be an object of metric names to lists of expressions, e.g. { http_req_duration: ['p(95)<500'] }" }],
    };
  }
  const problems: ThresholdProblem[] = [];
  const thresholds: Threshold[] = [];
  for (const [metric, list] of Object.entries(input)) {
    const key = parseMetricKey(metric);
    let type: MetricType | undefined;
    if (!key.ok) problems.push({ path: [metric], message: key.message });
    else if (!Object.hasOwn(known, key.name)) problems.push({ path: [metric], message: unknownMetric(key.name, Object.keys(known)) });
    else type = known[key.name];
    if (!Array.isArray(list)) {
      problems.push({ path: [metric], message: "must be a list of expressions, e.g. ['p(95)<500'] or [{ threshold: 'p(95)<500', abortOnFail: true }]" });
      continue;
    }
    list.forEach((raw: unknown, index) => {
      const path = [metric, index];
      const entry = parseEntry(raw, path, problems);
      if (entry === undefined) return;
      const parsed = parseThresholdExpression(entry.source);
      if (!parsed.ok) {
        problems.push({ path, message: parsed.message });
        return;
      }
      const { expression } = parsed;
      if (!key.ok || type === undefined) return;
      if (!METHODS_OF[type].includes(expression.method)) {
        const methods = methodList(METHODS_OF[type]);
        problems.push({ path, message: `\`${expression.aggregation}\` in \`${entry.source}\`: ${key.name} is a ${type} metric, whose aggregations are ${methods}` });
        return;
      }
      thresholds.push({
        metric,
        name: key.name,
        tags: key.tags,
        expression,
        abortOnFail: entry.abortOnFail,
        delayAbortEvalMs: entry.delayAbortEvalMs,
      });
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, thresholds };
}

function compare(value: number, operator: ThresholdOperator, bound: number): boolean {
  switch (operator) {
    case '<': return value < bound;
    case '<=': return value <= bound;
    case '>': return value > bound;
    case '>=': return value >= bound;
    // k6 compares float64 values: strict and loose equality are the same.
    case '==':
    case '===': return value === bound;
    case '!=': return value !== bound;
  }
}

function judge(threshold: Threshold, metric: Metric | undefined): ThresholdVerdict {
  const { expression, abortOnFail, delayAbortEvalMs } = threshold;
  const base = { metric: threshold.metric, expression: expression.source, aggregation: expression.aggregation, abortOnFail, delayAbortEvalMs };
  if (metric === undefined) return { ...base, value: undefined, unmeasured: 'no-metric', samples: 0, ok: false };
  // k6 leaves `rate` out of an empty rate's values, and a threshold without its value passes (grafana/k6#2520).
  if (metric.type === 'rate' && metric.samples === 0) {
    return { ...base, value: undefined, unmeasured: 'no-samples', samples: 0, ok: true };
  }
  const value = metric.value(expression.aggregation);
  if (value === undefined) return { ...base, value, unmeasured: 'unsupported-aggregation', samples: metric.samples, ok: false };
  return { ...base, value, unmeasured: undefined, samples: metric.samples, ok: compare(value, expression.operator, expression.bound) };
}

/** Judges every threshold at the end of a load, empty metrics included, as k6 does at the end of a test. */
export function evaluateThresholds(thresholds: readonly Threshold[], source: MetricSource): ThresholdVerdict[] {
  return thresholds.map((threshold) => judge(threshold, source.metric(threshold.name, threshold.tags)));
}

/**
 * The abortOnFail thresholds that stop a load now, `elapsedMs` after its judged window began: crossed, on a metric
 * that has samples (k6 skips empty ones while running), and past their delayAbortEval (strictly, as k6 compares).
 * Empty when the load goes on.
 */
export function thresholdsToAbort(thresholds: readonly Threshold[], source: MetricSource, elapsedMs: number): ThresholdVerdict[] {
  const crossed: ThresholdVerdict[] = [];
  for (const threshold of thresholds) {
    if (!threshold.abortOnFail) continue;
    if (threshold.delayAbortEvalMs !== undefined && !(threshold.delayAbortEvalMs < elapsedMs)) continue;
    const metric = source.metric(threshold.name, threshold.tags);
    if (metric === undefined || metric.samples === 0) continue;
    const verdict = judge(threshold, metric);
    if (!verdict.ok) crossed.push(verdict);
  }
  return crossed;
}

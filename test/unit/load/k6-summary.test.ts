import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseK6Summary, type K6Summary, type SummaryMetric } from '../../../harness/load/k6-summary.js';
import type { Metric, MetricSource, MetricType } from '../../../harness/load/metric.js';
import { evaluateThresholds, parseThresholds } from '../../../harness/load/thresholds.js';
import { packageRoot } from '../../../harness/util/paths.js';

/** Real k6 v1.1.0 outputs, see test/fixtures/k6/README.md. */
const FIXTURES = join(packageRoot(), 'test', 'fixtures', 'k6');
const read = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

function summaryOf(name: string): K6Summary {
  const parsed = parseK6Summary(read(name));
  if (!parsed.ok) expect.fail(`${name}: ${parsed.error}`);
  return parsed.summary;
}

/** `fail exit 99` → 99. */
function exitCode(name: string): number {
  const match = /exit (\d+)/.exec(read(name));
  if (match === null) expect.fail(`${name} holds no exit code`);
  return Number(match[1]);
}

/** One threshold line of k6's text summary: `✗ 'p(99.9)<1' p(99.9)=17.24ms` under its metric (and sub-metric). */
interface Printed {
  readonly metric: string;
  readonly expression: string;
  readonly ok: boolean;
  readonly aggregation: string;
  readonly value: number;
  /** The last printed digit's worth, in the summary's units. */
  readonly precision: number;
}

/** Durations in milliseconds and rates as fractions, as the JSON summaries hold them. */
const SCALE: Readonly<Record<string, number>> = { '': 1, ms: 1, µs: 0.001, s: 1000, '%': 0.01 };

/** The THRESHOLDS section of k6's text summary: which thresholds passed (✓) and which were crossed (✗). */
function printedVerdicts(name: string): Printed[] {
  const text = read(name);
  const section = text.slice(text.indexOf('█ THRESHOLDS'), text.indexOf('█ TOTAL RESULTS'));
  const printed: Printed[] = [];
  let metric = '';
  let key = '';
  for (const line of section.split('\n')) {
    const verdict = /^\s+([✓✗]) '(.+)' (\S+)=(-?\d+(?:\.(\d+))?)(ms|µs|s|%)?$/.exec(line);
    if (verdict !== null) {
      const [, mark, expression = '', aggregation = '', number = '', decimals = '', unit = ''] = verdict;
      const scale = SCALE[unit] ?? Number.NaN;
      printed.push({ metric: key, expression, ok: mark === '✓', aggregation, value: Number(number) * scale, precision: 10 ** -decimals.length * scale });
    } else if (/^ {4}\w+$/.test(line)) {
      metric = line.trim();
      key = metric;
    } else if (/^ {6}\{.+\}$/.test(line)) {
      key = `${metric}${line.trim()}`;
    }
  }
  return printed;
}

/** Per threshold, metric + expression → passed, sorted. */
function verdictsOf(summary: K6Summary): [string, boolean][] {
  return Object.entries(summary.metrics)
    .flatMap(([metric, { thresholds }]) => thresholds.map(({ expression, ok }): [string, boolean] => [`${metric}: ${expression}`, ok]))
    .sort(([a], [b]) => a.localeCompare(b));
}

const printedVerdictsOf = (printed: readonly Printed[]): [string, boolean][] =>
  printed.map(({ metric, expression, ok }): [string, boolean] => [`${metric}: ${expression}`, ok]).sort(([a], [b]) => a.localeCompare(b));

const RUNS = [
  { summary: 'pass.summary-export.json', stdout: 'pass.stdout.txt', exit: 'pass.exit.txt', format: 'summary-export' },
  { summary: 'fail.summary-export.json', stdout: 'fail.stdout.txt', exit: 'fail.exit.txt', format: 'summary-export' },
  // summary.js is fail.js with handleSummary: a separate run of the same thresholds, which k6 judged the same way.
  { summary: 'fail.handle-summary.json', stdout: 'fail.stdout.txt', exit: 'summary.exit.txt', format: 'handle-summary' },
] as const;

/** The thresholds of pass.js and fail.js, as the scripts write them. */
const SCRIPT_THRESHOLDS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  'pass.js': {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<500', 'avg<200', 'max<2000'],
    'http_req_duration{status:200}': ['p(99)<1000'],
    checks: ['rate>0.99'],
    http_reqs: ['count>100'],
  },
  'fail.js': {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<500', 'p(99.9)<1'],
    checks: ['rate>0.99'],
    http_reqs: ['count>10000'],
  },
};

/**
 * A Metric answering with the aggregates k6 exported, and, for the percentiles it did not export (p(99) and
 * p(99.9) are not in the default summaryTrendStats), the value its text summary printed.
 */
function metricFrom(metric: SummaryMetric, type: MetricType, printed: Readonly<Record<string, number>>): Metric {
  const { values } = metric;
  // The summaries do not count a trend's or a gauge's samples; every metric here had some.
  const samples = type === 'rate' ? (values['passes'] ?? 0) + (values['fails'] ?? 0) : type === 'counter' ? (values['count'] ?? 0) : 1;
  return { type, samples, value: (method) => (Object.hasOwn(values, method) ? values[method] : printed[method]) };
}

describe("k6's end-of-test summaries", () => {
  for (const run of RUNS) {
    describe(run.summary, () => {
      const summary = summaryOf(run.summary);
      const printed = printedVerdicts(run.stdout);

      it(`is read as ${run.format}`, () => {
        expect(summary.format).to.equal(run.format);
      });

      it(`gives each threshold the verdict k6 printed in ${run.stdout}`, () => {
        expect(printed).to.have.length.above(0);
        expect(verdictsOf(summary)).to.deep.equal(printedVerdictsOf(printed));
      });

      it(`passes exactly when k6 exited 0 (${run.exit}), and crosses exactly the ✗ thresholds`, () => {
        const code = exitCode(run.exit);
        expect(code === 0 || code === 99, `exit code ${code}`).to.equal(true);
        expect(summary.thresholdsPassed).to.equal(code === 0);
        expect(summary.crossed.map(({ metric, expression }) => `${metric}: ${expression}`).sort())
          .to.deep.equal(printed.filter(({ ok }) => !ok).map(({ metric, expression }) => `${metric}: ${expression}`).sort());
      });
    });
  }

  it('gives each crossed threshold the value it compared, when k6 wrote it', () => {
    const expected = [
      { metric: 'checks', expression: 'rate>0.99', aggregation: 'rate', value: 0.6688741721854304 },
      // p(99.9) is not among the trend stats k6 writes by default.
      { metric: 'http_req_duration', expression: 'p(99.9)<1', aggregation: 'p(99.9)', value: undefined },
      { metric: 'http_req_failed', expression: 'rate<0.01', aggregation: 'rate', value: 0.33112582781456956 },
      { metric: 'http_reqs', expression: 'count>10000', aggregation: 'count', value: 151 },
    ];
    expect(summaryOf('fail.summary-export.json').crossed).to.deep.equal(expected);
    expect(summaryOf('fail.handle-summary.json').crossed).to.deep.equal(expected);
    expect(summaryOf('pass.summary-export.json').crossed).to.deep.equal([]);
  });

  it('holds the values k6 printed for the same run', () => {
    for (const run of RUNS.filter(({ format }) => format === 'summary-export')) {
      const { metrics } = summaryOf(run.summary);
      const compared = printedVerdicts(run.stdout).filter(({ metric, aggregation }) => metrics[metric]?.values[aggregation] !== undefined);
      expect(compared).to.have.length.above(3);
      for (const { metric, aggregation, value, precision } of compared) {
        expect(metrics[metric]?.values[aggregation], `${run.summary} ${metric} ${aggregation}`).to.be.closeTo(value, precision);
      }
    }
  });

  it("reads both forms into one shape: a legacy metric's type told by its values, a rate's share named rate", () => {
    const legacy = summaryOf('fail.summary-export.json').metrics;
    const modern = summaryOf('fail.handle-summary.json').metrics;
    expect(Object.keys(legacy)).to.deep.equal(Object.keys(modern));
    for (const [name, metric] of Object.entries(modern)) {
      expect(legacy[name]?.type, name).to.equal(metric.type);
      expect(Object.keys(legacy[name]?.values ?? {}).sort(), name).to.deep.equal(Object.keys(metric.values).sort());
    }
    expect(legacy['http_req_failed']).to.deep.equal({
      type: 'rate', values: { passes: 50, fails: 101, rate: 0.33112582781456956 }, thresholds: [{ expression: 'rate<0.01', ok: false }],
    });
    expect(legacy['vus']).to.deep.equal({ type: 'gauge', values: { min: 0, max: 0, value: 0 }, thresholds: [] });
    expect(modern['http_req_duration']?.thresholds).to.deep.equal([{ expression: 'p(95)<500', ok: true }, { expression: 'p(99.9)<1', ok: false }]);
    expect(Object.keys(modern).filter((name) => modern[name]?.type === 'trend')).to.include('http_req_duration{expected_response:true}');
  });

  describe("re-judging the scripts' thresholds with rebound's evaluator gives k6's verdicts", () => {
    for (const [script, summaryFile, stdout] of [['pass.js', 'pass.summary-export.json', 'pass.stdout.txt'], ['fail.js', 'fail.summary-export.json', 'fail.stdout.txt']] as const) {
      it(`${script} (${summaryFile})`, () => {
        const thresholdsBlock = SCRIPT_THRESHOLDS[script] ?? {};
        const source = read(script);
        for (const [key, expressions] of Object.entries(thresholdsBlock)) {
          expect(source, `${script} has ${key}`).to.include(key);
          for (const expression of expressions) expect(source).to.include(`'${expression}'`);
        }
        const summary = summaryOf(summaryFile);
        // k6 wrote each of the script's thresholds, and no other, into its summary.
        expect(Object.entries(thresholdsBlock).flatMap(([key, list]) => list.map((expression) => `${key}: ${expression}`)).sort())
          .to.deep.equal(verdictsOf(summary).map(([name]) => name));

        const types: Record<string, MetricType> = {};
        for (const [name, metric] of Object.entries(summary.metrics)) if (metric.type !== undefined && !name.includes('{')) types[name] = metric.type;
        const parsed = parseThresholds(thresholdsBlock, types);
        if (!parsed.ok) expect.fail(JSON.stringify(parsed.problems));

        const printed = printedVerdicts(stdout);
        const metrics: MetricSource = {
          metric(name, tags) {
            const entries = Object.entries(tags);
            const key = entries.length === 0 ? name : `${name}{${entries.map(([tag, value]) => `${tag}:${value}`).join(',')}}`;
            const metric = summary.metrics[key];
            const fallback = Object.fromEntries(printed.filter((line) => line.metric === key).map((line) => [line.aggregation, line.value]));
            return metric?.type === undefined ? undefined : metricFrom(metric, metric.type, fallback);
          },
        };
        const verdicts = evaluateThresholds(parsed.thresholds, metrics);
        expect(verdicts.every(({ unmeasured }) => unmeasured === undefined)).to.equal(true);
        expect(verdicts.map(({ metric, expression, ok }): [string, boolean] => [`${metric}: ${expression}`, ok]).sort(([a], [b]) => a.localeCompare(b)))
          .to.deep.equal(verdictsOf(summary));
      });
    }
  });

  describe('what is not a k6 summary', () => {
    const cases: [string, string, string][] = [
      ['empty text', '', 'not JSON ('],
      ['text', '█ THRESHOLDS', 'not JSON ('],
      ['a list', '[]', 'a k6 summary is a JSON object with a metrics field, not a list'],
      ['null', 'null', 'a k6 summary is a JSON object with a metrics field, not null'],
      ['no metrics', '{"root_group":{}}', 'no metrics field: expected the JSON of k6 --summary-export or of handleSummary(data)'],
      ['metrics not an object', '{"metrics":[1]}', 'metrics is a list, not an object of metrics'],
      ['a metric not an object', '{"metrics":{"http_reqs":5}}', 'metrics["http_reqs"] is a number, not an object'],
      ['a value not a number', '{"metrics":{"http_reqs":{"count":"151","rate":50}}}', 'metrics["http_reqs"]["count"] is a string, not a number'],
      ['a legacy verdict not a boolean', '{"metrics":{"http_reqs":{"count":1,"rate":1,"thresholds":{"count>1":"yes"}}}}', 'metrics["http_reqs"].thresholds["count>1"] is a string, not true (crossed) or false (passed)'],
      ['legacy thresholds not an object', '{"metrics":{"http_reqs":{"count":1,"rate":1,"thresholds":["count>1"]}}}', 'metrics["http_reqs"].thresholds is a list, not an object of expressions'],
      ['handleSummary values not an object', '{"metrics":{"http_reqs":{"type":"counter","values":null}}}', 'metrics["http_reqs"].values is null, not an object of numbers'],
      ['handleSummary value not a number', '{"metrics":{"http_reqs":{"type":"counter","values":{"count":true}}}}', 'metrics["http_reqs"].values["count"] is a boolean, not a number'],
      ['handleSummary verdict without ok', '{"metrics":{"http_reqs":{"type":"counter","values":{},"thresholds":{"count>1":true}}}}', 'metrics["http_reqs"].thresholds["count>1"] has no ok: true or false'],
      ['handleSummary unknown type', '{"metrics":{"http_reqs":{"type":"histogram","values":{}}}}', 'metrics["http_reqs"].type is "histogram", not one of counter, gauge, rate, trend'],
      ['both forms mixed', '{"metrics":{"a":{"type":"counter","values":{}},"b":{"count":1,"rate":1}}}', 'metrics mixes the two k6 formats'],
    ];
    for (const [what, text, error] of cases) {
      it(`says what is wrong with ${what}`, () => {
        const parsed = parseK6Summary(text);
        expect(parsed.ok).to.equal(false);
        expect(parsed.ok ? '' : parsed.error).to.include(error);
      });
    }

    it('passes a summary without thresholds, as k6 exits 0', () => {
      for (const text of ['{"metrics":{}}', '{"metrics":{},"state":{}}', '{"metrics":{"vus":{"value":1,"min":1,"max":1}}}']) {
        const parsed = parseK6Summary(text);
        expect(parsed.ok && {
          passed: parsed.summary.thresholdsPassed,
          crossed: parsed.summary.crossed,
        }).to.deep.equal({ passed: true, crossed: [] });
      }
      const modern = parseK6Summary('{"metrics":{},"state":{}}');
      expect(modern.ok && modern.summary.format).to.equal('handle-summary');
    });
  });
});

import { expect } from 'chai';
import fc from 'fast-check';
import {
  counterMetric, gaugeMetric, percentile, rateMetric, trendMetric, type Metric, type MetricSource, type MetricType,
} from '../../../harness/load/metric.js';
import {
  evaluateThresholds, parseThresholdExpression, parseThresholds, thresholdsToAbort, type Threshold, type ThresholdProblem,
} from '../../../harness/load/thresholds.js';

/** k6's built-in metrics a load reports, with their k6 types. */
const KNOWN: Readonly<Record<string, MetricType>> = {
  http_reqs: 'counter', http_req_failed: 'rate', http_req_duration: 'trend', checks: 'rate', vus: 'gauge', iterations: 'counter',
};

/** The thresholds of a block that must be valid. */
function thresholdsOf(block: unknown, known = KNOWN): readonly Threshold[] {
  const parsed = parseThresholds(block, known);
  if (!parsed.ok) expect.fail(`unexpected problems: ${JSON.stringify(parsed.problems)}`);
  return parsed.thresholds;
}

/** The problems of a block that must be invalid, as [path shown as k6 users read it, message]. */
function problemsOf(block: unknown, known = KNOWN): [string, string][] {
  const parsed = parseThresholds(block, known);
  if (parsed.ok) expect.fail(`expected problems for ${JSON.stringify(block)}`);
  return parsed.problems.map((problem: ThresholdProblem) => [
    problem.path.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`)).join(''),
    problem.message,
  ]);
}

/** Metrics by key as k6 writes it (`name{tag:value}`); remembers what it was asked for. */
function sourceOf(metrics: Readonly<Record<string, Metric>>): MetricSource & { readonly asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    metric(name, tags) {
      const entries = Object.entries(tags);
      const key = entries.length === 0 ? name : `${name}{${entries.map(([tag, value]) => `${tag}:${value}`).join(',')}}`;
      asked.push(key);
      return metrics[key];
    },
  };
}

const ONE_TO_TEN = [7, 3, 10, 1, 5, 2, 9, 4, 8, 6];

describe('load thresholds (k6 semantics)', () => {
  describe('expressions', () => {
    it('reads aggregation, operator and number, with spaces around the operator and at the ends', () => {
      const parsed = parseThresholdExpression(' p(99.9) <= 1.5 ');
      expect(parsed).to.deep.equal({
        ok: true,
        expression: { source: ' p(99.9) <= 1.5 ', method: 'p', percentile: 99.9, aggregation: 'p(99.9)', operator: '<=', bound: 1.5 },
      });
    });

    it('reads every operator k6 has, the longer before its prefix', () => {
      const cases: [string, string, number][] = [
        ['count<5', '<', 5], ['count<=5', '<=', 5], ['count>5', '>', 5], ['count>=5', '>=', 5],
        ['count==5', '==', 5], ['count===5', '===', 5], ['count!=5', '!=', 5],
      ];
      for (const [text, operator, bound] of cases) {
        const parsed = parseThresholdExpression(text);
        expect(parsed.ok && { operator: parsed.expression.operator, bound: parsed.expression.bound }, text).to.deep.equal({ operator, bound });
      }
    });

    it('reads every aggregation k6 has, and names a percentile as k6 does (p(99.90) is p(99.9))', () => {
      const cases: [string, string][] = [
        ['count>1', 'count'], ['rate<0.1', 'rate'], ['value>1', 'value'], ['avg<1', 'avg'], ['min<1', 'min'],
        ['max<1', 'max'], ['med<1', 'med'], ['p(95)<1', 'p(95)'], ['p(99.90)<1', 'p(99.9)'], ['p(0)<1', 'p(0)'], ['p(100)<1', 'p(100)'],
      ];
      for (const [text, aggregation] of cases) {
        const parsed = parseThresholdExpression(text);
        expect(parsed.ok && parsed.expression.aggregation, text).to.equal(aggregation);
      }
    });

    it("reads numbers as Go's ParseFloat does: signs, fractions, exponents", () => {
      const cases: [string, number][] = [['value>-1', -1], ['avg<1e3', 1000], ['rate<.5', 0.5], ['rate<+0.25', 0.25], ['avg<2.', 2]];
      for (const [text, bound] of cases) {
        const parsed = parseThresholdExpression(text);
        expect(parsed.ok && parsed.expression.bound, text).to.equal(bound);
      }
    });

    const invalid: [string, string][] = [
      ['p(95)', '`p(95)` has no comparison operator; write <aggregation> <operator> <number>, e.g. p(95)<500'],
      ['count=5', 'has no comparison operator (compare with ==, not =)'],
      ['<5', 'has no aggregation before `<`'],
      ['p(95)<', 'has no number after `<`'],
      ['p95<500', 'unknown aggregation `p95` in `p95<500`; write p(95)'],
      ['P(95)<500', 'unknown aggregation `P(95)` in `P(95)<500`; write p(95)'],
      ['average<200', 'unknown aggregation `average` in `average<200`; write avg'],
      ['AVG<200', 'write avg'],
      ['median<200', 'write med'],
      ['total>5', 'write count'],
      ['speed>5', 'unknown aggregation `speed` in `speed>5`; use one of count, rate, value, avg, min, max, med, p(N)'],
      ['p( 95 )<500', 'p(N) takes a number from 0 to 100 and nothing else; write p(95), without spaces'],
      ['p(abc)<500', 'p(N) takes a number from 0 to 100 and nothing else; e.g. p(95) or p(99.9)'],
      ['p(101)<500', '`p(101)` in `p(101)<500`: a percentile is from 0 to 100'],
      ['p(-1)<500', 'a percentile is from 0 to 100'],
      ['avg<500ms', '`500ms` in `avg<500ms` is not a number; write avg<500 (trend values are milliseconds)'],
      ['p(95)<2s', 'write p(95)<2000 (trend values are milliseconds)'],
      ['p(95)<1.5m', 'write p(95)<90000'],
      ['rate<1%', 'write rate<0.01 (a rate is a fraction from 0 to 1)'],
      ['rate<abc', '`abc` in `rate<abc` is not a number; write <aggregation> <operator> <number>'],
      ['avg<NaN', 'is not a number'],
      ['avg<Infinity', 'is not a number'],
      ['avg<1e999', '`1e999` in `avg<1e999` is too large a number'],
      ['avg <== 5', '`= 5` in `avg <== 5` is not a number'],
    ];
    for (const [text, message] of invalid) {
      it(`rejects ${JSON.stringify(text)}, saying what to write`, () => {
        const parsed = parseThresholdExpression(text);
        expect(parsed.ok).to.equal(false);
        expect(parsed.ok ? '' : parsed.message).to.include(message);
      });
    }
  });

  describe('blocks', () => {
    it('reads strings, the object form, sub-metric keys and their tags as k6 does', () => {
      const thresholds = thresholdsOf({
        http_req_failed: ['rate<0.01'],
        'http_req_duration{status:200}': ['p(95)<500', { threshold: 'p(99)<1000', abortOnFail: true, delayAbortEval: '1m30s' }],
        'http_req_duration{ phase : recovery , "method":\'GET\' }': [{ threshold: 'max<2000' }],
        'http_req_failed{name:http://x/y}': [{ threshold: 'rate==0', abortOnFail: false, delayAbortEval: 500 }],
        'http_req_duration{group:::api}': ['avg<100'],
        checks: [],
      });
      expect(thresholds.map(({ metric, name, tags, expression, abortOnFail, delayAbortEvalMs }) =>
        [metric, name, tags, expression.source, abortOnFail, delayAbortEvalMs])).to.deep.equal([
        ['http_req_failed', 'http_req_failed', {}, 'rate<0.01', false, undefined],
        ['http_req_duration{status:200}', 'http_req_duration', { status: '200' }, 'p(95)<500', false, undefined],
        ['http_req_duration{status:200}', 'http_req_duration', { status: '200' }, 'p(99)<1000', true, 90_000],
        ['http_req_duration{ phase : recovery , "method":\'GET\' }', 'http_req_duration', { phase: 'recovery', method: 'GET' }, 'max<2000', false, undefined],
        ['http_req_failed{name:http://x/y}', 'http_req_failed', { name: 'http://x/y' }, 'rate==0', false, 500],
        ['http_req_duration{group:::api}', 'http_req_duration', { group: '::api' }, 'avg<100', false, undefined],
      ]);
    });

    it('refuses what is not a block of lists', () => {
      const message = "thresholds must be an object of metric names to lists of expressions, e.g. { http_req_duration: ['p(95)<500'] }";
      for (const block of [null, ['p(95)<500'], 'p(95)<500', 5]) expect(problemsOf(block)).to.deep.equal([['', message]]);
      expect(problemsOf({ http_req_duration: 'p(95)<500' })).to.deep.equal([[
        'http_req_duration',
        "must be a list of expressions, e.g. ['p(95)<500'] or [{ threshold: 'p(95)<500', abortOnFail: true }]",
      ]]);
    });

    it('names an unknown metric, with the likely one or the known ones', () => {
      expect(problemsOf({ http_req_duraton: ['p(95)<500'] })).to.deep.equal([
        ['http_req_duraton', 'unknown metric `http_req_duraton`; did you mean http_req_duration?'],
      ]);
      expect(problemsOf({ 'latency{status:200}': ['p(95)<500'] })).to.deep.equal([[
        'latency{status:200}',
        'unknown metric `latency`; known metrics: checks, http_req_duration, http_req_failed, http_reqs, iterations, vus',
      ]]);
    });

    it("refuses an aggregation the metric's type does not have, listing those it has", () => {
      expect(problemsOf({
        http_req_failed: ['p(95)<1', 'rate<0.01'],
        http_reqs: ['avg<5'],
        vus: ['rate>1'],
        'http_req_duration{status:200}': ['count>1'],
        iterations: ['value>0'],
      })).to.deep.equal([
        ['http_req_failed[0]', '`p(95)` in `p(95)<1`: http_req_failed is a rate metric, whose aggregations are rate'],
        ['http_reqs[0]', '`avg` in `avg<5`: http_reqs is a counter metric, whose aggregations are count, rate'],
        ['vus[0]', '`rate` in `rate>1`: vus is a gauge metric, whose aggregations are value'],
        ['http_req_duration{status:200}[0]', '`count` in `count>1`: http_req_duration is a trend metric, whose aggregations are avg, min, max, med, p(N)'],
        ['iterations[0]', '`value` in `value>0`: iterations is a counter metric, whose aggregations are count, rate'],
      ]);
    });

    const keys: [string, string][] = [
      ['http_req_duration{status:200', '`http_req_duration{status:200` has a `{` without its `}`; write name{tag:value}, e.g. http_req_duration{status:200}'],
      ['http_req_duration}', 'has a `}` without its `{`'],
      ['http_req_duration}status:200{', 'has a `}` without its `{`'],
      ['http_req_duration{status:200}x', '`http_req_duration{status:200}x` must end with its `}`'],
      ['http_req_duration{}', '`http_req_duration{}` has an empty tag'],
      ['http_req_duration{status:200,}', 'has an empty tag'],
      ['http_req_duration{status}', '`http_req_duration{status}`: tag `status` has no value'],
      ['http_req_duration{status: }', 'tag `status` has no value'],
      ['http_req_duration{:200}', '`:200` has no tag name before `:`'],
      ['http_req_duration{a:1,a:2}', 'gives tag `a` twice; keep one'],
      ['http_req_duration {status:200}', 'has spaces around the metric name; write `http_req_duration{status:200}`'],
      [' http_reqs', 'has spaces around the metric name; write `http_reqs`'],
    ];
    for (const [key, message] of keys) {
      it(`refuses the metric key ${JSON.stringify(key)}`, () => {
        const problems = problemsOf({ [key]: ['avg<1'] });
        expect(problems).to.have.length(1);
        expect(problems[0]?.[0]).to.equal(key);
        expect(problems[0]?.[1]).to.include(message);
      });
    }

    it('refuses every wrong entry and field, each at its path', () => {
      expect(problemsOf({
        http_req_duration: [
          5,
          { abortOnFail: true },
          { threshold: 500 },
          { threshold: 'p(95)<500', abortOnFail: 'yes' },
          { threshold: 'p(95)<500', abortOnFail: true, delayAbortEval: '10' },
          { threshold: 'p(95)<500', abortOnFail: true, delayAbortEval: '-5s' },
          { threshold: 'p(95)<500', abortOnFail: true, delayAbortEval: -5 },
          { threshold: 'p(95)<500', abortOnFail: true, delayAbortEval: true },
          { threshold: 'p(95)<500', AbortonFail: true },
          { threshold: 'p(95)<500', delay: '10s' },
          'p(95)<500ms',
          null,
          { threshold: 'p(95)<500ms', abortOnFail: 'yes' },
        ],
      })).to.deep.equal([
        ['http_req_duration[0]', "must be an expression string such as 'p(95)<500', or { threshold: 'p(95)<500', abortOnFail: true }"],
        ['http_req_duration[1]', "has no `threshold`; write { threshold: 'p(95)<500', abortOnFail: true, delayAbortEval: '10s' }"],
        ['http_req_duration[2].threshold', "must be an expression string such as 'p(95)<500', or { threshold: 'p(95)<500', abortOnFail: true }"],
        ['http_req_duration[3].abortOnFail', 'abortOnFail must be true or false'],
        ['http_req_duration[4].delayAbortEval', 'delayAbortEval: `10` has no unit (write 10s or 10ms); expected a duration such as 500ms, 30s, 5m, 1h or 1m30s (units h, m, s, ms; decimals like 1.5s allowed)'],
        ['http_req_duration[5].delayAbortEval', 'delayAbortEval: negative duration `-5s` is not allowed; expected a duration such as 500ms, 30s, 5m, 1h or 1m30s (units h, m, s, ms; decimals like 1.5s allowed)'],
        ['http_req_duration[6].delayAbortEval', "delayAbortEval must not be negative; write a duration such as '10s'"],
        ['http_req_duration[7].delayAbortEval', "delayAbortEval must be a duration such as '10s' or '1m30s'"],
        ['http_req_duration[8].AbortonFail', 'unknown field `AbortonFail`; write abortOnFail'],
        ['http_req_duration[9].delay', 'unknown field `delay`; the fields are threshold, abortOnFail, delayAbortEval'],
        ['http_req_duration[10]', '`500ms` in `p(95)<500ms` is not a number; write p(95)<500 (trend values are milliseconds)'],
        ['http_req_duration[11]', "must be an expression string such as 'p(95)<500', or { threshold: 'p(95)<500', abortOnFail: true }"],
        ['http_req_duration[12].abortOnFail', 'abortOnFail must be true or false'],
        ['http_req_duration[12]', '`500ms` in `p(95)<500ms` is not a number; write p(95)<500 (trend values are milliseconds)'],
      ]);
    });

    it('reports the problems of every metric at once, expressions under an unknown metric included', () => {
      expect(problemsOf({ http_req_failed: ['rate<1%'], nope: ['avg<'], http_reqs: ['count>100'] }).map(([path]) => path))
        .to.deep.equal(['http_req_failed[0]', 'nope', 'nope[0]']);
    });
  });

  describe('evaluation', () => {
    it("computes k6's percentile: linear between the closest ranks, at pct * (n - 1)", () => {
      const trend = trendMetric(ONE_TO_TEN);
      expect(trend.value('p(95)')).to.be.closeTo(9.55, 1e-12);
      expect(trend.value('p(50)')).to.equal(5.5);
      expect(trend.value('med')).to.equal(5.5);
      expect(trend.value('p(90)')).to.be.closeTo(9.1, 1e-12);
      expect(trend.value('p(25)')).to.equal(3.25);
      expect(trend.value('p(0)')).to.equal(1);
      expect(trend.value('p(100)')).to.equal(10);
      expect(trendMetric([42]).value('p(1)')).to.equal(42);
      expect(percentile([15, 20, 35, 40, 50], 95)).to.be.closeTo(48, 1e-12);
    });

    it('judges a trend by each aggregation and operator, and gives what it measured', () => {
      const source = sourceOf({ http_req_duration: trendMetric(ONE_TO_TEN) });
      const verdicts = evaluateThresholds(thresholdsOf({
        http_req_duration: ['p(95)<9.6', 'p(95)<9.5', 'med==5.5', 'med===5.5', 'med!=5.5', 'avg>=5.5', 'avg>5.5', 'max<=10', 'min>1', 'p(50) > 5'],
      }), source);
      expect(verdicts.map(({ expression, aggregation, ok }) => [expression, aggregation, ok])).to.deep.equal([
        ['p(95)<9.6', 'p(95)', true], ['p(95)<9.5', 'p(95)', false], ['med==5.5', 'med', true], ['med===5.5', 'med', true],
        ['med!=5.5', 'med', false], ['avg>=5.5', 'avg', true], ['avg>5.5', 'avg', false], ['max<=10', 'max', true],
        ['min>1', 'min', false], ['p(50) > 5', 'p(50)', true],
      ]);
      expect(verdicts.map(({ value }) => value)).to.deep.equal([
        percentile(
          Float64Array.from(ONE_TO_TEN).sort(),
          95,
        ), percentile(Float64Array.from(ONE_TO_TEN).sort(), 95), 5.5, 5.5, 5.5, 5.5, 5.5, 10, 1, 5.5,
      ]);
      expect(verdicts.every(({ samples, unmeasured }) => samples === 10 && unmeasured === undefined)).to.equal(true);
    });

    it('compares floats exactly, as k6 does: p(95) of 1..10 is 9.549999999999999, not 9.55', () => {
      const source = sourceOf({ http_req_duration: trendMetric(ONE_TO_TEN) });
      const verdicts = evaluateThresholds(thresholdsOf({ http_req_duration: ['p(95)==9.55', 'p(95)<9.55', 'p(95)===9.549999999999999'] }), source);
      expect(verdicts.map(({ ok }) => ok)).to.deep.equal([false, true, true]);
    });

    it('judges rates, counters and gauges', () => {
      const source = sourceOf({
        http_req_failed: rateMetric(1, 100),
        checks: rateMetric(99, 100),
        http_reqs: counterMetric(150, 3),
        vus: gaugeMetric(10),
      });
      const verdicts = evaluateThresholds(thresholdsOf({
        http_req_failed: ['rate<0.01', 'rate<=0.01'],
        checks: ['rate>=0.99', 'rate>0.99'],
        http_reqs: ['count>100', 'count>=150', 'count==150', 'rate==50', 'rate>50'],
        vus: ['value==10', 'value<10'],
      }), source);
      expect(verdicts.map(({ expression, value, ok }) => [expression, value, ok])).to.deep.equal([
        ['rate<0.01', 0.01, false], ['rate<=0.01', 0.01, true],
        ['rate>=0.99', 0.99, true], ['rate>0.99', 0.99, false],
        ['count>100', 150, true], ['count>=150', 150, true], ['count==150', 150, true], ['rate==50', 50, true], ['rate>50', 50, false],
        ['value==10', 10, true], ['value<10', 10, false],
      ]);
    });

    it('asks the source for a sub-metric by name and tags, and reports it under its key', () => {
      const source = sourceOf({
        'http_req_duration{phase:recovery}': trendMetric([100, 300]),
        http_req_duration: trendMetric([1, 2]),
      });
      const [verdict] = evaluateThresholds(thresholdsOf({ 'http_req_duration{ phase:recovery }': ['p(50)<150'] }), source);
      expect(source.asked).to.deep.equal(['http_req_duration{phase:recovery}']);
      expect(verdict).to.deep.include({ metric: 'http_req_duration{ phase:recovery }', value: 200, ok: false, samples: 2 });
    });

    it('judges an empty trend, counter and gauge on 0, and passes an empty rate, as k6 does at the end of a test', () => {
      const source = sourceOf({
        http_req_duration: trendMetric([]), http_reqs: counterMetric(
          0,
          10,
        ), http_req_failed: rateMetric(0, 0), checks: rateMetric(0, 0), vus: gaugeMetric(0),
      });
      const verdicts = evaluateThresholds(thresholdsOf({
        http_req_duration: ['p(95)<500', 'avg>0', 'max==0'],
        http_reqs: ['count>0', 'rate<1'],
        http_req_failed: ['rate<0.01'],
        checks: ['rate>0.99'],
        vus: ['value<1'],
      }), source);
      expect(verdicts.map(({ expression, value, unmeasured, ok }) => [expression, value, unmeasured, ok])).to.deep.equal([
        ['p(95)<500', 0, undefined, true], ['avg>0', 0, undefined, false], ['max==0', 0, undefined, true],
        ['count>0', 0, undefined, false], ['rate<1', 0, undefined, true],
        ['rate<0.01', undefined, 'no-samples', true],
        ['rate>0.99', undefined, 'no-samples', true],
        ['value<1', 0, undefined, true],
      ]);
    });

    it('fails a threshold whose metric the source lacks, or whose aggregation the metric lacks', () => {
      const thresholds = thresholdsOf({ http_req_duration: ['p(95)<500'], http_reqs: ['count>1'] });
      const verdicts = evaluateThresholds(thresholds, sourceOf({ http_reqs: trendMetric([1]) }));
      expect(verdicts.map(({ value, unmeasured, ok }) => [value, unmeasured, ok])).to.deep.equal([
        [undefined, 'no-metric', false], [undefined, 'unsupported-aggregation', false],
      ]);
    });

    it('carries abortOnFail and delayAbortEval into each verdict', () => {
      const [verdict] = evaluateThresholds(
        thresholdsOf({ http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true, delayAbortEval: '10s' }] }),
        sourceOf({ http_req_failed: rateMetric(1, 2) }),
      );
      expect(verdict).to.deep.equal({
        metric: 'http_req_failed', expression: 'rate<0.1', aggregation: 'rate', value: 0.5, unmeasured: undefined, samples: 2,
        ok: false, abortOnFail: true, delayAbortEvalMs: 10_000,
      });
    });
  });

  describe('aborting during a load', () => {
    const thresholds = thresholdsOf({
      http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true, delayAbortEval: '10s' }, 'rate<0.2'],
      http_req_duration: [{ threshold: 'p(95)<500', abortOnFail: true }, { threshold: 'avg>1', abortOnFail: true }],
      checks: [{ threshold: 'rate>0.9', abortOnFail: true }],
    });
    const crossedAt = (source: MetricSource, elapsedMs: number): string[] =>
      thresholdsToAbort(thresholds, source, elapsedMs).map(({ metric, expression }) => `${metric}: ${expression}`);

    it('aborts on a crossed abortOnFail threshold once its delayAbortEval has passed, strictly', () => {
      const source = sourceOf({ http_req_failed: rateMetric(5, 10), http_req_duration: trendMetric([100, 200]), checks: rateMetric(10, 10) });
      expect(crossedAt(source, 0)).to.deep.equal([]);
      expect(crossedAt(source, 10_000)).to.deep.equal([]);
      expect(crossedAt(source, 10_001)).to.deep.equal(['http_req_failed: rate<0.1']);
    });

    it('aborts at once without delayAbortEval, and never for a threshold without abortOnFail', () => {
      const source = sourceOf({ http_req_failed: rateMetric(3, 20), http_req_duration: trendMetric([600, 900]), checks: rateMetric(1, 10) });
      expect(crossedAt(source, 0)).to.deep.equal(['http_req_duration: p(95)<500', 'checks: rate>0.9']);
    });

    it('skips metrics without samples while running (an empty trend would cross avg>1)', () => {
      const source = sourceOf({ http_req_failed: rateMetric(0, 0), http_req_duration: trendMetric([]), checks: rateMetric(0, 0) });
      expect(crossedAt(source, 60_000)).to.deep.equal([]);
      expect(evaluateThresholds(thresholds, source).filter(({ ok }) => !ok).map(({ expression }) => expression)).to.deep.equal(['avg>1']);
    });
  });

  describe('properties', () => {
    const sample = fc.array(fc.integer({ min: -1_000_000, max: 1_000_000 }), { minLength: 1, maxLength: 60 });
    const pct = fc.double({ min: 0, max: 100, noNaN: true });

    it('a percentile lies within [min, max], p(0) is min, p(100) is max, and it grows with pct', () => {
      fc.assert(fc.property(sample, pct, pct, (values, a, b) => {
        const sorted = Float64Array.from(values).sort();
        const min = Math.min(...values);
        const max = Math.max(...values);
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(percentile(sorted, low)).to.be.within(min, max);
        expect(percentile(sorted, low)).to.be.at.most(percentile(sorted, high));
        expect(percentile(sorted, 0)).to.equal(min);
        expect(percentile(sorted, 100)).to.equal(max);
      }));
    });

    it('a p(N) threshold holds exactly when the percentile compares so; == and === agree; != is their negation', () => {
      const whole = fc.integer({ min: 0, max: 100 });
      fc.assert(fc.property(sample, whole, fc.integer({ min: -1_000_000, max: 1_000_000 }), (values, n, bound) => {
        const p = percentile(Float64Array.from(values).sort(), n);
        const source = sourceOf({ http_req_duration: trendMetric(values) });
        const verdicts = evaluateThresholds(thresholdsOf({
          http_req_duration: [`p(${n})<${bound}`, `p(${n})>=${bound}`, `p(${n})==${bound}`, `p(${n})===${bound}`, `p(${n})!=${bound}`],
        }), source);
        const [less, atLeast, equal, strict, differ] = verdicts.map(({ ok }) => ok);
        expect(less).to.equal(p < bound);
        expect(atLeast).to.equal(!less);
        expect(strict).to.equal(equal);
        expect(differ).to.equal(!equal);
        expect(verdicts.every(({ value }) => value === p)).to.equal(true);
      }));
    });
  });
});

import { expect } from 'chai';
import { compareRuns } from '../../../harness/compare/compare.js';
import { compareDisruptionLoad } from '../../../harness/compare/disruption-load.js';
import { environmentWarnings } from '../../../harness/compare/environment.js';
import { parseMaxRegression } from '../../../harness/compare/options.js';
import { bootstrapRatioOfMedians, mannWhitneyU } from '../../../harness/compare/statistics.js';
import { LOCAL_ENVIRONMENT, runOf, scenarioOf, type TrialSpec } from './support.js';

// The recovery-time verdict at each of its bounds: a p exactly at alpha, a median ratio exactly at the allowance or
// at 1, an interval whose end is exactly 1. Each case is built so that the bound itself decides (the samples are
// chosen so that a third or more of the bootstrap medians fall on the tied value, which puts that end of the
// interval exactly on it), and each is a verdict or a reason a user would read differently off by one.
const OPTIONS = { maxRegression: 0.1, alpha: 0.05, seed: 3, resamples: 500 };
const times = (value: number, count: number): number[] => Array.from({ length: count }, () => value);
const scenario = (b: TrialSpec[], c: TrialSpec[], options: Partial<typeof OPTIONS> = {}) =>
  compareRuns(runOf([scenarioOf('web', b)]), runOf([scenarioOf('web', c)]), { ...OPTIONS, ...options }).scenarios[0];

describe('compareRuns: the recovery-time verdict at its bounds', () => {
  it('does not call a p exactly at alpha significant', () => {
    const b = [1000, 1010, 1020, 1030, 1040];
    const c = [1030, 1050, 1060, 1070, 1080];
    const p = mannWhitneyU(c, b).p;
    const at = scenario(b, c, { alpha: p });
    expect(at?.verdict).to.equal('unchanged');
    expect(at?.reason).to.match(/^no significant difference: /);
    expect(scenario(b, c, { alpha: p * 1.001, maxRegression: 0 })?.reason).to.not.match(/^no significant difference/);
  });

  it('lets a median ratio exactly at the allowance pass as slower within it, interval above 1 or not', () => {
    const tight = scenario([990, 995, 1000, 1005, 1010], [1490, 1495, 1500, 1505, 1510], { maxRegression: 0.5 });
    expect(tight?.ratio?.estimate).to.equal(1.5);
    expect(tight?.ratio?.lower).to.be.above(1);
    expect(tight?.verdict).to.equal('unchanged');
    expect(tight?.reason).to.match(/^slower, within the allowed x1\.50 \(\+50%\): median x1\.50 /);
    const loose = scenario(times(100, 9), [...times(100, 4), ...times(150, 5)], { maxRegression: 0.5 });
    expect(loose?.ratio).to.deep.include({ estimate: 1.5, lower: 1 });
    expect(loose?.reason).to.equal('slower, within the allowed x1.50 (+50%): median x1.50 [1.00, 1.50], p = 0.012');
  });

  it('does not call a regression whose interval starts exactly at 1', () => {
    const result = scenario(times(100, 9), [...times(100, 4), ...times(200, 5)]);
    expect(result?.ratio).to.deep.include({ estimate: 2, lower: 1 });
    expect(result?.verdict).to.equal('unchanged');
    expect(result?.reason).to.equal('the ranks differ significantly but the 95% interval of the median ratio includes 1: median x2.00 [1.00, 2.00], p = 0.012; more trials would settle it');
  });

  it('does not call an improvement whose interval ends exactly at 1, nor a slowdown', () => {
    const result = scenario([...times(100, 4), ...times(200, 5)], times(100, 9));
    expect(result?.ratio).to.deep.include({ estimate: 0.5, upper: 1 });
    expect(result?.verdict).to.equal('unchanged');
    expect(result?.reason).to.match(/^the ranks differ significantly but the 95% interval of the median ratio includes 1: median x0\.50 \[0\.50, 1\.00\]/);
  });

  it('does not call equal medians slower, however the ranks differ', () => {
    const result = scenario([50, 60, 70, 100, 100, 100, 100, 100, 100], [100, 100, 100, 100, 100, 130, 140, 150, 160]);
    expect(result?.ratio?.estimate).to.equal(1);
    expect(result?.reason).to.match(/^the ranks differ significantly but the 95% interval of the median ratio includes 1: median x1\.00 /);
  });

  it('gives every load regression\'s reason, one after the other', () => {
    const loaded = (failed: number, p95Ms: number): TrialSpec => ({ recoveryTimeMs: 1000, load: { errorBudget: { failed, p95Ms } } });
    const result = scenario([1, 2, 3, 4].map((i) => loaded(i, 10 + i)), [1, 2, 3, 4].map((i) => loaded(50 + i, 100 + i)));
    expect(result?.verdict).to.equal('regressed');
    expect(result?.reason).to.match(/^failed requests during the disruption: more beyond .+; p95 latency during the disruption \(ms\): more beyond .+ \(recovery time: /);
  });
});

describe('compare under load: a figure only the candidate has, equal medians', () => {
  const settings = { maxRegression: 0.1, alpha: 0.05 };
  it('reports a figure only the candidate measured, as inconclusive', () => {
    const c: TrialSpec[] = [1, 2, 3, 4].map((f) => ({ recoveryTimeMs: 1000, load: { errorBudget: { failed: f, p95Ms: null } } }));
    const result = compareDisruptionLoad(scenarioOf('web', [1000, 1000]), scenarioOf('web', c), settings);
    expect(result.map((l) => [l.figure, l.verdict, l.baselineMedian, l.candidateMedian]))
      .to.deep.equal([['failedRequests', 'inconclusive', null, 2.5]]);
  });

  it('does not call equal medians fewer, however the ranks differ', () => {
    const trials = (failed: number[]): TrialSpec[] =>
      failed.map((f) => ({ recoveryTimeMs: 1000, load: { errorBudget: { failed: f, p95Ms: null } } }));
    const result = compareDisruptionLoad(
      scenarioOf('web', trials([100, 100, 100, 100, 100, 130, 140, 150, 160])),
      scenarioOf('web', trials([50, 60, 70, 100, 100, 100, 100, 100, 100])),
      settings,
    )[0];
    expect(result?.test?.p).to.be.below(0.05);
    expect([result?.baselineMedian, result?.candidateMedian, result?.verdict]).to.deep.equal([100, 100, 'unchanged']);
    expect(result?.reason).to.match(/^failed requests during the disruption: within the allowance: /);
  });
});

describe('compare: the rest of the environment warnings, and the options\' words', () => {
  const machine = (cpus: number, loadAverage: number[]) => ({ ...LOCAL_ENVIRONMENT, machine: { ...LOCAL_ENVIRONMENT.machine, cpus, loadAverage } });

  it('says why each difference matters', () => {
    const other = { ...LOCAL_ENVIRONMENT, provider: 'kind', reboundVersion: '0.2.0', nodeCount: 5 };
    expect(environmentWarnings(LOCAL_ENVIRONMENT, other)).to.deep.equal([
      'provider differs: local (baseline) vs kind (candidate): different clusters heal at different speeds',
      'rebound version differs: 0.1.0 (baseline) vs 0.2.0 (candidate): how recovery is measured may have changed',
      'node count differs: 3 (baseline) vs 5 (candidate): scheduling and eviction depend on it',
    ]);
  });

  it('lists timings in name order, and compares load only when both runs have it per CPU', () => {
    const timed = (timings: Record<string, number>) => ({ ...LOCAL_ENVIRONMENT, timings });
    expect(environmentWarnings(timed({ zeta: 1, alpha: 1 }), timed({ alpha: 2, zeta: 2 })).map((w) => w.split(' ')[1])).to.deep.equal(['alpha', 'zeta']);
    expect(environmentWarnings(machine(2, []), machine(2, [9]))).to.deep.equal([]);
    expect(environmentWarnings(machine(0, [9]), machine(2, [1]))).to.deep.equal(['CPU count differs: 0 (baseline) vs 2 (candidate): the machines differ']);
  });

  it('names a fraction with text around it not a percentage', () => {
    for (const bad of ['x0.1', '0.1x']) {
      expect(() => parseMaxRegression(bad), bad).to.throw(`--max-regression ${bad}: not a percentage; write for example 10% (or the fraction 0.1), never negative`);
    }
  });
});

describe('compare statistics: interval ends', () => {
  const options = { seed: 7, stream: 'web', confidence: 0.95 };
  it('interpolates between resampled ratios (R-7), not to the nearest one', () => {
    const b = [1000, 2000, 3000];
    const c = [1500, 2500, 4000];
    const wide = bootstrapRatioOfMedians(b, c, { ...options, confidence: 0.999, resamples: 2 });
    const narrow = bootstrapRatioOfMedians(b, c, { ...options, resamples: 2 });
    expect(wide.upper).to.be.above(wide.lower);
    expect(narrow.lower).to.be.above(wide.lower);
    expect(narrow.upper).to.be.below(wide.upper);
  });

  it('takes the nearest resampled ratio where one is unbounded', () => {
    const one = bootstrapRatioOfMedians([0], [3000], { ...options, resamples: 1 });
    expect(one).to.deep.include({ estimate: Infinity, lower: Infinity, upper: Infinity });
    expect(bootstrapRatioOfMedians([0], [3000], { ...options, resamples: 3 })).to.deep.include({ lower: Infinity, upper: Infinity });
  });
});

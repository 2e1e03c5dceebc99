import { expect } from 'chai';
import { compareDisruptionLoad } from '../../../harness/compare/disruption-load.js';
import { parseAlpha, parseMaxRegression } from '../../../harness/compare/options.js';
import { mannWhitneyU, smallestPValue } from '../../../harness/compare/statistics.js';
import { scenarioOf, type TrialSpec } from './support.js';

// The load figures' verdicts at their exact bounds (a p equal to alpha, a median exactly at the allowance), which
// trials count, and the spellings of the options with more than one digit: each is a verdict or a setting a user
// would read differently if the comparison were off by one.
describe('compare under load: at the bounds', () => {
  type Verdict = 'PASS' | 'FAIL' | 'ERROR' | 'ABORTED' | 'SKIPPED';
  const trials = (failed: number[], verdict: Verdict = 'PASS'): TrialSpec[] =>
    failed.map((f) => ({ verdict, recoveryTimeMs: 1000, load: { errorBudget: { failed: f, p95Ms: null } } }));
  const failedRequests = (b: TrialSpec[], c: TrialSpec[], settings: { maxRegression: number; alpha: number }) =>
    compareDisruptionLoad(scenarioOf('web', b), scenarioOf('web', c), settings)[0];

  it('is inconclusive when the smallest p the sample sizes allow is exactly alpha', () => {
    const alpha = smallestPValue(4, 4);
    const result = failedRequests(trials([1, 2, 3, 4]), trials([50, 51, 52, 53]), { maxRegression: 0.1, alpha });
    expect(result).to.deep.include({ verdict: 'inconclusive', test: null });
    expect(result?.reason).to.match(/^failed requests during the disruption: too few trials \(4 baseline, 4 candidate\)/);
  });

  it('does not call a p exactly at alpha significant', () => {
    const b = [1, 2, 3, 4, 5];
    const c = [4, 6, 7, 8, 9];
    const p = mannWhitneyU(c, b).p;
    expect(p).to.be.greaterThan(smallestPValue(5, 5));
    const atAlpha = failedRequests(trials(b), trials(c), { maxRegression: 0.1, alpha: p });
    expect(atAlpha?.verdict).to.equal('unchanged');
    expect(atAlpha?.reason).to.match(/: no significant difference: median 3 -> 7, /);
    // Just above it, the same samples are a regression.
    expect(failedRequests(trials(b), trials(c), { maxRegression: 0.1, alpha: p * 1.001 })?.verdict).to.equal('regressed');
  });

  it('lets a median exactly at the allowance pass, and one just above it regress', () => {
    const settings = { maxRegression: 0.5, alpha: 0.05 };
    const at = failedRequests(trials([99, 100, 100, 101]), trials([149, 150, 150, 151]), settings);
    expect(at?.verdict).to.equal('unchanged');
    expect(at?.reason).to.match(/: within the allowance: median 100 -> 150, /);
    expect(failedRequests(trials([99, 100, 100, 101]), trials([150, 151, 151, 152]), settings)?.verdict).to.equal('regressed');
  });

  it('leaves out the load figures of ABORTED and SKIPPED trials, keeps FAIL ones', () => {
    const settings = { maxRegression: 0.1, alpha: 0.05 };
    const candidate = [...trials([900, 901], 'ABORTED'), ...trials([902], 'SKIPPED'), ...trials([7], 'FAIL'), ...trials([5, 6])];
    const result = failedRequests(trials([1, 2, 3, 4]), candidate, settings);
    expect(result?.candidate).to.deep.equal([7, 5, 6]);
    expect(result?.verdict).to.equal('inconclusive');
    // Nothing but ABORTED and SKIPPED trials on both sides: no load figure to compare at all.
    expect(compareDisruptionLoad(scenarioOf('web', trials([1, 2], 'ABORTED')), scenarioOf('web', trials([3], 'SKIPPED')), settings)).to.deep.equal([]);
  });
});

describe('compare options: numbers of several digits', () => {
  it('reads each part of a percentage or a fraction whole', () => {
    expect(parseAlpha('12.5%')).to.be.closeTo(0.125, 1e-12);
    expect(parseAlpha('2.25%')).to.be.closeTo(0.0225, 1e-12);
    expect(parseAlpha('.25%')).to.be.closeTo(0.0025, 1e-12);
    expect(parseAlpha('00.05')).to.equal(0.05);
    expect(parseMaxRegression('.25%')).to.be.closeTo(0.0025, 1e-12);
    expect(parseMaxRegression('00.5')).to.equal(0.5);
  });
});

import { expect } from 'chai';
import {
  moreFailuresP,
  bootstrapRatioOfMedians,
  mannWhitneyU,
  minimumSampleSize,
  smallestPValue,
} from '../../../harness/compare/statistics.js';
import { noisy } from './support.js';

// Reference values: scipy 1.17.1, scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method=..., use_continuity=True),
// computed once by hand (the tests do not run Python). statistic is U of x.
const EXACT = [
  { name: 'A', x: [1.2, 3.4, 5.6, 2.1], y: [7.8, 6.5, 9.1, 8.2, 4.4], u: 1, p: 0.031746031746031744 },
  { name: 'B: 4 wholly below 4', x: [1, 2, 3, 4], y: [5, 6, 7, 8], u: 0, p: 0.02857142857142857 },
  { name: 'C: 3 wholly below 3', x: [1, 2, 3], y: [4, 5, 6], u: 0, p: 0.1 },
  {
    name: 'E: 10 against 12',
    x: [2.1, 3.3, 4.7, 5.2, 6.8, 7.1, 8.4, 9.9, 10.5, 11.2],
    y: [4.0, 5.9, 6.1, 7.7, 8.8, 9.4, 10.1, 12.3, 13.6, 14.2, 15.8, 16.4],
    u: 32,
    p: 0.06915066357790817,
  },
  // x = range(1, 41, 2), y = [v + 0.5 for v in range(10, 60, 2)]
  { name: 'H: 20 against 25', x: Array.from({ length: 20 }, (_, i) => 1 + 2 * i), y: Array.from({ length: 25 }, (_, i) => 10.5 + 2 * i), u: 120, p: 0.002495927820404439 },
];

// method='asymptotic': normal approximation with tie correction and continuity correction.
const WITH_TIES = [
  { name: 'D', x: [1, 2, 2, 3, 4], y: [2, 3, 3, 5, 6, 6], u: 6, p: 0.1130499788563229 },
  {
    name: 'F: recovery times in ms',
    x: [1200, 1350, 1350, 1420, 1500, 1610, 1700, 1700, 1850, 2100],
    y: [1500, 1620, 1700, 1790, 1850, 1850, 1990, 2200, 2350, 2600],
    u: 18.5,
    p: 0.018660759324487613,
  },
];

describe('compare statistics: Mann-Whitney U', () => {
  for (const c of EXACT) {
    it(`gives scipy's exact p without ties (${c.name})`, () => {
      const result = mannWhitneyU(c.x, c.y);
      expect(result).to.deep.include({ u: c.u, method: 'exact', ties: false });
      expect(result.p).to.be.closeTo(c.p, 1e-12);
    });
  }

  for (const c of WITH_TIES) {
    it(`gives scipy's asymptotic p with tie and continuity correction when values tie (${c.name})`, () => {
      const result = mannWhitneyU(c.x, c.y);
      expect(result).to.deep.include({ u: c.u, method: 'normal', ties: true });
      // simple-statistics' erf is accurate to about 1e-7 relative.
      expect(result.p).to.be.closeTo(c.p, c.p * 1e-6);
    });
  }

  it('uses the normal approximation beyond 2500 pairs, close to the exact value', () => {
    // scipy: mannwhitneyu(range(0, 102, 2), [v + 0.5 for v in range(3, 106, 2)], method='asymptotic') -> U 1225, p 0.5073894825263028
    const x = Array.from({ length: 51 }, (_, i) => 2 * i);
    const y = Array.from({ length: 52 }, (_, i) => 3.5 + 2 * i);
    const result = mannWhitneyU(x, y);
    expect(result).to.deep.include({ u: 1225, method: 'normal', ties: false });
    expect(result.p).to.be.closeTo(0.5073894825263028, 1e-6);
  });

  it('gives p = 1 when every value is the same', () => {
    // scipy gives 1.0 for [5, 5, 5] against [5, 5, 5, 5] with either method.
    expect(mannWhitneyU([5, 5, 5], [5, 5, 5, 5])).to.deep.include({ u: 6, p: 1, ties: true });
  });

  it('is symmetric: swapping the samples mirrors U and keeps p', () => {
    for (const c of [...EXACT, ...WITH_TIES]) {
      const forward = mannWhitneyU(c.x, c.y);
      const backward = mannWhitneyU(c.y, c.x);
      expect(backward.u).to.equal(c.x.length * c.y.length - forward.u);
      expect(backward.p).to.be.closeTo(forward.p, 1e-12);
    }
  });

  it('refuses an empty sample', () => {
    expect(() => mannWhitneyU([], [1, 2])).to.throw(RangeError);
  });
});

describe('compare statistics: Fisher\'s exact test of recovering less often', () => {
  it('gives the hypergeometric tail: 1/70 for 4 of 4 failed against 0 of 4, 1/6 for 2 against 0 of 2', () => {
    expect(moreFailuresP({ failed: 0, total: 4 }, { failed: 4, total: 4 })).to.be.closeTo(1 / 70, 1e-12);
    expect(moreFailuresP({ failed: 0, total: 2 }, { failed: 2, total: 2 })).to.be.closeTo(1 / 6, 1e-12);
    expect(moreFailuresP({ failed: 0, total: 3 }, { failed: 3, total: 3 })).to.be.closeTo(1 / 20, 1e-12);
  });

  it('matches a textbook table (one-sided, 1 of 10 against 7 of 10: p = 0.0099)', () => {
    expect(moreFailuresP({ failed: 1, total: 10 }, { failed: 7, total: 10 })).to.be.closeTo(0.009883, 1e-5);
  });

  it('is 1 when the candidate failed no more than chance allows the other way', () => {
    expect(moreFailuresP({ failed: 3, total: 5 }, { failed: 0, total: 5 })).to.equal(1);
  });
});

describe('compare statistics: how many trials a test needs', () => {
  it('knows the smallest possible two-sided p: 2 / C(n+m, n)', () => {
    expect(smallestPValue(3, 3)).to.be.closeTo(0.1, 1e-15);
    expect(smallestPValue(4, 4)).to.be.closeTo(2 / 70, 1e-15);
    expect(smallestPValue(2, 10)).to.be.closeTo(2 / 66, 1e-15);
    expect(smallestPValue(1, 1)).to.equal(1);
    expect(smallestPValue(0, 5)).to.equal(1);
  });

  it('gives the smallest equal n per side that can reach p < alpha', () => {
    // 2/C(6,3) = 0.1, 2/C(8,4) = 0.0286, 2/C(10,5) = 0.0079, 2/C(12,6) = 0.0022, 2/C(14,7) = 0.00058
    expect(minimumSampleSize(0.05)).to.equal(4);
    expect(minimumSampleSize(0.01)).to.equal(5);
    expect(minimumSampleSize(0.001)).to.equal(7);
    // p < alpha is strict: 3 against 3 gives exactly 0.1.
    expect(minimumSampleSize(0.1)).to.equal(4);
    expect(minimumSampleSize(0.2)).to.equal(3);
  });

  it('refuses an alpha outside (0, 1)', () => {
    expect(() => minimumSampleSize(0)).to.throw(RangeError);
    expect(() => minimumSampleSize(1)).to.throw(RangeError);
  });
});

describe('compare statistics: bootstrap interval of the ratio of medians', () => {
  const baseline = noisy(1, 'baseline', 12, 2000);
  const candidate = noisy(1, 'candidate', 12, 2600);
  // 1,000 resamples keep these quick (a mutation run repeats them per mutant); one test draws the default 10,000.
  const options = { seed: 7, stream: 'web', confidence: 0.95, resamples: 1000 };

  it('is reproducible with a seed, and moves with the seed or the stream', () => {
    const first = bootstrapRatioOfMedians(baseline, candidate, options);
    expect(bootstrapRatioOfMedians(baseline, candidate, options)).to.deep.equal(first);
    const reseeded = bootstrapRatioOfMedians(baseline, candidate, { ...options, seed: 8 });
    const restreamed = bootstrapRatioOfMedians(baseline, candidate, { ...options, stream: 'db' });
    expect([reseeded.lower, reseeded.upper]).to.not.deep.equal([first.lower, first.upper]);
    expect([restreamed.lower, restreamed.upper]).to.not.deep.equal([first.lower, first.upper]);
    expect(reseeded.estimate).to.equal(first.estimate);
  });

  it('takes the point estimate from the medians and contains it', () => {
    const interval = bootstrapRatioOfMedians([1000, 2000, 3000], [1500, 3000, 4500], options);
    expect(interval.estimate).to.equal(1.5);
    for (const seed of [1, 2, 3, 4, 5]) {
      const i = bootstrapRatioOfMedians(baseline, candidate, { ...options, seed });
      expect(i.lower).to.be.at.most(i.estimate);
      expect(i.upper).to.be.at.least(i.estimate);
      expect(i).to.deep.include({ confidence: 0.95, resamples: 1000 });
    }
    const byDefault = bootstrapRatioOfMedians(baseline, candidate, { seed: 7, stream: 'web', confidence: 0.95 });
    expect(byDefault).to.deep.include({ confidence: 0.95, resamples: 10_000 });
    expect(byDefault.lower).to.be.at.most(byDefault.estimate);
    expect(byDefault.upper).to.be.at.least(byDefault.estimate);
  });

  it('is wider for smaller samples and for higher confidence', () => {
    const width = (i: { lower: number; upper: number }): number => i.upper - i.lower;
    const many = bootstrapRatioOfMedians(noisy(2, 'b', 60, 2000, 0.3), noisy(2, 'c', 60, 2000, 0.3), options);
    const few = bootstrapRatioOfMedians(noisy(2, 'b', 6, 2000, 0.3), noisy(2, 'c', 6, 2000, 0.3), options);
    expect(width(few)).to.be.greaterThan(width(many));
    const ninety = bootstrapRatioOfMedians(baseline, candidate, { ...options, confidence: 0.9 });
    const ninetyNine = bootstrapRatioOfMedians(baseline, candidate, { ...options, confidence: 0.99 });
    expect(width(ninetyNine)).to.be.greaterThan(width(ninety));
  });

  it('is a single point when each side has one value, and unbounded over a baseline of 0', () => {
    expect(bootstrapRatioOfMedians([2000], [3000], options)).to.deep.include({ estimate: 1.5, lower: 1.5, upper: 1.5 });
    expect(bootstrapRatioOfMedians([0], [3000], options)).to.deep.include({ estimate: Infinity, upper: Infinity });
  });
});

describe('compare statistics: edges', () => {
  const options = { seed: 7, stream: 'web', confidence: 0.95, resamples: 200 };

  it('uses the exact distribution up to 2500 pairs, 50 against 50 included', () => {
    const x = Array.from({ length: 50 }, (_, i) => 2 * i);
    const y = Array.from({ length: 50 }, (_, i) => 2 * i + 1);
    expect(mannWhitneyU(x, y).method).to.equal('exact');
    expect(mannWhitneyU([...x, 101], y).method).to.equal('normal');
    expect(mannWhitneyU([5, 5, 5], [5, 5, 5, 5]).method).to.equal('normal');
  });

  it('says why it refuses', () => {
    expect(() => mannWhitneyU([1], [])).to.throw(RangeError, 'the Mann-Whitney U test needs at least one value in each sample');
    expect(() => minimumSampleSize(1.5)).to.throw(RangeError, 'alpha must be between 0 and 1, not 1.5');
    expect(() => bootstrapRatioOfMedians([], [1], options)).to.throw(RangeError, 'a ratio of medians needs at least one value on each side');
    expect(() => bootstrapRatioOfMedians([1], [], options)).to.throw(RangeError, 'a ratio of medians needs at least one value on each side');
    for (const confidence of [0, 1, -0.5, 1.5]) {
      expect(() => bootstrapRatioOfMedians([1], [1], { ...options, confidence })).to.throw(RangeError, `confidence must be between 0 and 1, not ${confidence}`);
    }
    for (const resamples of [0, 1.5, -1]) {
      expect(() => bootstrapRatioOfMedians([1], [1], { ...options, resamples })).to.throw(RangeError, `resamples must be a positive integer, not ${resamples}`);
    }
  });

  it('draws exactly the resamples asked: one gives a single ratio', () => {
    const one = bootstrapRatioOfMedians([1000, 2000, 3000], [1500, 2500, 4000], { ...options, resamples: 1 });
    expect(one.lower).to.equal(one.upper);
    expect(one.resamples).to.equal(1);
  });

  it('calls two medians of 0 no change, and keeps an interval that reaches Infinity by nearest rank', () => {
    expect(bootstrapRatioOfMedians([0], [0], options)).to.deep.include({ estimate: 1, lower: 1, upper: 1 });
    // Resampled, the baseline's median is 0 in about a quarter of the draws: the top of the interval is unbounded,
    // the bottom a finite ratio.
    const mixed = bootstrapRatioOfMedians([0, 1000], [1000], options);
    expect(mixed.upper).to.equal(Infinity);
    expect(mixed.lower).to.equal(1);
    expect(mixed.estimate).to.equal(2);
  });

  it('gives Fisher\'s exact p for runs of thousands of trials, scaled down to a double', () => {
    const p = moreFailuresP({ failed: 500, total: 1000 }, { failed: 600, total: 1000 });
    expect(p).to.be.above(0).and.below(1e-4);
    expect(moreFailuresP({ failed: 600, total: 1000 }, { failed: 600, total: 1000 })).to.be.within(0.4, 0.6);
  });
});

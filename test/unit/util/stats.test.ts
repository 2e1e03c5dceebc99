import { expect } from 'chai';
import { percentile, summarize } from '../../../harness/util/stats.js';

describe('statistics of recovery times', () => {
  it('summarizes a sample: min, median, p95 (linear between closest ranks), max, mean', () => {
    expect(summarize([3000, 1000, 2000])).to.deep.equal({ count: 3, min: 1000, median: 2000, p95: 2900, max: 3000, mean: 2000 });
    const four = summarize([4, 1, 3, 2]);
    expect(four).to.deep.include({ median: 2.5, mean: 2.5 });
    expect(four?.p95).to.be.closeTo(3.85, 1e-9);
  });

  it('gives the value itself for one trial and null for none', () => {
    expect(summarize([1234])).to.deep.equal({ count: 1, min: 1234, median: 1234, p95: 1234, max: 1234, mean: 1234 });
    expect(summarize([])).to.equal(null);
  });

  it('matches the R-7 definition on known values', () => {
    // numpy.percentile([15, 20, 35, 40, 50], 95) == 48.0; numpy.percentile(range(1, 11), 95) == 9.55
    expect(percentile([15, 20, 35, 40, 50], 0.95)).to.be.closeTo(48, 1e-9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).to.be.closeTo(9.55, 1e-9);
  });
});

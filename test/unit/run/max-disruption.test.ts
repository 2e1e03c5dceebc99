import { expect } from 'chai';
import { exceedsMaxDisruption, maxDisruptionReason } from '../../../harness/run/max-disruption.js';
import { Duration } from '../../../harness/scenario/duration.js';

const zero = Duration.parse('0s');
const twoSeconds = Duration.parse('2s');

describe('expect.maxDisruption', () => {
  it('0s passes a trial that never broke and fails any break, even one of 0 ms', () => {
    expect(exceedsMaxDisruption({ breaks: 0, longestBreakMs: 0 }, zero)).to.equal(false);
    expect(exceedsMaxDisruption({ breaks: 1, longestBreakMs: 0 }, zero)).to.equal(true);
    expect(exceedsMaxDisruption({ breaks: 1, longestBreakMs: 840 }, zero)).to.equal(true);
  });

  it('a longer bound fails only a stretch longer than it', () => {
    expect(exceedsMaxDisruption({ breaks: 3, longestBreakMs: 2000 }, twoSeconds)).to.equal(false);
    expect(exceedsMaxDisruption({ breaks: 1, longestBreakMs: 2001 }, twoSeconds)).to.equal(true);
  });

  it('names how often and how long the steady state broke', () => {
    expect(maxDisruptionReason({ breaks: 1, longestBreakMs: 840 }, zero)).to.equal('the steady state broke once, for 0.84 s; maxDisruption 0s allows no break');
    expect(maxDisruptionReason({ breaks: 3, longestBreakMs: 1250 }, zero)).to.equal('the steady state broke 3 times, the longest for 1.25 s; maxDisruption 0s allows no break');
    expect(maxDisruptionReason({ breaks: 1, longestBreakMs: 2500 }, twoSeconds)).to.equal('the steady state was broken for 2.50 s in one stretch, more than maxDisruption 2s');
  });
});

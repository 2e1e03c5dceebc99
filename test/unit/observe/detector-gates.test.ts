import { expect } from 'chai';
import { RecoveryDetector } from '../../../harness/observe/detector.js';

describe('observe: RecoveryDetector gates (a rollout that must complete)', () => {
  const detector = () => new RecoveryDetector({ recoveryWithinMs: 10_000, settleMs: 1000, gates: 1 });

  it('does not recover before the gate passed, and counts settle from it; the steady state never broke', () => {
    const d = detector();
    d.observe(0, true);
    d.injected(1000);
    expect(d.tick(5000)).to.equal('waiting');
    expect(d.passed(0, 6000)).to.equal('waiting');
    expect(d.nextDeadline()).to.equal(7000);
    expect(d.tick(7000)).to.equal('recovered');
    expect(d.result()).to.deep.include({ brokenAt: null, undisrupted: true, recoveryTimeMs: 0, decidedAt: 7000, longestBreakMs: 0 });
  });

  it('keeps breaks of the steady state apart from the gate: brokenAt and disruption are the steady state\'s', () => {
    const d = detector();
    d.observe(0, true);
    d.injected(1000);
    d.observe(2000, false);
    d.observe(2500, true);
    d.passed(0, 4000);
    expect(d.tick(5000)).to.equal('recovered');
    expect(d.result()).to.deep.include({ brokenAt: 2000, recoveredAt: 2500, disruptionMs: 500, longestBreakMs: 500 });
  });

  it('fails when the gate never passes, by recoveryWithin + settle at the latest', () => {
    const d = detector();
    d.observe(0, true);
    d.injected(1000);
    expect(d.tick(10_999)).to.equal('waiting');
    expect(d.tick(12_000)).to.equal('failed');
    expect(d.result().decidedAt).to.equal(12_000);
  });
});

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

  it('counts settle from the first time a gate passed, not from a repeat', () => {
    const d = detector();
    d.observe(0, true);
    d.injected(1000);
    d.passed(0, 4000);
    expect(d.passed(0, 4500)).to.equal('waiting');
    expect(d.nextDeadline()).to.equal(5000);
    expect(d.tick(5000)).to.equal('recovered');
    expect(d.result()).to.deep.include({ decidedAt: 5000 });
  });

  it('a gate passed at the deadline while the steady state is broken decides only once that moment is over', () => {
    const d = new RecoveryDetector({ recoveryWithinMs: 1000, settleMs: 500, gates: 1 });
    d.injected(0);
    d.observe(0, false);
    expect(d.passed(0, 1000)).to.equal('waiting');
    // Another evaluation of the same moment may still show the steady state holding.
    expect(d.observe(1000, true)).to.equal('waiting');
    expect(d.tick(1500)).to.equal('recovered');
    expect(d.result()).to.deep.include({ recoveredAt: 1000, decidedAt: 1500 });
  });
});

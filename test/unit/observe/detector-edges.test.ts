// Edges of the recovery verdict and the settle wait that mutation testing (npm run test:mutation, QUALITY.md) found
// untested: each test here failed against a surviving mutant of harness/observe/detector.ts.
import { expect } from 'chai';
import { RecoveryDetector, SettleWatcher } from '../../../harness/observe/detector.js';

const W = 10_000;
const S = 2_000;

function detector(faults = 1): RecoveryDetector {
  return new RecoveryDetector({ recoveryWithinMs: W, settleMs: S, faults });
}

describe('observe: RecoveryDetector edges', () => {
  it('waits for the moment of a break evaluated at the deadline to be over, unless a tick already ended it', () => {
    const untimed = detector();
    untimed.injected(0);
    untimed.observe(0, false);
    expect(untimed.observe(W, false)).to.equal('waiting');
    expect(untimed.observe(W, false)).to.equal('waiting');
    expect(untimed.nextDeadline()).to.equal(W);
    expect(untimed.tick(W)).to.equal('failed');
    // A tick at the deadline came first: the evaluation stamped with that moment decides at once.
    const ticked = detector();
    ticked.injected(0);
    ticked.observe(0, false);
    ticked.observe(W - 1000, true);
    expect(ticked.tick(W)).to.equal('waiting');
    expect(ticked.observe(W, false)).to.equal('failed');
    expect(ticked.result().decidedAt).to.equal(W);
  });

  it('fails when the stretch that held at the deadline breaks, at the moment it broke', () => {
    const trial = detector();
    trial.injected(1000);
    trial.observe(1000, false);
    trial.observe(10_500, true);
    expect(trial.observe(12_000, false)).to.equal('waiting');
    expect(trial.observe(12_100, false)).to.equal('failed');
    expect(trial.result().decidedAt).to.equal(12_000);
    expect(trial.result().recoveredAt).to.equal(null);
  });

  it('fails at injectedAt + recoveryWithin + settle when a fault is never reported, though nothing broke', () => {
    const trial = detector(2);
    trial.observe(0, true);
    trial.injected(0, 0);
    expect(trial.nextDeadline()).to.equal(W + S);
    expect(trial.tick(W + S - 1)).to.equal('waiting');
    expect(trial.tick(W + S)).to.equal('failed');
    const result = trial.result();
    expect([result.decidedAt, result.brokenAt, result.undisrupted, result.recoveryTimeMs]).to.deep.equal([W + S, null, false, null]);
  });

  it('counts no break and no brokenAt before the first injection, and is not undisrupted while waiting', () => {
    const trial = detector();
    trial.observe(0, true);
    trial.observe(500, false);
    trial.observe(700, true);
    const result = trial.result();
    expect([result.brokenAt, result.breaks, result.longestBreakMs, result.undisrupted]).to.deep.equal([null, 0, 0, false]);
  });

  it('gives an undisrupted trial 0 disruption and recovery time, whenever its final stretch began', () => {
    const trial = detector();
    trial.observe(500, true);
    trial.injected(1000);
    expect(trial.tick(3000)).to.equal('recovered');
    const result = trial.result();
    expect([result.recoveredAt, result.disruptionMs, result.recoveryTimeMs, result.undisrupted]).to.deep.equal([500, 0, 0, true]);
  });
});

describe('observe: SettleWatcher edges', () => {
  it('has no T0 and no reason while waiting, and no deadline once ready', () => {
    const watcher = new SettleWatcher({ settleMs: 1000, startedAt: 0 });
    expect([watcher.t0, watcher.reason]).to.deep.equal([undefined, undefined]);
    watcher.observe(0, true);
    expect(watcher.nextDeadline()).to.equal(1000);
    expect(watcher.tick(1000)).to.equal('ready');
    expect(watcher.nextDeadline()).to.equal(undefined);
  });

  it('asks for a tick at the timeout before any evaluation', () => {
    const watcher = new SettleWatcher({ settleMs: 1000, startedAt: 0, timeoutMs: 5000 });
    expect(watcher.nextDeadline()).to.equal(5000);
    expect(watcher.tick(5000)).to.equal('timedOut');
    expect(watcher.reason).to.equal('the steady state did not hold for 1 s within 5 s (it never held)');
  });

  it('asks for a tick at the timeout when it comes before settle could complete', () => {
    const watcher = new SettleWatcher({ settleMs: 10_000, startedAt: 0, timeoutMs: 5000 });
    watcher.observe(0, true);
    expect(watcher.nextDeadline()).to.equal(5000);
    const early = new SettleWatcher({ settleMs: 1000, startedAt: 0, timeoutMs: 5000 });
    early.observe(0, true);
    expect(early.nextDeadline()).to.equal(1000);
  });

  it('is ready by a tick later than the last evaluation, never by going back in time', () => {
    const watcher = new SettleWatcher({ settleMs: 2000, startedAt: 0 });
    watcher.observe(1000, true);
    watcher.observe(2500, true);
    expect(watcher.tick(2000)).to.equal('waiting');
    expect(watcher.tick(3000)).to.equal('ready');
    expect(watcher.t0).to.equal(3000);
  });

  it('times out, not ready, when an evaluation comes only after the timeout', () => {
    const watcher = new SettleWatcher({ settleMs: 2000, startedAt: 0, timeoutMs: 1000 });
    watcher.observe(0, true);
    expect(watcher.observe(5000, true)).to.equal('timedOut');
    expect(watcher.t0).to.equal(undefined);
  });

  it('counts the longest stretch held only up to the timeout', () => {
    const watcher = new SettleWatcher({ settleMs: 10_000, startedAt: 0, timeoutMs: 5000 });
    watcher.observe(0, false, 'nodesReady: 0 ready (min 1)');
    watcher.observe(1000, true);
    expect(watcher.observe(7000, true)).to.equal('timedOut');
    expect(watcher.reason).to.equal('the steady state did not hold for 10 s within 5 s (it held for at most 4 s at a time)');
  });

  it('names the last failing check only when the state is failing at the timeout', () => {
    const watcher = new SettleWatcher({ settleMs: 10_000, startedAt: 0, timeoutMs: 5000 });
    watcher.observe(0, false, 'podsReady app=web: 1/3 ready');
    watcher.observe(1000, true, 'ignored: it holds');
    watcher.observe(2000, false);
    expect(watcher.tick(5000)).to.equal('timedOut');
    expect(watcher.reason).to.equal(
      'the steady state did not hold for 10 s within 5 s (it held for at most 1 s at a time): podsReady app=web: 1/3 ready');
  });
});

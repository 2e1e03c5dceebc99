import { expect } from 'chai';
import { judgeTrial, SKIPPED_BY_OPERATOR, type TrialRecord } from '../../../harness/run/judge.js';
import { Duration } from '../../../harness/scenario/duration.js';
import type { Expectation } from '../../../harness/scenario/schema.js';

const EXPECT: Expectation = { recoveryWithin: Duration.parse('30s'), settle: Duration.parse('2s'), mustBreak: false };

/** A trial that broke once for 1.5 s and recovered in time, with nothing else to say. */
function record(change: Partial<TrialRecord> = {}): TrialRecord {
  return {
    skipped: false,
    status: 'recovered',
    current: { holds: true, detail: 'all 3 checks hold' },
    failures: [],
    measured: { undisrupted: false, breaks: 1, longestBreakMs: 1500 },
    crossed: [],
    outage: { breakUncertaintyMs: 0 },
    ...change,
  };
}

const judge = (change: Partial<TrialRecord>, expectation: Partial<Expectation> = {}) => judgeTrial(record(change), { ...EXPECT, ...expectation });

describe('the trial judge', () => {
  it('passes a trial that recovered in time, and one that never broke', () => {
    expect(judge({})).to.deep.equal({ verdict: 'PASS', reason: null });
    expect(judge({ measured: { undisrupted: true, breaks: 0, longestBreakMs: 0 } })).to.deep.equal({ verdict: 'PASS', reason: null });
  });

  it('fails a trial that did not recover in time, saying what still does not hold or that it came back too late', () => {
    expect(judge({ status: 'failed', current: { holds: false, detail: 'podsReady app=web: 2/3 ready' } })).to.deep.equal({
      verdict: 'FAIL', reason: 'no recovery within 30s (+2s settle): podsReady app=web: 2/3 ready',
    });
    expect(judge({ status: 'failed' }).reason).to.equal('no recovery within 30s (+2s settle): the steady state came back too late');
  });

  it('fails on a failure a fault reported (a budget that blocked a drain), and on crossed load thresholds', () => {
    expect(judge({ failures: ['a PodDisruptionBudget blocked the drain'] })).to.deep.equal({ verdict: 'FAIL', reason: 'a PodDisruptionBudget blocked the drain' });
    expect(judge({ crossed: ['http_req_failed rate<0.01 (0.2)'] })).to.deep.equal({ verdict: 'FAIL', reason: 'load threshold crossed: http_req_failed rate<0.01 (0.2)' });
    expect(judge({ crossed: ['a', 'b'] }).reason).to.equal('load thresholds crossed: a; b');
    expect(judge({ aborted: 'http_req_failed rate<0.01 crossed' })).to.deep.equal({
      verdict: 'FAIL', reason: 'http_req_failed rate<0.01 crossed; the trial was aborted (abortOnFail)',
    });
  });

  it('is an ERROR when the fault did not bite and mustBreak says it must', () => {
    const never = { measured: { undisrupted: true, breaks: 0, longestBreakMs: 0 } };
    expect(judge(never, { mustBreak: true })).to.deep.equal({
      verdict: 'ERROR', reason: 'the fault did not bite: the steady state never broke (expect.mustBreak is true)',
    });
    expect(judge({}, { mustBreak: true }).verdict).to.equal('PASS');
  });

  it('judges maxDisruption: a longer stretch fails, 0s fails any break and passes a trial that never broke', () => {
    expect(judge({}, { maxDisruption: Duration.parse('1s') }).verdict).to.equal('FAIL');
    expect(judge({}, { maxDisruption: Duration.parse('1500ms') }).verdict).to.equal('PASS');
    expect(judge({ measured: { undisrupted: true, breaks: 0, longestBreakMs: 0 } }, { maxDisruption: Duration.parse('0s') }).verdict).to.equal('PASS');
    expect(judge({}, { maxDisruption: Duration.parse('0s') })).to.deep.equal({
      verdict: 'FAIL', reason: 'the steady state broke once, for 1.50 s; maxDisruption 0s allows no break',
    });
  });

  it('never passes what an API server outage leaves unknown', () => {
    expect(judge({ outage: { breakUncertaintyMs: 0, error: 'API server unreachable during recovery' } })).to.deep.equal({
      verdict: 'ERROR', reason: 'API server unreachable during recovery',
    });
    expect(judge({ outage: { breakUncertaintyMs: 600 } }, { maxDisruption: Duration.parse('2s') })).to.deep.equal({
      verdict: 'ERROR',
      reason: 'the API server was unreachable while the steady state was broken: the longest break may have been up to 600 ms longer than the 1.50 s measured, beyond maxDisruption 2s',
    });
    expect(judge({ outage: { breakUncertaintyMs: 400 } }, { maxDisruption: Duration.parse('2s') }).verdict).to.equal('PASS');
    expect(judge({ measured: { undisrupted: true, breaks: 0, longestBreakMs: 0 }, outage: { breakUncertaintyMs: 50 } }, { maxDisruption: Duration.parse('0s') }).reason)
      .to.equal('the API server was unreachable for 50 ms during the trial: whether the steady state held throughout (maxDisruption 0s) is unknown');
    // A FAIL the outage does not change stays a FAIL; a failure to recover it hides is an ERROR.
    expect(judge({ failures: ['x'], outage: { breakUncertaintyMs: 0, error: 'unknown' } }).verdict).to.equal('FAIL');
    expect(judge({ status: 'failed', outage: { breakUncertaintyMs: 0, error: 'unknown' } })).to.deep.equal({ verdict: 'ERROR', reason: 'unknown' });
  });

  it('names every failure a fault reported, and a rollout late or never complete', () => {
    expect(judge({ failures: ['drain blocked', 'nodes not back'] }).reason).to.equal('drain blocked; nodes not back');
    expect(judge({ lateRollout: 'the rollout of Deployment web took 4.1 s, more than rolloutWithin 3s' })).to.deep.equal({
      verdict: 'FAIL', reason: 'the rollout of Deployment web took 4.1 s, more than rolloutWithin 3s',
    });
    expect(judge({ status: 'failed', incompleteRollout: 'the rollout of Deployment web never completed' }).reason)
      .to.equal('no recovery within 30s (+2s settle): the rollout of Deployment web never completed');
  });

  it('weighs an outage only where it could hide a break beyond maxDisruption, and never without one', () => {
    // Exactly at the bound is within it: 1.5 s measured + 0.5 s unseen = 2 s.
    expect(judge({ outage: { breakUncertaintyMs: 500 } }, { maxDisruption: Duration.parse('2s') }).verdict).to.equal('PASS');
    expect(judge({ outage: { breakUncertaintyMs: 501 } }, { maxDisruption: Duration.parse('2s') }).verdict).to.equal('ERROR');
    expect(judge({ outage: { breakUncertaintyMs: 5000 } }).verdict).to.equal('PASS');
  });

  it('ranks interruptions, skips and harness errors above anything measured', () => {
    const everything: Partial<TrialRecord> = { status: 'failed', failures: ['x'], crossed: ['y'], aborted: 'z' };
    expect(judge({ ...everything, error: 'fault 1 could not be injected' })).to.deep.equal({ verdict: 'ERROR', reason: 'fault 1 could not be injected' });
    expect(judge({ ...everything, error: 'e', skipped: true })).to.deep.equal({ verdict: 'SKIPPED', reason: SKIPPED_BY_OPERATOR });
    expect(judge({ ...everything, error: 'e', skipped: true, interrupted: 'interrupted by SIGINT' })).to.deep.equal({ verdict: 'ABORTED', reason: 'interrupted by SIGINT' });
  });
});

// Where an outage turns a trial into an ERROR or leaves its figures standing (harness/observe/outages.ts): the
// boundaries that surviving mutants showed untested (npm run test:mutation, QUALITY.md).
import { expect } from 'chai';
import type { RecoveryResult } from '../../../harness/observe/detector.js';
import { judgeOutages, type Outage } from '../../../harness/observe/outages.js';

describe('observe: outage verdicts at their boundaries', () => {
  // Injected at 1000, broken from 1005, recovered at 3000 (the stretch began then), settled and decided at 4000.
  const recovered: RecoveryResult = {
    status: 'recovered', injectedAt: 1000, lastInjectionAt: 1000, brokenAt: 1005, recoveredAt: 3000, recoveryTimeMs: 2000,
    disruptionMs: 1995, undisrupted: false, longestBreakMs: 1995, breaks: 1, decidedAt: 4000,
  };
  const failed: RecoveryResult = {
    ...recovered, status: 'failed', recoveredAt: null, recoveryTimeMs: null, disruptionMs: null, decidedAt: 11_000,
  };
  const outage = (since: number, until: number | undefined, changes: number): Outage =>
    ({ since, until, kinds: ['v1/Pod'], changes, cause: 'closed' });
  const format = (at: number): string => `t${at}`;

  it('is an ERROR when an outage that hid changes falls inside the settle stretch', () => {
    const judged = judgeOutages(recovered, [outage(3200, 3600, 2)], 9000, format);
    expect(judged.error).to.equal('API server unreachable from t3200 to t3600 (400 ms; closed) while the steady state was settling '
      + 'after its recovery; whether it held throughout is unknown');
    expect([judged.recoveryUncertaintyMs, judged.breakUncertaintyMs]).to.deep.equal([0, 0]);
  });

  it('lets the recovery stand when the outage begins exactly as settle completed', () => {
    const judged = judgeOutages(recovered, [outage(4000, 4500, 3)], 9000, format);
    expect(judged).to.deep.equal({ during: [outage(4000, 4500, 3)], recoveryUncertaintyMs: 0, breakUncertaintyMs: 0 });
  });

  it('gives a recovery revealed by the relist that ended an outage the outage as its uncertainty, and no ERROR', () => {
    const judged = judgeOutages(recovered, [outage(2000, 3000, 3)], 9000, format);
    expect(judged.error).to.equal(undefined);
    // It may have come back anywhere in [2000, 3000]; the breaks may have lasted 1000 ms more than seen.
    expect([judged.recoveryUncertaintyMs, judged.breakUncertaintyMs]).to.deep.equal([1000, 1000]);
    // Not before the break it ended: an outage that began before the break bounds the uncertainty by brokenAt.
    const early = judgeOutages(recovered, [outage(500, 3000, 1)], 9000, format);
    expect(early.recoveryUncertaintyMs).to.equal(3000 - 1005);
    // An undisrupted trial has no recovery time to be uncertain about.
    const undisrupted = { ...recovered, brokenAt: null, undisrupted: true, recoveryTimeMs: 0, disruptionMs: 0 };
    const calm = judgeOutages(undisrupted, [outage(2000, 3000, 3)], 9000, format);
    expect(calm.recoveryUncertaintyMs).to.equal(0);
  });

  it('counts an outage that ends exactly at the injection as during the trial', () => {
    const judged = judgeOutages(recovered, [outage(500, 1000, 0), outage(4000, 4200, 0)], 9000, format);
    expect(judged.during).to.deep.equal([outage(500, 1000, 0), outage(4000, 4200, 0)]);
  });

  it('lets a FAIL stand when its outages hid nothing', () => {
    const judged = judgeOutages(failed, [outage(2000, 2500, 0)], 12_000, format);
    expect(judged).to.deep.equal({ during: [outage(2000, 2500, 0)], recoveryUncertaintyMs: 0, breakUncertaintyMs: 0 });
  });

  it('makes a FAIL with outages that hid changes an ERROR whose uncertainty is the outages together', () => {
    const judged = judgeOutages(failed, [outage(2000, 2500, 1), outage(6000, 6800, 2)], 12_000, format);
    expect(judged.error).to.equal('API server unreachable from t2000 to t2500 (500 ms; closed) during recovery; recovery time unknown '
      + 'to within 1300 ms');
  });
});

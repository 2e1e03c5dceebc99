import { expect } from 'chai';
import fc from 'fast-check';
import { RecoveryDetector, SettleWatcher, type RecoveryResult } from '../../../harness/observe/detector.js';

const W = 10_000;
const S = 2_000;

/** A detector fed `steps` in order: [at, holds] evaluations, ['inject', at, fault?], ['tick', at]. */
function run(steps: readonly (readonly [number, boolean] | readonly ['inject', number, number?] | readonly ['tick', number])[], faults = 1): RecoveryDetector {
  const detector = new RecoveryDetector({ recoveryWithinMs: W, settleMs: S, faults });
  for (const step of steps) {
    if (step[0] === 'inject') detector.injected(step[1], step[2] ?? 0);
    else if (step[0] === 'tick') detector.tick(step[1]);
    else detector.observe(step[0], step[1]);
  }
  return detector;
}

function figures(result: RecoveryResult): Partial<RecoveryResult> {
  const { status, injectedAt, brokenAt, recoveredAt, recoveryTimeMs, disruptionMs, undisrupted, decidedAt } = result;
  return { status, injectedAt, brokenAt, recoveredAt, recoveryTimeMs, disruptionMs, undisrupted, decidedAt };
}

describe('observe: RecoveryDetector', () => {
  it('waits, with no deadline, until a fault is injected', () => {
    const detector = run([[0, true], [500, false], [600, true], ['tick', 50_000]]);
    expect(detector.status).to.equal('waiting');
    expect(detector.nextDeadline()).to.equal(undefined);
    expect(detector.result().injectedAt).to.equal(null);
  });

  it('recovers once the state held for settle, counted from the last injection; recoveredAt is when the stretch began', () => {
    const detector = run([[0, true], ['inject', 1000], [1000, false], [3000, true]]);
    expect(detector.status).to.equal('waiting');
    expect(detector.nextDeadline()).to.equal(5000);
    expect(detector.tick(4999)).to.equal('waiting');
    expect(detector.tick(5000)).to.equal('recovered');
    expect(figures(detector.result())).to.deep.equal({
      status: 'recovered', injectedAt: 1000, brokenAt: 1000, recoveredAt: 3000, recoveryTimeMs: 2000, disruptionMs: 2000, undisrupted: false, decidedAt: 5000,
    });
  });

  it('reports a trial that never broke as undisrupted, with a stretch that began before the injection', () => {
    const detector = run([[0, true], ['inject', 1000], ['tick', 3000]]);
    expect(figures(detector.result())).to.deep.equal({
      status: 'recovered', injectedAt: 1000, brokenAt: null, recoveredAt: 0, recoveryTimeMs: 0, disruptionMs: 0, undisrupted: true, decidedAt: 3000,
    });
  });

  it('sees an effect that shows a moment after the acknowledgement: settle counts from the injection, not the stretch', () => {
    // Held since T0; the fault is acknowledged at 1000 and bites at 1300, inside the settle window.
    const detector = run([[0, true], ['inject', 1000], [1300, false], [2000, true], ['tick', 3000]]);
    expect(detector.status).to.equal('waiting');
    expect(detector.tick(4000)).to.equal('recovered');
    expect(figures(detector.result())).to.deep.equal({
      status: 'recovered', injectedAt: 1000, brokenAt: 1300, recoveredAt: 2000, recoveryTimeMs: 1000, disruptionMs: 700, undisrupted: false, decidedAt: 4000,
    });
  });

  it('restarts settle after a break inside the window, and counts the breaks', () => {
    const detector = run([['inject', 0], [0, false], [1000, true], [2500, false], [2600, true], ['tick', 4599]]);
    expect(detector.status).to.equal('waiting');
    expect(detector.tick(4600)).to.equal('recovered');
    const result = detector.result();
    expect([result.recoveredAt, result.breaks, result.longestBreakMs]).to.deep.equal([2600, 2, 1000]);
  });

  it('counts a break that begins exactly when settle completes as after it (held over [start, start + settle))', () => {
    const detector = run([['inject', 0], [0, false], [1000, true], [3000, false]]);
    expect(detector.status).to.equal('recovered');
    expect([detector.result().recoveredAt, detector.result().decidedAt, detector.result().breaks]).to.deep.equal([1000, 3000, 1]);
  });

  it('recovers when the state comes back exactly at injectedAt + recoveryWithin', () => {
    const detector = run([['inject', 0], [0, false], [W, true], ['tick', W]]);
    expect(detector.status).to.equal('waiting');
    expect(detector.nextDeadline()).to.equal(W + S);
    expect(detector.tick(W + S)).to.equal('recovered');
    expect(detector.result().recoveryTimeMs).to.equal(W);
  });

  it('fails at injectedAt + recoveryWithin when the state does not hold then, by a timer', () => {
    const detector = run([['inject', 0], [0, false], [4000, true], [5000, false]]);
    expect(detector.nextDeadline()).to.equal(W);
    expect(detector.tick(W)).to.equal('failed');
    expect(figures(detector.result())).to.deep.equal({
      status: 'failed', injectedAt: 0, brokenAt: 0, recoveredAt: null, recoveryTimeMs: null, disruptionMs: null, undisrupted: false, decidedAt: W,
    });
    expect(detector.result().longestBreakMs).to.equal(W - 5000);
  });

  it('fails at the deadline when the state comes back a moment after it', () => {
    const detector = run([['inject', 0], [0, false], [W + 1, true]]);
    expect(detector.status).to.equal('failed');
    expect(detector.result().decidedAt).to.equal(W);
  });

  it('fails as soon as the stretch in force at the deadline breaks before settle completed', () => {
    const detector = run([['inject', 0], [0, false], [W - 100, true], [W + 900, false]]);
    // The break is the state at W + 900 unless that moment is evaluated again: decided once the moment is over.
    expect(detector.status).to.equal('waiting');
    expect(detector.nextDeadline()).to.equal(W + 900);
    expect(detector.tick(W + 900)).to.equal('failed');
    expect(detector.result().decidedAt).to.equal(W + 900);
  });

  it('takes the last evaluation of a moment as the state then (a flip and back within one moment is no break)', () => {
    const detector = run([['inject', 0], [0, false], [W - 100, true], [W + 900, false], [W + 900, true], ['tick', W + 1900]]);
    expect(detector.status).to.equal('recovered');
    expect(detector.result().breaks).to.equal(1);
  });

  it('judges a break exactly at the deadline once that moment is over', () => {
    const broken = run([['inject', 0], [0, false], [W - 1000, true], [W, false]]);
    expect(broken.status).to.equal('waiting');
    expect(broken.nextDeadline()).to.equal(W);
    expect(broken.tick(W)).to.equal('failed');
    expect(broken.result().decidedAt).to.equal(W);
    const mended = run([['inject', 0], [0, false], [W - 1000, true], [W, false], [W, true], ['tick', W]]);
    expect(mended.status).to.equal('waiting');
    expect(mended.tick(W + 1000)).to.equal('recovered');
  });

  it('does not decide before every fault was injected, and counts settle from the last one', () => {
    const detector = run([[0, true], ['inject', 100, 0], [100, false], [1000, true], ['tick', 5000]], 2);
    expect(detector.status).to.equal('waiting');
    expect(detector.nextDeadline()).to.equal(100 + W + S);
    detector.injected(8000, 1);
    expect(detector.nextDeadline()).to.equal(10_000);
    expect(detector.tick(10_000)).to.equal('recovered');
    // The final stretch began before the second fault, which broke nothing.
    expect(figures(detector.result())).to.deep.equal({
      status: 'recovered', injectedAt: 100, brokenAt: 100, recoveredAt: 1000, recoveryTimeMs: 900, disruptionMs: 900, undisrupted: false, decidedAt: 10_000,
    });
    expect(detector.result().lastInjectionAt).to.equal(8000);
  });

  it('takes the earliest injection time for injectedAt even when it is reported after the acknowledgement', () => {
    // The pod's DELETED event (at 1000) arrives before the API server's answer (1040); the runner reports both.
    const detector = run([[0, true], [1000, false], ['inject', 1040], ['inject', 1000], [2000, true], ['tick', 4040]]);
    expect(figures(detector.result())).to.deep.equal({
      status: 'recovered', injectedAt: 1000, brokenAt: 1000, recoveredAt: 2000, recoveryTimeMs: 1000, disruptionMs: 1000, undisrupted: false, decidedAt: 4000,
    });
    expect(detector.result().lastInjectionAt).to.equal(1040);
  });

  it('ignores breaks before the injection for brokenAt, but a state broken at the injection is broken then', () => {
    const before = run([[0, true], [200, false], [300, true], ['inject', 1000], ['tick', 3000]]);
    expect([before.result().brokenAt, before.result().undisrupted, before.result().recoveredAt]).to.deep.equal([null, true, 300]);
    const during = run([[0, true], [900, false], ['inject', 1000], [1500, true], ['tick', 3500]]);
    expect([during.result().brokenAt, during.result().recoveryTimeMs, during.result().disruptionMs]).to.deep.equal([1000, 500, 500]);
  });

  it('never waits past injectedAt + recoveryWithin + settle, even for an injection acknowledged after the deadline', () => {
    const detector = run([[0, true], ['inject', 0, 0], ['tick', W + 500]], 2);
    detector.injected(W + 1000, 1);
    expect(detector.nextDeadline()).to.equal(W + S);
    expect(detector.tick(W + S)).to.equal('failed');
    expect(detector.result().decidedAt).to.equal(W + S);
  });

  it('fails at the deadline when the state was never evaluated', () => {
    const detector = run([['inject', 0], ['tick', W]]);
    expect([detector.status, detector.result().brokenAt]).to.deep.equal(['failed', null]);
  });

  it('keeps its decision: later evaluations and injections change nothing', () => {
    const detector = run([['inject', 0], [0, false], [1000, true], ['tick', 3000]]);
    const decided = detector.result();
    detector.observe(3500, false);
    detector.injected(4000, 0);
    expect(detector.tick(50_000)).to.equal('recovered');
    expect(detector.result()).to.deep.equal(decided);
    expect(detector.nextDeadline()).to.equal(undefined);
  });

  it('reports the figures so far while waiting', () => {
    const detector = run([[0, true], ['inject', 1000], [1200, false], [1500, true], [1700, false]]);
    const result = detector.result();
    expect([result.status, result.brokenAt, result.breaks, result.longestBreakMs, result.recoveredAt]).to.deep.equal(['waiting', 1200, 2, 300, null]);
  });

  describe('properties', function () {
    this.timeout(60_000);
    type Step = { at: number; holds: boolean } | { at: number; fault: number };

    /** The contract's rules evaluated ms by ms over integer times: an independent reading of the same rules. */
    function oracle(steps: readonly Step[], faults: number, within: number, settle: number) {
      const observations = steps.filter((s): s is { at: number; holds: boolean } => 'holds' in s);
      const injections = steps.filter((s): s is { at: number; fault: number } => 'fault' in s);
      const injectedAt = Math.min(...injections.map((s) => s.at));
      const last = Math.max(...injections.map((s) => s.at));
      const deadline = injectedAt + within;
      const cap = deadline + settle;
      const stateAt = (t: number): boolean | undefined => observations.filter((o) => o.at <= t).at(-1)?.holds;
      const first = Math.min(injectedAt, ...observations.map((o) => o.at));
      let start: number | undefined;
      let outcome: { status: 'recovered' | 'failed'; decidedAt: number; recoveredAt: number | null } | undefined;
      for (let t = first; t <= cap && outcome === undefined; t += 1) {
        if (start !== undefined && start <= deadline && t >= Math.max(start, last) + settle) {
          outcome = { status: 'recovered', decidedAt: t, recoveredAt: start };
          break;
        }
        const holds = stateAt(t);
        if (holds !== true) start = undefined;
        else start ??= t;
        if (t >= deadline && (start === undefined || start > deadline)) outcome = { status: 'failed', decidedAt: t, recoveredAt: null };
      }
      outcome ??= { status: 'failed', decidedAt: cap, recoveredAt: null };
      // Breaks: maximal runs of "not true" that are observed false, from injectedAt to the decision.
      let brokenAt: number | null = null;
      let breaks = 0;
      let longest = 0;
      let runStart: number | undefined;
      const end = outcome.decidedAt;
      for (let t = injectedAt; t <= end; t += 1) {
        const broken = stateAt(t) === false && (outcome.status === 'failed' || t < end);
        if (broken && runStart === undefined) {
          runStart = t;
          breaks += 1;
          brokenAt ??= t;
        }
        if (!broken && runStart !== undefined) {
          longest = Math.max(longest, t - runStart);
          runStart = undefined;
        }
      }
      if (runStart !== undefined) longest = Math.max(longest, end - runStart);
      return { ...outcome, injectedAt, brokenAt, breaks, longestBreakMs: longest };
    }

    /** Drives the detector as the runner does: timers from nextDeadline(), firing up to `lateness` ms late. */
    function drive(steps: readonly Step[], faults: number, within: number, settle: number, lateness: number) {
      const detector = new RecoveryDetector({ recoveryWithinMs: within, settleMs: settle, faults });
      const ticks: number[] = [];
      const timersBefore = (limit: number) => {
        for (let guard = 0; guard < 10_000 && detector.status === 'waiting'; guard += 1) {
          const deadline = detector.nextDeadline();
          if (deadline === undefined || deadline + lateness >= limit) return;
          ticks.push(deadline + lateness);
          detector.tick(deadline + lateness);
        }
      };
      for (const step of steps) {
        timersBefore(step.at);
        if ('holds' in step) detector.observe(step.at, step.holds);
        else detector.injected(step.at, step.fault);
      }
      timersBefore(Number.POSITIVE_INFINITY);
      return { detector, ticks };
    }

    const scenario = fc.record({
      within: fc.integer({ min: 1, max: 40 }),
      settle: fc.integer({ min: 1, max: 15 }),
      lateness: fc.integer({ min: 0, max: 3 }),
      faultTimes: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 3 }),
      observations: fc.array(fc.record({ at: fc.integer({ min: 0, max: 90 }), holds: fc.boolean() }), { maxLength: 25 }),
    }).map(({ faultTimes, observations, ...rest }) => {
      const injections = [...faultTimes].sort((a, b) => a - b).map((at, fault) => ({ at, fault }));
      const steps: Step[] = [...injections, ...observations].sort((a, b) => a.at - b.at);
      return { ...rest, faults: injections.length, steps };
    });

    it('agrees with a ms-by-ms reading of the contract on status, recoveredAt, brokenAt, breaks and decidedAt', () => {
      fc.assert(fc.property(scenario, ({ within, settle, lateness, faults, steps }) => {
        const { detector } = drive(steps, faults, within, settle, lateness);
        const expected = oracle(steps, faults, within, settle);
        const result = detector.result();
        expect({
          status: result.status, decidedAt: result.decidedAt, recoveredAt: result.recoveredAt, injectedAt: result.injectedAt,
          brokenAt: result.brokenAt, breaks: result.breaks, longestBreakMs: result.longestBreakMs,
        }).to.deep.equal(expected);
      }), { numRuns: 2000 });
    });

    it('recovers only with recoveredAt <= injectedAt + recoveryWithin, and decides by injectedAt + recoveryWithin + settle', () => {
      fc.assert(fc.property(scenario, ({ within, settle, faults, steps }) => {
        const { detector, ticks } = drive(steps, faults, within, settle, 0);
        const result = detector.result();
        const injectedAt = result.injectedAt ?? Number.NaN;
        expect(result.status).to.not.equal('waiting');
        expect(result.decidedAt).to.be.at.most(injectedAt + within + settle);
        expect(ticks.every((tick) => tick <= injectedAt + within + settle)).to.equal(true);
        if (result.status === 'recovered') {
          expect(result.recoveredAt).to.be.at.most(injectedAt + within);
          expect((result.decidedAt ?? 0) - Math.max(result.recoveredAt ?? 0, result.lastInjectionAt ?? 0)).to.equal(settle);
          expect(result.recoveryTimeMs).to.be.at.least(0);
        }
      }), { numRuns: 2000 });
    });

    it('never recovers when the state does not hold after the injection', () => {
      fc.assert(fc.property(scenario, ({ within, settle, faults, steps }) => {
        const injectedAt = Math.min(...steps.filter((s) => 'fault' in s).map((s) => s.at));
        // Whatever held before, the state is broken from the injection on.
        const silenced = steps.flatMap((step): Step[] => {
          if ('holds' in step) return step.at >= injectedAt ? [{ at: step.at, holds: false }] : [step];
          return step.at === injectedAt ? [step, { at: injectedAt, holds: false }] : [step];
        });
        const { detector } = drive(silenced, faults, within, settle, 0);
        expect(detector.status).to.equal('failed');
      }), { numRuns: 1000 });
    });
  });
});

describe('observe: SettleWatcher', () => {
  it('is ready when the state held for settle; T0 is the moment settle completed', () => {
    const watcher = new SettleWatcher({ settleMs: 1000, startedAt: 0 });
    watcher.observe(0, false);
    watcher.observe(200, true);
    expect(watcher.nextDeadline()).to.equal(1200);
    expect(watcher.tick(1199)).to.equal('waiting');
    expect(watcher.tick(1200)).to.equal('ready');
    expect(watcher.t0).to.equal(1200);
  });

  it('starts settle again after a break, and is ready on the next evaluation past it', () => {
    const watcher = new SettleWatcher({ settleMs: 1000 });
    watcher.observe(0, true);
    watcher.observe(900, false);
    watcher.observe(950, true);
    expect(watcher.observe(2000, false)).to.equal('ready');
    expect(watcher.t0).to.equal(1950);
  });

  it('does not count holding before it started (between trials: only after the revert)', () => {
    const watcher = new SettleWatcher({ settleMs: 1000, startedAt: 5000 });
    watcher.observe(100, true);
    expect(watcher.nextDeadline()).to.equal(6000);
    expect(watcher.tick(6000)).to.equal('ready');
  });

  it('times out with a reason naming what did not hold and the longest stretch that did', () => {
    const watcher = new SettleWatcher({ settleMs: 2000, startedAt: 0, timeoutMs: 10_000 });
    watcher.observe(0, false, 'podsReady app=web: 1/3 ready');
    watcher.observe(3000, true);
    watcher.observe(4500, false, 'podsReady app=web: 2/3 ready');
    expect(watcher.nextDeadline()).to.equal(10_000);
    expect(watcher.tick(10_000)).to.equal('timedOut');
    expect(watcher.reason).to.equal('the steady state did not hold for 2 s within 10 s (it held for at most 1.5 s at a time): podsReady app=web: 2/3 ready');
    expect(watcher.t0).to.equal(undefined);
  });

  it('says it never held, and prefers ready when settle completes exactly at the timeout', () => {
    const never = new SettleWatcher({ settleMs: 500, startedAt: 0, timeoutMs: 1000 });
    never.observe(0, false, 'nodesReady: 0 ready (min 1)');
    never.tick(1000);
    expect(never.reason).to.equal('the steady state did not hold for 500 ms within 1 s (it never held): nodesReady: 0 ready (min 1)');
    const justInTime = new SettleWatcher({ settleMs: 500, startedAt: 0, timeoutMs: 1000 });
    justInTime.observe(500, true);
    expect(justInTime.tick(1000)).to.equal('ready');
  });
});

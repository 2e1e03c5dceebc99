import { expect } from 'chai';
import { loadFixtures, relative, replay } from './support.js';

const fixtures = await loadFixtures();

describe('observe: recorded watch sequences', () => {
  it('has the recorded sequences the measurement is specified by', () => {
    expect(fixtures.map(({ name }) => name)).to.include.members([
      'deployment-pod-kill.json', 'statefulset-pod-kill.json', 'recreated-replicaset.json', 'two-owners.json',
      'endpoint-in-two-slices.json', 'node-stopped.json', 'never-broke.json', 'no-recovery.json', 'multi-fault.json',
      'flapping.json',
    ]);
  });

  for (const { name, fixture } of fixtures) {
    describe(name, () => {
      const outcome = replay(fixture);
      const { result } = outcome;
      const { expected, epoch } = fixture;

      it(`gives the verdict: ${expected.status}`, () => {
        expect(result.status).to.equal(expected.status);
      });

      it('measures every timestamp and duration exactly', () => {
        expect({
          injectedAt: relative(result.injectedAt, epoch),
          lastInjectionAt: relative(result.lastInjectionAt, epoch),
          brokenAt: relative(result.brokenAt, epoch),
          recoveredAt: relative(result.recoveredAt, epoch),
          decidedAt: relative(result.decidedAt, epoch),
          recoveryTimeMs: result.recoveryTimeMs,
          disruptionMs: result.disruptionMs,
          undisrupted: result.undisrupted,
          longestBreakMs: result.longestBreakMs,
          breaks: result.breaks,
        }).to.deep.equal({
          injectedAt: expected.injectedAt,
          lastInjectionAt: expected.lastInjectionAt,
          brokenAt: expected.brokenAt,
          recoveredAt: expected.recoveredAt,
          decidedAt: expected.decidedAt,
          recoveryTimeMs: expected.recoveryTimeMs,
          disruptionMs: expected.disruptionMs,
          undisrupted: expected.undisrupted,
          longestBreakMs: expected.longestBreakMs,
          breaks: expected.breaks,
        });
      });

      it('decides no later than injectedAt + recoveryWithin + settle, and by a timer when events stop', () => {
        const cap = expected.injectedAt + fixture.expect.recoveryWithinMs + fixture.expect.settleMs;
        expect(relative(result.decidedAt, epoch)).to.be.at.most(cap);
        expect(outcome.ticks.every((tick) => tick <= cap)).to.equal(true);
      });

      it('matches every replacement through its owner, with the time of each phase', () => {
        expect(outcome.replacements).to.deep.equal(expected.replacements);
      });

      it('matches the same replacements when fed what the events changed in the World', () => {
        expect(replay(fixture, 'changes').replacements).to.deep.equal(expected.replacements);
      });

      if (expected.placement !== undefined) {
        it('records where every pod runs at the end', () => {
          expect(outcome.placement).to.deep.equal(expected.placement);
        });
      }

      if (expected.counts !== undefined) {
        it('charts the ready pods, nodes and endpoints as the checks count them', () => {
          const charted = (expected.counts ?? []).map(({ at }) => {
            const [sample] = outcome.timeline.samples(epoch + at, epoch + at);
            return sample === undefined ? undefined : { ...sample, at };
          });
          expect(charted).to.deep.equal(expected.counts);
        });
      }

      it('charts a timeline that is broken at brokenAt and holds at recoveredAt', () => {
        const holdsAt = (moment: number | null) => (moment === null ? undefined : outcome.timeline.samples(moment, moment)[0]?.holds);
        if (result.brokenAt !== null) expect(holdsAt(result.brokenAt)).to.equal(false);
        if (result.recoveredAt !== null) expect(holdsAt(result.recoveredAt)).to.equal(true);
      });
    });
  }
});

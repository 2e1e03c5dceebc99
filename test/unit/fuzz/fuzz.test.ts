import fc from 'fast-check';
import { expect } from 'chai';
import { FUZZ_SEED, FUZZ_TARGETS, removeFuzzWorkspaces, roundTrips } from './targets.js';

// Bounded and seeded: the same inputs on every run, a few seconds in all. `npm run bench:fuzz` runs the same
// targets with 10,000 inputs (RELIABILITY.md).
describe('fuzzed bad input (fast-check, fixed seed)', () => {
  after(removeFuzzWorkspaces);

  for (const target of FUZZ_TARGETS) {
    it(`${target.name}: ${target.runs} inputs, no crash, every issue placed and one line`, async () => {
      await fc.assert(fc.asyncProperty(target.arbitrary, (input) => target.check(input)), {
        seed: FUZZ_SEED,
        numRuns: target.runs,
        // A guard against a hang (a catastrophic regex, an alias bomb), not a speed target.
        timeout: 20_000,
      });
    });
  }

  it('some fuzzed scenario files were valid, so the round trip was checked', () => {
    expect(roundTrips.count).to.be.greaterThan(10);
  });
});

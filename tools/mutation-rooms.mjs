// The rooms that mutation testing covers: the files mutated, the unit-test folders run against them (folders under
// test/, as REBOUND_SUITES takes them; the ones whose tests import the room, so a mutant's test process loads no
// more than it needs), and the mutation score under which `npm run test:mutation` fails (issue 11: 85% where
// verdicts are decided, 75% elsewhere). The trial judge (harness/run/judge.ts and the maxDisruption rule) is one.
export const rooms = {
  observe: { mutate: ['harness/observe/**/*.ts'], suites: ['unit/observe', 'unit/run'], break: 85 },
  judge: { mutate: ['harness/run/judge.ts', 'harness/run/max-disruption.ts'], suites: ['unit/run'], break: 85 },
  scenario: {
    mutate: ['harness/scenario/**/*.ts'],
    suites: ['unit/scenario', 'unit/config', 'unit/fuzz', 'unit/observe', 'unit/run'],
    break: 75,
  },
  compare: { mutate: ['harness/compare/**/*.ts'], suites: ['unit/compare'], break: 75 },
  faults: { mutate: ['harness/faults/**/*.ts'], suites: ['unit/faults', 'unit/compare', 'unit/run'], break: 75 },
};

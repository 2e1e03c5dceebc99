import Mocha from 'mocha';

const { EVENT_RUN_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING } = Mocha.Runner.constants;

/**
 * Mocha's spec reporter, then the plain closing line CI reads: `N passed, N failed, N skipped`. Skipped tests are
 * listed by name with their reason, so a skip is never silent.
 */
export default class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    const skipped: string[] = [];
    runner.on(EVENT_TEST_PASS, () => { passed += 1; });
    runner.on(EVENT_TEST_FAIL, () => { failed += 1; });
    runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => { skipped.push(test.fullTitle()); });
    runner.once(EVENT_RUN_END, () => {
      // Spec registered its epilogue on this event in super(), so this line comes after it.
      for (const title of skipped) process.stdout.write(`SKIPPED: ${title}\n`);
      process.stdout.write(`${passed} passed, ${failed} failed${skipped.length > 0 ? `, ${skipped.length} skipped` : ''}\n`);
    });
  }
}

// Mocha's settings. REBOUND_SUITES picks the suites (folders under test/), default all of them: the npm scripts
// test:unit, test:integration and test:kind set it (mocha would add a spec given on the command line to these,
// not replace them).
const suites = (process.env.REBOUND_SUITES || 'unit,integration,kind').split(',').map((s) => s.trim()).filter(Boolean);
module.exports = {
  // In name order: the kind suites share one cluster, created by the first and deleted by the last.
  sort: true,
  spec: suites.map((suite) => `dist/test/${suite}/**/*.test.js`),
  require: ['dist/test/support/hooks.js'],
  reporter: 'dist/test/support/summary-reporter.js',
  timeout: 120000,
  slow: 5000,
};

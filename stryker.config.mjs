// StrykerJS settings for `npm run test:mutation` (tools/mutation.mjs runs Stryker once per room and sets the room's
// `mutate`, `thresholds` and report files; see QUALITY.md). Stryker copies the repository into .stryker-tmp/, writes
// every mutant of the room into the TypeScript at once (mutant schemata), compiles the copy with tsc and runs the
// compiled unit tests with mocha. No cluster: REBOUND_SUITES names unit-test folders only.
import { rooms } from './tools/mutation-rooms.mjs';

// tools/mutation.mjs narrows this to the room's test folders.
process.env.REBOUND_SUITES ||= 'unit';

export default {
  packageManager: 'npm',
  // tools/stryker-mocha-runner.mjs: mocha 12 driven through its API; it reads .mocharc.cjs (spec from
  // REBOUND_SUITES, the root hooks).
  plugins: ['@stryker-mutator/typescript-checker', './tools/stryker-mocha-runner.mjs'],
  testRunner: 'rebound-mocha',
  checkers: ['typescript'],
  // The checker type-checks each mutant against harness/ alone (tsconfig.mutation.json): far quicker than the
  // whole project.
  tsconfigFile: 'tsconfig.mutation.json',
  // The sandbox starts without dist/: tsc (found on the PATH Stryker gives the build) compiles the mutated sources
  // and the tests there, without type-checking (--noCheck): the schemata change the types TypeBox infers from
  // harness/scenario/schema.ts, which the tests use. The checker has type-checked each mutant already.
  buildCommand: 'tsc -p tsconfig.json --noCheck',
  ignorePatterns: ['dist', 'reports', '.stryker-tmp', 'bench/results'],
  // Mutated files get `// @ts-nocheck`, so the build accepts the schemata; the TypeScript checker has already
  // marked every mutant that does not type-check as a CompileError.
  disableTypeChecks: 'harness/**/*.ts',
  mutate: Object.values(rooms).flatMap((room) => room.mutate),
  // Only the tests that reach a mutant run against it.
  coverageAnalysis: 'perTest',
  // A static mutant (one that runs when a module loads) needs a fresh process and the whole unit suite each, over
  // a minute: skipped, and counted as ignored in the report.
  ignoreStatic: true,
  // The machine is shared: one test process at a time unless asked.
  concurrency: 1,
  timeoutMS: 10000,
  thresholds: { high: 90, low: 75, break: 75 },
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/all/index.html' },
  jsonReporter: { fileName: 'reports/mutation/all/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: false },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};

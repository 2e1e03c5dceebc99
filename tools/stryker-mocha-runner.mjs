// A StrykerJS test-runner plugin ("rebound-mocha") that runs the compiled mocha tests in Stryker's sandbox.
// Why not @stryker-mutator/mocha-runner: every release of it (9.x and 10.x) loads mocha's internals by paths that
// mocha 12 renamed (lib/cli/*.cjs), and its 9.x peer range stops below mocha 12; rebound's summary reporter is ESM,
// which only mocha 12 loads. This runner uses mocha's public API only: the spec and root hooks come from
// .mocharc.cjs (so REBOUND_SUITES picks the test folders), the test files load once per process, and every mutant
// run is one more `mocha.run`, narrowed with a grep to the tests that cover the mutant.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Mocha from 'mocha';
import { INSTRUMENTER_CONSTANTS } from '@stryker-mutator/api/core';
import { commonTokens, declareClassPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import {
  determineHitLimitReached, DryRunStatus, MutantRunStatus, TestStatus, toMutantRunResult,
} from '@stryker-mutator/api/test-runner';

/** The files a spec entry such as `dist/test/unit/observe/**\/*.test.js` names, in name order. */
function expandSpec(entry, cwd) {
  const match = /^(.*?)\/\*\*\/\*([^*/]+)$/.exec(entry);
  if (!match) return [resolve(cwd, entry)];
  const [, folder, suffix] = match;
  const base = resolve(cwd, folder);
  let names;
  try {
    names = readdirSync(base, { recursive: true });
  } catch {
    return [];
  }
  return names.filter((name) => name.endsWith(suffix)).sort().map((name) => join(base, name));
}

/** Collects each test's outcome and time from the mocha runner's events. */
function collector(results) {
  return class {
    constructor(runner) {
      let started = Date.now();
      runner.on(Mocha.Runner.constants.EVENT_TEST_BEGIN, () => {
        started = Date.now();
      });
      const add = (test, status, failureMessage) => {
        results.push({ id: test.fullTitle(), name: test.fullTitle(), status, timeSpentMs: Date.now() - started,
          fileName: test.file, ...(failureMessage === undefined ? {} : { failureMessage }) });
      };
      runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, (test) => add(test, TestStatus.Success));
      runner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, (test) => add(test, TestStatus.Skipped));
      // A failing hook counts as a failed test too: the tests behind it did not pass.
      runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test, error) =>
        add(test, TestStatus.Failed, String(error?.stack ?? error)));
    }
  };
}

export class ReboundMochaRunner {
  static inject = tokens(commonTokens.logger);

  constructor(log) {
    this.log = log;
    this.loaded = false;
    this.results = [];
    this.context = globalThis[INSTRUMENTER_CONSTANTS.NAMESPACE] ??= {};
  }

  capabilities() {
    // Stryker asks for a reload before a "hybrid" mutant: code that runs while the test modules load (a fixture
    // built in a describe block) and under tests. ESM modules cannot be loaded twice in one process, and a new
    // process per hybrid mutant (several seconds each) made a room take hours. So the mutant is active only while
    // its tests run: the load-time half of a hybrid mutant goes untested, which can only let a mutant survive,
    // never kill one. Pure static mutants are ignored (ignoreStatic in stryker.config.mjs).
    return { reloadEnvironment: true };
  }

  async init() {
    const cwd = process.cwd();
    const config = createRequire(join(cwd, 'package.json'))(join(cwd, '.mocharc.cjs'));
    const files = [config.spec].flat().flatMap((entry) => expandSpec(entry, cwd));
    if (files.length === 0) throw new Error(`no test files match ${[config.spec].flat().join(', ')} in ${cwd}`);
    const rootHooks = {};
    for (const file of [config.require ?? []].flat()) {
      const module = await import(pathToFileURL(resolve(cwd, file)).href);
      Object.assign(rootHooks, module.mochaHooks ?? {});
    }
    this.mocha = new Mocha({ reporter: collector(this.results), timeout: config.timeout ?? 2000, rootHooks });
    this.mocha.cleanReferencesAfterRun(false);
    for (const file of files) this.mocha.addFile(file);
    // perTest coverage: the instrumented code files each hit under the test that is running.
    const self = this;
    this.mocha.suite.beforeEach(function recordTest() {
      if (self.perTest) self.context.currentTestId = this.currentTest?.fullTitle();
    });
    this.log.debug(`rebound-mocha: ${files.length} test files, e.g. ${relative(cwd, files[0])}`);
  }

  async dryRun({ coverageAnalysis, disableBail }) {
    this.perTest = coverageAnalysis === 'perTest';
    const result = await this.run(disableBail, undefined);
    this.perTest = false;
    if (result.status === DryRunStatus.Complete && coverageAnalysis !== 'off') {
      result.mutantCoverage = this.context.mutantCoverage;
    }
    return result;
  }

  async mutantRun({ activeMutant, testFilter, disableBail, hitLimit, mutantActivation }) {
    if (mutantActivation === 'static' && this.loaded) {
      return { status: MutantRunStatus.Error, errorMessage: 'rebound-mocha cannot reload the test modules: keep ignoreStatic on' };
    }
    this.context.hitLimit = hitLimit;
    this.context.hitCount = hitLimit ? 0 : undefined;
    const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.mocha.options.grep = testFilter ? new RegExp(testFilter.map((id) => `(^${escape(id)}$)`).join('|')) : undefined;
    return toMutantRunResult(await this.run(disableBail, activeMutant.id, mutantActivation));
  }

  async run(disableBail, mutantId, activation) {
    const bail = (suite) => {
      suite.bail(!disableBail);
      suite.suites.forEach(bail);
    };
    bail(this.mocha.suite);
    try {
      if (!this.loaded) {
        // A static mutant must be active while the modules load; any other only while its tests run.
        this.context.activeMutant = activation === 'static' ? mutantId : undefined;
        await this.mocha.loadFilesAsync();
        this.loaded = true;
      }
      this.context.activeMutant = mutantId;
      this.results.length = 0;
      await new Promise((done) => this.mocha.run(() => done()));
      const timedOut = determineHitLimitReached(this.context.hitCount, this.context.hitLimit);
      if (timedOut) return timedOut;
      return { status: DryRunStatus.Complete, tests: [...this.results] };
    } catch (error) {
      return { status: DryRunStatus.Error, errorMessage: String(error?.stack ?? error) };
    }
  }

  async dispose() {
    // After a timed-out mutant mocha is still running (an endless loop, say): Stryker ends this process anyway.
    try {
      this.mocha?.dispose();
    } catch (error) {
      this.log.debug(`rebound-mocha: mocha not disposed: ${error}`);
    }
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.TestRunner, 'rebound-mocha', ReboundMochaRunner)];

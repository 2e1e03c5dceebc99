import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readComparableRun, ResultsFileError } from '../../../harness/compare/load.js';
import { LOCAL_ENVIRONMENT, resultsJson, runOf, scenarioOf } from './support.js';

// readComparableRun in-process: what `rebound compare` and the run's baseline gate read, and the one line naming the
// file and the field when a results.json is not what rebound writes.
/** A field of results.json (array indexes as strings) and the value to give it. */
type Edit = [path: string[], value: unknown];

describe('compare: reading a results.json', () => {
  let dir: string;
  let count = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rebound-compare-load-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes the document (JSON text, or an object made JSON) to a new file and returns its path. */
  const write = (document: unknown): string => {
    count += 1;
    const file = join(dir, `results-${count}.json`);
    writeFileSync(file, typeof document === 'string' ? document : JSON.stringify(document));
    return file;
  };
  /**
   * A valid results document as rebound writes it, with fields set: each edit is the path of a field and its value
   * (undefined leaves the field out of the file).
   */
  const document = (...edits: Edit[]): Record<string, unknown> => {
    const run = runOf([scenarioOf('web', [1000, { verdict: 'FAIL' }, { verdict: 'SKIPPED', undisrupted: true }])]);
    const doc = JSON.parse(resultsJson(run)) as Record<string, unknown>;
    for (const [path, value] of edits) {
      let at = doc;
      for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
      at[path[path.length - 1]] = value;
    }
    return doc;
  };
  /** The message of the ResultsFileError that reading `document` as the candidate throws, without the file name. */
  const refusal = (doc: unknown): string => {
    const file = write(doc);
    try {
      readComparableRun(file, 'candidate');
    } catch (error) {
      expect(error).to.be.instanceOf(ResultsFileError);
      const message = (error as Error).message;
      expect(message.startsWith(`candidate ${file}: `), message).to.equal(true);
      return message.slice(`candidate ${file}: `.length);
    }
    expect.fail('the document was accepted');
  };

  it('reads the fields a comparison uses, and a folder as its results.json', () => {
    const folder = join(dir, 'run');
    mkdirSync(folder);
    const expected = runOf([scenarioOf('web', [1000, { verdict: 'FAIL' }, { verdict: 'SKIPPED', undisrupted: true }])], LOCAL_ENVIRONMENT, { tag: 'v2' });
    writeFileSync(join(folder, 'results.json'), resultsJson(expected));
    expect(readComparableRun(folder, 'baseline')).to.deep.equal({ file: join(folder, 'results.json'), run: expected });
    const file = write(document());
    expect(readComparableRun(file, 'baseline').file).to.equal(file);
  });

  it('reads a run with no environment, and fields that may be null', () => {
    const run = readComparableRun(write(document([['environment'], null], [['scenarios', '0', 'expect', 'maxDisruptionMs'], 5000])), 'baseline').run;
    expect(run.environment).to.equal(null);
    expect(run.scenarios[0]?.expect.maxDisruptionMs).to.equal(5000);
    const environment = readComparableRun(write(document([['environment', 'kubernetesVersion'], null], [['environment', 'nodeCount'], null])), 'baseline')
      .run.environment;
    expect(environment).to.deep.include({ kubernetesVersion: null, nodeCount: null });
  });

  it('reads a trial\'s load: failed requests and p95, null or left out', () => {
    const load = (trial: string): string[] => ['scenarios', '0', 'trials', trial, 'load'];
    const run = readComparableRun(write(document(
      [load('0'), { errorBudget: { failed: 3, p95Ms: 250, other: 'ignored' } }],
      [load('1'), { errorBudget: { failed: 0, p95Ms: null } }],
      [load('2'), { errorBudget: null }],
    )), 'baseline').run;
    const trials = run.scenarios[0].trials;
    expect(trials[0]).to.deep.include({ load: { errorBudget: { failed: 3, p95Ms: 250 } } });
    expect(trials[1]).to.deep.include({ load: { errorBudget: { failed: 0, p95Ms: null } } });
    expect(trials[2]).to.deep.include({ load: { errorBudget: null } });
    const older = readComparableRun(write(document()), 'baseline').run.scenarios[0].trials[0];
    expect(older).to.not.have.property('load');
    const withoutP95 = readComparableRun(write(document([load('0'), { errorBudget: { failed: 1 } }])), 'baseline').run.scenarios[0].trials[0];
    expect(withoutP95.load).to.deep.equal({ errorBudget: { failed: 1, p95Ms: null } });
  });

  it('names a missing file, and a file that is not JSON', () => {
    const missing = join(dir, 'nowhere', 'results.json');
    expect(() => readComparableRun(missing, 'baseline')).to.throw(ResultsFileError, `baseline ${missing}: cannot read it: no such file`);
    // Neither missing nor forbidden: the system's own words.
    const underFile = join(write(document()), 'results.json');
    expect(() => readComparableRun(underFile, 'baseline')).to.throw(ResultsFileError, `baseline ${underFile}: cannot read it: ENOTDIR: not a directory`);
    expect(refusal('{"schemaVersion": 1,')).to.match(/^not valid JSON \(.+\); give the results\.json of a rebound run$/);
  });

  it('refuses a document that is no rebound run, or of another schema version', () => {
    expect(refusal([])).to.equal('the document: expected an object, found []');
    expect(refusal(null)).to.equal('the document: expected an object, found null');
    expect(refusal(document([['schemaVersion'], undefined]))).to.equal(
      'schemaVersion: expected the results.json of a rebound run, found nothing');
    expect(refusal(document([['schemaVersion'], 2]))).to.equal('schemaVersion: expected 1 (the results layout this rebound reads), found 2');
  });

  it('names the field that is wrong, with its path and what it held', () => {
    const cases: [Edit, string][] = [
      [[['scenarios'], {}], 'scenarios: expected a list, found {}'],
      [[['vars'], { tag: 2 }], 'vars.tag: expected a string, found 2'],
      [[['vars'], []], 'vars: expected an object, found []'],
      [[['startedAt'], 0], 'startedAt: expected a string, found 0'],
      [[['verdict'], 'SKIPPED'], 'verdict: expected PASS, FAIL, ERROR or ABORTED, found "SKIPPED"'],
      [[['scenarios', '0', 'name'], true], 'scenarios[0].name: expected a string, found true'],
      [[['scenarios', '0', 'verdict'], 'pass'], 'scenarios[0].verdict: expected PASS, FAIL, ERROR or ABORTED, found "pass"'],
      [[['scenarios', '0', 'expect'], null], 'scenarios[0].expect: expected an object, found null'],
      [[['scenarios', '0', 'expect', 'recoveryWithinMs'], '30s'], 'scenarios[0].expect.recoveryWithinMs: expected a number, found "30s"'],
      [[['scenarios', '0', 'expect', 'settleMs'], null], 'scenarios[0].expect.settleMs: expected a number, found null'],
      [[['scenarios', '0', 'expect', 'maxDisruptionMs'], 'no'], 'scenarios[0].expect.maxDisruptionMs: expected a number, found "no"'],
      [[['scenarios', '0', 'expect', 'mustBreak'], 'yes'], 'scenarios[0].expect.mustBreak: expected true or false, found "yes"'],
      [[['scenarios', '0', 'steadyState'], ['a', 1]], 'scenarios[0].steadyState[1]: expected a string, found 1'],
      [[['scenarios', '0', 'steadyState'], 'podsReady'], 'scenarios[0].steadyState: expected a list, found "podsReady"'],
      [[['scenarios', '0', 'trials', '0', 'recoveryTimeMs'], '5'],
        'scenarios[0].trials[0].recoveryTimeMs: expected a number of milliseconds (0 or more) or null, found "5"'],
      [[['scenarios', '0', 'trials'], 'none'], 'scenarios[0].trials: expected a list, found "none"'],
      [[['scenarios', '0', 'trials', '2', 'trial'], '3'], 'scenarios[0].trials[2].trial: expected a number, found "3"'],
      [[['scenarios', '0', 'trials', '1', 'verdict'], 'SKIP'],
        'scenarios[0].trials[1].verdict: expected PASS, FAIL, ERROR, ABORTED or SKIPPED, found "SKIP"'],
      [[['scenarios', '0', 'trials', '0', 'undisrupted'], 0], 'scenarios[0].trials[0].undisrupted: expected true or false, found 0'],
      [[['scenarios', '0', 'trials', '0', 'recoveryTimeMs'], -1],
        'scenarios[0].trials[0].recoveryTimeMs: expected a number of milliseconds (0 or more) or null, found -1'],
      [[['scenarios', '0', 'trials', '0', 'recoveryTimeMs'], '1s'],
        'scenarios[0].trials[0].recoveryTimeMs: expected a number of milliseconds (0 or more) or null, found "1s"'],
      [[['scenarios', '0', 'trials', '0', 'recoveryTimeMs'], undefined],
        'scenarios[0].trials[0].recoveryTimeMs: expected a number of milliseconds (0 or more) or null, found nothing'],
      [[['scenarios', '0', 'trials', '0', 'load'], 5], 'scenarios[0].trials[0].load: expected an object, found 5'],
      [[['scenarios', '0', 'trials', '0', 'load'], { errorBudget: 1 }], 'scenarios[0].trials[0].load.errorBudget: expected an object, found 1'],
      [[['scenarios', '0', 'trials', '0', 'load'], { errorBudget: { failed: null } }],
        'scenarios[0].trials[0].load.errorBudget.failed: expected a number, found null'],
      [[['scenarios', '0', 'trials', '0', 'load'], { errorBudget: { failed: 0, p95Ms: '1' } }],
        'scenarios[0].trials[0].load.errorBudget.p95Ms: expected a number, found "1"'],
      [[['environment'], 'local'], 'environment: expected an object, found "local"'],
      [[['environment', 'timings'], { settle: 'x' }], 'environment.timings.settle: expected a number, found "x"'],
      [[['environment', 'timings'], null], 'environment.timings: expected an object, found null'],
      [[['environment', 'machine'], []], 'environment.machine: expected an object, found []'],
      [[['environment', 'provider'], 1], 'environment.provider: expected a string, found 1'],
      [[['environment', 'cluster'], null], 'environment.cluster: expected a string, found null'],
      [[['environment', 'kubernetesVersion'], 1.34], 'environment.kubernetesVersion: expected a string, found 1.34'],
      [[['environment', 'reboundVersion'], undefined], 'environment.reboundVersion: expected a string, found nothing'],
      [[['environment', 'nodeCount'], '3'], 'environment.nodeCount: expected a number, found "3"'],
      [[['environment', 'machine', 'cpus'], '2'], 'environment.machine.cpus: expected a number, found "2"'],
      [[['environment', 'machine', 'loadAverage'], [0.1, 'high']], 'environment.machine.loadAverage[1]: expected a number, found "high"'],
      [[['environment', 'machine', 'loadAverage'], 0.1], 'environment.machine.loadAverage: expected a list, found 0.1'],
      [[['environment', 'machine', 'platform'], false], 'environment.machine.platform: expected a string, found false'],
    ];
    for (const [edit, message] of cases) expect(refusal(document(edit)), message).to.equal(message);
  });

  it('refuses a number that is not finite, and shortens a value it quotes past 40 characters', () => {
    // JSON has no Infinity, but a number too large for a double parses as one.
    const huge = JSON.stringify(document()).replace('"recoveryWithinMs":30000', '"recoveryWithinMs":1e999');
    expect(refusal(huge)).to.equal('scenarios[0].expect.recoveryWithinMs: expected a number, found null');
    const endless = JSON.stringify(document()).replace('"recoveryTimeMs":1000', '"recoveryTimeMs":1e999');
    expect(refusal(endless)).to.equal('scenarios[0].trials[0].recoveryTimeMs: expected a number of milliseconds (0 or more) or null, found null');
    // 0 ms is a recovery time (the steady state came back at the injection's own moment).
    expect(readComparableRun(write(document([['scenarios', '0', 'trials', '0', 'recoveryTimeMs'], 0])), 'baseline').run.scenarios[0].trials[0].recoveryTimeMs)
      .to.equal(0);
    const quoted = (value: unknown): string => refusal(document([['startedAt'], value]));
    // ["x...x"] with 36 x's is 40 characters: quoted whole; with 37 it is 41: cut to 37 and "...".
    expect(quoted(['x'.repeat(36)])).to.equal(`startedAt: expected a string, found ["${'x'.repeat(36)}"]`);
    expect(quoted(['x'.repeat(37)])).to.equal(`startedAt: expected a string, found ["${'x'.repeat(35)}...`);
  });
});

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { LOCAL_ENVIRONMENT, noisy, resultsJson, runOf, scenarioOf } from '../compare/support.js';

function rebound(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/rebound.js', ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, stdout, stderr });
    });
  });
}

// `rebound compare` end to end, in child processes. It lives here, not in test/unit/compare: the compare mutation
// room runs that folder, and a child process never sees Stryker's active mutant (harness/compare is tested in-process
// there, load.ts by test/unit/compare/load.test.ts).
describe('rebound compare', function () {
  this.timeout(60_000);
  let dir: string;
  const file = (...parts: string[]): string => join(dir, ...parts);
  const write = (path: string, content: string): string => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
    return path;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rebound-compare-cli-'));
    write(file('v1', 'results.json'), resultsJson(runOf([scenarioOf('web', noisy(1, 'v1', 10, 2000)), scenarioOf('db', noisy(1, 'v1db', 10, 4000))])));
    write(file('v1-again', 'results.json'), resultsJson(runOf([scenarioOf('web', noisy(2, 'v1', 10, 2000)), scenarioOf('db', noisy(2, 'v1db', 10, 4000))])));
    write(file('v2', 'results.json'), resultsJson(runOf([scenarioOf('web', noisy(1, 'v2', 10, 2600)), scenarioOf('db', noisy(1, 'v2db', 10, 4000))])));
    write(file('elsewhere', 'results.json'), resultsJson(runOf([scenarioOf('web', noisy(3, 'v1', 10, 2000)), scenarioOf('db', noisy(3, 'v1db', 10, 4000))], { ...LOCAL_ENVIRONMENT, kubernetesVersion: 'v1.33.0' })));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 1 when a scenario regressed, prints the table, and writes compare.md and compare.json next to the candidate', async () => {
    const result = await rebound(['compare', file('v1', 'results.json'), file('v2', 'results.json')]);
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stdout).to.match(/^SCENARIO +BASE MEDIAN/m);
    expect(result.stdout).to.match(/^web +.* regressed$/m);
    expect(result.stdout).to.contain('REGRESSED: 2 scenarios compared (1 regressed');
    expect(result.stderr).to.contain(`wrote ${file('v2', 'compare.md')}`);
    const written = JSON.parse(readFileSync(file('v2', 'compare.json'), 'utf8')) as { schemaVersion: number; verdict: string; candidate: { file: string } };
    expect(written).to.deep.include({ schemaVersion: 1, verdict: 'regressed' });
    expect(written.candidate.file).to.equal(file('v2', 'results.json'));
    expect(readFileSync(file('v2', 'compare.md'), 'utf8')).to.contain('**regressed**');
  });

  it('exits 0 when nothing regressed, takes folders for files, and writes into --out', async () => {
    const result = await rebound(['compare', file('v1'), file('v1-again'), '--out', file('out'), '--max-regression', '5%', '--alpha', '0.01', '--seed', '9']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain('UNCHANGED: 2 scenarios compared');
    const written = JSON.parse(readFileSync(file('out', 'compare.json'), 'utf8')) as { options: unknown };
    expect(written.options).to.deep.equal({ maxRegression: 0.05, alpha: 0.01, seed: 9, resamples: 10_000 });
    expect(existsSync(file('out', 'compare.md'))).to.equal(true);
    expect(existsSync(file('v1-again', 'compare.json'))).to.equal(false);
  });

  it('warns loudly when the environments differ', async () => {
    const result = await rebound(['compare', file('v1'), file('elsewhere'), '--out', file('out-env')]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stderr).to.contain('WARNING: Kubernetes version differs: v1.34.4 (baseline) vs v1.33.0 (candidate)');
    expect(readFileSync(file('out-env', 'compare.md'), 'utf8')).to.contain('Kubernetes version differs');
  });

  it('exits 2 with one line naming a missing, unreadable or invalid results file', async () => {
    const missing = await rebound(['compare', file('nope.json'), file('v2', 'results.json')]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr.trim()).to.equal(`rebound: baseline ${file('nope.json')}: cannot read it: no such file`);

    const garbage = write(file('bad', 'garbage.json'), '{ not json');
    const notJson = await rebound(['compare', file('v1', 'results.json'), garbage]);
    expect(notJson.code).to.equal(2);
    expect(notJson.stderr).to.match(new RegExp(`^rebound: candidate ${garbage.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON`));

    const broken = JSON.parse(readFileSync(file('v1', 'results.json'), 'utf8')) as { scenarios: { trials: { recoveryTimeMs: unknown }[] }[] };
    (broken.scenarios[1]?.trials[2] ?? { recoveryTimeMs: 0 }).recoveryTimeMs = 'fast';
    const invalid = await rebound(['compare', write(file('bad', 'invalid.json'), JSON.stringify(broken)), file('v2', 'results.json')]);
    expect(invalid.code).to.equal(2);
    expect(invalid.stderr).to.contain('invalid.json: scenarios[1].trials[2].recoveryTimeMs: expected a number of milliseconds (0 or more) or null, found "fast"');

    const future = await rebound(['compare', write(file('bad', 'future.json'), JSON.stringify({ ...broken, schemaVersion: 2 })), file('v2', 'results.json')]);
    expect(future.code).to.equal(2);
    expect(future.stderr).to.contain('future.json: schemaVersion: expected 1 (the results layout this rebound reads), found 2');
    for (const output of [missing, notJson, invalid, future]) expect(output.stderr).to.not.contain('    at ');
  });

  it('exits 2 on a bad percentage, alpha or seed, naming the option', async () => {
    const base = ['compare', file('v1', 'results.json'), file('v2', 'results.json'), '--out', file('out-bad')];
    const percentage = await rebound([...base, '--max-regression', '10']);
    expect(percentage.code).to.equal(2);
    expect(percentage.stderr.trim()).to.equal('rebound: --max-regression 10: write a percentage such as 10% (or the fraction 0.1)');
    const alpha = await rebound([...base, '--alpha', '1.5']);
    expect(alpha.code).to.equal(2);
    expect(alpha.stderr).to.contain('rebound: --alpha 1.5: the significance level must be a number between 0 and 1');
    const seed = await rebound([...base, '--seed', '1.5']);
    expect(seed.code).to.equal(2);
    expect(seed.stderr).to.contain('rebound: --seed 1.5: must be a whole number');
    expect(existsSync(file('out-bad'))).to.equal(false);
  });

  it('exits 2 when the runs have no scenario in common', async () => {
    const other = write(file('other', 'results.json'), resultsJson(runOf([scenarioOf('queue', [1, 2, 3, 4])])));
    const result = await rebound(['compare', file('v1', 'results.json'), other]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain('the two runs have no scenario in common (baseline: web, db; candidate: queue)');
  });
});

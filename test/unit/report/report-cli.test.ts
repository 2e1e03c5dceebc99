import { expect } from 'chai';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reboundInProcess, type Outcome } from '../../support/cli.js';
import { FIXTURES, removeTemporaryFolders, REPO_ROOT, temporaryFolder } from './support.js';

/** The CLI's command line, run in process (test/support/cli.ts). */
function rebound(...args: string[]): Promise<Outcome> {
  return reboundInProcess(args);
}

describe('rebound report and schema --results (compiled CLI)', function () {
  this.timeout(30_000);
  after(removeTemporaryFolders);

  it('renders the chosen reports of a stored run into --out', async () => {
    const out = await temporaryFolder();
    const { code, stdout, stderr } = await rebound('report', FIXTURES.allExamples, '--reporter', 'html', '--reporter', 'junit,markdown', '--out', out);
    expect(code, stderr).to.equal(0);
    expect(stdout).to.equal('');
    expect(stderr).to.contain(`written to ${out}`);
    expect((await readdir(out)).sort()).to.deep.equal(['junit.xml', 'report.html', 'summary.md']);
    expect(await readFile(join(out, 'summary.md'), 'utf8')).to.contain('| fail-bare-pod | ❌ FAIL |');
  });

  it('writes next to the results.json when --out is not given, junit, markdown and html by default', async () => {
    const folder = await temporaryFolder();
    await copyFile(FIXTURES.deploymentPodKill, join(folder, 'results.json'));
    const { code, stderr } = await rebound('report', join(folder, 'results.json'));
    expect(code, stderr).to.equal(0);
    expect((await readdir(folder)).sort()).to.deep.equal(['junit.xml', 'report.html', 'results.json', 'summary.md']);
  });

  it('a missing or invalid results.json is one line and exit 2', async () => {
    const folder = await temporaryFolder();
    const missing = await rebound('report', join(folder, 'results.json'), '--out', folder);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.equal(`rebound: ${join(folder, 'results.json')} does not exist: give the results.json of a run (its folder is printed at the end of \`rebound run\`)\n`);
    await writeFile(join(folder, 'bad.json'), JSON.stringify({ schemaVersion: 1, verdict: 'PASS', seed: 1 }));
    const invalid = await rebound('report', join(folder, 'bad.json'), '--out', folder);
    expect(invalid.code).to.equal(2);
    expect(invalid.stderr).to.match(/^rebound: .*bad\.json is not a valid rebound results\.json: \(top level\): must have required property 'startedAt' \(and 4 more problems\)\n$/);
    expect(await readdir(folder)).to.deep.equal(['bad.json']);
  });

  it('an unknown reporter is exit 2 naming the known ones', async () => {
    const { code, stderr } = await rebound('report', FIXTURES.allExamples, '--reporter', 'pdf');
    expect(code).to.equal(2);
    expect(stderr).to.equal('rebound: unknown reporter "pdf": choose from console, json, junit, markdown, html\n');
  });

  it('schema --results prints the committed results schema', async () => {
    const { code, stdout, stderr } = await rebound('schema', '--results');
    expect(code, stderr).to.equal(0);
    expect(stdout).to.equal(await readFile(join(REPO_ROOT, 'docs', 'results.schema.json'), 'utf8'));
  });
});

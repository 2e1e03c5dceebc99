import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { buildFamily, familyDir, isBuilt, readVersion } from '../../harness/cluster/local/binaries.js';
import { REPO } from '../support/cli.js';

function lint(binary: string, file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(binary, ['-no-color', file], { cwd: REPO }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe('the nightly CI recipe users copy (docs/examples/nightly.yml)', function () {
  this.timeout(10 * 60_000);
  const recipe = join(REPO, 'docs', 'examples', 'nightly.yml');
  let actionlint: string;

  before(async function () {
    const version = readVersion('ACTIONLINT_VERSION');
    // Built from its Go module once per machine, like the cluster's binaries.
    if (!isBuilt('actionlint', version)) await buildFamily('actionlint', version, (line) => process.stderr.write(`      [build] ${line}\n`));
    actionlint = join(familyDir('actionlint', version), 'actionlint');
  });

  it('passes actionlint', async function () {
    const { code, output } = await lint(actionlint, recipe);
    expect(output.trim(), 'actionlint findings').to.equal('');
    expect(code).to.equal(0);
  });

  it('actionlint is strict enough to catch a broken workflow', async function () {
    const broken = join(REPO, 'test', 'fixtures', 'nightly-broken.yml');
    const { code, output } = await lint(actionlint, broken);
    expect(code).to.not.equal(0);
    expect(output).to.match(/unknown-key|unexpected key|undefined/);
  });

  it('creates a kind cluster, loads the image, gates on the baseline and publishes the summary', async function () {
    const { readFile } = await import('node:fs/promises');
    const workflow = parse(await readFile(recipe, 'utf8')) as { jobs: { recovery: { steps: { run?: string; uses?: string; if?: string }[] } } };
    const runs = workflow.jobs.recovery.steps.map((s) => s.run ?? '').join('\n');
    expect(runs).to.match(/rebound cluster up --provider kind/);
    expect(runs).to.match(/rebound cluster load --provider kind/);
    expect(runs).to.match(/rebound run scenarios\/ --provider kind[\s\S]*--baseline reports\/baselines\/nightly\.json/);
    expect(runs).to.match(/summary\.md" >> "\$GITHUB_STEP_SUMMARY"/);
    expect(workflow.jobs.recovery.steps.some((s) => s.uses?.startsWith('actions/upload-artifact') && s.if === 'always()')).to.equal(true);
  });
});

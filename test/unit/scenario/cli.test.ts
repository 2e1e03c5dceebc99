import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reboundInProcess as runCli, type Outcome } from '../../support/cli.js';
import { folderWith, removeTemporaryFolders, REPO_ROOT } from './support.js';

/** Runs the compiled CLI as a user would. */
const rebound = (...args: string[]): Promise<Outcome> => runCli(args);

const BAD = 'test/fixtures/bad-scenarios';

describe('rebound validate, list and schema (compiled CLI)', function () {
  this.timeout(30_000);
  after(removeTemporaryFolders);

  const cases: [string, string][] = [
    ['unknown-fault-kind.yaml', `${BAD}/unknown-fault-kind.yaml:11:7: spec.faults[0].podKil: unknown fault kind \`podKil\` (hint: did you mean podKill?)`],
    ['settle-not-less-than-recovery.yaml', `${BAD}/settle-not-less-than-recovery.yaml:14:13: spec.expect.settle: settle (30s) must be shorter than recoveryWithin (30s)`],
    ['not-yaml.yaml', `${BAD}/not-yaml.yaml:10:3: YAML: `],
    ['manifest-without-kind.yaml', `${BAD}/manifests/no-kind.yaml:7:1: spec.desiredState[0].file[1]: manifest has no kind`],
  ];
  for (const [name, line] of cases) {
    it(`validate ${name}: exit 2, the error on one line, no stack trace`, async () => {
      const { code, stdout, stderr } = await rebound('validate', `${BAD}/${name}`);
      expect(code, stderr).to.equal(2);
      expect(stdout).to.equal('');
      expect(stderr).to.contain(`rebound: ${BAD}/${name} is not a valid scenario (1 error)\n`);
      expect(stderr.split('\n').filter((text) => text.includes(line)), stderr).to.have.length(1);
      expect(stderr).to.not.contain('    at ');
    });
  }

  it('validate prints one OK line per valid file and exits 0', async () => {
    const { code, stdout, stderr } = await rebound('validate', 'test/fixtures/good-scenarios', '--var', 'IMAGE=nginx');
    expect(code, stderr).to.equal(0);
    expect(stdout.trim().split('\n')).to.deep.equal([
      'ok test/fixtures/good-scenarios/node-faults.yaml: node-faults (9 faults, 4 checks, 1 manifest, 2 trials)',
      'ok test/fixtures/good-scenarios/operator-under-test.yaml: operator-recreates-owned (5 faults, 3 checks, 1 manifest, 3 trials)',
      'ok test/fixtures/good-scenarios/web-pod-kill.yaml: web-pod-kill (1 fault, 3 checks, 3 manifests, 5 trials)',
    ]);
  });

  it('validate reports every invalid file and a missing one, and still prints the valid ones', async () => {
    const { code, stdout, stderr } = await rebound('validate', `${BAD}/trials-zero.yaml`, 'nope.yaml', 'test/fixtures/good-scenarios/node-faults.yaml');
    expect(code).to.equal(2);
    expect(stdout).to.contain('ok test/fixtures/good-scenarios/node-faults.yaml');
    expect(stderr).to.contain('rebound: 2 scenario files are invalid (2 errors)');
    expect(stderr).to.contain(`${BAD}/trials-zero.yaml:14:11: spec.trials: must be at least 1 (got the number 0)`);
    expect(stderr).to.contain('nope.yaml:1:1: no such file or directory');
    expect(stderr).to.not.contain('    at ');
  });

  it('validate prints warnings prefixed "warning:" and exits 0', async () => {
    const folder = await folderWith({
      'warned.yaml': 'apiVersion: rebound.dev/v1alpha1\nkind: Scenario\nmetadata: { name: warned }\nspec:\n  steadyState: [ { nodesReady: {} } ]\n  faults: [ { nodeStop: { percent: 100 } } ]\n  expect: { recoveryWithin: 30s }\n',
    });
    const { code, stdout, stderr } = await rebound('validate', join(folder, 'warned.yaml'));
    expect(code, stderr).to.equal(0);
    expect(stderr).to.equal(`warning: ${join(folder, 'warned.yaml')}:6:36: spec.faults[0].nodeStop.percent: may stop every node: percent 100 picks all the candidates (hint: use count, a lower percent, or narrow the candidates with selector or nodesOf)\n`);
    expect(stdout).to.contain('(1 fault, 1 check, 0 manifests, 1 trial, 1 warning)');
  });

  it('validate rejects a malformed --var as a usage error', async () => {
    const { code, stderr } = await rebound('validate', 'test/fixtures/good-scenarios', '--var', 'IMAGE');
    expect(code).to.equal(2);
    expect(stderr).to.contain('rebound: --var IMAGE: write --var NAME=value');
  });

  it('list prints a table filtered by --selector', async () => {
    const { code, stdout } = await rebound('list', 'test/fixtures/good-scenarios', '--var', 'IMAGE=nginx', '--selector', 'suite in (smoke,operator),suite!=operator');
    expect(code).to.equal(0);
    expect(stdout.split('\n')[0]).to.match(/^NAME\s+FILE\s+TRIALS\s+FAULTS\s+LABELS$/);
    expect(stdout.trim().split('\n').slice(1)).to.deep.equal([
      'web-pod-kill  test/fixtures/good-scenarios/web-pod-kill.yaml  5       podKill  suite=smoke,tier=web',
    ]);
  });

  it('list rejects an invalid --selector', async () => {
    const { code, stderr } = await rebound('list', 'test/fixtures/good-scenarios', '--selector', 'suite in (smoke');
    expect(code).to.equal(2);
    expect(stderr).to.contain('rebound: --selector: invalid selector `suite in (smoke`');
  });

  it('schema prints the committed JSON Schema', async () => {
    const { code, stdout } = await rebound('schema');
    expect(code).to.equal(0);
    expect(stdout).to.equal(await readFile(join(REPO_ROOT, 'docs', 'scenario.schema.json'), 'utf8'));
  });

  it('schema --out writes it', async () => {
    const folder = await folderWith({});
    const { code } = await rebound('schema', '--out', join(folder, 'schema.json'));
    expect(code).to.equal(0);
    expect(await readFile(join(folder, 'schema.json'), 'utf8')).to.equal(await readFile(join(REPO_ROOT, 'docs', 'scenario.schema.json'), 'utf8'));
  });
});

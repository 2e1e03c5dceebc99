import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { kubeconfigWith } from '../../support/kubeconfig-file.js';
import { REPO, reboundInProcess as rebound } from '../../support/cli.js';

describe('rebound run: refusals before anything is touched', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => { dir = mkdtempSync(join(tmpdir(), 'rebound-run-cli-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses an invalid scenario with file:line:col errors and exit 2', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, [
      'apiVersion: rebound.dev/v1alpha1',
      'kind: Scenario',
      'metadata: { name: bad }',
      'spec:',
      '  steadyState: [ { podsReady: { selector: app=web, count: 1 } } ]',
      '  faults:',
      '    - podKil: { selector: app=web }',
      '  expect: { recoveryWithin: 10s }',
      '',
    ].join('\n'));
    const result = await rebound(['run', file, '--out', join(dir, 'out')]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:7:\\d+: spec\\.faults\\[0\\]`));
    expect(result.stderr).to.contain('did you mean podKill?');
    expect(result.stderr).to.not.contain('    at ');
  });

  it('refuses a kube context that is not on the allowlist, with exit 2', async () => {
    const kubeconfig = kubeconfigWith(dir, 'prod-eu');
    const result = await rebound(['run', 'scenarios/deployment-pod-kill.yaml', '--kubeconfig', kubeconfig, '--out', join(dir, 'out2')]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain('refusing kube context "prod-eu"');
  });

  it('takes the cluster from the project\'s config file unless the command line names one, and refuses a bad config file', async () => {
    const project = join(dir, 'project');
    mkdirSync(project);
    const scenario = join(project, 'pod-kill.yaml');
    writeFileSync(scenario, readFileSync(join(REPO, 'scenarios', 'deployment-pod-kill.yaml'), 'utf8'));
    cpSync(join(REPO, 'scenarios', 'manifests'), join(project, 'manifests'), { recursive: true });
    const config = join(project, 'rebound.config.yaml');
    writeFileSync(config, 'defaults:\n  kubeconfig: no-such.yaml\n  context: kind-x\n');
    const fromConfig = await rebound(['run', scenario, '--dry-run']);
    expect(fromConfig.code, fromConfig.stderr).to.equal(2);
    expect(fromConfig.stderr).to.contain(`config: ${config}`);
    expect(fromConfig.stderr).to.contain(`kubeconfig ${join(project, 'no-such.yaml')} does not exist`);
    const fromFlags = await rebound(['run', scenario, '--dry-run', '--provider', 'local', '--cluster', 'no-such-cluster']);
    expect(fromFlags.code, fromFlags.stderr).to.equal(0);
    expect(fromFlags.stdout).to.contain('cluster: local cluster "no-such-cluster": not up');
    writeFileSync(config, 'defaults:\n  kubeconfig: no-such.yaml\n  trials: 3\n');
    const bad = await rebound(['run', scenario, '--dry-run']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr.trim()).to.equal(`rebound: ${config}:3:3: defaults.trials: unknown field trials (known: provider, cluster, kubeconfig, context, out, reporter, k6)`);
  });

  it('rejects a malformed --var and a bad --trials with exit 2', async () => {
    expect((await rebound(['run', 'scenarios/deployment-pod-kill.yaml', '--var', 'NOEQUALS'])).code).to.equal(2);
    expect((await rebound(['run', 'scenarios/deployment-pod-kill.yaml', '--trials', '0'])).code).to.equal(2);
  });
});

describe('rebound recover: bad input', function () {
  this.timeout(60_000);

  it('refuses flags of another provider and a cluster that is not up, with one line and exit 2', async () => {
    const mixed = await rebound(['recover', '--provider', 'kubeconfig', '--cluster', 'x']);
    expect(mixed.code).to.equal(2);
    expect(mixed.stderr).to.match(/^rebound: --cluster names a local or kind cluster/);
    const local = await rebound(['recover', '--kubeconfig', '/no/such/file', '--provider', 'local']);
    expect(local.code).to.equal(2);
    expect(local.stderr).to.match(/--kubeconfig and --context go with --provider kubeconfig/);
    const absent = await rebound(['recover', '--cluster', 'never-started-here']);
    expect(absent.code).to.equal(2);
    expect(absent.stderr).to.match(/no local cluster named "never-started-here" is up/);
  });

  it('takes the cluster of the config file in the folder it runs in, unless one is named', async () => {
    const project = mkdtempSync(join(tmpdir(), 'rebound-recover-config-'));
    try {
      writeFileSync(join(project, 'rebound.config.yaml'), 'defaults:\n  cluster: from-the-config\n');
      const fromConfig = await rebound(['recover'], { cwd: project });
      expect(fromConfig.code).to.equal(2);
      expect(fromConfig.stderr).to.contain(`config: ${join(project, 'rebound.config.yaml')}`);
      expect(fromConfig.stderr).to.match(/no local cluster named "from-the-config" is up/);
      const named = await rebound(['recover', '--cluster', 'named-here'], { cwd: project });
      expect(named.stderr).to.match(/no local cluster named "named-here" is up/);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { allowancesOf, ConfigInvalidError, loadUserConfig, withClusterChoice, type UserConfig } from '../../../harness/config/user-config.js';
import { formatIssue } from '../../../harness/scenario/issues.js';

describe('the user\'s config files', () => {
  let root: string;
  let home: string;
  let project: string;
  const savedHome = process.env.REBOUND_HOME;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rebound-config-'));
    home = join(root, 'home');
    project = join(root, 'project');
    mkdirSync(home);
    mkdirSync(join(project, 'scenarios', 'nightly'), { recursive: true });
    writeFileSync(join(project, 'scenarios', 'nightly', 'a.yaml'), 'kind: Scenario\n');
    process.env.REBOUND_HOME = home;
  });

  afterEach(() => {
    if (savedHome === undefined) delete process.env.REBOUND_HOME;
    else process.env.REBOUND_HOME = savedHome;
    rmSync(root, { recursive: true, force: true });
  });

  const problems = (paths: string[]): string[] => {
    try {
      loadUserConfig(paths);
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigInvalidError);
      return (error as ConfigInvalidError).issues.map(formatIssue);
    }
    throw new Error('the config was accepted');
  };

  it('is empty when there is no config file', () => {
    expect(loadUserConfig([join(project, 'scenarios')])).to.deep.equal({ files: [], allowances: [], defaults: {} });
  });

  it('finds the project\'s rebound.config.yaml above the scenarios and makes its paths absolute', () => {
    writeFileSync(join(project, 'rebound.config.yaml'), [
      'allowContexts: [staging-chaos-*]',
      'defaults:',
      '  kubeconfig: kube/staging.yaml',
      '  context: staging-chaos-1',
      '  out: reports/nightly',
      '  reporter: [json, junit]',
      '  k6: ~/bin/k6',
      '',
    ].join('\n'));
    const config = loadUserConfig([join(project, 'scenarios', 'nightly', 'a.yaml')]);
    expect(config.files).to.deep.equal([join(project, 'rebound.config.yaml')]);
    expect(config.allowances).to.deep.equal([{ patterns: ['staging-chaos-*'], from: join(project, 'rebound.config.yaml') }]);
    expect(config.defaults).to.deep.equal({
      kubeconfig: join(project, 'kube', 'staging.yaml'),
      context: 'staging-chaos-1',
      out: join(project, 'reports', 'nightly'),
      reporter: ['json', 'junit'],
      k6: join(homedir(), 'bin', 'k6'),
    });
  });

  it('takes the project\'s cluster over the person\'s as a whole, and both files\' allowed contexts', () => {
    writeFileSync(join(home, 'config.yaml'), 'allowContexts: [lab-*]\ndefaults:\n  kubeconfig: /etc/lab.yaml\n  context: lab-1\n  out: /tmp/mine\n');
    writeFileSync(join(project, 'rebound.config.yaml'), 'allowContexts: [staging-*]\ndefaults:\n  provider: kind\n  cluster: nightly\n');
    const config = loadUserConfig([join(project, 'scenarios')]);
    expect(config.files).to.deep.equal([join(home, 'config.yaml'), join(project, 'rebound.config.yaml')]);
    expect(config.allowances.flatMap((a) => a.patterns)).to.deep.equal(['lab-*', 'staging-*']);
    expect(config.defaults).to.deep.equal({ provider: 'kind', cluster: 'nightly', out: '/tmp/mine' });
  });

  it('refuses what it does not know, with the file, line and column of each problem', () => {
    const file = join(project, 'rebound.config.yaml');
    writeFileSync(file, 'allowContext: [x]\ndefaults:\n  provider: gke\n  reporter: [json, pdf]\n  timeout: 5m\n');
    expect(problems([project])).to.deep.equal([
      `${file}:1:1: allowContext: unknown field allowContext (known: allowContexts, defaults)`,
      `${file}:3:13: defaults.provider: must be one of local, kind, kubeconfig`,
      `${file}:4:20: defaults.reporter[1]: must be one of console, json, junit, markdown, html`,
      `${file}:5:3: defaults.timeout: unknown field timeout (known: provider, cluster, kubeconfig, context, out, reporter, k6)`,
    ]);
  });

  it('refuses a YAML error, a duplicate key and a document that is not a map', () => {
    const file = join(home, 'config.yaml');
    writeFileSync(file, 'defaults:\n  out: [a\n');
    expect(problems([project])[0]).to.match(new RegExp(`^${file}:\\d+:\\d+: `));
    writeFileSync(file, 'defaults:\n  out: a\n  out: b\n');
    expect(problems([project])[0]).to.match(new RegExp(`^${file}:3:3: .*[Mm]ap keys must be unique`));
    writeFileSync(file, '- kind-*\n');
    expect(problems([project])[0]).to.match(new RegExp(`^${file}:1:1: must be object`));
  });

  it('refuses scenarios of two projects with different config files', () => {
    const other = join(root, 'other');
    mkdirSync(other);
    writeFileSync(join(project, 'rebound.config.yaml'), 'allowContexts: [a]\n');
    writeFileSync(join(other, 'rebound.config.yaml'), 'allowContexts: [b]\n');
    expect(() => loadUserConfig([project, other])).to.throw(/different rebound\.config\.yaml files/);
  });
});

describe('the cluster is one choice', () => {
  const config: UserConfig = {
    files: ['/home/a/.rebound/config.yaml'],
    allowances: [{ patterns: ['staging-*'], from: '/home/a/.rebound/config.yaml' }],
    defaults: { provider: 'kubeconfig', kubeconfig: '/home/a/.kube/config', context: 'staging-1', out: '/tmp/out' },
  };

  it('takes the files\' cluster whole when the command line names none of it', () => {
    const given: { trials: number; cluster?: string } = { trials: 2 };
    expect(withClusterChoice(given, config)).to.deep.equal({ trials: 2, provider: 'kubeconfig', kubeconfig: '/home/a/.kube/config', context: 'staging-1' });
  });

  it('takes none of it when the command line names any part, so a --cluster never mixes with a file\'s kubeconfig', () => {
    expect(withClusterChoice({ cluster: 'big' }, config)).to.deep.equal({ cluster: 'big' });
    expect(withClusterChoice({ context: 'kind-rebound' }, config)).to.deep.equal({ context: 'kind-rebound' });
  });

  it('allows --allow-context\'s contexts and the files\'', () => {
    expect(allowancesOf(['dev'], config)).to.deep.equal([{ patterns: ['dev'], from: '--allow-context' }, ...config.allowances]);
    expect(allowancesOf([], config)).to.deep.equal(config.allowances);
  });
});

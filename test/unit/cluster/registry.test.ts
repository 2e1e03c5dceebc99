/**
 * The provider registry, without a cluster: every provider has its entry, the command line's choice finds it, an
 * unknown name is refused, and each entry refuses another provider's flags, finds (or does not find) its cluster
 * and says what it can do, with the texts the commands printed before there was a registry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { kubeconfigWith } from '../../support/kubeconfig-file.js';
import { UsageError } from '../../../harness/errors.js';
import { capabilitiesOf } from '../../../harness/faults/fault.js';
import { PROVIDER_KINDS } from '../../../harness/cluster/provider.js';
import { chosenProvider, PROVIDERS, providerNamed, type Provider } from '../../../harness/cluster/registry.js';
import { reboundInProcess } from '../../support/cli.js';

const quiet = (): void => undefined;

/** The UsageError a call is refused with (it touches nothing before). */
async function refusal(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error('expected a refusal, got none');
}

describe('the provider registry', function () {
  this.timeout(30_000);
  let dir: string;

  before(() => { dir = mkdtempSync(join(tmpdir(), 'rebound-registry-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A kubeconfig whose one context is named `context` and whose server is on this machine (nothing listens). */
  const kubeconfigFor = (context: string): string => kubeconfigWith(dir, context);

  it('has one entry per provider name, found by its name; any other name is refused, as the command line refuses it', async () => {
    expect(Object.keys(PROVIDERS).sort()).to.deep.equal([...PROVIDER_KINDS].sort());
    for (const kind of PROVIDER_KINDS) {
      expect(PROVIDERS[kind].kind).to.equal(kind);
      expect(providerNamed(kind)).to.equal(PROVIDERS[kind]);
    }
    expect(() => providerNamed('minikube')).to.throw(UsageError, 'provider "minikube": must be one of local, kind, kubeconfig');
    expect(() => providerNamed('')).to.throw(UsageError, 'must be one of local, kind, kubeconfig');
    // The command line's choices are the registry's names: an unknown --provider is refused by them, exit 2.
    for (const command of [['run', 'scenarios/deployment-pod-kill.yaml', '--dry-run'], ['recover']]) {
      const refused = await reboundInProcess([...command, '--provider', 'minikube']);
      expect(refused.code).to.equal(2);
      expect(refused.stderr).to.contain('Argument: provider, Given: "minikube", Choices: "local", "kind", "kubeconfig"');
    }
  });

  it('chooses as the command line says: the provider named, else kubeconfig for a kubeconfig or context, else local', () => {
    expect(chosenProvider({}).kind).to.equal('local');
    expect(chosenProvider({ kubeconfig: 'k' }).kind).to.equal('kubeconfig');
    expect(chosenProvider({ context: 'c' }).kind).to.equal('kubeconfig');
    expect(chosenProvider({ provider: 'kind' }).kind).to.equal('kind');
    // Named wins, so that its own refusal of the other flags can speak.
    expect(chosenProvider({ provider: 'local', kubeconfig: 'k' }).kind).to.equal('local');
  });

  it('says what each provider can do for faults, whether its clusters are shared, and its least node recovery time', () => {
    const facts = (p: Provider) => ({ ...p.capabilities, shared: p.shared });
    expect(facts(PROVIDERS.local)).to.deep.equal({ nodes: true, containers: false, networks: false, shared: false });
    expect(facts(PROVIDERS.kind)).to.deep.equal({ nodes: true, containers: true, networks: true, shared: false });
    expect(facts(PROVIDERS.kubeconfig)).to.deep.equal({ nodes: false, containers: false, networks: false, shared: true });
    // Node grace period + unreachable toleration: 6 + 2 s as configured for the local cluster and kind's fast
    // detection; Kubernetes' defaults 50 + 300 s; unknown for a cluster rebound did not configure.
    expect(PROVIDERS.local.leastNodeRecoverySeconds({ cluster: 'no-such-cluster' })).to.equal(8);
    expect(PROVIDERS.local.leastNodeRecoverySeconds({ cluster: 'no-such-cluster', failureDetection: 'kubernetes' })).to.equal(350);
    expect(PROVIDERS.kind.leastNodeRecoverySeconds({})).to.equal(8);
    expect(PROVIDERS.kind.leastNodeRecoverySeconds({ failureDetection: 'kubernetes' })).to.equal(350);
    expect(PROVIDERS.kubeconfig.leastNodeRecoverySeconds({})).to.equal(undefined);
  });

  it('names a cluster for `rebound recover` as run\'s refusal of an unrecovered cluster did', () => {
    const cluster = { name: 'c1', kubeconfig: '/k/config', context: 'ctx' };
    expect(PROVIDERS.local.recoverFlags(cluster)).to.equal('--provider local --cluster c1');
    expect(PROVIDERS.kind.recoverFlags(cluster)).to.equal('--provider kind --cluster c1');
    expect(PROVIDERS.kubeconfig.recoverFlags(cluster)).to.equal('--kubeconfig /k/config --context ctx');
    expect(PROVIDERS.kubeconfig.recoverFlags({ name: 'c1', kubeconfig: '/k/config' })).to.equal('--kubeconfig /k/config');
  });

  it('refuses another provider\'s flags before touching anything, for run and for recover', async () => {
    expect(await refusal(() => PROVIDERS.local.acquire({ containerRuntime: 'docker' }, quiet)))
      .to.equal('--container-runtime goes with --provider kind.');
    expect(await refusal(() => PROVIDERS.kubeconfig.acquire({ containerRuntime: 'docker' }, quiet)))
      .to.equal('--container-runtime goes with --provider kind.');
    expect(await refusal(() => PROVIDERS.kubeconfig.acquire({ failureDetection: 'kubernetes' }, quiet)))
      .to.equal('--failure-detection goes with --provider local or kind: clusters rebound starts.');
    expect(await refusal(() => PROVIDERS.local.acquire({ context: 'x' }, quiet)))
      .to.equal('--kubeconfig and --context go with --provider kubeconfig, not local.');
    expect(await refusal(() => PROVIDERS.kind.acquire({ kubeconfig: 'x' }, quiet)))
      .to.equal('--kubeconfig and --context go with --provider kubeconfig, not kind (rebound creates the kind cluster and its kubeconfig).');
    expect(await refusal(() => PROVIDERS.local.recoveryTarget({ kubeconfig: 'x' })))
      .to.equal('--kubeconfig and --context go with --provider kubeconfig; a local cluster is named with --cluster.');
    expect(await refusal(() => PROVIDERS.kind.recoveryTarget({ context: 'x' })))
      .to.equal('--kubeconfig and --context go with --provider kubeconfig; a kind cluster is named with --cluster.');
    expect(await refusal(() => PROVIDERS.kubeconfig.recoveryTarget({ cluster: 'x' })))
      .to.equal('--cluster names a local or kind cluster; an existing cluster is named with --kubeconfig and --context.');
    expect(await refusal(() => PROVIDERS.kubeconfig.attach?.({ cluster: 'x', context: 'c' }, quiet) ?? Promise.resolve()))
      .to.equal('--cluster names a local cluster; with --kubeconfig/--context leave it out.');
  });

  it('finds no local or kind cluster that is not up, and recover refuses one', async () => {
    const local = await PROVIDERS.local.find({ cluster: 'registry-never-up' });
    expect(local).to.deep.equal({ name: 'registry-never-up', line: 'local cluster "registry-never-up": not up (the run would start it, and stop it after)' });
    const kind = await PROVIDERS.kind.find({ cluster: 'registry-never-up' });
    expect(kind).to.deep.equal({ name: 'registry-never-up', line: 'kind cluster "registry-never-up": not up (the run would create it, and delete it after)' });
    expect(await refusal(() => PROVIDERS.local.recoveryTarget({ cluster: 'registry-never-up' }))).to.match(/^no local cluster named "registry-never-up" is up; start it/);
    expect(await refusal(() => PROVIDERS.kind.recoveryTarget({ cluster: 'registry-never-up' })))
      .to.equal('no kind cluster named "registry-never-up" is up; nothing of it to recover.');
    // observe reaches kind through its context: the entry has no attach of its own.
    expect(PROVIDERS.kind.attach).to.equal(undefined);
  });

  it('finds an existing cluster past the guard only, and its handle brings what the entry says it can do', async () => {
    const refused = kubeconfigFor('prod-eu');
    expect(await refusal(() => PROVIDERS.kubeconfig.find({ kubeconfig: refused }))).to.match(/^refusing kube context "prod-eu"/);
    expect(await refusal(() => PROVIDERS.kubeconfig.acquire({ kubeconfig: refused }, quiet))).to.match(/^refusing kube context "prod-eu"/);
    const file = kubeconfigFor('rebound-registry');
    const found = await PROVIDERS.kubeconfig.find({ kubeconfig: file });
    expect(found.name).to.equal('rebound-registry');
    expect(found.line).to.equal(`kube context "rebound-registry" of ${file}, server https://127.0.0.1:1`);
    expect(found.kube).to.not.equal(undefined);
    const handle = await PROVIDERS.kubeconfig.acquire({ kubeconfig: file }, quiet);
    expect(capabilitiesOf(handle)).to.deep.equal({ provider: 'kubeconfig', ...PROVIDERS.kubeconfig.capabilities });
    const target = await PROVIDERS.kubeconfig.recoveryTarget({ kubeconfig: file });
    expect(target.identity).to.deep.equal({ provider: 'kubeconfig', name: 'rebound-registry', kubeconfig: file, context: 'rebound-registry' });
    expect(target.nodeControl).to.equal(undefined);
  });
});

/**
 * The guard, tried as a user would: contexts that must be refused are refused before anything reaches their
 * cluster (the API server's audit log, which records every write, shows none from rebound's user), and a context
 * allowed by a config file gets a dry run that names every namespace and node the run would touch.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse, stringify } from 'yaml';
import { clusterDir, type ClusterState } from '../../harness/cluster/local/state.js';
import { contextName } from '../../harness/cluster/local/settings.js';
import { clientsFor } from '../../harness/cluster/kube.js';
import { REPO, rebound } from '../support/cli.js';
import { TEST_CLUSTER, testCluster } from '../support/cluster.js';

/** The user of the local cluster's admin kubeconfig, which rebound uses here (pki.ts). */
const ADMIN = 'rebound-admin';

/** The audit log of the test cluster's API server: writes only (reads, leases and events are left out). */
function auditLog(): string {
  return join(clusterDir(TEST_CLUSTER), 'logs', 'audit.log');
}

/** The writes the admin user made after `offset` bytes of the audit log. */
function adminWritesSince(offset: number): string[] {
  const text = readFileSync(auditLog(), 'utf8').slice(offset);
  return text.split('\n').filter(Boolean)
    .map((line) => JSON.parse(line) as { user?: { username?: string }; verb?: string; requestURI?: string })
    .filter((event) => event.user?.username === ADMIN)
    .map((event) => `${event.verb ?? '?'} ${event.requestURI ?? '?'}`);
}

/** What a run could change: namespaces, and nodes' schedulability and taints. */
async function clusterPicture(state: ClusterState): Promise<string> {
  const kube = clientsFor(state.kubeconfig, contextName(TEST_CLUSTER));
  const namespaces = (await kube.core.listNamespace()).items.map((ns) => `${ns.metadata?.name ?? ''}:${ns.metadata?.resourceVersion ?? ''}`).sort();
  const nodes = (await kube.core.listNode()).items.map((node) => `${node.metadata?.name ?? ''}:${String(node.spec?.unschedulable ?? false)}:${JSON.stringify(node.spec?.taints ?? [])}`).sort();
  return JSON.stringify({ namespaces, nodes });
}

/** A copy of the test cluster's kubeconfig (its credentials too) whose one context is `context`, at `server`. */
function kubeconfigFor(state: ClusterState, file: string, context: string, server: string): void {
  const config = parse(readFileSync(state.kubeconfig, 'utf8')) as {
    clusters: { cluster: { server: string } }[];
    contexts: { name: string }[];
    'current-context': string;
  };
  for (const entry of config.clusters) entry.cluster.server = server;
  for (const entry of config.contexts) entry.name = context;
  config['current-context'] = context;
  writeFileSync(file, stringify(config));
}

describe('the guard against the wrong cluster (local cluster)', function () {
  this.timeout(300_000);
  let state: ClusterState;
  let dir: string;

  before(async () => {
    state = await testCluster();
    dir = mkdtempSync(join(tmpdir(), 'rebound-guard-'));
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `args`, and checks that it was refused with `refusal` and that nothing reached the cluster. */
  async function refusedUntouched(args: string[], refusal: RegExp): Promise<void> {
    const picture = await clusterPicture(state);
    const offset = statSync(auditLog()).size;
    const outcome = await rebound(args);
    expect(outcome.code, outcome.stderr).to.equal(2);
    expect(outcome.stderr).to.match(refusal);
    expect(outcome.stderr).to.not.match(/\n\s+at /);
    // The audit log is written as requests end; a write rebound made would be in it by now.
    expect(adminWritesSince(offset)).to.deep.equal([]);
    expect(await clusterPicture(state)).to.equal(picture);
  }

  it('refuses a context named like production, even though its server is this machine\'s test cluster', async () => {
    const kubeconfig = join(dir, 'production.yaml');
    kubeconfigFor(state, kubeconfig, 'production', state.apiServer);
    for (const extra of [[], ['--dry-run']]) {
      await refusedUntouched(['run', 'scenarios/deployment-pod-kill.yaml', '--kubeconfig', kubeconfig, '--out', join(dir, 'out-prod'), ...extra],
        /refusing kube context "production": rebound only touches contexts matching kind-\*, rebound-\*, kwok-\*/);
    }
    expect(existsSync(join(dir, 'out-prod', 'results.json'))).to.equal(false);
  });

  it('would see a write in the audit log (the check above can fail)', async () => {
    const offset = statSync(auditLog()).size;
    const kube = clientsFor(state.kubeconfig, contextName(TEST_CLUSTER));
    await kube.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'guard-probe' } } });
    await kube.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'guard-probe' });
    const writes = adminWritesSince(offset);
    expect(writes).to.have.length(2);
    expect(writes[0]).to.match(/^create \/api\/v1\/namespaces\/default\/configmaps/);
  });

  it('refuses a context named kind-x whose server is not on this machine', async () => {
    const kubeconfig = join(dir, 'kind-x.yaml');
    kubeconfigFor(state, kubeconfig, 'kind-x', 'https://203.0.113.10:6443');
    await refusedUntouched(['run', 'scenarios/deployment-pod-kill.yaml', '--kubeconfig', kubeconfig, '--out', join(dir, 'out-kind-x')],
      /refusing kube context "kind-x": its name matches kind-\*, but its server https:\/\/203\.0\.113\.10:6443 is not on this machine/);
  });

  it('lets a context allowed by the project\'s rebound.config.yaml through, and its dry run names every namespace and node', async () => {
    const project = join(dir, 'project');
    mkdirSync(join(project, 'scenarios'), { recursive: true });
    const kubeconfig = join(project, 'staging.yaml');
    kubeconfigFor(state, kubeconfig, 'staging-chaos', state.apiServer);
    writeFileSync(join(project, 'rebound.config.yaml'), 'allowContexts: [staging-chaos]\ndefaults:\n  kubeconfig: staging.yaml\n  context: staging-chaos\n');
    writeFileSync(join(project, 'scenarios', 'stop.yaml'), readFileSync(join(REPO, 'scenarios', 'node-stop-spread.yaml'), 'utf8'));
    cpSync(join(REPO, 'scenarios', 'manifests'), join(project, 'scenarios', 'manifests'), { recursive: true });
    const picture = await clusterPicture(state);
    const offset = statSync(auditLog()).size;
    const outcome = await rebound(['run', join(project, 'scenarios'), '--dry-run']);
    expect(outcome.code, outcome.stderr).to.equal(0);
    expect(outcome.stderr).to.contain(`config: ${join(project, 'rebound.config.yaml')}`);
    expect(outcome.stdout).to.contain(`cluster: kube context "staging-chaos" of ${kubeconfig}, server ${state.apiServer}`);
    expect(outcome.stdout).to.match(/blast radius/);
    expect(outcome.stdout).to.match(/namespaces: rebound-node-stop-spread-<random> \(created, then deleted\) \(faults act here\)/);
    // The nodes a nodeStop may hit, by name, as the cluster is now: the workers, never the control plane.
    const workers = state.nodes.map((node) => node.name);
    const nodesLine = outcome.stdout.split('\n').find((line) => line.trim().startsWith('nodes: ')) ?? '';
    for (const worker of workers) expect(nodesLine).to.contain(worker);
    expect(adminWritesSince(offset)).to.deep.equal([]);
    expect(await clusterPicture(state)).to.equal(picture);
  });
});

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type * as k8s from '@kubernetes/client-node';
import { KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { clientsFor, statusOf, type KubeClients } from '../../harness/cluster/kube.js';
import { contextName } from '../../harness/cluster/local/settings.js';
import { setUnschedulable } from '../../harness/faults/node-spec.js';
import { recordObject } from '../../harness/run/cluster-journal.js';
import { journalDir, journalIdentity, journalsOf, type JournalFile } from '../../harness/run/journal.js';
import { listening, waitClean } from '../support/aborts.js';
import { readResults, REPO, rebound } from '../support/cli.js';
import { testCluster, TEST_CLUSTER } from '../support/cluster.js';

/** Runs `rebound run` and sends SIGKILL once a line of its output matches `when`; gives the exit code and output. */
function killed(args: readonly string[], when: RegExp): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'bin', 'rebound.js'), 'run', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let sent = false;
    const watch = (chunk: Buffer): void => {
      output += chunk.toString();
      if (!sent && when.test(output)) {
        sent = true;
        child.kill('SIGKILL');
      }
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
    const guard = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no exit; output:\n${output.slice(-3000)}`)); }, 8 * 60_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, output });
    });
  });
}

/** The records of the in-cluster ledger, as the API server has them. */
async function records(kube: KubeClients): Promise<k8s.V1ConfigMap[]> {
  return (await kube.core.listNamespacedConfigMap({ namespace: 'rebound-system', labelSelector: 'app.kubernetes.io/component=ledger' })).items;
}

function journalOf(record: k8s.V1ConfigMap | undefined): JournalFile {
  const text = record?.data?.['journal.json'];
  if (text === undefined) throw new Error(`no journal.json in ${record?.metadata?.name ?? 'a missing record'}`);
  return JSON.parse(text) as JournalFile;
}

describe('the in-cluster ledger of a shared cluster (kubeconfig provider) (integration)', function () {
  this.timeout(15 * 60_000);
  let dir: string;
  let kube: KubeClients;
  let shared: string[];
  before(async () => {
    const state = await testCluster();
    dir = mkdtempSync(join(tmpdir(), 'rebound-cluster-ledger-'));
    kube = clientsFor(state.kubeconfig, contextName(TEST_CLUSTER));
    // The test cluster reached as any existing cluster is: through its kubeconfig and context.
    shared = ['--kubeconfig', state.kubeconfig, '--context', contextName(TEST_CLUSTER)];
    // Records of earlier runs of this test (reverted ones stay a day) must not be taken for this one's.
    for (const record of await records(kube)) {
      await kube.core.deleteNamespacedConfigMap({ name: record.metadata?.name ?? '', namespace: 'rebound-system' });
    }
  });
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a run that ends clean leaves its record marked reverted', async () => {
    const out = join(dir, 'clean');
    const run = await rebound(['run', 'scenarios/replicaset-deleted.yaml', ...shared, '--trials', '1', '--out', out, '--reporter', 'json']);
    expect(run.code, run.stderr.slice(-3000)).to.equal(0);
    expect(readResults(out).verdict).to.equal('PASS');
    const all = await records(kube);
    expect(all).to.have.length(1);
    const record = all[0];
    expect(record?.metadata?.labels?.['rebound.dev/state']).to.equal('reverted');
    expect(record?.metadata?.annotations?.['rebound.dev/open-changes']).to.equal('0');
    expect(record?.metadata?.annotations?.['rebound.dev/reverted-at']).to.be.a('string');
    expect(journalOf(record).entries).to.deep.equal([]);
    const namespace = await kube.core.readNamespace({ name: 'rebound-system' });
    expect(namespace.metadata?.labels?.['app.kubernetes.io/part-of']).to.equal('rebound');
  });

  it('SIGKILL after every change: the record keeps it all; without the disk journal, run refuses and recover undoes it from the record alone', async () => {
    const out = join(dir, 'sigkill');
    const { code, output } = await killed([join('test', 'fixtures', 'abort', 'shared-cluster.yaml'), ...shared, '--out', out, '--seed', '5'], /trial 1: processKill at \+/);
    expect(code, output.slice(-3000)).to.equal(null);
    const open = (await records(kube)).filter((r) => r.metadata?.labels?.['rebound.dev/state'] === 'open');
    expect(open, 'one open record').to.have.length(1);
    const record = open[0];
    const journal = journalOf(record);
    expect(record?.metadata?.labels?.['rebound.dev/run']).to.equal(journal.runId);
    expect(record?.metadata?.annotations?.['rebound.dev/pid']).to.equal(String(journal.pid));
    expect(record?.metadata?.annotations?.['rebound.dev/host']).to.be.a('string').and.not.equal('');
    const labels = journal.entries.map((e) => e.label);
    for (const label of [/^revert nodeCordon/, /^revert nodeTaint/, /^revert scale/, /^revert processKill/, /^stop spec\.processes/, /^delete Deployment web$/, /^delete namespace rebound-shared-cluster-/]) {
      expect(labels.some((l) => label.test(l)), `${String(label)} in ${labels.join('; ')}`).to.equal(true);
    }

    // Another machine has only the cluster: this machine's journal goes.
    rmSync(join(journalDir(), `${journal.runId}.json`));

    const refused = await rebound(['run', 'scenarios/replicaset-deleted.yaml', ...shared, '--out', join(dir, 'refused')]);
    expect(refused.code, refused.stderr).to.equal(2);
    expect(refused.stderr).to.include(`undo them first: rebound recover --kubeconfig ${shared[1]} --context ${shared[3]}`);
    expect(refused.stderr).to.match(/revert nodeCordon/);

    const recovered = await rebound(['recover', ...shared]);
    expect(recovered.code, recovered.stderr).to.equal(0);
    const said = `${recovered.stdout}${recovered.stderr}`;
    for (const line of [/continue process \d+/, /scale Deployment rebound-shared-cluster-\w+\/web back to 3/, /remove taint rebound\.test\/abort:NoSchedule from node /,
      /uncordon node /, /stop process \d+ \(node /, /delete Deployment rebound-shared-cluster-\w+\/web/, /delete namespace rebound-shared-cluster-/]) {
      expect(said, String(line)).to.match(line);
    }
    expect(await listening(18495), 'the scenario\'s process stopped').to.equal(false);
    expect(await waitClean(TEST_CLUSTER, 60_000)).to.deep.equal([]);
    const after = await kube.core.readNamespacedConfigMap({ name: record?.metadata?.name ?? '', namespace: 'rebound-system' });
    expect(after.metadata?.labels?.['rebound.dev/state']).to.equal('reverted');
    expect(after.metadata?.annotations?.['rebound.dev/recovered-by']).to.match(/ pid \d+$/);
    expect(journalOf(after).entries).to.deep.equal([]);
    const again = await rebound(['recover', ...shared]);
    expect(again.stdout).to.include(`nothing to undo in the kubeconfig cluster ${shared[3]}`);
  });

  it('a kube user who may not write the in-cluster ledger: the run refuses before changing anything, and says how to go on', async () => {
    // A ServiceAccount that may read the ledger but not write it (nor anything else), reached through a kubeconfig
    // of its own, as a user with such rights would be.
    const name = 'rebound-ledger-reader';
    await kube.core.createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name } } });
    cleanups.push(async () => { await kube.core.deleteNamespacedServiceAccount({ name, namespace: 'default' }); });
    await kube.core.createNamespace({ body: { metadata: { name: 'rebound-system' } } }).catch((error: unknown) => { if (statusOf(error) !== 409) throw error; });
    const rbac = kube.config.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({ namespace: 'rebound-system', body: { metadata: { name }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] } });
    cleanups.push(async () => { await rbac.deleteNamespacedRole({ name, namespace: 'rebound-system' }); });
    await rbac.createNamespacedRoleBinding({ namespace: 'rebound-system', body: { metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: [{ kind: 'ServiceAccount', name, namespace: 'default' }] } });
    cleanups.push(async () => { await rbac.deleteNamespacedRoleBinding({ name, namespace: 'rebound-system' }); });
    const token = (await kube.core.createNamespacedServiceAccountToken({ name, namespace: 'default', body: { spec: { audiences: [], expirationSeconds: 3600 } } })).status?.token;
    if (token === undefined) throw new Error('no token for the ServiceAccount');
    const server = kube.config.getCurrentCluster();
    if (server === null) throw new Error('the test cluster\'s kubeconfig has no cluster');
    const limited = new KubeConfig();
    limited.loadFromOptions({
      clusters: [{ ...server, name: 'limited' }],
      users: [{ name: 'reader', token }],
      contexts: [{ name: 'rebound-limited', cluster: 'limited', user: 'reader' }],
      currentContext: 'rebound-limited',
    });
    const file = join(dir, 'limited.kubeconfig');
    writeFileSync(file, limited.exportConfig());
    const before = (await records(kube)).length;

    const refused = await rebound(['run', 'scenarios/replicaset-deleted.yaml', '--kubeconfig', file, '--context', 'rebound-limited', '--out', join(dir, 'forbidden')]);
    expect(refused.code, refused.stderr).to.equal(2);
    expect(refused.stderr).to.match(/the in-cluster ledger's rebound-system\/run-\S+ cannot be written: forbidden \(403\)/);
    expect(refused.stderr).to.include('nothing was changed');
    expect(refused.stderr).to.include('--no-cluster-ledger');
    expect(refused.stderr).not.to.match(/\n\s+at /);
    // Nothing changed: no scenario namespace, no record, no journal left on this disk.
    expect((await kube.core.listNamespace({ labelSelector: 'app.kubernetes.io/managed-by=rebound' })).items.map((n) => n.metadata?.name)).to.deep.equal([]);
    expect((await records(kube)).length).to.equal(before);
    expect(journalsOf(journalIdentity({ provider: 'kubeconfig', name: 'rebound-limited', kubeconfig: file, context: 'rebound-limited' })).found).to.deep.equal([]);
  });

  it('a run on another machine whose heartbeat ticks is left alone; once it stops, recover undoes what it left', async () => {
    const node = (await kube.core.listNode()).items.map((n) => n.metadata?.name).find((n): n is string => n !== undefined);
    if (node === undefined) throw new Error('the test cluster has no node');
    // What a run on another machine did: a node cordoned, recorded before, as rebound records it.
    const journal: JournalFile = {
      version: 1, runId: '20261202T070000-e1e1e1', pid: 99999, command: ['node', 'rebound', 'run'], startedAt: new Date().toISOString(),
      cluster: { provider: 'kubeconfig', name: 'elsewhere', kubeconfig: '/home/someone/.kube/config', context: 'elsewhere' },
      entries: [{ id: 1, stage: 'fault', label: `revert nodeCordon (${node})`, steps: [{ op: 'uncordon', node }] }],
    };
    const body = recordObject(journal, 'open', 'another-machine.example', { heartbeat: new Date().toISOString() });
    await kube.core.createNamespacedConfigMap({ namespace: 'rebound-system', body });
    await setUnschedulable(kube, node, true);
    // A failure below must not leave the node cordoned for the tests after this one.
    cleanups.push(async () => { await setUnschedulable(kube, node, false); });
    // Its heartbeat: the record rewritten every 2 s while "the run" goes.
    let beating = true;
    const beat = (async () => {
      while (beating) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        if (!beating) break;
        const now = await kube.core.readNamespacedConfigMap({ name: body.metadata?.name ?? '', namespace: 'rebound-system' });
        now.metadata = { ...now.metadata, annotations: { ...now.metadata?.annotations, 'rebound.dev/heartbeat': new Date().toISOString() } };
        try {
          await kube.core.replaceNamespacedConfigMap({ name: body.metadata?.name ?? '', namespace: 'rebound-system', body: now });
        } catch (error) {
          // Taken over by a recover: the run would stop here.
          if (statusOf(error) === 409) break;
          throw error;
        }
      }
    })();
    try {
      const refused = await rebound(['run', 'scenarios/replicaset-deleted.yaml', ...shared, '--out', join(dir, 'refused-elsewhere')]);
      expect(refused.code, refused.stderr).to.equal(2);
      expect(refused.stderr).to.include('a run on another machine may still be going');
      expect(refused.stderr).to.include('on another-machine.example');

      const alive = await rebound(['recover', ...shared]);
      expect(alive.code, alive.stderr).to.equal(0);
      expect(alive.stdout).to.match(/left alone: run 20261202T070000-e1e1e1 on another-machine\.example .* is still running/);
      expect((await kube.core.readNode({ name: node })).spec?.unschedulable, 'still cordoned').to.equal(true);
    } finally {
      beating = false;
      await beat;
    }
    const recovered = await rebound(['recover', ...shared]);
    expect(recovered.code, recovered.stderr).to.equal(0);
    expect(`${recovered.stdout}${recovered.stderr}`).to.include(`uncordon node ${node}`);
    expect((await kube.core.readNode({ name: node })).spec?.unschedulable ?? false).to.equal(false);
    const after = await kube.core.readNamespacedConfigMap({ name: body.metadata?.name ?? '', namespace: 'rebound-system' });
    expect(after.metadata?.labels?.['rebound.dev/state']).to.equal('reverted');
    expect(after.metadata?.annotations?.['rebound.dev/host']).to.equal('another-machine.example');
  });
});

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { isNodeReady } from '../../harness/cluster/kube.js';
import { NodeAgents } from '../../harness/cluster/local/node-agents.js';
import { processesMentioning } from '../../harness/cluster/local/process.js';
import { clusterDir } from '../../harness/cluster/local/state.js';
import { rebound } from '../support/cli.js';
import { testCluster, TEST_CLUSTER } from '../support/cluster.js';
import { deployment, isPodReady, until, withNamespace, type TestKube } from '../support/kube.js';

function podsOf(kube: TestKube, app: string) {
  return kube.core.listNamespacedPod({ namespace: kube.namespace, labelSelector: `app=${app}` }).then((l) => l.items);
}

async function nodeReady(kube: TestKube, node: string): Promise<boolean> {
  return isNodeReady(await kube.core.readNode({ name: node }));
}

describe('local cluster (integration)', function () {
  this.timeout(15 * 60_000); // the first run on a fresh machine builds the binaries

  let kube: TestKube;
  let agents: NodeAgents;

  before(async function () {
    const state = await testCluster();
    agents = NodeAgents.of(TEST_CLUSTER);
    kube = await withNamespace(state, 'it-local');
  });

  after(async () => {
    // Leave every node running for the suites after this one, whatever happened here.
    for (const agent of agents?.list() ?? []) await agents.start(agent.node);
    await kube?.cleanup();
  });

  it('runs a 3-replica Deployment to Ready, one pod per node with distinct IPs', async function () {
    await kube.apps.createNamespacedDeployment({ namespace: kube.namespace, body: deployment('web', 3) });
    await until('3 ready web pods', async () => (await podsOf(kube, 'web')).filter(isPodReady).length === 3, 30_000);
    const pods = (await podsOf(kube, 'web')).filter(isPodReady);
    const ips = new Set(pods.map((p) => p.status?.podIP));
    expect(ips.size, 'pod IPs').to.equal(3);
    const nodes = new Set(pods.map((p) => p.spec?.nodeName));
    expect(nodes.size, 'nodes hosting web').to.equal(3);
  });

  it('stops a node agent: the node goes NotReady and its pods are replaced on the other nodes', async function () {
    const before = (await podsOf(kube, 'web')).filter(isPodReady);
    const victim = before[0]?.spec?.nodeName;
    expect(victim, 'a node hosting a web pod').to.be.a('string');
    const node = victim as string;
    const lost = before.filter((p) => p.spec?.nodeName === node).map((p) => p.metadata?.uid);

    await agents.stop(node);
    expect(agents.list().find((a) => a.node === node)?.state).to.equal('absent');
    const notReadyAfter = await until(`${node} NotReady`, async () => !(await nodeReady(kube, node)), 30_000);
    const replacedAfter = await until('3 ready web pods off the stopped node', async () => {
      const ready = (await podsOf(kube, 'web')).filter((p) => isPodReady(p) && p.spec?.nodeName !== node);
      return ready.length === 3;
    }, 60_000);
    const now = await podsOf(kube, 'web');
    for (const uid of lost) {
      const old = now.find((p) => p.metadata?.uid === uid);
      // The evicted pod stays Terminating while its node's agent is away; it must no longer count as ready.
      if (old) expect(old.metadata?.deletionTimestamp, 'evicted pod is terminating').to.not.equal(undefined);
    }
    process.stderr.write(`      node NotReady after ${notReadyAfter} ms; pods replaced ${replacedAfter} ms later\n`);

    await agents.start(node);
    await until(`${node} Ready again`, () => nodeReady(kube, node), 30_000);
    await until('evicted pods cleaned up once the node returned', async () => {
      const pods = await podsOf(kube, 'web');
      return pods.every((p) => !lost.includes(p.metadata?.uid));
    }, 30_000);
  });

  it('revives the surviving pods of a node that comes back', async function () {
    // A pod that tolerates an unreachable node for long is not evicted; it must be Ready again when its node returns.
    const body = deployment('patient', 1);
    const spec = body.spec?.template.spec;
    if (spec) {
      spec.tolerations = [
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 600 },
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 600 },
      ];
    }
    await kube.apps.createNamespacedDeployment({ namespace: kube.namespace, body });
    await until('patient pod ready', async () => (await podsOf(kube, 'patient')).some(isPodReady), 30_000);
    const [pod] = (await podsOf(kube, 'patient')).filter(isPodReady);
    const node = pod?.spec?.nodeName as string;
    const uid = pod?.metadata?.uid;

    await agents.stop(node, true);
    await until(`${node} NotReady`, async () => !(await nodeReady(kube, node)), 30_000);
    await until('the pod marked not ready by the node controller', async () => {
      const same = (await podsOf(kube, 'patient')).find((p) => p.metadata?.uid === uid);
      return same !== undefined && !isPodReady(same);
    }, 30_000);

    await agents.start(node);
    await until('the same pod Ready again on the returned node', async () => {
      const same = (await podsOf(kube, 'patient')).find((p) => p.metadata?.uid === uid);
      return same !== undefined && isPodReady(same);
    }, 30_000);
  });

  it('binds the volume claims of a StatefulSet', async function () {
    await kube.apps.createNamespacedStatefulSet({
      namespace: kube.namespace,
      body: {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'db' },
        spec: {
          serviceName: 'db',
          replicas: 2,
          selector: { matchLabels: { app: 'db' } },
          template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'db:1' }] } },
          volumeClaimTemplates: [{
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          }],
        },
      },
    });
    await until('2 ready db pods', async () => (await podsOf(kube, 'db')).filter(isPodReady).length === 2, 60_000);
    const claims = await kube.core.listNamespacedPersistentVolumeClaim({ namespace: kube.namespace });
    expect(claims.items.map((c) => c.status?.phase)).to.deep.equal(['Bound', 'Bound']);
  });

  it('makes a pod Ready no sooner than its pod-ready delay annotation says', async function () {
    const started = Date.now();
    await kube.apps.createNamespacedDeployment({
      namespace: kube.namespace,
      body: deployment('slow', 1, { 'pod-ready.stage.kwok.x-k8s.io/delay': '3s' }),
    });
    await until('slow pod ready', async () => (await podsOf(kube, 'slow')).some(isPodReady), 30_000);
    const elapsed = Date.now() - started;
    expect(elapsed, 'ms from creation to Ready').to.be.at.least(3000);
    expect(elapsed, 'no more than the delay plus scheduling slack').to.be.below(8000);
  });
});

describe('rebound cluster (CLI, integration)', function () {
  this.timeout(15 * 60_000);
  const cli = (args: string[]) => rebound(args);
  const name = 'it-cli';

  it('brings a 2-node cluster up, kubectl sees 2 Ready nodes, down leaves no process', async function () {
    const up = await cli(['cluster', 'up', '--name', name, '--nodes', '2']);
    expect(up.code, up.stderr).to.equal(0);
    const again = await cli(['cluster', 'up', '--name', name, '--nodes', '2']);
    expect(again.code, 'up is idempotent').to.equal(0);
    expect(again.stderr).to.contain('already up');
    // Without --nodes, the cluster that is there is taken as it is (the default size is for creating one).
    const asItIs = await cli(['cluster', 'up', '--name', name]);
    expect(asItIs.code, asItIs.stderr).to.equal(0);
    const resized = await cli(['cluster', 'up', '--name', name, '--nodes', '3']);
    expect(resized.code).to.equal(2);
    expect(resized.stderr).to.contain(`cluster "${name}" is already up with 2 nodes, not 3`);

    const kubeconfig = (await cli(['cluster', 'kubeconfig', '--name', name])).stdout.trim();
    const state = (await cli(['cluster', 'status', '--name', name, '--json']));
    expect(state.code).to.equal(0);
    const version = JSON.parse(state.stdout).versions.kubernetes as string;
    const kubectl = (...args: string[]) => new Promise<string>((resolve, reject) => {
      const binary = `${process.env.REBOUND_HOME ?? `${process.env.HOME}/.rebound`}/bin/kubernetes-${version}/kubectl`;
      execFile(binary, ['--kubeconfig', kubeconfig, ...args], (error, stdout, stderr) => (error ? reject(new Error(`${error.message}: ${stderr}`)) : resolve(stdout)));
    });
    const lines = (await kubectl('get', 'nodes', '--no-headers')).trim().split('\n');
    expect(lines).to.have.length(2);
    for (const line of lines) expect(line.split(/\s+/)[1]).to.equal('Ready');
    // Usable at once: a pod can be created in the default namespace, and a new namespace gets its default account
    // from the controller-manager.
    expect(await kubectl('run', 'first', '--namespace', 'default', '--image', 'registry.example/app:1', '--restart', 'Never')).to.contain('pod/first created');
    await kubectl('create', 'namespace', 'fresh');
    await until('the default ServiceAccount of namespace fresh', async () => kubectl('get', 'serviceaccount', 'default', '--namespace', 'fresh').then(() => true, () => false), 30_000);

    const down = await cli(['cluster', 'down', '--name', name]);
    expect(down.code, down.stderr).to.equal(0);
    expect(processesMentioning(`${clusterDir(name)}/`)).to.deep.equal([]);
  });

  it('rejects bad input with one line and exit code 2', async function () {
    for (const args of [
      ['cluster', 'status', '--name', 'no-such-cluster'],
      ['cluster', 'kubeconfig', '--name', 'no-such-cluster'],
      ['cluster', 'down', '--name', 'no-such-cluster'],
      ['cluster', 'up', '--name', 'bad', '--nodes', '0'],
      ['cluster', 'up', '--name', 'Bad_Name'],
      ['cluster', 'launch'],
    ]) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).to.equal(2);
      expect(result.stderr, args.join(' ')).to.not.contain('    at ');
      expect(result.stderr.trim().split('\n')[0], args.join(' ')).to.match(/^rebound: /);
    }
  });

  it('refuses an API port that is in use', async function () {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const result = await cli(['cluster', 'up', '--name', 'it-port', '--api-port', String(port)]);
      expect(result.code).to.equal(2);
      expect(result.stderr).to.contain(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      server.close();
    }
  });

  it('shows the tail of the log of a component that fails to start, and leaves nothing behind', async function () {
    // A cache whose etcd is a program that fails as a broken etcd would: the real binaries for everything else.
    const home = mkdtempSync(join(tmpdir(), 'rebound-broken-'));
    const realHome = process.env.REBOUND_HOME ?? join(homedir(), '.rebound');
    for (const family of readdirSync(join(realHome, 'bin'))) {
      if (family.includes('.partial')) continue;
      const target = join(home, 'bin', family);
      mkdirSync(target, { recursive: true });
      for (const file of readdirSync(join(realHome, 'bin', family))) symlinkSync(join(realHome, 'bin', family, file), join(target, file));
      if (family.startsWith('etcd-')) {
        rmSync(join(target, 'etcd'));
        writeFileSync(join(target, 'etcd'), '#!/bin/sh\necho "starting etcd"\necho "fatal: data dir is corrupt (simulated)" >&2\nexit 1\n', { mode: 0o755 });
      }
    }
    try {
      const result = await rebound(['cluster', 'up', '--name', 'it-broken'], { env: { REBOUND_HOME: home } });
      expect(result.code).to.equal(2);
      expect(result.stderr).to.contain('etcd exited during start-up');
      expect(result.stderr).to.contain('fatal: data dir is corrupt (simulated)');
      expect(result.stderr).to.not.contain('    at ');
      expect(processesMentioning(`${join(home, 'clusters', 'it-broken')}/`)).to.deep.equal([]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

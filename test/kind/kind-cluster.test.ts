import { get } from 'node:http';
import type * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { requireKindState } from '../../harness/cluster/kind/cluster.js';
import { ContainerEngine } from '../../harness/cluster/kind/engine.js';
import { clientsFor, isNodeReady, type KubeClients } from '../../harness/cluster/kube.js';
import { rebound } from '../support/cli.js';
import { isPodReady, until } from '../support/kube.js';
import { KIND_TEST_CLUSTER, releaseKindTestCluster, skipWithoutDocker } from '../support/kind.js';

/** One GET on a new connection (a kept-alive one would stick to one backend pod), resolving with the body of a 200. */
function getOnce(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false, timeout: 2000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { body += chunk; });
      response.on('end', () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`status ${response.statusCode}`))));
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}

describe('kind provider: cluster up and status on real containers', function () {
  // A machine with nothing built compiles the node image's binaries and debootstraps its root filesystem first.
  this.timeout(60 * 60_000);

  let engine: ContainerEngine;
  let kube: KubeClients;

  before(async function () {
    await skipWithoutDocker(this, 'kind cluster');
    engine = await ContainerEngine.detect();
  });

  it('rejects bad input with exit code 2 and one line naming the option', async function () {
    const zero = await rebound(['cluster', 'up', '--provider', 'kind', '--name', KIND_TEST_CLUSTER, '--nodes', '0']);
    expect(zero.code).to.equal(2);
    expect(zero.stderr).to.match(/--nodes 0 is not valid for kind/);
    const podman = await rebound(['cluster', 'up', '--provider', 'kind', '--name', KIND_TEST_CLUSTER, '--container-runtime', 'podman']);
    expect(podman.code).to.equal(2);
    expect(podman.stderr).to.match(/--container-runtime podman is not supported yet/);
    const local = await rebound(['cluster', 'status', '--failure-detection', 'kubernetes']);
    expect(local.code).to.equal(2);
    expect(local.stderr).to.match(/--failure-detection goes with `cluster up`/);
    const unknown = await rebound(['cluster', 'status', '--provider', 'kind', '--name', 'no-such-cluster']);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.match(/no kind cluster named "no-such-cluster"/);
  });

  it('cluster up --provider kind --nodes 3: 1 control plane + 2 workers Ready, CoreDNS running', async function () {
    // A fresh cluster: one left behind by an interrupted run still holds that run's objects (its NodePorts among them).
    await releaseKindTestCluster((line) => process.stderr.write(`      [kind] leftover from an earlier run: ${line}\n`));
    const up = await rebound(['cluster', 'up', '--provider', 'kind', '--name', KIND_TEST_CLUSTER, '--nodes', '3'], { timeoutMs: 55 * 60_000 });
    expect(up.code, up.stderr).to.equal(0);
    const state = requireKindState(KIND_TEST_CLUSTER);
    expect(up.stdout).to.include(state.kubeconfig);
    kube = clientsFor(state.kubeconfig, state.context);

    const nodes = (await kube.core.listNode()).items;
    expect(nodes.map((n) => n.metadata?.name).sort()).to.deep.equal(
      [`${KIND_TEST_CLUSTER}-control-plane`, `${KIND_TEST_CLUSTER}-worker`, `${KIND_TEST_CLUSTER}-worker2`]);
    expect(nodes.every(isNodeReady), 'every node Ready').to.equal(true);
    const controlPlanes = nodes.filter((n) => n.metadata?.labels?.['node-role.kubernetes.io/control-plane'] !== undefined);
    expect(controlPlanes.map((n) => n.metadata?.name)).to.deep.equal([`${KIND_TEST_CLUSTER}-control-plane`]);
    // A real kubelet on a real container runtime reports them; kwok's simulated nodes do not.
    for (const node of nodes) {
      expect(node.status?.nodeInfo?.containerRuntimeVersion, 'runtime').to.match(/^containerd:\/\//);
      expect(node.status?.nodeInfo?.kubeletVersion).to.equal('v1.34.4');
    }
    const dns = (await kube.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'k8s-app=kube-dns' })).items;
    expect(dns.length, 'CoreDNS pods').to.be.greaterThan(0);
    expect(dns.every(isPodReady), 'CoreDNS pods Running and Ready').to.equal(true);
    // Each node is a container of the engine, running.
    for (const node of nodes) expect(await engine.containerState(node.metadata?.name ?? '')).to.equal('running');
  });

  it('serves the example app from pods on the workers through a NodePort published on 127.0.0.1', async function () {
    const namespace = 'kind-serve';
    await kube.core.createNamespace({ body: { metadata: { name: namespace } } });
    await until('default ServiceAccount', async () => kube.core.readNamespacedServiceAccount({ name: 'default', namespace }).then(() => true, () => false), 30_000);
    const labels = { app: 'web' };
    const deployment: k8s.V1Deployment = {
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [{
              name: 'app', image: 'registry.rebound.local/app:v1', imagePullPolicy: 'Never',
              ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 },
            }],
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: labels } }],
          },
        },
      },
    };
    await kube.apps.createNamespacedDeployment({ namespace, body: deployment });
    await kube.core.createNamespacedService({
      namespace,
      body: { metadata: { name: 'web' }, spec: { type: 'NodePort', selector: labels, ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] } },
    });
    await until('2 ready web pods', async () => {
      const pods = (await kube.core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items;
      return pods.filter(isPodReady).length === 2;
    }, 180_000);
    const pods = (await kube.core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items;
    const hosts = new Set(pods.map((p) => p.spec?.nodeName));
    expect([...hosts].sort(), 'one pod per worker').to.deep.equal([`${KIND_TEST_CLUSTER}-worker`, `${KIND_TEST_CLUSTER}-worker2`]);
    expect(new Set(pods.map((p) => p.status?.podIP)).size, 'distinct pod IPs').to.equal(2);

    // The control plane runs none of them: answers prove kube-proxy and the routes between nodes' pod ranges.
    const hostPort = requireKindState(KIND_TEST_CLUSTER).publishedPorts['30080'];
    expect(hostPort, 'published port of NodePort 30080').to.be.a('number');
    const answeredBy = new Set<string>();
    await until('answers from both pods through 127.0.0.1', async () => {
      const body = await getOnce(`http://127.0.0.1:${hostPort}/`).catch(() => undefined);
      if (body !== undefined) answeredBy.add(body.trim());
      return answeredBy.size === 2;
    }, 60_000);
    const podNames = pods.map((p) => `v1 ${p.metadata?.name}`).sort();
    expect([...answeredBy].sort()).to.deep.equal(podNames);
    // The examples publish the same NodePort: free it now (a namespace's objects go away in the background).
    await kube.core.deleteNamespacedService({ name: 'web', namespace });
    await kube.core.deleteNamespace({ name: namespace });
  });

  it('cluster status reports every node container running and Ready', async function () {
    const status = await rebound(['cluster', 'status', '--provider', 'kind', '--name', KIND_TEST_CLUSTER, '--json']);
    expect(status.code, status.stderr).to.equal(0);
    const parsed = JSON.parse(status.stdout) as { healthy: boolean; nodes: { container: string; ready: boolean }[]; failureDetection: string };
    expect(parsed.healthy).to.equal(true);
    expect(parsed.failureDetection).to.equal('fast');
    expect(parsed.nodes.map((n) => [n.container, n.ready])).to.deep.equal([['running', true], ['running', true], ['running', true]]);
  });
});

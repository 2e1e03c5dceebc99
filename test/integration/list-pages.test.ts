/**
 * The watches' lists read in pages from a real API server (harness/cluster/list-pages.ts): every object of the list
 * arrives, in as many LIST requests as pages (the API server's own request counter says so), for a built-in kind and
 * for a custom resource, whose `continue` token client-node's typed list would drop.
 */
import { request } from 'node:https';
import type * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { listAllPages, RawLists } from '../../harness/cluster/list-pages.js';
import type { ClusterState } from '../../harness/cluster/local/state.js';
import { testCluster } from '../support/cluster.js';
import { until, withNamespace, type TestKube } from '../support/kube.js';

/** The API server's count of LIST requests of a resource so far (its /metrics, apiserver_request_total). */
async function listRequests(config: k8s.KubeConfig, resource: string): Promise<number> {
  const server = new URL(config.getCurrentCluster()?.server ?? '');
  const options: import('node:https').RequestOptions = { host: server.hostname, port: server.port, path: '/metrics', method: 'GET' };
  await config.applyToHTTPSOptions(options);
  const text = await new Promise<string>((resolve, reject) => {
    request(options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { body += chunk; });
      response.on('end', () => resolve(body));
    }).on('error', reject).end();
  });
  return text.split('\n')
    .filter((line) => line.startsWith('apiserver_request_total{') && line.includes('verb="LIST"') && line.includes(`resource="${resource}"`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('lists read in pages (integration)', function () {
  this.timeout(300_000);
  let state: ClusterState;
  let kube: TestKube;
  const group = `p${Math.random().toString(36).slice(2, 8)}.rebound.test`;
  const crd = `pagetests.${group}`;

  before(async () => {
    state = await testCluster();
    kube = await withNamespace(state, 'pages');
  });

  after(async () => {
    await kube.objects.delete({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: crd } }).catch(() => undefined);
    await kube.cleanup();
  });

  it('reads 12 ConfigMaps in pages of 5: three LIST requests, every object once, as plain JSON', async () => {
    for (let i = 0; i < 12; i += 1) {
      await kube.core.createNamespacedConfigMap({ namespace: kube.namespace, body: { metadata: { name: `cm-${String(i).padStart(2, '0')}` } } });
    }
    const whole = await kube.core.listNamespacedConfigMap({ namespace: kube.namespace });
    const before = await listRequests(kube.config, 'configmaps');
    const list = await listAllPages(RawLists.for(kube.config).page('v1', 'ConfigMap', kube.namespace, undefined), 5);
    const after = await listRequests(kube.config, 'configmaps');
    // 12 of the test's and the namespace's kube-root-ca.crt.
    expect(list.items.map((i) => i.metadata?.name).sort()).to.deep.equal(whole.items.map((i) => i.metadata?.name).sort());
    expect(list.items).to.have.length(13);
    expect(list.pages).to.equal(3);
    expect(after - before, 'LIST requests of configmaps the API server counted').to.equal(3);
    expect(Number(list.resourceVersion)).to.be.at.least(Number(whole.metadata?.resourceVersion));
    // As the watches deliver them: timestamps are strings, not client-node's Dates.
    expect(typeof list.items[0]?.metadata?.creationTimestamp).to.equal('string');
  });

  it('reads a custom resource\'s list in pages too: its continue token is kept', async () => {
    await kube.objects.create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: crd },
      spec: {
        group,
        scope: 'Namespaced',
        names: { kind: 'PageTest', listKind: 'PageTestList', plural: 'pagetests', singular: 'pagetest' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    } as k8s.KubernetesObject);
    const apiVersion = `${group}/v1`;
    await until(`${crd} served`, async () => kube.objects.create({ apiVersion, kind: 'PageTest', metadata: { name: 'pt-0', namespace: kube.namespace } })
      .then(() => true, () => false), 60_000);
    for (let i = 1; i < 7; i += 1) await kube.objects.create({ apiVersion, kind: 'PageTest', metadata: { name: `pt-${i}`, namespace: kube.namespace } });
    const list = await listAllPages(RawLists.for(kube.config).page(apiVersion, 'PageTest', kube.namespace, undefined), 3);
    expect(list.items.map((i) => i.metadata?.name).sort()).to.deep.equal(['pt-0', 'pt-1', 'pt-2', 'pt-3', 'pt-4', 'pt-5', 'pt-6']);
    expect(list.pages).to.equal(3);
  });
});

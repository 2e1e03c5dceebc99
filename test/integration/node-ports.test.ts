import { get } from 'node:http';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { expect } from 'chai';
import { NodePortResponder } from '../../harness/cluster/local/node-ports.js';
import { contextName } from '../../harness/cluster/local/settings.js';
import { testCluster, TEST_CLUSTER } from '../support/cluster.js';
import { deployment, until, withNamespace, type TestKube } from '../support/kube.js';

/** One GET on a new connection: the status and body, or the connection error's code. */
function getOnce(url: string): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const request = get(url, { agent: false, timeout: 2000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { body += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, body }));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
}

describe('NodePorts on the local cluster, answered for the simulated pods (integration)', function () {
  this.timeout(5 * 60_000);
  let kube: TestKube;
  let responder: NodePortResponder;

  before(async () => {
    const state = await testCluster();
    kube = await withNamespace(state, 'it-nodeport');
    responder = await NodePortResponder.start(state.kubeconfig, contextName(TEST_CLUSTER));
  });
  after(async () => {
    await responder?.stop();
    await kube?.cleanup();
  });

  it('answers 200 from the Service\'s ready endpoints, round robin, and refuses when it has none', async () => {
    const url = `http://${responder.variables['NODE_PORT_30081'] ?? ''}/ready`;
    expect((await getOnce(url)).error, 'no Service has the NodePort yet').to.be.a('string');
    await kube.apps.createNamespacedDeployment({ namespace: kube.namespace, body: deployment('np', 2) });
    await kube.core.createNamespacedService({
      namespace: kube.namespace,
      body: { metadata: { name: 'np' }, spec: { type: 'NodePort', selector: { app: 'np' }, ports: [{ port: 80, targetPort: 8080, nodePort: 30081 }] } },
    });
    const answers = new Set<string>();
    await until('answers from both pods', async () => {
      const answer = await getOnce(url);
      if (answer.status === 200 && answer.body) answers.add(answer.body.trim());
      return answers.size === 2;
    }, 60_000);
    const pods = (await kube.core.listNamespacedPod({ namespace: kube.namespace, labelSelector: 'app=np' })).items.map((p) => `simulated ${p.metadata?.name ?? ''}`);
    expect([...answers].sort()).to.deep.equal(pods.sort());

    await kube.apps.patchNamespacedDeploymentScale({ name: 'np', namespace: kube.namespace, body: { spec: { replicas: 0 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await until('the NodePort refused once no endpoint is ready', async () => (await getOnce(url)).error !== undefined, 60_000);
  });
});

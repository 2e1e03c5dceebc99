import { expect } from 'chai';
import { nodeDrain } from '../../../harness/faults/node-drain.js';
import { monotonicNow } from '../../../harness/util/clock.js';
import { apiError, FakeApi, faultContext, node, pod } from './fake-context.js';

const BUDGET = 'Cannot evict pod as it would violate the pod\'s disruption budget.';

function drainable(): FakeApi {
  const api = new FakeApi();
  api.nodes.push(node('node-1'), node('node-2'));
  api.pods.push(pod('web-1', 'node-1'), pod('web-2', 'node-1'), pod('other', 'node-1', 'tenant'), pod('web-3', 'node-2'));
  return api;
}

const params = { selector: 'kubernetes.io/hostname=node-1', count: 1 } as const;

describe('nodeDrain (against a recording fake of the API)', () => {
  it('cordons, then evicts the pods of the scenario\'s namespaces through the Eviction API, leaving other tenants alone', async () => {
    const api = drainable();
    api.nodes.splice(1, 1);
    const context = faultContext(api);
    const plan = await nodeDrain.plan(context, params);
    const active = await nodeDrain.inject(context, params, plan);
    expect(await active.done).to.equal(undefined);
    expect(api.callsOf('patchNode')[0]).to.deep.include({ name: 'node-1', body: { spec: { unschedulable: true } } });
    expect(api.callsOf('createNamespacedPodEviction').map((r) => r['name'])).to.deep.equal(['web-1', 'web-2']);
    await active.revert();
    expect(api.nodes[0]?.spec?.unschedulable).to.equal(false);
  });

  it('retries an eviction a budget refuses (429) until it is allowed, and then goes on', async () => {
    const api = drainable();
    api.nodes.splice(1, 1);
    api.refuse('createNamespacedPodEviction', apiError(429, BUDGET), 2);
    const context = faultContext(api);
    const active = await nodeDrain.inject(context, params, await nodeDrain.plan(context, params));
    expect(await active.done).to.equal(undefined);
    expect(api.callsOf('createNamespacedPodEviction').map((r) => r['name'])).to.deep.equal(['web-1', 'web-1', 'web-1', 'web-2']);
  });

  it('is a failure of the system, naming the budget, when the budget still refuses at the deadline', async () => {
    const api = drainable();
    api.nodes.splice(1, 1);
    api.refuse('createNamespacedPodEviction', apiError(429, BUDGET), 100);
    const context = faultContext(api, { deadline: monotonicNow() + 300 });
    const active = await nodeDrain.inject(context, params, await nodeDrain.plan(context, params));
    expect(await active.done).to.equal(`drain of node node-1 blocked: eviction of pod web-1 refused until the deadline (${BUDGET})`);
  });

  it('takes a pod already gone (404) as evicted, and any other refusal as an error of the fault', async () => {
    const api = drainable();
    api.nodes.splice(1, 1);
    api.refuse('createNamespacedPodEviction', apiError(404, 'pods "web-1" not found'));
    const context = faultContext(api);
    const active = await nodeDrain.inject(context, params, await nodeDrain.plan(context, params));
    expect(await active.done).to.equal(undefined);
    const broken = drainable();
    broken.nodes.splice(1, 1);
    broken.refuse('createNamespacedPodEviction', apiError(500, 'etcd timeout'));
    const failing = await nodeDrain.inject(faultContext(broken), params, await nodeDrain.plan(faultContext(broken), params));
    let error: unknown;
    await failing.done.catch((caught: unknown) => { error = caught; });
    expect((error as { code?: number } | undefined)?.code).to.equal(500);
  });
});

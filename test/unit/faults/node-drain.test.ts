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

  it('leaves a DaemonSet\'s pod alone whatever other owners it has', async () => {
    const api = drainable();
    api.nodes.splice(1, 1);
    const daemon = api.pods[0];
    daemon.metadata = { ...daemon.metadata, ownerReferences: [
      { apiVersion: 'v1', kind: 'Node', name: 'node-1', uid: 'uid-node-1' },
      { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'uid-agent', controller: true },
    ] };
    const context = faultContext(api);
    const active = await nodeDrain.inject(context, params, await nodeDrain.plan(context, params));
    expect(await active.done).to.equal(undefined);
    expect(api.callsOf('createNamespacedPodEviction').map((r) => r['name'])).to.deep.equal(['web-2']);
  });

  it('names the refusal by the server\'s message when no cause has one', async () => {
    for (const details of [{ causes: [{ reason: 'DisruptionBudget' }] }, {}]) {
      const api = drainable();
      api.nodes.splice(1, 1);
      api.refuse('createNamespacedPodEviction', Object.assign(new Error('HTTP 429'), { code: 429, body: { message: 'Too many requests', details } }), 100);
      const active = await nodeDrain.inject(faultContext(api, { deadline: 0 }), params, await nodeDrain.plan(faultContext(api), params));
      expect(await active.done).to.equal('drain of node node-1 blocked: eviction of pod web-1 refused until the deadline (Too many requests)');
    }
  });

  it('gives up at the deadline itself: a refusal at that moment is not retried', async () => {
    const api = drainable();
    api.nodes.splice(1, 1);
    api.refuse('createNamespacedPodEviction', apiError(429, BUDGET), 100);
    // A clock that stands at the deadline, and moves only when the drain waits on it.
    let now = 5000;
    const waits: number[] = [];
    const clock = {
      now: () => now,
      after: (ms: number, callback: () => void) => { waits.push(ms); now += ms; setImmediate(callback); return () => undefined; },
    };
    const context = faultContext(api, { deadline: 5000, clock });
    const active = await nodeDrain.inject(context, params, await nodeDrain.plan(context, params));
    expect(await active.done).to.equal(`drain of node node-1 blocked: eviction of pod web-1 refused until the deadline (${BUDGET})`);
    expect(api.callsOf('createNamespacedPodEviction')).to.have.length(1);
    expect(waits).to.deep.equal([]);
    // Before the deadline, it waits 500 ms between tries.
    const early = drainable();
    early.nodes.splice(1, 1);
    early.refuse('createNamespacedPodEviction', apiError(429, BUDGET), 100);
    now = 4000;
    const before = faultContext(early, { deadline: 5000, clock });
    const retried = await nodeDrain.inject(before, params, await nodeDrain.plan(before, params));
    expect(await retried.done).to.match(/^drain of node node-1 blocked/);
    expect(early.callsOf('createNamespacedPodEviction')).to.have.length(3);
    expect(waits).to.deep.equal([500, 500]);
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

  it('evicts only what a drain may: not terminating, mirror, DaemonSet or finished pods, in the namespaces allowed', async () => {
    const api = new FakeApi();
    api.nodes.push(node('node-1'));
    const special = (name: string, change: (p: ReturnType<typeof pod>) => void, namespace = 'ns'): ReturnType<typeof pod> => {
      const made = pod(name, 'node-1', namespace);
      change(made);
      return made;
    };
    api.pods.push(
      pod('web-1', 'node-1'),
      special('leaving', (p) => { p.metadata!.deletionTimestamp = new Date(1); }),
      special('static', (p) => { p.metadata!.annotations = { 'kubernetes.io/config.mirror': 'x' }; }),
      special('agent', (p) => { p.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'a', uid: 'u', controller: true }]; }),
      special('owned', (p) => { p.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'a', uid: 'u' }, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r', uid: 'r', controller: true }]; }),
      special('done', (p) => { p.status = { phase: 'Succeeded' }; }),
      special('crashed', (p) => { p.status = { phase: 'Failed' }; }),
      special('pending', (p) => { p.status = { phase: 'Pending' }; }),
      pod('tenant-1', 'node-1', 'tenant'),
      pod('other-1', 'node-1', 'other'),
    );
    const context = faultContext(api, { allowNamespaces: ['tenant'] });
    const plan = await nodeDrain.plan(context, params);
    expect(plan.summary).to.equal('drain node node-1');
    expect(plan.revertSteps).to.deep.equal([{ op: 'uncordon', node: 'node-1' }]);
    const active = await nodeDrain.inject(context, params, plan);
    expect(await active.done).to.equal(undefined);
    expect(api.callsOf('listPodForAllNamespaces')).to.deep.equal([{ fieldSelector: 'spec.nodeName=node-1' }]);
    expect(api.callsOf('createNamespacedPodEviction')).to.deep.equal(['web-1', 'owned', 'pending', 'tenant-1'].map((name) => {
      const namespace = name === 'tenant-1' ? 'tenant' : 'ns';
      return { name, namespace, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } } };
    }));
    expect(active.steps).to.deep.equal([{ op: 'uncordon', node: 'node-1' }]);
    // One acknowledgement for the cordon, one per eviction.
    expect(api.acknowledged).to.have.length(5);
  });

  it('leaves a node cordoned before as it was, and names the budget from the refusal\'s causes, or its text', async () => {
    const api = drainable();
    api.nodes.splice(1, 1);
    api.nodes[0].spec = { unschedulable: true };
    const cause = Object.assign(new Error('HTTP 429'), {
      code: 429, body: { message: 'Too many requests', details: { causes: [{ reason: 'x' }, { message: 'The disruption budget web needs 2 healthy pods' }] } },
    });
    api.refuse('createNamespacedPodEviction', cause, 100);
    const context = faultContext(api, { deadline: 0 });
    const active = await nodeDrain.inject(context, params, await nodeDrain.plan(context, params));
    expect(await active.done).to.equal('drain of node node-1 blocked: eviction of pod web-1 refused until the deadline (The disruption budget web needs 2 healthy pods)');
    expect(active.steps).to.deep.equal([]);
    await active.revert();
    expect(api.nodes[0]?.spec?.unschedulable).to.equal(true);
    const text = drainable();
    text.nodes.splice(1, 1);
    text.refuse('createNamespacedPodEviction', Object.assign(new Error('HTTP 429'), { code: 429, body: 'budget says no' }), 100);
    const plain = await nodeDrain.inject(faultContext(text, { deadline: 0 }), params, await nodeDrain.plan(faultContext(text), params));
    expect(await plain.done).to.match(/\(budget says no\)$/);
    const bare = drainable();
    bare.nodes.splice(1, 1);
    bare.refuse('createNamespacedPodEviction', Object.assign(new Error('HTTP 429'), { code: 429, body: { message: 'Too many requests' } }), 100);
    const messageOnly = await nodeDrain.inject(faultContext(bare, { deadline: 0 }), params, await nodeDrain.plan(faultContext(bare), params));
    expect(await messageOnly.done).to.match(/\(Too many requests\)$/);
  });
});

import { expect } from 'chai';
import { allowedNamespace, describeNodeTargets, readyNodes } from '../../../harness/faults/candidates.js';
import { FaultError } from '../../../harness/faults/errors.js';
import { nodeCordon, nodeTaint } from '../../../harness/faults/node-cordon.js';
import { bind, FAULTS, NODE_LOSS_FAULTS } from '../../../harness/faults/registry.js';
import type { Fault } from '../../../harness/scenario/schema.js';
import { FakeApi, faultContext, node, pod } from './fake-context.js';

function cluster(...names: string[]): FakeApi {
  const api = new FakeApi();
  api.nodes.push(...names.map(node));
  return api;
}

describe('node candidates (against a recording fake of the API)', () => {
  it('are the Ready nodes, by label selector, never a control-plane node the selector does not name', async () => {
    const api = cluster('worker-1', 'worker-2', 'cp');
    api.nodes[2].metadata!.labels = { 'node-role.kubernetes.io/control-plane': '' };
    api.nodes[1].status = { conditions: [{ type: 'Ready', status: 'False' }] };
    const names = async (selector?: string): Promise<(string | undefined)[]> =>
      (await readyNodes(faultContext(api), { count: 1, ...(selector ? { selector } : {}) })).map((n) => n.metadata?.name);
    expect(await names()).to.deep.equal(['worker-1']);
    expect(api.callsOf('listNode')[0]).to.deep.equal({});
    expect(await names('kubernetes.io/hostname=cp')).to.deep.equal(['worker-1', 'cp']);
    expect(api.callsOf('listNode')[1]).to.deep.equal({ labelSelector: 'kubernetes.io/hostname=cp' });
    expect(await names('node-role.kubernetes.io/control-plane')).to.deep.equal(['worker-1', 'cp']);
    expect(await names('zone=a')).to.deep.equal(['worker-1']);
  });

  it('with nodesOf, are the nodes hosting running pods of that selector, in the namespace given', async () => {
    const api = cluster('node-1', 'node-2', 'node-3');
    api.pods.push(pod('web-1', 'node-2'), pod('db-1', 'node-3', 'data'));
    const hosting = await readyNodes(faultContext(api), { count: 1, nodesOf: 'app=web' });
    expect(hosting.map((n) => n.metadata?.name)).to.deep.equal(['node-2']);
    expect(api.callsOf('listNamespacedPod')[0]).to.deep.equal({ namespace: 'ns', labelSelector: 'app=web' });
    const elsewhere = await readyNodes(faultContext(api, { allowNamespaces: ['data'] }), { count: 1, nodesOf: 'app=db', namespace: 'data' });
    expect(elsewhere.map((n) => n.metadata?.name)).to.deep.equal(['node-3']);
  });

  it('name the selection in messages', () => {
    expect(describeNodeTargets('nodeCordon', { count: 1 })).to.equal('nodeCordon (any node)');
    expect(describeNodeTargets('nodeDrain', { count: 1, selector: 'zone=a', nodesOf: 'app=web' })).to.equal('nodeDrain (nodes zone=a, hosting pods app=web)');
    expect(describeNodeTargets('nodeStop', { count: 1, nodesOf: 'app=web' })).to.equal('nodeStop (any node, hosting pods app=web)');
  });

  it('stay in the namespaces faults may touch: the scenario\'s, spec.allowNamespaces, never kube-system', () => {
    const context = faultContext(new FakeApi(), { allowNamespaces: ['tenant', 'kube-system'] });
    expect(allowedNamespace(context, undefined)).to.equal('ns');
    expect(allowedNamespace(context, 'tenant')).to.equal('tenant');
    expect(() => allowedNamespace(context, 'kube-system')).to.throw(FaultError, 'faults never touch kube-system');
    expect(() => allowedNamespace(faultContext(new FakeApi(), { namespace: 'kube-system' }), undefined)).to.throw(FaultError, 'kube-system');
    expect(() => allowedNamespace(context, 'other')).to.throw(FaultError,
      'namespace other is not the scenario\'s (ns); add it to spec.allowNamespaces to let faults touch it');
  });
});

describe('nodeCordon and nodeTaint (against a recording fake of the API)', () => {
  it('nodeCordon marks the nodes unschedulable, plans an uncordon each, and uncordons only what it cordoned', async () => {
    const api = cluster('node-1', 'node-2');
    api.nodes[1].spec = { unschedulable: true };
    const context = faultContext(api);
    const params = { count: 2 } as const;
    const plan = await nodeCordon.plan(context, params);
    expect(plan.summary).to.match(/^cordon node node-\d, node node-\d$/);
    expect(plan.revertSteps).to.have.deep.members([{ op: 'uncordon', node: 'node-1' }, { op: 'uncordon', node: 'node-2' }]);
    const active = await nodeCordon.inject(context, params, plan);
    expect(api.nodes.map((n) => n.spec?.unschedulable)).to.deep.equal([true, true]);
    expect(api.acknowledged).to.have.length(2);
    expect(active.ackAt).to.be.at.least(api.acknowledged[1]);
    expect(await active.done).to.equal(undefined);
    // node-2 was cordoned before: the fault leaves it so.
    expect(active.steps).to.deep.equal([{ op: 'uncordon', node: 'node-1' }]);
    await active.revert();
    expect(api.nodes.map((n) => n.spec?.unschedulable)).to.deep.equal([false, true]);
    const patches = api.callsOf('patchNode').length;
    await active.revert();
    expect(api.callsOf('patchNode')).to.have.length(patches);
  });

  it('nodeTaint adds its taint beside the node\'s own, replaces one of the same key and effect, and removes only its own', async () => {
    const api = cluster('node-1');
    const own = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
    api.nodes[0].spec = { taints: [own, { key: 'chaos', value: 'old', effect: 'NoExecute' }, { key: 'chaos', effect: 'NoSchedule' }] };
    const context = faultContext(api);
    const params = { count: 1, key: 'chaos', value: 'on', effect: 'NoExecute' } as const;
    const plan = await nodeTaint.plan(context, params);
    expect(plan.summary).to.equal('taint node node-1 with chaos=on:NoExecute');
    expect(plan.revertSteps).to.deep.equal([{ op: 'untaint', node: 'node-1', key: 'chaos', effect: 'NoExecute' }]);
    const active = await nodeTaint.inject(context, params, plan);
    expect(api.nodes[0]?.spec?.taints).to.deep.equal([own, { key: 'chaos', effect: 'NoSchedule' }, { key: 'chaos', value: 'on', effect: 'NoExecute' }]);
    expect(active.ackAt).to.be.above(0);
    expect(api.acknowledged).to.deep.equal([active.ackAt]);
    await active.revert();
    expect(api.nodes[0]?.spec?.taints).to.deep.equal([own, { key: 'chaos', effect: 'NoSchedule' }]);
    const patches = api.callsOf('patchNode').length;
    await active.revert();
    expect(api.callsOf('patchNode')).to.have.length(patches);
  });

  it('nodeTaint without a value writes none, and says so', async () => {
    const api = cluster('node-1');
    const context = faultContext(api);
    const params = { count: 1, key: 'chaos', effect: 'NoSchedule' } as const;
    const plan = await nodeTaint.plan(context, params);
    expect(plan.summary).to.equal('taint node node-1 with chaos:NoSchedule');
    await nodeTaint.inject(context, params, plan);
    expect(api.nodes[0]?.spec?.taints).to.deep.equal([{ key: 'chaos', effect: 'NoSchedule' }]);
  });

  it('is an error naming the selection when no Ready node matches, or too few', async () => {
    const api = cluster('node-1');
    await nodeCordon.plan(faultContext(api), { count: 2, selector: 'zone=a' }).then(
      () => expect.fail('planned'),
      (error: unknown) => expect(String(error)).to.contain('nodeCordon (nodes zone=a) asks for 2 targets but only 1 candidate match'),
    );
  });
});

describe('the fault registry', () => {
  it('binds each spec.faults entry to its kind\'s handler, with its parameters', async () => {
    const api = cluster('node-1');
    const context = faultContext(api);
    const bound = bind({ kind: 'nodeCordon', params: { count: 1 } } as Fault);
    const plan = await bound.plan(context);
    expect(plan.summary).to.equal('cordon node node-1');
    const active = await bound.inject(context, plan);
    expect(api.nodes[0]?.spec?.unschedulable).to.equal(true);
    await active.revert();
    expect(Object.keys(FAULTS)).to.have.length(15);
    expect(NODE_LOSS_FAULTS).to.deep.equal(['nodeStop', 'nodePause', 'networkPartition']);
  });
});

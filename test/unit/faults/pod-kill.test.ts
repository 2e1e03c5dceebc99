import { expect } from 'chai';
import type { ClusterHandle } from '../../../harness/cluster/provider.js';
import { podDelete, podKill } from '../../../harness/faults/pod-kill.js';
import { FakeApi, faultContext, pod } from './fake-context.js';

describe('podKill and podDelete (against a recording fake of the API)', () => {
  it('podKill is a forced delete: grace period 0 and the uid precondition, both in the DeleteOptions body', async () => {
    const api = new FakeApi();
    api.pods.push(pod('web-1', 'node-1'));
    const context = faultContext(api);
    const plan = await podKill.plan(context, { selector: 'app=web', count: 1 });
    await podKill.inject(context, { selector: 'app=web', count: 1 }, plan);
    const [request] = api.callsOf('deleteNamespacedPod');
    // With a body the API server reads DeleteOptions from the body alone: a grace period beside it is lost.
    expect(request).to.deep.equal({ name: 'web-1', namespace: 'ns', body: { gracePeriodSeconds: 0, preconditions: { uid: 'uid-web-1' } } });
    expect(api.acknowledged).to.have.length(1);
  });

  it('podDelete keeps the pod\'s own grace period: no gracePeriodSeconds at all', async () => {
    const api = new FakeApi();
    api.pods.push(pod('web-1', 'node-1'));
    const context = faultContext(api);
    const plan = await podDelete.plan(context, { selector: 'app=web', count: 1 });
    await podDelete.inject(context, { selector: 'app=web', count: 1 }, plan);
    expect(api.callsOf('deleteNamespacedPod')[0]?.['body']).to.deep.equal({ preconditions: { uid: 'uid-web-1' } });
  });

  it('never picks a pod that is terminating or not running', async () => {
    const api = new FakeApi();
    const leaving = pod('web-old', 'node-1');
    leaving.metadata = { ...leaving.metadata, deletionTimestamp: new Date(1) };
    const pending = pod('web-new', 'node-2');
    pending.status = { phase: 'Pending' };
    api.pods.push(leaving, pending, pod('web-1', 'node-3'));
    const plan = await podKill.plan(faultContext(api), { selector: 'app=web', count: 1 });
    expect(plan.targets.map((t) => t.name)).to.deep.equal(['web-1']);
  });

  it('chooses by percent among the running pods, names each with its node, and acknowledges the first delete', async () => {
    const api = new FakeApi();
    api.pods.push(pod('web-1', 'node-1'), pod('web-2', 'node-2'), pod('web-3', 'node-3'));
    const context = faultContext(api);
    const params = { selector: 'app=web', percent: 50 } as const;
    const plan = await podDelete.plan(context, params);
    expect(api.callsOf('listNamespacedPod')).to.deep.equal([{ namespace: 'ns', labelSelector: 'app=web' }]);
    expect(plan.targets).to.have.length(2);
    expect(plan.summary).to.equal(`delete ${plan.targets.map((t) => `pod ${t.name} (${t.node})`).join(', ')}`);
    const active = await podDelete.inject(context, params, plan);
    expect(api.callsOf('deleteNamespacedPod').map((r) => r['name'])).to.have.members(plan.targets.map((t) => t.name));
    expect(api.acknowledged).to.have.length(2);
    expect(active.ackAt).to.equal(Math.min(...api.acknowledged));
    expect(await active.done).to.equal(undefined);
    const killPlan = await podKill.plan(context, { selector: 'app=web', count: 1 });
    expect(killPlan.summary).to.match(/^kill pod web-\d \(node-\d\)$/);
  });

  it('podKill where pods run real containers kills them until two sweeps in a row find none running', async () => {
    const api = new FakeApi();
    api.pods.push(pod('web-1', 'node-1'));
    const killed = [1, 2, 0, 0, 5];
    const sweeps: string[] = [];
    const cluster = {
      provider: 'kind',
      containerControl: {
        killContainer: async () => undefined,
        killPodContainers: async (node: string, uid: string) => {
          sweeps.push(`${node} ${uid}`);
          return killed.shift() ?? 0;
        },
      },
    } as Partial<ClusterHandle> as ClusterHandle;
    const context = faultContext(api, { cluster });
    const plan = await podKill.plan(context, { selector: 'app=web', count: 1 });
    const active = await podKill.inject(context, { selector: 'app=web', count: 1 }, plan);
    // The sweep is the fault's own work: the injection returned before it.
    expect(await active.done).to.equal(undefined);
    expect(sweeps).to.deep.equal(['node-1 uid-web-1', 'node-1 uid-web-1', 'node-1 uid-web-1', 'node-1 uid-web-1']);
    await active.revert();
    expect(api.callsOf('deleteNamespacedPod')).to.have.length(1);
  });

  it('podKill whose container sweep fails still ends its work, quietly', async () => {
    const api = new FakeApi();
    api.pods.push(pod('web-1', 'node-1'));
    const cluster = {
      provider: 'kind',
      containerControl: { killContainer: async () => undefined, killPodContainers: async () => { throw new Error('no runtime'); } },
    } as Partial<ClusterHandle> as ClusterHandle;
    const context = faultContext(api, { cluster });
    const active = await podKill.inject(context, { selector: 'app=web', count: 1 }, await podKill.plan(context, { selector: 'app=web', count: 1 }));
    expect(await active.done).to.equal(undefined);
  });
});

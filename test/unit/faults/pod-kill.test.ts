import { expect } from 'chai';
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
});

import { expect } from 'chai';
import { deleteObject } from '../../../harness/faults/delete-object.js';
import { FaultError } from '../../../harness/faults/errors.js';
import { scale } from '../../../harness/faults/scale.js';
import { apiError, FakeApi, faultContext } from './fake-context.js';

function withWorkload(kind: string, replicas?: number, uid?: string): FakeApi {
  const api = new FakeApi();
  api.workloads.push({ kind, metadata: { name: 'web', namespace: 'ns', ...(uid ? { uid } : {}) }, spec: replicas === undefined ? {} : { replicas } });
  return api;
}

describe('scale (against a recording fake of the API)', () => {
  for (const kind of ['Deployment', 'StatefulSet', 'ReplicaSet'] as const) {
    it(`sets a ${kind}'s replicas through its scale subresource, and reverts to the count it found, once`, async () => {
      const api = withWorkload(kind, 3, 'uid-web');
      const context = faultContext(api);
      const params = { kind, name: 'web', replicas: 1 };
      const plan = await scale.plan(context, params);
      expect(plan).to.deep.equal({
        targets: [{ kind, name: 'web', namespace: 'ns', uid: 'uid-web' }],
        summary: `scale ${kind} web from 3 to 1 replicas`,
        revertSteps: [{ op: 'scale', kind, name: 'web', namespace: 'ns', replicas: 3 }],
      });
      const active = await scale.inject(context, params, plan);
      expect(api.callsOf(`patch${kind}Scale`)).to.deep.equal([{ name: 'web', namespace: 'ns', body: { spec: { replicas: 1 } } }]);
      expect(api.workloads[0]?.spec.replicas).to.equal(1);
      expect(api.acknowledged).to.deep.equal([active.ackAt]);
      expect(active.steps).to.deep.equal([{ op: 'scale', kind, name: 'web', namespace: 'ns', replicas: 3 }]);
      expect(await active.done).to.equal(undefined);
      await active.revert();
      expect(api.workloads[0]?.spec.replicas).to.equal(3);
      await active.revert();
      expect(api.callsOf(`patch${kind}Scale`)).to.have.length(2);
    });
  }

  it('restores the count found at injection, not at planning; a workload with no replicas field has 1', async () => {
    const api = withWorkload('Deployment');
    const context = faultContext(api);
    const params = { kind: 'Deployment', name: 'web', replicas: 0 } as const;
    const plan = await scale.plan(context, params);
    expect(plan.summary).to.equal('scale Deployment web from 1 to 0 replicas');
    expect(plan.targets[0]).to.not.have.property('uid');
    api.workloads[0].spec.replicas = 4;
    const active = await scale.inject(context, params, plan);
    expect(active.steps).to.deep.equal([{ op: 'scale', kind: 'Deployment', name: 'web', namespace: 'ns', replicas: 4 }]);
    await active.revert();
    expect(api.workloads[0]?.spec.replicas).to.equal(4);
  });

  it('refuses a namespace faults may not touch, and a kind with no replica count', async () => {
    const api = withWorkload('Deployment', 2);
    await scale.plan(faultContext(api), { kind: 'Deployment', name: 'web', namespace: 'other', replicas: 1 }).then(
      () => expect.fail('planned'), (error: unknown) => expect(error).to.be.instanceOf(FaultError));
    await scale.plan(faultContext(api), { kind: 'DaemonSet', name: 'web', replicas: 1 } as never).then(
      () => expect.fail('planned'), (error: unknown) => expect(String(error)).to.contain('scale cannot act on a DaemonSet: it has no replica count'));
  });
});

describe('deleteObject (against a recording fake of the API)', () => {
  const configMap = (name: string, extra: { uid?: string; deleting?: boolean; created?: number } = {}): Record<string, unknown> => ({
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: {
      name, namespace: 'ns', creationTimestamp: new Date(extra.created ?? 0),
      ...(extra.uid ? { uid: extra.uid } : {}), ...(extra.deleting ? { deletionTimestamp: new Date(1) } : {}),
    },
  });

  it('deletes the object named, with the propagation policy and its uid as a precondition in the body', async () => {
    const api = new FakeApi();
    api.objects.push(configMap('settings', { uid: 'uid-settings' }));
    const context = faultContext(api);
    const params = { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', propagationPolicy: 'Foreground' } as const;
    const plan = await deleteObject.plan(context, params);
    expect(plan).to.deep.equal({ targets: [{ kind: 'ConfigMap', name: 'settings', namespace: 'ns', uid: 'uid-settings' }], summary: 'delete ConfigMap settings' });
    const active = await deleteObject.inject(context, params, plan);
    expect(api.callsOf('delete')).to.deep.equal([{
      spec: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'ns' } },
      body: { propagationPolicy: 'Foreground', preconditions: { uid: 'uid-settings' } },
    }]);
    expect(api.objects).to.deep.equal([]);
    expect(api.acknowledged).to.deep.equal([active.ackAt]);
  });

  it('says which object is missing, and passes on any other refusal', async () => {
    const params = { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', propagationPolicy: 'Background' } as const;
    await deleteObject.plan(faultContext(new FakeApi()), params).then(
      () => expect.fail('planned'), (error: unknown) => {
        expect(error).to.be.instanceOf(FaultError);
        expect(String(error)).to.contain('no ConfigMap settings in ns to delete');
      });
    const api = new FakeApi();
    api.refuse('read', apiError(403, 'forbidden'));
    await deleteObject.plan(faultContext(api), params).then(
      () => expect.fail('planned'), (error: unknown) => expect(error).to.not.be.instanceOf(FaultError));
  });

  it('by selector, chooses among the live objects the count asked, the earliest acknowledgement first', async () => {
    const api = new FakeApi();
    api.objects.push(configMap('a', { uid: 'u-a', created: 1 }), configMap('b', { created: 2 }), configMap('gone', { uid: 'u-g', deleting: true }));
    const context = faultContext(api);
    const params = { apiVersion: 'v1', kind: 'ConfigMap', selector: 'app=web', count: 2, propagationPolicy: 'Background' } as const;
    const plan = await deleteObject.plan(context, params);
    expect(api.callsOf('list')).to.deep.equal([{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', labelSelector: 'app=web' }]);
    expect(plan.targets.map((t) => t.name)).to.have.members(['a', 'b']);
    expect(plan.targets.find((t) => t.name === 'b')).to.not.have.property('uid');
    const active = await deleteObject.inject(context, params, plan);
    expect(api.acknowledged).to.have.length(2);
    expect(active.ackAt).to.equal(Math.min(...api.acknowledged));
    expect(api.callsOf('delete').map((r) => r['body'])).to.have.deep.members([
      { propagationPolicy: 'Background', preconditions: { uid: 'u-a' } }, { propagationPolicy: 'Background' },
    ]);
    await deleteObject.plan(context, { ...params, count: 1 }).then(
      () => expect.fail('planned'), (error: unknown) => expect(String(error)).to.contain('no candidate for deleteObject ConfigMap app=web'));
  });
});

import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { slimmed, withoutManagedFields } from '../../../harness/observe/slim.js';

const managed = [{ manager: 'kube-controller-manager', operation: 'Update', fieldsV1: { 'f:spec': {} } }];
const pod = (name: string): KubernetesObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'web', uid: `u-${name}`, labels: { app: 'web' }, managedFields: managed },
  spec: { nodeName: 'n1' },
} as KubernetesObject);

describe('observe: what is kept of a watched object', () => {
  it('drops metadata.managedFields and keeps everything else, without touching the object it was given', () => {
    const original = pod('a');
    const copy = JSON.parse(JSON.stringify(original)) as KubernetesObject;
    const slim = withoutManagedFields(original);
    expect(slim.metadata).to.not.have.property('managedFields');
    expect(slim).to.deep.equal({ ...copy, metadata: { name: 'a', namespace: 'web', uid: 'u-a', labels: { app: 'web' } } });
    expect(original).to.deep.equal(copy);
  });

  it('returns an object without managedFields as it is', () => {
    const bare = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } };
    expect(withoutManagedFields(bare)).to.equal(bare);
    expect(withoutManagedFields({ apiVersion: 'v1', kind: 'Thing' })).to.deep.equal({ apiVersion: 'v1', kind: 'Thing' });
  });

  it('slims every object of a change or a relist except those it is told to keep', () => {
    const keepB = (object: KubernetesObject): boolean => object.metadata?.name === 'b';
    const relist = slimmed({ at: 1, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace: 'web', objects: [pod('a'), pod('b')], since: 0 }, keepB);
    expect(relist).to.include({ at: 1, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace: 'web', since: 0 });
    const objects = relist.type === 'RELIST' ? relist.objects : [];
    expect(objects.map((o) => o.metadata?.managedFields)).to.deep.equal([undefined, managed]);

    const change = slimmed({ at: 2, type: 'MODIFIED', object: pod('a'), uncertainSince: 1 }, keepB);
    expect(change).to.include({ at: 2, type: 'MODIFIED', uncertainSince: 1 });
    expect(change.type === 'RELIST' ? undefined : change.object.metadata).to.not.have.property('managedFields');
    const kept = slimmed({ at: 3, type: 'DELETED', object: pod('b') }, keepB);
    expect(kept.type === 'RELIST' ? undefined : kept.object.metadata?.managedFields).to.deep.equal(managed);
  });
});

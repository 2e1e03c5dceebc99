import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { World } from '../../../harness/observe/world.js';
import { nodeObject, objectOf, podObject, sliceObject } from './support.js';

const versioned = (object: KubernetesObject, resourceVersion: string | undefined): KubernetesObject =>
  ({ ...object, metadata: { ...object.metadata, ...(resourceVersion === undefined ? {} : { resourceVersion }) } });
const phase = (world: World, name = 'a') => (world.get('v1', 'Pod', name, 'web') as { status?: { phase?: string } } | undefined)?.status?.phase;

describe('observe: World, edges', () => {
  it('compares only resourceVersions that are whole numbers; "12abc" is opaque and taken in arrival order', () => {
    const world = new World();
    world.apply({ at: 0, type: 'ADDED', object: versioned(podObject({ name: 'a', node: 'n1' }), '20') });
    expect(world.apply({ at: 1, type: 'MODIFIED', object: versioned(podObject({ name: 'a', node: 'n1', phase: 'Failed' }), '12abc') })).to.have.length(1);
    expect(phase(world)).to.equal('Failed');
    expect(world.apply({ at: 2, type: 'MODIFIED', object: versioned(podObject({ name: 'a', node: 'n1', phase: 'Pending' }), '3') })).to.have.length(1);
    expect(world.apply({ at: 3, type: 'MODIFIED', object: versioned(podObject({ name: 'a', node: 'n1', phase: 'Unknown' }), undefined) })).to.have.length(1);
    expect(phase(world)).to.equal('Unknown');
  });

  it('takes a version equal to the one held from another incarnation, a newer one always', () => {
    const world = new World();
    world.apply({ at: 0, type: 'ADDED', object: versioned(podObject({ name: 'a', node: 'n1' }), '20') });
    expect(world.apply({ at: 1, type: 'MODIFIED', object: versioned(podObject({ name: 'a', node: 'n1', phase: 'Failed' }), '20') })).to.deep.equal([]);
    const changes = world.apply({ at: 2, type: 'ADDED', object: versioned(podObject({ name: 'a', uid: 'uid-2', node: 'n1' }), '20') });
    expect(changes.map((c) => [c.type, c.object.metadata?.uid])).to.deep.equal([['DELETED', 'uid-a'], ['ADDED', 'uid-2']]);
    expect(world.apply({ at: 3, type: 'MODIFIED', object: versioned(podObject({ name: 'a', uid: 'uid-2', node: 'n1' }), '21') })).to.have.length(1);
  });

  it('skips objects of a relist it cannot identify, and scopes the deletions of a relist to its namespace', () => {
    const world = new World();
    world.apply({ at: 0, type: 'ADDED', object: podObject({ name: 'a', node: 'n1' }) });
    world.apply({ at: 0, type: 'ADDED', object: podObject({ name: 'b', node: 'n1', namespace: 'other' }) });
    world.apply({ at: 0, type: 'ADDED', object: nodeObject('n1') });
    const changes = world.apply({ at: 5, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace: 'other', objects: [{ kind: 'Pod' }] });
    expect(changes.map((c) => [c.type, c.object.metadata?.name, c.uncertainSince])).to.deep.equal([['DELETED', 'b', undefined]]);
    expect(world.pods(undefined).map((p) => p.metadata?.name)).to.deep.equal(['a']);
    const all = world.apply({ at: 6, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', since: 3, objects: [] });
    expect(all.map((c) => [c.type, c.object.metadata?.name, c.uncertainSince])).to.deep.equal([['DELETED', 'a', 3]]);
    expect(world.nodes().map((n) => n.metadata?.name)).to.deep.equal(['n1']);
  });

  it('marks nothing uncertain after a relist that followed no outage', () => {
    const world = new World();
    expect(world.apply({ at: 1, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', objects: [podObject({ name: 'a', node: 'n1' })] }))
      .to.deep.equal([{ at: 1, type: 'ADDED', object: podObject({ name: 'a', node: 'n1' }) }]);
  });

  it('brings back a deleted uid when a relist still lists it, marking what it reveals with the outage start', () => {
    const world = new World();
    world.apply({ at: 0, type: 'ADDED', object: podObject({ name: 'a', node: 'n1' }) });
    world.apply({ at: 1, type: 'DELETED', object: podObject({ name: 'a', node: 'n1' }) });
    expect(world.apply({ at: 2, type: 'ADDED', object: podObject({ name: 'a', node: 'n1' }) })).to.deep.equal([]);
    const changes = world.apply({ at: 9, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', since: 4, objects: [podObject({ name: 'a', node: 'n1' })] });
    expect(changes).to.deep.equal([{ at: 9, type: 'ADDED', object: podObject({ name: 'a', node: 'n1' }), uncertainSince: 4 }]);
    expect(world.byUid('uid-a')?.metadata?.name).to.equal('a');
  });

  it('a DELETED of an incarnation never held is recorded: a late ADDED of it stays out; the held one is kept', () => {
    const world = new World();
    world.apply({ at: 0, type: 'ADDED', object: podObject({ name: 'a', uid: 'new', node: 'n1' }) });
    expect(world.apply({ at: 1, type: 'DELETED', object: podObject({ name: 'a', uid: 'old', node: 'n1' }) })).to.have.length(1);
    expect(world.get('v1', 'Pod', 'a', 'web')?.metadata?.uid).to.equal('new');
    expect(world.apply({ at: 2, type: 'DELETED', object: podObject({ name: 'a', uid: 'old', node: 'n1' }) })).to.deep.equal([]);
    expect(world.apply({ at: 3, type: 'ADDED', object: podObject({ name: 'z', uid: 'old', node: 'n1' }) })).to.deep.equal([]);
    expect(world.get('v1', 'Pod', 'z', 'web')).to.equal(undefined);
  });

  it('deletes a held object by a DELETED without a uid, and reports a DELETED without a uid for nothing held', () => {
    const world = new World();
    world.apply({ at: 0, type: 'ADDED', object: objectOf('v1', 'ConfigMap', 'c', {}) });
    const noUid = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'web' } } as KubernetesObject;
    expect(world.apply({ at: 1, type: 'DELETED', object: noUid })).to.have.length(1);
    expect(world.get('v1', 'ConfigMap', 'c', 'web')).to.equal(undefined);
    expect(world.list('v1', 'ConfigMap')).to.deep.equal([]);
    expect(world.apply({ at: 2, type: 'DELETED', object: noUid })).to.have.length(1);
    world.apply({ at: 3, type: 'ADDED', object: noUid });
    expect(world.get('v1', 'ConfigMap', 'c', 'web')).to.deep.equal(noUid);
  });

  it('finds a cluster-scoped object with namespace \'\' or none', () => {
    const world = new World();
    world.apply({ at: 0, type: 'ADDED', object: nodeObject('n1') });
    expect(world.get('v1', 'Node', 'n1', '')?.metadata?.name).to.equal('n1');
    expect(world.get('v1', 'Node', 'n1')?.metadata?.name).to.equal('n1');
    expect(world.node('n1')?.metadata?.name).to.equal('n1');
    expect(world.node('n2')).to.equal(undefined);
  });

  it('lists everything by kind, then namespace (cluster-scoped first), then name, in code-unit order', () => {
    const world = new World();
    for (const object of [
      objectOf('v1', 'Pod', 'b', {}), objectOf('v1', 'Pod', 'a', { namespace: 'zz' }), objectOf('v1', 'Pod', 'B', {}),
      nodeObject('n2'), nodeObject('n1'), objectOf('v1', 'ConfigMap', 'x', {}), objectOf('v1', 'Namespace', 'web', { namespace: null }),
      objectOf('v1', 'Pod', 'c', { namespace: null }), objectOf('v1', 'Pod', 'd', { namespace: '9ns' }),
    ]) world.apply({ at: 0, type: 'ADDED', object });
    expect(world.all().map((o) => `${o.kind}/${o.metadata?.namespace ?? '-'}/${o.metadata?.name}`)).to.deep.equal([
      'ConfigMap/web/x', 'Namespace/-/web', 'Node/-/n1', 'Node/-/n2', 'Pod/-/c', 'Pod/9ns/d', 'Pod/web/B', 'Pod/web/b', 'Pod/zz/a',
    ]);
    expect(world.list('v1', 'Pod').map((o) => o.metadata?.name)).to.deep.equal(['c', 'd', 'B', 'b', 'a']);
    expect(world.list('v1', 'Pod', '').map((o) => o.metadata?.name)).to.deep.equal(['c']);
  });

  it('counts a pod without a node by its status, and keeps one impairment per stretch of each node', () => {
    const world = new World();
    const pending = { ...podObject({ name: 'p' }), status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } } as KubernetesObject;
    world.apply({ at: 0, type: 'ADDED', object: pending });
    world.impairNode('n1', 10);
    expect(world.pods('web').filter((p) => world.isPodReady(p))).to.have.length(1);
    world.impairNode('n2', 20);
    world.impairNode('n1', 25);
    world.restoreNode('n1', 30);
    world.restoreNode('n1', 35);
    world.impairNode('n1', 40);
    world.restoreNode('n2', 50);
    world.restoreNode('n1', 60);
    expect(world.impairments()).to.deep.equal([
      { node: 'n1', since: 10, until: 30 }, { node: 'n2', since: 20, until: 50 }, { node: 'n1', since: 40, until: 60 },
    ]);
  });

  it('takes a probe answer of the same moment as the latest', () => {
    const world = new World();
    world.setProbe('u', 10, false, '503');
    world.setProbe('u', 10, true, '200 OK');
    expect(world.probe('u')).to.deep.equal({ at: 10, ok: true, detail: '200 OK' });
  });

  it('learns that a kind reports readiness from an Available condition too, not from others', () => {
    const world = new World();
    world.apply({ at: 0, type: 'ADDED', object: objectOf('example.com/v1', 'Cache', 'c', { status: { conditions: [{ type: 'Progressing', status: 'True' }] } }) });
    expect(world.kindReportsReadiness('example.com/v1', 'Cache')).to.equal(false);
    world.apply({ at: 1, type: 'ADDED', object: objectOf('example.com/v1', 'Cache', 'd', { status: { conditions: [{ type: 'Available', status: 'False' }] } }) });
    expect(world.kindReportsReadiness('example.com/v2', 'Cache')).to.equal(true);
  });

  it('finds the slices of a Service by their label only', () => {
    const world = new World();
    const unlabelled = { ...sliceObject('x', 'web', []), metadata: { name: 'x', namespace: 'web', uid: 'uid-x' } } as KubernetesObject;
    world.apply({ at: 0, type: 'ADDED', object: unlabelled });
    world.apply({ at: 0, type: 'ADDED', object: sliceObject('web-1', 'web', []) });
    expect(world.endpointSlicesOf('web', 'web').map((s) => s.metadata?.name)).to.deep.equal(['web-1']);
    expect(world.endpointSlices().map((s) => s.metadata?.name)).to.deep.equal(['web-1', 'x']);
  });
});

import { expect } from 'chai';
import { World } from '../../../harness/observe/world.js';
import { LabelSelector } from '../../../harness/scenario/rules.js';
import { nodeObject, objectOf, podObject, sliceObject, worldOf } from './support.js';

const phaseOf = (world: World, name: string): unknown => (world.get('v1', 'Pod', name, 'web') as { status?: { phase?: string } } | undefined)?.status?.phase;

describe('observe: World', () => {
  it('holds the latest version of each object, by identity and by uid', () => {
    const world = new World();
    world.apply({ at: 1, type: 'ADDED', object: podObject({ name: 'a', resourceVersion: '10', phase: 'Pending' }) });
    world.apply({ at: 2, type: 'MODIFIED', object: podObject({ name: 'a', resourceVersion: '11', node: 'n1' }) });
    expect(phaseOf(world, 'a')).to.equal('Running');
    expect(world.byUid('uid-a')?.metadata?.resourceVersion).to.equal('11');
  });

  it('ignores an update older than what it holds when both resourceVersions are integers', () => {
    const world = new World();
    world.apply({ at: 1, type: 'ADDED', object: podObject({ name: 'a', resourceVersion: '20', node: 'n1' }) });
    const changes = world.apply({ at: 2, type: 'MODIFIED', object: podObject({ name: 'a', resourceVersion: '9', phase: 'Pending' }) });
    expect(changes).to.deep.equal([]);
    expect(phaseOf(world, 'a')).to.equal('Running');
  });

  it('takes opaque resourceVersions in arrival order', () => {
    const world = new World();
    world.apply({ at: 1, type: 'ADDED', object: podObject({ name: 'a', resourceVersion: 'b7', node: 'n1' }) });
    world.apply({ at: 2, type: 'MODIFIED', object: podObject({ name: 'a', resourceVersion: 'a1', phase: 'Pending' }) });
    expect(phaseOf(world, 'a')).to.equal('Pending');
  });

  it('reports what changed: ADDED on first sight, MODIFIED after, whatever the event said', () => {
    const world = new World();
    expect(world.apply({ at: 1, type: 'MODIFIED', object: podObject({ name: 'a' }) }).map((c) => c.type)).to.deep.equal(['ADDED']);
    expect(world.apply({ at: 2, type: 'ADDED', object: podObject({ name: 'a' }) }).map((c) => c.type)).to.deep.equal(['MODIFIED']);
  });

  it('forgets a deleted object and does not let a late event bring it back', () => {
    const world = new World();
    world.apply({ at: 1, type: 'ADDED', object: podObject({ name: 'a', resourceVersion: 'x' }) });
    world.apply({ at: 2, type: 'DELETED', object: podObject({ name: 'a', resourceVersion: 'y' }) });
    expect(world.get('v1', 'Pod', 'a', 'web')).to.equal(undefined);
    expect(world.byUid('uid-a')).to.equal(undefined);
    expect(world.apply({ at: 3, type: 'MODIFIED', object: podObject({ name: 'a', resourceVersion: 'z' }) })).to.deep.equal([]);
    expect(world.get('v1', 'Pod', 'a', 'web')).to.equal(undefined);
  });

  it('replaces an object by a new incarnation of the same name (a StatefulSet pod), reporting the old one deleted', () => {
    const world = worldOf(podObject({ name: 'db-0', uid: 'old' }));
    const changes = world.apply({ at: 5, type: 'ADDED', object: podObject({ name: 'db-0', uid: 'new' }) });
    expect(changes.map((c) => [c.type, c.object.metadata?.uid])).to.deep.equal([['DELETED', 'old'], ['ADDED', 'new']]);
    expect(world.byUid('old')).to.equal(undefined);
    // The DELETED of the old incarnation arriving late leaves the new one alone.
    world.apply({ at: 6, type: 'DELETED', object: podObject({ name: 'db-0', uid: 'old' }) });
    expect(world.get('v1', 'Pod', 'db-0', 'web')?.metadata?.uid).to.equal('new');
  });

  it('replaces everything of a kind and namespace on a relist, reporting what disappeared as deleted', () => {
    const world = worldOf(podObject({ name: 'a' }), podObject({ name: 'b' }), podObject({ name: 'c', namespace: 'other' }));
    const changes = world.apply({ at: 9, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace: 'web', objects: [podObject({ name: 'b' }), podObject({ name: 'd' })] });
    expect(changes.map((c) => `${c.type} ${c.object.metadata?.name}`).sort()).to.deep.equal(['ADDED d', 'DELETED a', 'MODIFIED b']);
    expect(world.pods('web').map((p) => p.metadata?.name)).to.deep.equal(['b', 'd']);
    expect(world.pods('other').map((p) => p.metadata?.name)).to.deep.equal(['c']);
  });

  it('indexes by API group, so any version of a kind finds the object', () => {
    const world = worldOf(objectOf('apps/v1', 'Deployment', 'web'));
    expect(world.get('apps/v1beta2', 'Deployment', 'web', 'web')).to.not.equal(undefined);
    expect(world.get('extensions.example.com/v1', 'Deployment', 'web', 'web')).to.equal(undefined);
    expect(world.workload('Deployment', 'web', 'web')).to.not.equal(undefined);
  });

  it('lists pods by namespace and selector, nodes by selector, slices by Service', () => {
    const world = worldOf(
      podObject({ name: 'a', labels: { app: 'web', tier: 'front' } }),
      podObject({ name: 'b', labels: { app: 'web', tier: 'back' } }),
      podObject({ name: 'c', labels: { app: 'db' } }),
      nodeObject('n1', { labels: { pool: 'blue' } }),
      nodeObject('n2'),
      sliceObject('web-1', 'web', []),
      sliceObject('db-1', 'db', []),
    );
    expect(world.pods('web', LabelSelector.parse('app=web,tier notin (back)')).map((p) => p.metadata?.name)).to.deep.equal(['a']);
    expect(world.pods('web', LabelSelector.parse('!tier')).map((p) => p.metadata?.name)).to.deep.equal(['c']);
    expect(world.nodes(LabelSelector.parse('pool')).map((n) => n.metadata?.name)).to.deep.equal(['n1']);
    expect(world.endpointSlicesOf('web', 'web').map((s) => s.metadata?.name)).to.deep.equal(['web-1']);
  });

  it('keeps impaired nodes: pods on them are not ready from that moment, until restored', () => {
    const world = worldOf(podObject({ name: 'a', node: 'n1' }), nodeObject('n1'));
    const [pod] = world.pods('web');
    const [node] = world.nodes();
    if (pod === undefined || node === undefined) throw new Error('missing');
    expect(world.isPodReady(pod)).to.equal(true);
    world.impairNode('n1', 100);
    world.impairNode('n1', 150);
    expect(world.isPodReady(pod)).to.equal(false);
    expect(world.isNodeReady(node)).to.equal(false);
    expect(world.impairments()).to.deep.equal([{ node: 'n1', since: 100 }]);
    world.restoreNode('n1', 400);
    expect(world.isPodReady(pod)).to.equal(true);
    expect(world.impairments()).to.deep.equal([{ node: 'n1', since: 100, until: 400 }]);
  });

  it('keeps the latest probe result per key, dropping one older than it holds', () => {
    const world = new World();
    expect(world.probe('http://web')).to.equal(undefined);
    world.setProbe('http://web', 200, false, 'HTTP 503');
    world.setProbe('http://web', 100, true, 'HTTP 200');
    expect(world.probe('http://web')).to.deep.equal({ at: 200, ok: false, detail: 'HTTP 503' });
  });

  it('remembers which kinds report readiness conditions', () => {
    const world = worldOf(objectOf('example.com/v1', 'Widget', 'w', { status: { conditions: [{ type: 'Ready', status: 'False' }] } }));
    expect(world.kindReportsReadiness('example.com/v1', 'Widget')).to.equal(true);
    expect(world.kindReportsReadiness('example.com/v1', 'Gadget')).to.equal(false);
  });

  it('ignores objects without apiVersion, kind or name', () => {
    const world = new World();
    expect(world.apply({ at: 1, type: 'ADDED', object: { metadata: { name: 'x' } } })).to.deep.equal([]);
    expect(world.all()).to.deep.equal([]);
  });
});

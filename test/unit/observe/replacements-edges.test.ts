import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { ReplacementTracker } from '../../../harness/observe/replacements.js';
import type { World } from '../../../harness/observe/world.js';
import { nodeObject, objectOf, podObject, serviceObject, sliceObject, worldOf, type PodOptions } from './support.js';

function feed(world: World, tracker: ReplacementTracker, at: number, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubernetesObject): void {
  const event = { at, type, object };
  world.apply(event);
  tracker.apply(event);
}

const rs = { kind: 'ReplicaSet', name: 'web-1', uid: 'rs-1' };
const pod = (name: string, options: Partial<PodOptions> = {}) => podObject({ name, owner: rs, ...options });
const pairs = (tracker: ReplacementTracker) => tracker.replacements().map((r) => [r.pod.name, r.replacement?.name ?? null]);

describe('observe: ReplacementTracker, edges', () => {
  it('takes a relist: a pod it no longer holds was deleted at the relist, a new one in it was created then', () => {
    const world = worldOf(pod('a', { node: 'n1' }), pod('keep', { node: 'n1' }), pod('far', { node: 'n1', namespace: 'other' }));
    const tracker = new ReplacementTracker(world);
    const listed = [pod('keep', { node: 'n1' }), pod('b', { node: 'n2' })];
    tracker.apply({ at: 500, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace: 'web', objects: listed });
    const [replacement, ...rest] = tracker.replacements();
    expect(rest).to.deep.equal([]);
    expect(replacement?.pod.name).to.equal('a');
    expect(replacement?.replacement?.name).to.equal('b');
    expect(replacement?.at).to.deep.equal({ deleted: 500, created: 500, scheduled: 500, running: 500, ready: 500, endpointReady: null });
    // A relist of all namespaces takes the other namespace's pods too.
    tracker.apply({ at: 600, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', objects: listed });
    expect(pairs(tracker)).to.deep.equal([['a', 'b'], ['far', null]]);
  });

  it('reads a relist of another kind only for what its objects say (endpoints, owners), never as deletions of pods', () => {
    const world = worldOf(pod('a', { node: 'n1' }));
    const tracker = new ReplacementTracker(world);
    tracker.apply({ at: 500, type: 'RELIST', apiVersion: 'apps/v1', kind: 'ReplicaSet', objects: [] });
    tracker.apply({ at: 510, type: 'RELIST', apiVersion: 'v1', kind: 'Service', objects: [] });
    tracker.apply({ at: 520, type: 'RELIST', apiVersion: 'example.com/v1', kind: 'Pod', objects: [] });
    expect(tracker.replacements()).to.deep.equal([]);
  });

  it('prefers the replacement created first, whatever order it arrived in, then the one that arrived first', () => {
    const world = worldOf(pod('a', { node: 'n1' }), pod('b', { node: 'n1' }));
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 100, 'DELETED', pod('a', { node: 'n1' }));
    // Two watches: the pod created at 130 arrives before the one created at 120.
    feed(world, tracker, 130, 'ADDED', pod('late'));
    feed(world, tracker, 120, 'ADDED', pod('early'));
    expect(pairs(tracker)).to.deep.equal([['a', 'early']]);
    feed(world, tracker, 100, 'DELETED', pod('b', { node: 'n1' }));
    expect(pairs(tracker)).to.deep.equal([['a', 'early'], ['b', 'late']]);
  });

  it('breaks ties of equal stamps by arrival: deletions and creations of the same moment pair in order', () => {
    const names = ['p', 'q', 'r', 's'];
    const world = worldOf(...names.map((name) => pod(name, { node: 'n1' })));
    const tracker = new ReplacementTracker(world);
    for (const name of names) feed(world, tracker, 100, 'DELETED', pod(name, { node: 'n1' }));
    for (const name of names) feed(world, tracker, 200, 'ADDED', pod(`${name}2`));
    expect(pairs(tracker)).to.deep.equal([['p', 'p2'], ['q', 'q2'], ['r', 'r2'], ['s', 's2']]);
  });

  it('never takes a pod that existed before the trial as a replacement, even for a deletion at time 0', () => {
    const world = worldOf(pod('a', { node: 'n1' }), pod('b', { node: 'n1' }));
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 0, 'DELETED', pod('a', { node: 'n1' }));
    expect(pairs(tracker)).to.deep.equal([['a', null]]);
    feed(world, tracker, 0, 'ADDED', pod('c'));
    expect(pairs(tracker)).to.deep.equal([['a', 'c']]);
  });

  it('takes a pod first seen modified during the trial as created then, one first seen deleted as never a replacement', () => {
    const world = worldOf(pod('a', { node: 'n1' }));
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 100, 'DELETED', pod('a', { node: 'n1' }));
    feed(world, tracker, 110, 'DELETED', pod('ghost'));
    expect(pairs(tracker)).to.deep.equal([['a', null], ['ghost', null]]);
    feed(world, tracker, 120, 'MODIFIED', pod('b', { node: 'n2', ready: false }));
    expect(tracker.replacements()[0]?.at).to.deep.equal({ deleted: 100, created: 120, scheduled: 120, running: 120, endpointReady: null });
  });

  it('does not take a pod created and deleted during the trial as its own replacement', () => {
    const world = worldOf();
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 100, 'ADDED', pod('a'));
    feed(world, tracker, 150, 'DELETED', pod('a'));
    expect(pairs(tracker)).to.deep.equal([['a', null]]);
    feed(world, tracker, 200, 'ADDED', pod('b'));
    feed(world, tracker, 200, 'DELETED', pod('b'));
    expect(pairs(tracker)).to.deep.equal([['a', 'b'], ['b', null]]);
  });

  it('does not date the steps of a pod that existed before the trial', () => {
    const world = worldOf(pod('old'), pod('a', { node: 'n1' }));
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 100, 'DELETED', pod('a', { node: 'n1' }));
    feed(world, tracker, 110, 'MODIFIED', pod('old', { node: 'n1' }));
    expect(pairs(tracker)).to.deep.equal([['a', null]]);
  });

  it('records the steps as they come: scheduled by its PodScheduled condition, running by its phase', () => {
    const world = worldOf(pod('a', { node: 'n1' }));
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 100, 'DELETED', pod('a', { node: 'n1' }));
    const bare = { ...pod('b'), status: undefined } as KubernetesObject;
    feed(world, tracker, 110, 'ADDED', bare);
    const scheduled = { ...pod('b'), status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] } } as KubernetesObject;
    feed(world, tracker, 120, 'MODIFIED', scheduled);
    feed(world, tracker, 130, 'MODIFIED', pod('b', { node: 'n1', ready: false }));
    feed(world, tracker, 140, 'MODIFIED', pod('b', { node: 'n1' }));
    const [replacement] = tracker.replacements();
    expect(replacement?.at).to.deep.equal({ deleted: 100, created: 110, scheduled: 120, running: 130, ready: 140, endpointReady: null });
    expect(replacement?.phasesMs).to.deep.equal({ created: 10, scheduled: 10, running: 10, ready: 10, endpointReady: null });
    expect(replacement?.replacement).to.deep.equal({ name: 'b', uid: 'uid-b', node: 'n1' });
    expect(replacement?.pod).to.deep.equal({ name: 'a', uid: 'uid-a', node: 'n1' });
    expect(replacement?.owner).to.deep.equal({ kind: 'ReplicaSet', name: 'web-1', uid: 'rs-1' });
  });

  it('takes endpointReady from the first slice that lists the pod ready as a Pod target, a deleted slice not', () => {
    const world = worldOf(pod('a', { node: 'n1' }), serviceObject('web', { app: 'web' }));
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 100, 'DELETED', pod('a', { node: 'n1' }));
    feed(world, tracker, 110, 'ADDED', pod('b', { node: 'n1' }));
    feed(world, tracker, 115, 'DELETED', sliceObject('old', 'web', [{ ip: '10.0.0.1', pod: 'b' }]));
    const notPod = { ...sliceObject('x', 'web', []), endpoints: [{ addresses: ['10.0.0.1'], targetRef: { kind: 'Node', name: 'b', uid: 'uid-b' } }, { addresses: ['10.0.0.2'] }] } as KubernetesObject;
    feed(world, tracker, 120, 'MODIFIED', notPod);
    feed(world, tracker, 125, 'MODIFIED', { ...sliceObject('y', 'web', []), endpoints: undefined } as KubernetesObject);
    expect(tracker.replacements()[0]?.at.endpointReady).to.equal(undefined);
    feed(world, tracker, 130, 'MODIFIED', sliceObject('web-a', 'web', [{ ip: '10.0.0.1', pod: 'b' }]));
    feed(world, tracker, 140, 'MODIFIED', sliceObject('web-b', 'web', [{ ip: '10.0.0.1', pod: 'b', ready: true }]));
    expect(tracker.replacements()[0]?.at.endpointReady).to.equal(130);
    expect(tracker.replacements()[0]?.phasesMs.endpointReady).to.equal(20);
  });

  it('expects an endpoint only when a Service\'s selector takes every one of its labels', () => {
    const labels = { app: 'web', tier: 'front' };
    const outcome = (...services: KubernetesObject[]) => {
      const world = worldOf(pod('a', { node: 'n1', labels }), ...services);
      const tracker = new ReplacementTracker(world);
      feed(world, tracker, 100, 'DELETED', pod('a', { node: 'n1', labels }));
      feed(world, tracker, 110, 'ADDED', pod('b', { labels }));
      return tracker.replacements()[0]?.at.endpointReady;
    };
    expect(outcome(serviceObject('all', { app: 'web', tier: 'front' }))).to.equal(undefined);
    expect(outcome(serviceObject('half', { app: 'web', tier: 'back' }))).to.equal(null);
    expect(outcome(serviceObject('empty', {}), serviceObject('none', undefined))).to.equal(null);
    expect(outcome(serviceObject('far', { app: 'web' }, 'other'))).to.equal(null);
    const specless = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bare', namespace: 'web', uid: 'uid-bare' } } as KubernetesObject;
    expect(outcome(specless)).to.equal(null);
  });

  it('remembers owners fed as events, not nameless or kindless ones, and resolves only a ReplicaSet to its Deployment', () => {
    const deployment = { kind: 'Deployment', name: 'web', uid: 'dep-1' };
    const world = worldOf(pod('a', { node: 'n1' }));
    const tracker = new ReplacementTracker(world);
    const nameless = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { uid: 'rs-1', ownerReferences: [{ apiVersion: 'apps/v1', ...deployment, controller: true }] } } as KubernetesObject;
    tracker.apply({ at: 50, type: 'ADDED', object: nameless });
    const kindless = { apiVersion: 'apps/v1', metadata: { name: 'web-1', uid: 'rs-1', ownerReferences: [{ apiVersion: 'apps/v1', ...deployment, controller: true }] } } as KubernetesObject;
    tracker.apply({ at: 50, type: 'ADDED', object: kindless });
    feed(world, tracker, 100, 'DELETED', pod('a', { node: 'n1' }));
    expect(tracker.replacements()[0]?.owner.kind).to.equal('ReplicaSet');
    tracker.apply({ at: 60, type: 'ADDED', object: objectOf('apps/v1', 'ReplicaSet', 'web-1', { uid: 'rs-1', owner: deployment }) });
    expect(tracker.replacements()[0]?.owner).to.deep.equal(deployment);

    // A custom owner with a Deployment as its controller is matched through itself.
    const custom = { kind: 'Cache', name: 'c', uid: 'cache-1' };
    const other = worldOf(objectOf('example.com/v1', 'Cache', 'c', { uid: 'cache-1', owner: deployment }), podObject({ name: 'x', owner: custom, node: 'n1' }));
    const second = new ReplacementTracker(other);
    feed(other, second, 100, 'DELETED', podObject({ name: 'x', owner: custom, node: 'n1' }));
    expect(second.replacements()[0]?.owner).to.deep.equal(custom);
  });

  it('asks the World for an owner it was never fed, as long as it has a name and kind', () => {
    const deployment = { kind: 'Deployment', name: 'web', uid: 'dep-1' };
    const world = worldOf(objectOf('apps/v1', 'ReplicaSet', 'web-1', { uid: 'rs-1', owner: deployment }), pod('a', { node: 'n1' }));
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 100, 'DELETED', pod('a', { node: 'n1' }));
    expect(tracker.replacements()[0]?.owner).to.deep.equal(deployment);
  });

  it('matches only pods of the same namespace, and never a pod without a controller', () => {
    const world = worldOf(pod('a', { node: 'n1' }));
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 100, 'DELETED', pod('a', { node: 'n1' }));
    feed(world, tracker, 110, 'ADDED', podObject({ name: 'orphan' }));
    feed(world, tracker, 120, 'ADDED', pod('far', { namespace: 'other' }));
    expect(pairs(tracker)).to.deep.equal([['a', null]]);
  });

  it('a DaemonSet pod deleted before it had a node is replaced by the next new pod, whatever node that has', () => {
    const daemonSet = { kind: 'DaemonSet', name: 'agent', uid: 'ds-1' };
    const world = worldOf(nodeObject('n1'), podObject({ name: 'pending', owner: daemonSet }));
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 100, 'DELETED', podObject({ name: 'pending', owner: daemonSet }));
    feed(world, tracker, 110, 'ADDED', podObject({ name: 'placed', owner: daemonSet, affinityNode: 'n1' }));
    feed(world, tracker, 120, 'ADDED', podObject({ name: 'unplaced', owner: daemonSet }));
    expect(pairs(tracker)).to.deep.equal([['pending', 'placed']]);
  });

  it('places pods with their namespace and node, null while unscheduled, leaving out pods without a uid', () => {
    const noUid = { ...pod('nameless'), metadata: { name: 'nameless', namespace: 'web' } } as KubernetesObject;
    const specless = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'd', namespace: 'web', uid: 'uid-d' } } as KubernetesObject;
    const world = worldOf(pod('a', { node: 'n1' }), pod('b'), noUid, pod('c', { node: 'n2', namespace: 'other' }), specless);
    const tracker = new ReplacementTracker(world);
    expect(tracker.placement()).to.deep.equal([
      { pod: 'c', namespace: 'other', uid: 'uid-c', node: 'n2' },
      { pod: 'a', namespace: 'web', uid: 'uid-a', node: 'n1' },
      { pod: 'b', namespace: 'web', uid: 'uid-b', node: null },
      { pod: 'd', namespace: 'web', uid: 'uid-d', node: null },
    ]);
  });

  it('ignores pods without a uid, before and during the trial', () => {
    const noUid = (name: string, deleting: boolean) => {
      const base = pod(name, { deleting });
      const { uid: _uid, ...metadata } = base.metadata ?? {};
      return { ...base, metadata } as KubernetesObject;
    };
    for (const deletingAtStart of [true, false]) {
      const world = worldOf(noUid('x', deletingAtStart));
      const tracker = new ReplacementTracker(world);
      tracker.apply({ at: 100, type: 'DELETED', object: noUid('x', true) });
      tracker.apply({ at: 110, type: 'ADDED', object: noUid('y', false) });
      expect(tracker.replacements(), String(deletingAtStart)).to.deep.equal([]);
    }
  });
});

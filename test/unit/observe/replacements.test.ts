import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { ReplacementTracker } from '../../../harness/observe/replacements.js';
import type { World } from '../../../harness/observe/world.js';
import { nodeObject, objectOf, podObject, serviceObject, sliceObject, worldOf, type PodOptions } from './support.js';

/** Feeds events to the World and the tracker alike, as the runner does. */
function feed(world: World, tracker: ReplacementTracker, at: number, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubernetesObject): void {
  const event = { at, type, object };
  world.apply(event);
  tracker.apply(event);
}

const daemonSet = { kind: 'DaemonSet', name: 'agent', uid: 'ds-1' };
const agent = (name: string, options: Partial<PodOptions> = {}) => podObject({ name, labels: { app: 'agent' }, owner: daemonSet, ...options });

describe('observe: ReplacementTracker', () => {
  it('matches a DaemonSet pod to the new pod for the same node, whatever arrives first', () => {
    const world = worldOf(nodeObject('n1'), nodeObject('n2'), agent('agent-a', { node: 'n1' }), agent('agent-b', { node: 'n2' }));
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 100, 'DELETED', agent('agent-a', { node: 'n1' }));
    feed(world, tracker, 110, 'DELETED', agent('agent-b', { node: 'n2' }));
    // The DaemonSet creates the n2 pod first; its pods are pinned by node affinity before they are bound.
    feed(world, tracker, 120, 'ADDED', agent('agent-d', { affinityNode: 'n2' }));
    feed(world, tracker, 130, 'ADDED', agent('agent-c', { affinityNode: 'n1' }));
    feed(world, tracker, 140, 'MODIFIED', agent('agent-c', { node: 'n1', ready: false }));
    const pairs = tracker.replacements().map((r) => [r.pod.name, r.replacement?.name, r.replacement?.node, r.owner.kind]);
    expect(pairs).to.deep.equal([['agent-a', 'agent-c', 'n1', 'DaemonSet'], ['agent-b', 'agent-d', 'n2', 'DaemonSet']]);
    expect(tracker.replacements()[0]?.at).to.deep.equal({ deleted: 100, created: 130, scheduled: 140, running: 140, endpointReady: null });
  });

  it('takes the next new DaemonSet pod once the node is gone, and none while it still exists', () => {
    const world = worldOf(nodeObject('n1'), nodeObject('n3'), agent('agent-a', { node: 'n1' }), agent('agent-z', { node: 'n3' }));
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 100, 'DELETED', agent('agent-z', { node: 'n3' }));
    feed(world, tracker, 110, 'ADDED', agent('agent-new', { affinityNode: 'n4' }));
    expect(tracker.replacements()[0]?.replacement).to.equal(null);
    feed(world, tracker, 120, 'DELETED', nodeObject('n3'));
    expect(tracker.replacements()[0]?.replacement?.name).to.equal('agent-new');
  });

  it('never matches a StatefulSet pod to another ordinal, even one that arrives first', () => {
    const sts = { kind: 'StatefulSet', name: 'db', uid: 'sts-1' };
    const db = (name: string, uid: string, node?: string) => podObject({ name, uid, labels: { app: 'db' }, owner: sts, ...(node === undefined ? {} : { node }) });
    const world = worldOf(db('db-0', 'a0', 'n1'), db('db-1', 'a1', 'n1'));
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 100, 'DELETED', db('db-1', 'a1', 'n1'));
    feed(world, tracker, 105, 'DELETED', db('db-0', 'a0', 'n1'));
    feed(world, tracker, 110, 'ADDED', db('db-0', 'b0'));
    feed(world, tracker, 120, 'ADDED', db('db-1', 'b1'));
    expect(tracker.replacements().map((r) => [r.pod.uid, r.replacement?.uid])).to.deep.equal([['a1', 'b1'], ['a0', 'b0']]);
  });

  it('matches pods of any other controller by its uid, first in first out', () => {
    const job = { kind: 'Job', name: 'batch', uid: 'job-1' };
    const operator = { kind: 'Cache', name: 'c', uid: 'cache-1' };
    const world = worldOf(podObject({ name: 'j1', owner: job, node: 'n1' }), podObject({ name: 'c1', owner: operator, node: 'n1' }), podObject({ name: 'c2', owner: operator, node: 'n1' }));
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 100, 'DELETED', podObject({ name: 'c1', owner: operator, node: 'n1' }));
    feed(world, tracker, 101, 'DELETED', podObject({ name: 'j1', owner: job, node: 'n1' }));
    feed(world, tracker, 102, 'DELETED', podObject({ name: 'c2', owner: operator, node: 'n1' }));
    feed(world, tracker, 110, 'ADDED', podObject({ name: 'c3', owner: operator }));
    feed(world, tracker, 111, 'ADDED', podObject({ name: 'j2', owner: job }));
    feed(world, tracker, 112, 'ADDED', podObject({ name: 'c4', owner: operator }));
    expect(tracker.replacements().map((r) => [r.pod.name, r.replacement?.name, r.owner.uid])).to.deep.equal([
      ['c1', 'c3', 'cache-1'], ['j1', 'j2', 'job-1'], ['c2', 'c4', 'cache-1'],
    ]);
  });

  it('leaves out pods without a controller (nothing replaces them) and pods already terminating at the start', () => {
    const rs = { kind: 'ReplicaSet', name: 'web-1', uid: 'rs-1' };
    const world = worldOf(podObject({ name: 'bare', node: 'n1' }), podObject({ name: 'old', owner: rs, node: 'n1', deleting: true }));
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 100, 'DELETED', podObject({ name: 'bare', node: 'n1' }));
    feed(world, tracker, 110, 'DELETED', podObject({ name: 'old', owner: rs, node: 'n1', deleting: true }));
    expect(tracker.replacements()).to.deep.equal([]);
  });

  it('takes the deletion time from the first sign: a deletionTimestamp, else the DELETED event', () => {
    const rs = { kind: 'ReplicaSet', name: 'web-1', uid: 'rs-1' };
    const world = worldOf(podObject({ name: 'a', owner: rs, node: 'n1' }));
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 100, 'MODIFIED', podObject({ name: 'a', owner: rs, node: 'n1', deleting: true }));
    feed(world, tracker, 900, 'DELETED', podObject({ name: 'a', owner: rs, node: 'n1', deleting: true }));
    expect(tracker.replacements()[0]?.at.deleted).to.equal(100);
  });

  it('matches every replacement when half of a large Deployment terminates gracefully, whatever termination takes', () => {
    // A ReplicaSet replaces a pod as soon as it starts terminating (deletionTimestamp set); the object itself goes
    // when its containers have stopped, here 8.8 s later, long after its replacement was created and Ready.
    const rs = { kind: 'ReplicaSet', name: 'web-1', uid: 'rs-1' };
    const deployment = { kind: 'Deployment', name: 'web', uid: 'dep-1' };
    const replicaSet = objectOf('apps/v1', 'ReplicaSet', 'web-1', { uid: 'rs-1', owner: deployment });
    const pods = Array.from({ length: 1000 }, (_, i) => podObject({ name: `web-${i}`, owner: rs, node: `n${i % 10}` }));
    const world = worldOf(replicaSet, ...pods);
    const tracker = new ReplacementTracker(world);
    const doomed = pods.filter((_, i) => i % 2 === 0).map((pod) => pod.metadata?.name ?? '');
    let at = 1000;
    for (const [i, name] of doomed.entries()) {
      feed(world, tracker, at += 1, 'MODIFIED', podObject({ name, owner: rs, node: `n${(i * 2) % 10}`, deleting: true }));
      // The controller keeps up with the terminations, a few behind: its replacements interleave with them.
      if (i >= 3) feed(world, tracker, at += 1, 'ADDED', podObject({ name: `new-${i - 3}`, owner: rs }));
    }
    for (let i = doomed.length - 3; i < doomed.length; i += 1) feed(world, tracker, at += 1, 'ADDED', podObject({ name: `new-${i}`, owner: rs }));
    for (let i = 0; i < doomed.length; i += 1) feed(world, tracker, at += 1, 'MODIFIED', podObject({ name: `new-${i}`, owner: rs, node: 'n1' }));
    for (const [i, name] of doomed.entries()) feed(world, tracker, 8800 + i, 'DELETED', podObject({ name, owner: rs, node: `n${(i * 2) % 10}`, deleting: true }));
    const replacements = tracker.replacements();
    expect(replacements).to.have.length(500);
    expect(replacements.filter((r) => r.replacement === null).map((r) => r.pod.name)).to.deep.equal([]);
    expect(replacements.map((r) => r.replacement?.name)).to.deep.equal(doomed.map((_, i) => `new-${i}`));
    expect(replacements.every((r) => r.owner.kind === 'Deployment' && r.at.deleted < 8800)).to.equal(true);
  });

  it('does not take a pod created before the deletion as its replacement', () => {
    const rs = { kind: 'ReplicaSet', name: 'web-1', uid: 'rs-1' };
    const world = worldOf(podObject({ name: 'a', owner: rs, node: 'n1' }));
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 50, 'ADDED', podObject({ name: 'scaled-up', owner: rs }));
    feed(world, tracker, 100, 'DELETED', podObject({ name: 'a', owner: rs, node: 'n1' }));
    expect(tracker.replacements()[0]?.replacement).to.equal(null);
    feed(world, tracker, 150, 'ADDED', podObject({ name: 'b', owner: rs }));
    expect(tracker.replacements()[0]?.replacement?.name).to.equal('b');
  });

  it('leaves endpointReady out until the pod is an endpoint of a Service that selects it, and null when none does', () => {
    const rs = { kind: 'ReplicaSet', name: 'web-1', uid: 'rs-1' };
    const world = worldOf(podObject({ name: 'a', owner: rs, node: 'n1' }), serviceObject('web', { app: 'web' }), serviceObject('api', { app: 'api' }));
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 100, 'DELETED', podObject({ name: 'a', owner: rs, node: 'n1' }));
    feed(world, tracker, 110, 'ADDED', podObject({ name: 'b', owner: rs }));
    feed(world, tracker, 120, 'MODIFIED', sliceObject('web-x', 'web', [{ ip: '10.0.0.9', pod: 'b', ready: false }]));
    expect(tracker.replacements()[0]?.at).to.deep.equal({ deleted: 100, created: 110 });
    // The slice says ready before the pod watch delivers Ready: durations never go negative.
    feed(world, tracker, 130, 'MODIFIED', sliceObject('web-x', 'web', [{ ip: '10.0.0.9', pod: 'b', ready: true }]));
    feed(world, tracker, 134, 'MODIFIED', podObject({ name: 'b', owner: rs, node: 'n1' }));
    const [replacement] = tracker.replacements();
    expect(replacement?.at).to.deep.equal({ deleted: 100, created: 110, scheduled: 134, running: 134, ready: 134, endpointReady: 130 });
    expect(replacement?.phasesMs).to.deep.equal({ created: 10, scheduled: 24, running: 0, ready: 0, endpointReady: 0 });

    const lonely = worldOf(podObject({ name: 'x', owner: rs, node: 'n1', labels: { app: 'worker' } }), serviceObject('web', { app: 'web' }));
    const quiet = new ReplacementTracker(lonely);
    feed(lonely, quiet, 100, 'DELETED', podObject({ name: 'x', owner: rs, node: 'n1', labels: { app: 'worker' } }));
    feed(lonely, quiet, 110, 'ADDED', podObject({ name: 'y', owner: rs, labels: { app: 'worker' } }));
    expect(quiet.replacements()[0]?.at.endpointReady).to.equal(null);
    expect(quiet.replacements()[0]?.phasesMs.endpointReady).to.equal(null);
  });

  it('resolves a ReplicaSet to its Deployment through what it remembers, after the ReplicaSet is gone', () => {
    const deployment = { kind: 'Deployment', name: 'web', uid: 'dep-1' };
    const rs1 = objectOf('apps/v1', 'ReplicaSet', 'web-abc', { uid: 'rs-1', owner: deployment });
    const rs2 = objectOf('apps/v1', 'ReplicaSet', 'web-abc', { uid: 'rs-2', owner: deployment });
    const world = worldOf(rs1, podObject({ name: 'a', owner: { kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-1' }, node: 'n1' }));
    const tracker = new ReplacementTracker(world);
    feed(world, tracker, 100, 'DELETED', rs1);
    feed(world, tracker, 110, 'DELETED', podObject({ name: 'a', owner: { kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-1' }, node: 'n1' }));
    feed(world, tracker, 120, 'ADDED', podObject({ name: 'b', owner: { kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-2' } }));
    // Until the new ReplicaSet is seen its pod's owner is unknown, so nothing is matched yet.
    expect(tracker.replacements()[0]?.owner).to.deep.equal(deployment);
    expect(tracker.replacements()[0]?.replacement).to.equal(null);
    feed(world, tracker, 125, 'ADDED', rs2);
    expect(tracker.replacements()[0]?.replacement?.name).to.equal('b');
  });

  it('records where the pods of a namespace run, terminating pods left out', () => {
    const world = worldOf(
      podObject({ name: 'b', node: 'n2' }), podObject({ name: 'a', node: 'n1' }), podObject({ name: 'p' }),
      podObject({ name: 'gone', node: 'n1', deleting: true }), podObject({ name: 'x', node: 'n1', namespace: 'other' }),
    );
    expect(new ReplacementTracker(world).placement('web')).to.deep.equal([
      { pod: 'a', namespace: 'web', uid: 'uid-a', node: 'n1' },
      { pod: 'b', namespace: 'web', uid: 'uid-b', node: 'n2' },
      { pod: 'p', namespace: 'web', uid: 'uid-p', node: null },
    ]);
  });
});

import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { BreakRules, type ObservedBreak } from '../../../harness/observe/breaks.js';
import { World } from '../../../harness/observe/world.js';
import { Duration } from '../../../harness/scenario/duration.js';
import type { Fault } from '../../../harness/scenario/schema.js';
import { nodeObject, objectOf, podObject, type PodOptions } from './support.js';

/** A normalized spec.faults entry, as the loader makes it. */
function fault(kind: Fault['kind'], params: Record<string, unknown>, index = 0): Fault {
  return { kind, index, at: Duration.ZERO, params } as unknown as Fault;
}

/** Feeds watch events to a World and the rules, as the observer does; returns the breaks the rules saw. */
function replay(rules: BreakRules, events: readonly { at: number; type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubernetesObject }[]): ObservedBreak[] {
  const world = new World();
  const breaks: ObservedBreak[] = [];
  for (const event of events) {
    for (const change of world.apply(event)) {
      const seen = rules.see(change, world);
      if (seen) breaks.push(seen);
    }
  }
  return breaks;
}

const web = (name: string, extra: Partial<PodOptions> = {}) =>
  podObject({ name, node: 'n1', resourceVersion: '1', ...extra });

describe('observe: BreakRules (what a fault would have done, done by someone else)', () => {
  const podKill = new BreakRules([fault('podKill', { selector: 'app=web', count: 1 })], 'web');

  it('a pod deleted with its grace period (kubectl delete): the break is the moment it became terminating, once', () => {
    const breaks = replay(podKill, [
      { at: 10, type: 'ADDED', object: web('web-a') },
      { at: 20, type: 'MODIFIED', object: web('web-a', { ready: false, resourceVersion: '2' }) },
      { at: 30, type: 'MODIFIED', object: web('web-a', { deleting: true, resourceVersion: '3' }) },
      { at: 40, type: 'DELETED', object: web('web-a', { deleting: true, resourceVersion: '4' }) },
    ]);
    expect(breaks.map((b) => [b.at, b.summary, b.fault, b.targets[0]?.uid, b.targets[0]?.node])).to.deep.equal([
      [30, 'Pod web-a terminating (deleted)', 0, 'uid-web-a', 'n1'],
    ]);
  });

  it('a pod force-deleted (podKill, kubectl delete --force): the break is its DELETED event', () => {
    const breaks = replay(podKill, [
      { at: 10, type: 'ADDED', object: web('web-a') },
      { at: 50, type: 'DELETED', object: web('web-a', { resourceVersion: '2' }) },
    ]);
    expect(breaks.map((b) => [b.at, b.summary])).to.deep.equal([[50, 'Pod web-a deleted']]);
  });

  it('ignores pods the selector does not pick, pods of other namespaces, and ordinary updates', () => {
    const breaks = replay(podKill, [
      { at: 10, type: 'ADDED', object: web('web-a') },
      { at: 11, type: 'ADDED', object: podObject({ name: 'db-a', labels: { app: 'db' }, node: 'n1', resourceVersion: '1' }) },
      { at: 12, type: 'ADDED', object: podObject({ name: 'web-x', namespace: 'other', node: 'n1', resourceVersion: '1' }) },
      { at: 20, type: 'MODIFIED', object: web('web-a', { ready: false, resourceVersion: '2' }) },
      { at: 30, type: 'DELETED', object: podObject({ name: 'db-a', labels: { app: 'db' }, node: 'n1', resourceVersion: '2' }) },
      { at: 31, type: 'DELETED', object: podObject({ name: 'web-x', namespace: 'other', node: 'n1', resourceVersion: '2' }) },
      { at: 40, type: 'ADDED', object: web('web-b') },
    ]);
    expect(breaks).to.deep.equal([]);
  });

  it('a container restarted in place (containerKill, a crash): the restart count going up', () => {
    const rules = new BreakRules([fault('containerKill', { selector: 'app=web', count: 1 })], 'web');
    const withRestarts = (count: number, version: string): KubernetesObject => {
      const pod = web('web-a', { resourceVersion: version }) as KubernetesObject & { status: Record<string, unknown> };
      return { ...pod, status: { ...pod.status, containerStatuses: [{ name: 'app', restartCount: count, ready: true, image: 'x', imageID: '' }] } } as KubernetesObject;
    };
    const breaks = replay(rules, [
      { at: 10, type: 'ADDED', object: withRestarts(0, '1') },
      { at: 20, type: 'MODIFIED', object: withRestarts(0, '2') },
      { at: 30, type: 'MODIFIED', object: withRestarts(1, '3') },
    ]);
    expect(breaks.map((b) => [b.at, b.summary])).to.deep.equal([[30, 'Pod web-a container restarted (restarts 0 -> 1)']]);
  });

  it('node faults: a node hosting the nodesOf pods going NotReady or cordoned; other nodes not', () => {
    const rules = new BreakRules([fault('nodeStop', { nodesOf: 'app=web', count: 1, graceful: false })], 'web');
    const node = (name: string, version: string, extra: { ready?: boolean; unschedulable?: boolean } = {}): KubernetesObject => {
      const base = nodeObject(name, { ready: extra.ready ?? true }) as KubernetesObject & { metadata: Record<string, unknown> };
      return {
        ...base,
        metadata: { ...base.metadata, resourceVersion: version },
        spec: { unschedulable: extra.unschedulable ?? false },
      } as KubernetesObject;
    };
    const breaks = replay(rules, [
      { at: 1, type: 'ADDED', object: node('n1', '1') },
      { at: 2, type: 'ADDED', object: node('n2', '1') },
      { at: 3, type: 'ADDED', object: web('web-a') },
      { at: 10, type: 'MODIFIED', object: node('n2', '2', { ready: false }) },
      { at: 20, type: 'MODIFIED', object: node('n1', '2', { unschedulable: true }) },
      { at: 30, type: 'MODIFIED', object: node('n1', '3', { unschedulable: true, ready: false }) },
    ]);
    expect(breaks.map((b) => [b.at, b.summary, b.targets[0]?.kind])).to.deep.equal([[20, 'Node n1 cordoned', 'Node'], [30, 'Node n1 NotReady', 'Node']]);
  });

  it('deleteObject and scale: the named object deleted, the workload rescaled; the fault named is the one matched', () => {
    const rules = new BreakRules([
      fault('deleteObject', { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-rs', propagationPolicy: 'Background' }, 0),
      fault('scale', { kind: 'Deployment', name: 'web', replicas: 0 }, 1),
    ], 'web');
    const deployment = (replicas: number, version: string) => ({ ...objectOf('apps/v1', 'Deployment', 'web', { namespace: 'web', spec: { replicas } }), metadata: { name: 'web', namespace: 'web', uid: 'uid-dep', resourceVersion: version } });
    const breaks = replay(rules, [
      { at: 1, type: 'ADDED', object: deployment(3, '1') },
      { at: 2, type: 'ADDED', object: { ...objectOf('apps/v1', 'ReplicaSet', 'other-rs', { namespace: 'web' }) } },
      { at: 3, type: 'ADDED', object: { ...objectOf('apps/v1', 'ReplicaSet', 'web-rs', { namespace: 'web' }) } },
      { at: 10, type: 'MODIFIED', object: deployment(3, '2') },
      { at: 20, type: 'DELETED', object: { ...objectOf('apps/v1', 'ReplicaSet', 'other-rs', { namespace: 'web' }) } },
      { at: 30, type: 'DELETED', object: { ...objectOf('apps/v1', 'ReplicaSet', 'web-rs', { namespace: 'web' }) } },
      { at: 40, type: 'MODIFIED', object: deployment(0, '3') },
    ]);
    expect(breaks.map((b) => [b.at, b.summary, b.fault])).to.deep.equal([
      [30, 'ReplicaSet web-rs deleted', 0],
      [40, 'Deployment web scaled from 3 to 0 replicas', 1],
    ]);
  });

  it('knows which faults it cannot see and which kinds it must watch', () => {
    const faults = [fault('processKill', { process: 'op', signal: 'KILL' }, 0), fault('deleteObject', { apiVersion: 'example.com/v1', kind: 'Cache', name: 'c', propagationPolicy: 'Background' }, 1)];
    expect(BreakRules.unobservable(faults).map((f) => f.index)).to.deep.equal([0]);
    expect(BreakRules.watchedKinds(faults)).to.deep.equal([{ apiVersion: 'example.com/v1', kind: 'Cache' }]);
  });
});

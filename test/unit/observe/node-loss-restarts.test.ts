import type { KubernetesObject, V1Node, V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { WatchEvent } from '../../../harness/observe/events.js';
import { NodeLossTracker } from '../../../harness/observe/node-loss.js';
import { RestartTracker } from '../../../harness/observe/restarts.js';
import { World } from '../../../harness/observe/world.js';

let version = 100;
function event(at: number, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubernetesObject): WatchEvent {
  version += 1;
  return { at, type, object: { ...object, metadata: { ...object.metadata, resourceVersion: String(version) } } };
}

function node(name: string, ready: 'True' | 'Unknown', taints: { key: string; effect: string }[] = []): V1Node {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `uid-${name}` },
    spec: { taints }, status: { conditions: [{ type: 'Ready', status: ready }] },
  };
}

function pod(name: string, nodeName: string, extra: { deleting?: boolean; restartCount?: number; ready?: boolean } = {}): V1Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, uid: `uid-${name}`, namespace: 'web', ...(extra.deleting ? { deletionTimestamp: new Date(0) } : {}) },
    spec: { nodeName, containers: [{ name: 'app' }] },
    status: {
      phase: 'Running',
      containerStatuses: [{ name: 'app', image: 'app', imageID: '', restartCount: extra.restartCount ?? 0, ready: extra.ready ?? true }],
    },
  };
}

describe('node loss, phase by phase', () => {
  it('times detection, taint and eviction from the events that follow the injection', () => {
    const tracker = new NodeLossTracker();
    const feed = (e: WatchEvent): void => tracker.apply(e);
    feed(event(0, 'ADDED', node('worker', 'True')));
    feed(event(0, 'ADDED', pod('a', 'worker')));
    feed(event(0, 'ADDED', pod('b', 'other')));
    tracker.expect('worker', 'nodeStop', 1000);
    feed(event(7100, 'MODIFIED', node('worker', 'Unknown')));
    feed(event(7150, 'MODIFIED', node('worker', 'Unknown', [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }])));
    // A pod on another node that goes away is not this node's eviction.
    feed(event(8000, 'MODIFIED', pod('b', 'other', { deleting: true })));
    feed(event(9170, 'MODIFIED', pod('a', 'worker', { deleting: true })));
    const [loss] = tracker.losses();
    expect(loss?.at).to.deep.equal({ injected: 1000, notReady: 7100, tainted: 7150, evicted: 9170 });
    expect(loss?.phasesMs).to.deep.equal({ detection: 6100, taint: 50, eviction: 2020 });
    expect(loss?.evictedPods).to.equal(1);
  });

  it('leaves out what was not seen, and ignores what happened before the injection', () => {
    const tracker = new NodeLossTracker();
    tracker.expect('worker', 'nodeStop', 5000);
    tracker.apply(event(4000, 'MODIFIED', node('worker', 'Unknown')));
    tracker.apply(event(6000, 'MODIFIED', node('worker', 'Unknown')));
    const [loss] = tracker.losses();
    expect(loss?.at).to.deep.equal({ injected: 5000, notReady: 6000 });
    expect(loss?.phasesMs).to.deep.equal({ detection: 1000 });
    expect(loss?.evictedPods).to.equal(0);
  });
});

describe('container restarts in place', () => {
  it('times the restart (a higher restartCount) and the container ready again, for the same pod', () => {
    const world = new World();
    const tracker = new RestartTracker(world);
    const feed = (e: WatchEvent): void => {
      for (const change of world.apply(e)) tracker.apply(change);
    };
    feed(event(0, 'ADDED', pod('a', 'worker', { restartCount: 2 })));
    tracker.expect('uid-a', 'app', 1000);
    feed(event(1300, 'MODIFIED', pod('a', 'worker', { restartCount: 2, ready: false })));
    feed(event(2500, 'MODIFIED', pod('a', 'worker', { restartCount: 3, ready: false })));
    feed(event(3400, 'MODIFIED', pod('a', 'worker', { restartCount: 3, ready: true })));
    const [restart] = tracker.restarts();
    expect(restart?.pod).to.deep.equal({ name: 'a', uid: 'uid-a', node: 'worker' });
    expect(restart?.restartCountBefore).to.equal(2);
    expect(restart?.restartCountAfter).to.equal(3);
    expect(restart?.at).to.deep.equal({ killed: 1000, restarted: 2500, ready: 3400 });
    expect(restart?.phasesMs).to.deep.equal({ restarted: 1500, ready: 900 });
  });

  it('never takes a replacement pod (another UID) for the restart', () => {
    const world = new World();
    const tracker = new RestartTracker(world);
    const feed = (e: WatchEvent): void => {
      for (const change of world.apply(e)) tracker.apply(change);
    };
    feed(event(0, 'ADDED', pod('a', 'worker')));
    tracker.expect('uid-a', 'app', 1000);
    feed(event(2000, 'ADDED', pod('b', 'worker', { restartCount: 5 })));
    const [restart] = tracker.restarts();
    expect(restart?.restartCountAfter).to.equal(null);
    expect(restart?.at).to.deep.equal({ killed: 1000 });
  });
});

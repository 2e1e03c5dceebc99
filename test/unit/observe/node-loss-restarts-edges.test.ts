import type { KubernetesObject, V1Node, V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { WatchEvent } from '../../../harness/observe/events.js';
import { NodeLossTracker } from '../../../harness/observe/node-loss.js';
import { RestartTracker } from '../../../harness/observe/restarts.js';
import { World } from '../../../harness/observe/world.js';

let version = 1000;
function event(at: number, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubernetesObject): WatchEvent {
  version += 1;
  return { at, type, object: { ...object, metadata: { ...object.metadata, resourceVersion: String(version) } } };
}

function node(name: string, ready: 'True' | 'Unknown' | 'False', taints: { key: string; effect: string }[] = []): V1Node {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `uid-${name}` },
    spec: { taints }, status: { conditions: [{ type: 'Ready', status: ready }] },
  };
}

const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
const notReadyTaint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };

function pod(name: string, nodeName: string, extra: { deleting?: boolean; restartCount?: number; ready?: boolean; uid?: string } = {}): V1Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, uid: extra.uid ?? `uid-${name}`, namespace: 'web', ...(extra.deleting === true ? { deletionTimestamp: new Date(0) } : {}) },
    spec: { nodeName, containers: [{ name: 'app' }, { name: 'sidecar' }] },
    status: {
      phase: 'Running',
      containerStatuses: [
        { name: 'sidecar', image: 'side', imageID: '', restartCount: 0, ready: true },
        { name: 'app', image: 'app', imageID: '', restartCount: extra.restartCount ?? 0, ready: extra.ready ?? true },
      ],
    },
  };
}

describe('node loss: boundaries', () => {
  it('counts a NotReady node and a taint seen at the very moment of the injection', () => {
    const tracker = new NodeLossTracker();
    tracker.expect('worker', 'nodeStop', 1000);
    tracker.apply(event(1000, 'MODIFIED', node('worker', 'False', [notReadyTaint])));
    tracker.apply(event(1000, 'MODIFIED', pod('a', 'worker', { deleting: true })));
    const [loss] = tracker.losses();
    expect(loss).to.deep.equal({
      node: 'worker', fault: 'nodeStop', at: { injected: 1000, notReady: 1000, tainted: 1000, evicted: 1000 },
      phasesMs: { detection: 0, taint: 0, eviction: 0 }, evictedPods: 1,
    });
  });

  it('keeps the first fault and injection when a node is expected twice', () => {
    const tracker = new NodeLossTracker();
    tracker.expect('worker', 'nodeStop', 1000);
    tracker.expect('worker', 'nodeDrain', 3000);
    tracker.apply(event(2000, 'MODIFIED', node('worker', 'Unknown')));
    expect(tracker.losses().map((l) => [l.fault, l.at.injected, l.phasesMs.detection])).to.deep.equal([['nodeStop', 1000, 1000]]);
  });

  it('takes only the NoExecute taints of a lost node; a NoSchedule one or another key is not the taint phase', () => {
    const tracker = new NodeLossTracker();
    tracker.expect('worker', 'nodeStop', 0);
    tracker.apply(event(100, 'MODIFIED', node('worker', 'Unknown', [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }])));
    tracker.apply(event(150, 'MODIFIED', node('worker', 'Unknown', [{ key: 'example.com/maintenance', effect: 'NoExecute' }])));
    tracker.apply(event(160, 'MODIFIED', node('worker', 'Unknown')));
    expect(tracker.losses()[0]?.at).to.deep.equal({ injected: 0, notReady: 100 });
    tracker.apply(event(200, 'MODIFIED', node('worker', 'Unknown', [notReadyTaint])));
    expect(tracker.losses()[0]?.at).to.deep.equal({ injected: 0, notReady: 100, tainted: 200 });
  });

  it('never reports a negative taint phase when the taint came before the Ready condition changed', () => {
    const tracker = new NodeLossTracker();
    tracker.expect('worker', 'nodeStop', 0);
    tracker.apply(event(300, 'MODIFIED', node('worker', 'True', [unreachable])));
    expect(tracker.losses()[0]?.at).to.deep.equal({ injected: 0, tainted: 300 });
    expect(tracker.losses()[0]?.phasesMs).to.deep.equal({});
    tracker.apply(event(500, 'MODIFIED', node('worker', 'Unknown', [unreachable])));
    expect(tracker.losses()[0]?.at).to.deep.equal({ injected: 0, notReady: 500, tainted: 300 });
    expect(tracker.losses()[0]?.phasesMs).to.deep.equal({ detection: 500, taint: 0 });
  });

  it('counts evictions only after the taint, on that node, by deletionTimestamp or DELETED, each pod once', () => {
    const tracker = new NodeLossTracker();
    tracker.expect('worker', 'nodeStop', 0);
    // Before the taint: a pod deleted is not an eviction.
    tracker.apply(event(50, 'DELETED', pod('early', 'worker')));
    tracker.apply(event(100, 'MODIFIED', node('worker', 'Unknown', [unreachable])));
    tracker.apply(event(110, 'MODIFIED', pod('alive', 'worker')));
    tracker.apply(event(120, 'MODIFIED', pod('other', 'elsewhere', { deleting: true })));
    tracker.apply(event(130, 'DELETED', pod('gone', 'worker')));
    tracker.apply(event(140, 'MODIFIED', pod('slow', 'worker', { deleting: true })));
    tracker.apply(event(150, 'DELETED', pod('slow', 'worker', { deleting: true })));
    const [loss] = tracker.losses();
    expect(loss?.at.evicted).to.equal(130);
    expect(loss?.phasesMs.eviction).to.equal(30);
    expect(loss?.evictedPods).to.equal(2);
  });

  it('reads nodes and pods out of a relist', () => {
    const tracker = new NodeLossTracker();
    tracker.expect('worker', 'nodeStop', 0);
    tracker.apply({ at: 400, type: 'RELIST', apiVersion: 'v1', kind: 'Node', objects: [node('other', 'Unknown'), node('worker', 'Unknown', [unreachable])] });
    tracker.apply({ at: 700, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', objects: [pod('a', 'worker', { deleting: true })] });
    expect(tracker.losses()).to.deep.equal([{
      node: 'worker', fault: 'nodeStop', at: { injected: 0, notReady: 400, tainted: 400, evicted: 700 },
      phasesMs: { detection: 400, taint: 0, eviction: 300 }, evictedPods: 1,
    }]);
  });
});

describe('node loss: what watches may leave out', () => {
  it('takes a node without a Ready condition as lost, and one without taints as untainted', () => {
    const tracker = new NodeLossTracker();
    tracker.expect('worker', 'nodeStop', 0);
    tracker.apply(event(100, 'MODIFIED', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker', uid: 'uid-worker' } }));
    expect(tracker.losses()[0]?.at).to.deep.equal({ injected: 0, notReady: 100 });
    // The API server leaves taints out of a node that has none.
    const untainted: V1Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker', uid: 'uid-worker' }, spec: {} };
    tracker.apply(event(150, 'MODIFIED', untainted));
    expect(tracker.losses()[0]?.at).to.deep.equal({ injected: 0, notReady: 100 });
  });

  it('skips pods without a node, and counts no pod event stamped before the taint, even one that arrives after it', () => {
    const tracker = new NodeLossTracker();
    tracker.expect('worker', 'nodeStop', 0);
    tracker.apply(event(100, 'MODIFIED', node('worker', 'Unknown', [unreachable])));
    tracker.apply(event(90, 'DELETED', pod('late-news', 'worker')));
    tracker.apply(event(110, 'DELETED', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unbound', uid: 'uid-unbound' } }));
    expect(tracker.losses()[0]?.evictedPods).to.equal(0);
    expect(tracker.losses()[0]?.at.evicted).to.equal(undefined);
  });
});

describe('container restarts: boundaries', () => {
  const tracked = (...setup: WatchEvent[]): { world: World; tracker: RestartTracker; feed: (e: WatchEvent) => void } => {
    const world = new World();
    const tracker = new RestartTracker(world);
    const feed = (e: WatchEvent): void => {
      for (const change of world.apply(e)) tracker.apply(change);
    };
    for (const e of setup) feed(e);
    return { world, tracker, feed };
  };

  it('knows nothing of a pod it never saw: count 0 before, no name, no node', () => {
    const { tracker } = tracked();
    tracker.expect('uid-ghost', 'app', 10);
    expect(tracker.restarts()).to.deep.equal([{
      pod: { name: '', uid: 'uid-ghost', node: null }, container: 'app', restartCountBefore: 0, restartCountAfter: null,
      at: { killed: 10 }, phasesMs: {},
    }]);
  });

  it('takes the killed container by name, not the first status, and a restart seen at the kill moment', () => {
    const { tracker, feed } = tracked(event(0, 'ADDED', pod('a', 'worker', { restartCount: 4 })));
    tracker.expect('uid-a', 'app', 1000);
    feed(event(1000, 'MODIFIED', pod('a', 'worker', { restartCount: 5, ready: true })));
    const [restart] = tracker.restarts();
    expect(restart?.restartCountBefore).to.equal(4);
    expect(restart?.restartCountAfter).to.equal(5);
    expect(restart?.at).to.deep.equal({ killed: 1000, restarted: 1000, ready: 1000 });
    expect(restart?.phasesMs).to.deep.equal({ restarted: 0, ready: 0 });
  });

  it('ignores what came before the kill, an unchanged count, a ready container not yet restarted, and a deletion', () => {
    const world = new World();
    const tracker = new RestartTracker(world);
    world.apply(event(0, 'ADDED', pod('a', 'worker', { restartCount: 1 })));
    tracker.expect('uid-a', 'app', 1000);
    tracker.apply(event(900, 'MODIFIED', pod('a', 'worker', { restartCount: 2 })));
    tracker.apply(event(1100, 'MODIFIED', pod('a', 'worker', { restartCount: 1, ready: true })));
    tracker.apply(event(1200, 'DELETED', pod('a', 'worker', { restartCount: 3 })));
    expect(tracker.restarts()[0]?.at).to.deep.equal({ killed: 1000 });
    tracker.apply(event(1300, 'MODIFIED', pod('a', 'worker', { restartCount: 2, ready: false })));
    expect(tracker.restarts()[0]?.phasesMs).to.deep.equal({ restarted: 300 });
    tracker.apply(event(1400, 'MODIFIED', pod('a', 'worker', { restartCount: 3, ready: true })));
    tracker.apply(event(1500, 'MODIFIED', pod('a', 'worker', { restartCount: 3, ready: true })));
    const [restart] = tracker.restarts();
    expect(restart?.restartCountAfter).to.equal(2);
    expect(restart?.at).to.deep.equal({ killed: 1000, restarted: 1300, ready: 1400 });
    expect(restart?.phasesMs).to.deep.equal({ restarted: 300, ready: 100 });
  });

  it('reads the pod out of a relist, and skips a pod status without the container', () => {
    const world = new World();
    const tracker = new RestartTracker(world);
    world.apply(event(0, 'ADDED', pod('a', 'worker')));
    tracker.expect('uid-a', 'init', 100);
    tracker.expect('uid-a', 'app', 100);
    tracker.apply({ at: 500, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', objects: [node('worker', 'True'), pod('a', 'worker', { restartCount: 1 })] });
    expect(tracker.restarts().map((r) => [r.container, r.at.restarted, r.restartCountAfter])).to.deep.equal([['init', undefined, null], ['app', 500, 1]]);
  });

  it('keeps apart two pods whose uid one the other begins with', () => {
    const world = new World();
    const tracker = new RestartTracker(world);
    world.apply(event(0, 'ADDED', pod('a', 'worker', { uid: 'u/1' })));
    world.apply(event(0, 'ADDED', pod('b', 'worker', { uid: 'u/12' })));
    tracker.expect('u/1', 'app', 100);
    tracker.expect('u/12', 'app', 100);
    tracker.apply(event(200, 'MODIFIED', pod('b', 'worker', { uid: 'u/12', restartCount: 1 })));
    expect(tracker.restarts().map((r) => [r.pod.uid, r.pod.name, r.at.restarted])).to.deep.equal([['u/1', 'a', undefined], ['u/12', 'b', 200]]);
  });

  it('follows a pod the World holds without a node or status yet', () => {
    const world = new World();
    const tracker = new RestartTracker(world);
    const bare = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', uid: 'uid-a', namespace: 'web' } } as V1Pod;
    world.apply(event(0, 'ADDED', bare));
    tracker.expect('uid-a', 'app', 100);
    tracker.apply(event(200, 'MODIFIED', bare));
    const pending: V1Pod = { ...bare, status: { phase: 'Pending' } };
    tracker.apply(event(220, 'MODIFIED', pending));
    tracker.apply({ at: 250, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', objects: [{ apiVersion: 'v1', kind: 'Pod' }] });
    tracker.apply(event(300, 'MODIFIED', pod('a', 'worker', { restartCount: 1 })));
    expect(tracker.restarts()).to.deep.equal([{
      pod: { name: 'a', uid: 'uid-a', node: null }, container: 'app', restartCountBefore: 0, restartCountAfter: 1,
      at: { killed: 100, restarted: 300, ready: 300 }, phasesMs: { restarted: 200, ready: 0 },
    }]);
  });
});

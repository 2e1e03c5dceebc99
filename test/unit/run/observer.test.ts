/**
 * The Observer fed by a recorded event source, without a cluster: what it asks to watch, how it keeps the steady
 * state's timeline, the replacements and the outages from the events alone, and that it stops its source.
 */
import { expect } from 'chai';
import pino from 'pino';
import type { WatchEvent, WatchTarget } from '../../../harness/cluster/watch.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { podsReady } from '../../../harness/observe/conditions.js';
import { desiredFieldsOf } from '../../../harness/observe/desired-fields.js';
import type { EventSource } from '../../../harness/run/event-source.js';
import { Observer } from '../../../harness/run/observer.js';
import { objectOf, podObject, REPO_ROOT } from '../observe/support.js';

/** Replays events at their recorded times, when the test says so. */
class RecordedSource implements EventSource {
  targets: readonly WatchTarget[] = [];
  stopped = false;
  private sink: ((batch: readonly WatchEvent[]) => void) | undefined;

  constructor(private readonly listed: readonly WatchEvent[]) {}

  async start(targets: readonly WatchTarget[], sink: (batch: readonly WatchEvent[]) => void): Promise<void> {
    this.targets = targets;
    this.sink = sink;
    for (const event of this.listed) sink([event]);
  }

  play(events: readonly WatchEvent[]): void {
    for (const event of events) this.sink?.([event]);
  }

  /** Delivers the events as one batch: what the cluster's watches read in one turn of the event loop. */
  burst(events: readonly WatchEvent[]): void {
    this.sink?.(events);
  }

  stop(): void {
    this.stopped = true;
  }
}

const rs = { kind: 'ReplicaSet', name: 'web-1', uid: 'rs-1' };
const pod = (name: string, extra: { deleting?: boolean; node?: string; ready?: boolean } = {}) =>
  podObject({ name, owner: rs, node: extra.node ?? 'n1', ready: extra.ready ?? true, ...(extra.deleting ? { deleting: true } : {}) });

describe('Observer, fed by a recorded event source', () => {
  it('watches its kinds in each namespace and the nodes, judges every change, and tracks the replacement', async () => {
    const listed: WatchEvent = { at: 10, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace: 'web', objects: [pod('a'), pod('b'), pod('c')] };
    const source = new RecordedSource([listed]);
    const observer = new Observer(source, podsReady({ selector: 'app=web', namespace: 'web', count: 3 }), 'web', pino({ level: 'silent' }));
    await observer.start(['web'], [{ apiVersion: 'demo.rebound.dev/v1alpha1', kind: 'Echo' }], []);
    expect(source.targets.map((t) => `${t.kind}/${t.namespace ?? '*'}`)).to.include.members(['Node/*', 'Pod/web', 'EndpointSlice/web', 'Echo/web']);
    expect(observer.current().evaluation.holds).to.equal(true);

    observer.resetTrial();
    source.play([
      { at: 100, type: 'MODIFIED', object: pod('b', { deleting: true }) },
      { at: 130, type: 'ADDED', object: pod('d', { ready: false }) },
      { at: 180, type: 'MODIFIED', object: pod('d') },
      { at: 900, type: 'DELETED', object: pod('b', { deleting: true }) },
    ]);
    const samples = observer.timeline.samples(0).map((s) => [s.at, s.holds]);
    expect(samples).to.deep.include.members([[100, false], [180, true]]);
    const [replacement] = observer.replacements.replacements();
    expect(replacement?.pod.name).to.equal('b');
    expect(replacement?.replacement?.name).to.equal('d');
    expect(replacement?.at.deleted).to.equal(100);
    expect(replacement?.at.ready).to.equal(180);

    observer.stop();
    expect(source.stopped).to.equal(true);
  });

  it('is blind from a broken watch to its relist, and counts what the relist revealed', async () => {
    const source = new RecordedSource([{ at: 10, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace: 'web', objects: [pod('a')] }]);
    const observer = new Observer(source, podsReady({ selector: 'app=web', namespace: 'web', count: 1 }), 'web', pino({ level: 'silent' }));
    await observer.start(['web'], [], []);
    source.play([{ at: 200, type: 'BROKEN', apiVersion: 'v1', kind: 'Pod', namespace: 'web', cause: 'connection reset' }]);
    expect(observer.blindSince()).to.equal(200);
    source.play([{ at: 700, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace: 'web', objects: [pod('e')], since: 200 }]);
    expect(observer.blindSince()).to.equal(undefined);
    const [outage] = observer.outages();
    expect(outage?.since).to.equal(200);
    expect(outage?.until).to.equal(700);
    expect(outage?.changes).to.be.greaterThan(0);
    observer.stop();
  });

  it('sees a break inside a batch that also mends it: judged per event while the state holds, once at the end after', async () => {
    const source = new RecordedSource([{ at: 10, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace: 'web', objects: [pod('a'), pod('b')] }]);
    const observer = new Observer(source, podsReady({ selector: 'app=web', namespace: 'web', count: 2 }), 'web', pino({ level: 'silent' }));
    await observer.start(['web'], [], []);
    const judged: [number, boolean][] = [];
    observer.subscribe((at, evaluation) => judged.push([at, evaluation.holds]));
    const targets: number[] = [];
    observer.onTarget((at) => targets.push(at));
    source.burst([
      { at: 100, type: 'MODIFIED', object: pod('b', { deleting: true }) },
      { at: 101, type: 'ADDED', object: pod('c', { ready: false }) },
      { at: 102, type: 'MODIFIED', object: pod('c') },
    ]);
    // The deletion breaks the state (judged at its own arrival); the two events after it are judged once, with the last.
    expect(judged).to.deep.equal([[100, false], [102, true]]);
    // What follows each event itself (a fault's target seen) is still told per event, with its own arrival.
    expect(targets).to.deep.equal([100, 101, 102]);
    expect(observer.replacements.replacements()[0]?.at.deleted).to.equal(100);
    observer.stop();
  });

  it('judges a burst while the state is broken once, at its last event, after applying every one of them', async () => {
    const source = new RecordedSource([{ at: 10, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace: 'web', objects: [pod('a'), pod('b'), pod('c')] }]);
    const observer = new Observer(source, podsReady({ selector: 'app=web', namespace: 'web', count: 3 }), 'web', pino({ level: 'silent' }));
    await observer.start(['web'], [], []);
    const judged: [number, boolean][] = [];
    observer.subscribe((at, evaluation) => judged.push([at, evaluation.holds]));
    source.burst([
      { at: 100, type: 'MODIFIED', object: pod('a', { deleting: true }) },
      { at: 101, type: 'MODIFIED', object: pod('b', { deleting: true }) },
      { at: 102, type: 'MODIFIED', object: pod('c', { deleting: true }) },
      { at: 103, type: 'ADDED', object: pod('d', { ready: false }) },
    ]);
    // Broken at the first; the three after it, while broken, in one judgement stamped with the last.
    expect(judged).to.deep.equal([[100, false], [103, false]]);
    source.burst([
      { at: 200, type: 'ADDED', object: pod('e') },
      { at: 201, type: 'ADDED', object: pod('f') },
      { at: 202, type: 'MODIFIED', object: pod('d') },
    ]);
    expect(judged.slice(2)).to.deep.equal([[202, true]]);
    observer.stop();
  });

  it('judges the events before a broken watch in a batch before marking the outage, and none after it', async () => {
    const source = new RecordedSource([{ at: 10, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace: 'web', objects: [pod('a')] }]);
    const observer = new Observer(source, podsReady({ selector: 'app=web', namespace: 'web', count: 1 }), 'web', pino({ level: 'silent' }));
    await observer.start(['web'], [], []);
    const judged: [number, boolean, boolean][] = [];
    observer.subscribe((at, evaluation) => judged.push([at, evaluation.holds, observer.blindSince() !== undefined]));
    source.burst([
      { at: 200, type: 'MODIFIED', object: pod('a', { ready: false }) },
      { at: 201, type: 'BROKEN', apiVersion: 'v1', kind: 'Pod', namespace: 'web', cause: 'connection reset' },
    ]);
    expect(judged).to.deep.equal([[200, false, false]]);
    expect(observer.blindSince()).to.equal(201);
    observer.stop();
  });

  it('keeps Kubernetes Events as evidence, not as state', async () => {
    const event = objectOf('v1', 'Event', 'web.1', { uid: 'ev-1' });
    const source = new RecordedSource([{ at: 5, type: 'ADDED', object: { ...event, reason: 'Killing', message: 'Stopping container', involvedObject: { kind: 'Pod', name: 'b' } } as typeof event }]);
    const observer = new Observer(source, podsReady({ selector: 'app=web', namespace: 'web', min: 1 }), 'web', pino({ level: 'silent' }));
    await observer.start(['web'], [], []);
    expect(observer.eventRecords()).to.have.length(1);
    expect(observer.world.all().some((o) => o.kind === 'Event')).to.equal(false);
    observer.stop();
  });

  it('holds managedFields only of the objects whose drift it follows, and still names who drifted them', async () => {
    const recorded = (name: string): KubernetesObject =>
      JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'drift', `${name}.json`), 'utf8')) as KubernetesObject;
    const applied = recorded('deployment-applied');
    const drifted = recorded('deployment-drifted');
    const managedPod = { ...pod('a'), metadata: { ...pod('a').metadata, managedFields: [{ manager: 'kube-controller-manager', operation: 'Update' }] } };
    const namespace = applied.metadata?.namespace ?? '';
    const source = new RecordedSource([
      { at: 1, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace: 'web', objects: [managedPod] },
      { at: 2, type: 'RELIST', apiVersion: 'apps/v1', kind: 'Deployment', namespace, objects: [applied] },
    ]);
    const observer = new Observer(source, podsReady({ selector: 'app=web', namespace: 'web', min: 1 }), 'web', pino({ level: 'silent' }));
    await observer.start(['web', namespace], [], []);
    const name = applied.metadata?.name ?? '';
    // Listed before the desired state was known: nothing is followed yet.
    expect(observer.world.get('apps/v1', 'Deployment', name, namespace)?.metadata).to.not.have.property('managedFields');
    expect(observer.world.get('v1', 'Pod', 'a', 'web')?.metadata).to.not.have.property('managedFields');

    observer.drift.setDesired(desiredFieldsOf([applied], 'rebound'), observer.world);
    source.play([{ at: 50, type: 'MODIFIED', object: drifted }, { at: 60, type: 'MODIFIED', object: managedPod }]);
    expect(observer.world.get('apps/v1', 'Deployment', name, namespace)?.metadata?.managedFields).to.deep.equal(drifted.metadata?.managedFields);
    expect(observer.world.get('v1', 'Pod', 'a', 'web')?.metadata).to.not.have.property('managedFields');
    const [record] = observer.drift.drift();
    expect(record?.field).to.equal('spec.replicas');
    expect(record?.driftedBy?.manager).to.equal('rebound-patch');
    observer.stop();
  });
});

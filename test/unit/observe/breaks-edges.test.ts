import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { BreakRules, type ObservedBreak } from '../../../harness/observe/breaks.js';
import { World } from '../../../harness/observe/world.js';
import { Duration } from '../../../harness/scenario/duration.js';
import type { Fault } from '../../../harness/scenario/schema.js';
import { nodeObject, objectOf, podObject, type PodOptions } from './support.js';

function fault(kind: Fault['kind'], params: Record<string, unknown>, index = 0): Fault {
  return { kind, index, at: Duration.ZERO, params } as unknown as Fault;
}

type Step = { at: number; type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubernetesObject };

/** Feeds the steps to a World and the rules; every object gets a new resourceVersion so none is stale. */
function replay(rules: BreakRules, steps: readonly Step[], world = new World()): ObservedBreak[] {
  const breaks: ObservedBreak[] = [];
  steps.forEach((step, index) => {
    const object = { ...step.object, metadata: { ...step.object.metadata, resourceVersion: String(index + 1) } };
    for (const change of world.apply({ ...step, object })) {
      const seen = rules.see(change, world);
      if (seen) breaks.push(seen);
    }
  });
  return breaks;
}

const summaries = (breaks: readonly ObservedBreak[]) => breaks.map((b) => [b.at, b.summary, b.fault]);

const withRestarts = (options: PodOptions, app: number, init: number): KubernetesObject => {
  const pod = podObject(options) as KubernetesObject & { status: Record<string, unknown> };
  const status = (name: string, restartCount: number) => ({ name, restartCount, ready: true, image: 'x', imageID: '' });
  return { ...pod, status: { ...pod.status, containerStatuses: [status('app', app)], initContainerStatuses: [status('init', init)] } } as KubernetesObject;
};

const node = (name: string, spec: Record<string, unknown>, options: { ready?: boolean; labels?: Record<string, string> } = {}): KubernetesObject =>
  ({ ...nodeObject(name, options), spec }) as KubernetesObject;

describe('observe: BreakRules, edges', () => {
  it('names the break with its target: kind, name, namespace, uid and node', () => {
    const rules = new BreakRules([fault('podDelete', { selector: 'app=web', count: 1 }, 3)], 'web');
    const breaks = replay(rules, [
      { at: 1, type: 'ADDED', object: podObject({ name: 'web-a', node: 'n1' }) },
      { at: 2, type: 'DELETED', object: podObject({ name: 'web-a', node: 'n1' }) },
    ]);
    expect(breaks).to.deep.equal([{
      at: 2, summary: 'Pod web-a deleted', fault: 3,
      targets: [{ kind: 'Pod', name: 'web-a', namespace: 'web', uid: 'uid-web-a', node: 'n1' }],
    }]);
  });

  it('leaves out the namespace and node a target does not have', () => {
    const rules = new BreakRules([fault('nodeCordon', { selector: 'pool=a', count: 1 })], 'web');
    const breaks = replay(rules, [
      { at: 1, type: 'ADDED', object: node('n1', {}, { labels: { pool: 'a' } }) },
      { at: 2, type: 'MODIFIED', object: node('n1', { unschedulable: true }, { labels: { pool: 'a' } }) },
    ]);
    expect(breaks).to.deep.equal([{ at: 2, summary: 'Node n1 cordoned', fault: 0, targets: [{ kind: 'Node', name: 'n1', uid: 'uid-node-n1' }] }]);
  });

  it('ignores objects without a uid', () => {
    const rules = new BreakRules([fault('podKill', { selector: 'app=web', count: 1 })], 'web');
    const bare = { ...podObject({ name: 'web-a', node: 'n1' }) };
    bare.metadata = { name: 'web-a', namespace: 'web', labels: { app: 'web' } };
    expect(replay(rules, [{ at: 1, type: 'ADDED', object: bare }, { at: 2, type: 'DELETED', object: bare }])).to.deep.equal([]);
  });

  it('counts init container restarts too, for pod faults only', () => {
    const podRules = new BreakRules([fault('containerKill', { selector: 'app=web', count: 1 })], 'web');
    const steps: Step[] = [
      { at: 1, type: 'ADDED', object: withRestarts({ name: 'web-a', node: 'n1' }, 1, 0) },
      { at: 2, type: 'MODIFIED', object: withRestarts({ name: 'web-a', node: 'n1' }, 1, 2) },
    ];
    expect(summaries(replay(podRules, steps))).to.deep.equal([[2, 'Pod web-a container restarted (restarts 1 -> 3)', 0]]);
    // A node fault picks nodes only: a restart of a pod is not its break.
    expect(replay(new BreakRules([fault('nodeStop', { count: 1, graceful: false })], 'web'), steps)).to.deep.equal([]);
  });

  it('takes a pod fault\'s own namespace over the scenario\'s', () => {
    const rules = new BreakRules([fault('podKill', { selector: 'app=web', count: 1, namespace: 'other' })], 'web');
    const breaks = replay(rules, [
      { at: 1, type: 'ADDED', object: podObject({ name: 'here', node: 'n1' }) },
      { at: 2, type: 'ADDED', object: podObject({ name: 'there', node: 'n1', namespace: 'other' }) },
      { at: 3, type: 'DELETED', object: podObject({ name: 'here', node: 'n1' }) },
      { at: 4, type: 'DELETED', object: podObject({ name: 'there', node: 'n1', namespace: 'other' }) },
    ]);
    expect(summaries(breaks)).to.deep.equal([[4, 'Pod there deleted', 0]]);
  });

  it('node faults: the selector picks the nodes, a taint added is a break, one removed is not; Ready again is not', () => {
    const rules = new BreakRules([fault('nodeTaint', { selector: 'pool=a', count: 1 })], 'web');
    const taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
    const breaks = replay(rules, [
      { at: 1, type: 'ADDED', object: node('a1', {}, { labels: { pool: 'a' } }) },
      { at: 2, type: 'ADDED', object: node('b1', {}, { labels: { pool: 'b' } }) },
      { at: 3, type: 'MODIFIED', object: node('b1', { taints: [taint] }, { labels: { pool: 'b' } }) },
      { at: 4, type: 'MODIFIED', object: node('a1', { taints: [taint] }, { labels: { pool: 'a' } }) },
      { at: 5, type: 'MODIFIED', object: node('a1', {}, { labels: { pool: 'a' } }) },
      { at: 6, type: 'MODIFIED', object: node('a1', { unschedulable: false }, { labels: { pool: 'a' } }) },
      { at: 7, type: 'MODIFIED', object: node('a1', {}, { labels: { pool: 'a' }, ready: false }) },
      { at: 8, type: 'MODIFIED', object: node('a1', {}, { labels: { pool: 'a' }, ready: false }) },
      { at: 9, type: 'MODIFIED', object: node('a1', {}, { labels: { pool: 'a' } }) },
      { at: 10, type: 'MODIFIED', object: node('a1', { unschedulable: true }, { labels: { pool: 'a' } }) },
      { at: 11, type: 'MODIFIED', object: node('a1', { unschedulable: true }, { labels: { pool: 'a' } }) },
    ]);
    expect(summaries(breaks)).to.deep.equal([[4, 'Node a1 tainted', 0], [7, 'Node a1 NotReady', 0], [10, 'Node a1 cordoned', 0]]);
  });

  it('nodesOf: the nodes hosting the pods it selects in the fault\'s namespace', () => {
    const rules = new BreakRules([fault('nodeStop', { nodesOf: 'app=db', namespace: 'data', count: 1, graceful: false })], 'web');
    const breaks = replay(rules, [
      { at: 1, type: 'ADDED', object: node('n1', {}) },
      { at: 2, type: 'ADDED', object: node('n2', {}) },
      { at: 3, type: 'ADDED', object: podObject({ name: 'db-0', labels: { app: 'db' }, node: 'n1', namespace: 'data' }) },
      { at: 4, type: 'ADDED', object: podObject({ name: 'db-x', labels: { app: 'db' }, node: 'n2' }) },
      { at: 5, type: 'MODIFIED', object: node('n2', {}, { ready: false }) },
      { at: 6, type: 'MODIFIED', object: node('n1', {}, { ready: false }) },
    ]);
    expect(summaries(breaks)).to.deep.equal([[6, 'Node n1 NotReady', 0]]);
  });

  it('deleteObject by selector, in its group, kind and namespace; cluster-scoped objects whatever the namespace', () => {
    const rules = new BreakRules([
      fault('deleteObject', { apiVersion: 'example.com/v1', kind: 'Cache', selector: 'tier=hot', propagationPolicy: 'Background' }, 0),
      fault('deleteObject', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'reader', propagationPolicy: 'Background' }, 1),
    ], 'web');
    type Extra = { namespace?: string; apiVersion?: string; kind?: string };
    const cache = (name: string, labels: Record<string, string>, extra: Extra = {}): KubernetesObject => {
      const base = objectOf(extra.apiVersion ?? 'example.com/v2', extra.kind ?? 'Cache', name, { namespace: extra.namespace ?? 'web' });
      return { ...base, metadata: { ...base.metadata, labels } };
    };
    const role = objectOf('rbac.authorization.k8s.io/v1', 'ClusterRole', 'reader', { namespace: null });
    const steps: Step[] = [
      cache('hot', { tier: 'hot' }), cache('cold', { tier: 'cold' }), cache('far', { tier: 'hot' }, { namespace: 'other' }),
      cache('alien', { tier: 'hot' }, { apiVersion: 'other.io/v1' }), cache('kin', { tier: 'hot' }, { kind: 'Store' }), role,
    ].flatMap((object, i) => [{ at: i, type: 'ADDED' as const, object }, { at: 10 + i, type: 'DELETED' as const, object }]);
    expect(summaries(replay(rules, steps))).to.deep.equal([[10, 'Cache hot deleted', 0], [15, 'ClusterRole reader deleted', 1]]);
  });

  it('scale: the named apps workload of the namespace rescaled, by a MODIFIED after one seen; "?" for replicas unset', () => {
    const rules = new BreakRules([fault('scale', { kind: 'StatefulSet', name: 'db', namespace: 'data', replicas: 0 })], 'web');
    const sts = (replicas: number | undefined, extra: { namespace?: string; apiVersion?: string; name?: string; kind?: string } = {}) =>
      objectOf(extra.apiVersion ?? 'apps/v1', extra.kind ?? 'StatefulSet', extra.name ?? 'db', {
        namespace: extra.namespace ?? 'data', spec: replicas === undefined ? {} : { replicas },
      });
    const breaks = replay(rules, [
      { at: 1, type: 'ADDED', object: sts(2) },
      { at: 2, type: 'MODIFIED', object: sts(2) },
      { at: 3, type: 'MODIFIED', object: sts(undefined) },
      { at: 4, type: 'MODIFIED', object: sts(1) },
      { at: 5, type: 'ADDED', object: sts(2, { namespace: 'web' }) },
      { at: 6, type: 'MODIFIED', object: sts(0, { namespace: 'web' }) },
      { at: 7, type: 'ADDED', object: sts(2, { apiVersion: 'example.com/v1' }) },
      { at: 8, type: 'ADDED', object: sts(2, { name: 'other' }) },
      { at: 9, type: 'MODIFIED', object: sts(0, { name: 'other' }) },
      { at: 10, type: 'ADDED', object: sts(2, { kind: 'Deployment' }) },
      { at: 11, type: 'MODIFIED', object: sts(0, { kind: 'Deployment' }) },
      { at: 12, type: 'DELETED', object: sts(1) },
    ]);
    expect(summaries(breaks)).to.deep.equal([
      [3, 'StatefulSet db scaled from 2 to ? replicas', 0],
      [4, 'StatefulSet db scaled from ? to 1 replicas', 0],
    ]);
  });

  it('an object seen for the first time while already terminating is no break, nor its later deletion', () => {
    const rules = new BreakRules([fault('podKill', { selector: 'app=web', count: 1 })], 'web');
    const breaks = replay(rules, [
      { at: 1, type: 'ADDED', object: podObject({ name: 'web-a', node: 'n1', deleting: true }) },
      { at: 2, type: 'MODIFIED', object: podObject({ name: 'web-a', node: 'n1', deleting: true }) },
      { at: 3, type: 'DELETED', object: podObject({ name: 'web-a', node: 'n1', deleting: true }) },
      // A new pod of the same name (another uid) is a target of its own.
      { at: 4, type: 'ADDED', object: podObject({ name: 'web-a', uid: 'uid-2', node: 'n1' }) },
      { at: 5, type: 'MODIFIED', object: podObject({ name: 'web-a', uid: 'uid-2', node: 'n1', deleting: true }) },
    ]);
    expect(summaries(breaks)).to.deep.equal([[5, 'Pod web-a terminating (deleted)', 0]]);
  });

  it('looks at the faults in order and names the first one a change breaks', () => {
    const rules = new BreakRules([
      fault('podKill', { selector: 'app=db', count: 1 }, 0),
      fault('podKill', { selector: 'app in (web,db)', count: 1 }, 1),
      fault('podKill', { selector: 'app=web', count: 1 }, 2),
    ], 'web');
    const breaks = replay(rules, [
      { at: 1, type: 'ADDED', object: podObject({ name: 'web-a', node: 'n1' }) },
      { at: 2, type: 'DELETED', object: podObject({ name: 'web-a', node: 'n1' }) },
    ]);
    expect(summaries(breaks)).to.deep.equal([[2, 'Pod web-a deleted', 1]]);
  });

  it('a pod deleted that was never seen before is a break', () => {
    const rules = new BreakRules([fault('podKill', { selector: 'app=web', count: 1 })], 'web');
    expect(summaries(replay(rules, [{ at: 7, type: 'DELETED', object: podObject({ name: 'web-a', node: 'n1' }) }]))).to.deep.equal([[7, 'Pod web-a deleted', 0]]);
  });

  it('a fault of one kind never takes objects of another: pods for node faults, nodes for pod faults, anything for the rest', () => {
    const rules = new BreakRules([
      fault('nodeStop', { count: 1, graceful: false }, 0),
      fault('podKill', { selector: 'app=web', count: 1 }, 1),
      fault('rollout', { kind: 'Deployment', name: 'web' }, 2),
      fault('processKill', { process: 'op', signal: 'KILL' }, 3),
    ], 'web');
    const appNode = nodeObject('n9', { labels: { app: 'web' } });
    const breaks = replay(rules, [
      { at: 1, type: 'ADDED', object: appNode },
      { at: 2, type: 'ADDED', object: objectOf('apps/v1', 'Deployment', 'web', { spec: { replicas: 2 } }) },
      { at: 3, type: 'ADDED', object: objectOf('v1', 'ConfigMap', 'c', {}) },
      { at: 10, type: 'DELETED', object: appNode },
      { at: 11, type: 'DELETED', object: objectOf('apps/v1', 'Deployment', 'web', { spec: { replicas: 2 } }) },
      { at: 12, type: 'DELETED', object: objectOf('v1', 'ConfigMap', 'c', {}) },
    ]);
    expect(summaries(breaks)).to.deep.equal([[10, 'Node n9 deleted', 0]]);
    const podsOnly = new BreakRules([fault('nodeStop', { count: 1, graceful: false }, 0)], 'web');
    expect(replay(podsOnly, [{ at: 1, type: 'ADDED', object: podObject({ name: 'web-a', node: 'n1' }) }, { at: 2, type: 'DELETED', object: podObject({ name: 'web-a', node: 'n1' }) }]))
      .to.deep.equal([]);
  });

  it('scale takes only the apps group\'s workload of that name', () => {
    const rules = new BreakRules([fault('scale', { kind: 'Deployment', name: 'web', replicas: 0 })], 'web');
    const custom = (replicas: number) => objectOf('example.com/v1', 'Deployment', 'web', { spec: { replicas } });
    expect(replay(rules, [{ at: 1, type: 'ADDED', object: custom(2) }, { at: 2, type: 'MODIFIED', object: custom(0) }])).to.deep.equal([]);
  });

  it('nodesOf: any node hosting one of the selected pods', () => {
    const rules = new BreakRules([fault('nodeStop', { nodesOf: 'app=db', count: 1, graceful: false })], 'web');
    const breaks = replay(rules, [
      { at: 1, type: 'ADDED', object: node('n1', {}) },
      { at: 2, type: 'ADDED', object: podObject({ name: 'db-0', labels: { app: 'db' }, node: 'n1' }) },
      { at: 3, type: 'ADDED', object: podObject({ name: 'db-1', labels: { app: 'db' }, node: 'n2' }) },
      { at: 4, type: 'MODIFIED', object: node('n1', {}, { ready: false }) },
    ]);
    expect(summaries(breaks)).to.deep.equal([[4, 'Node n1 NotReady', 0]]);
  });
});

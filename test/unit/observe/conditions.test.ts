import { expect } from 'chai';
import {
  all,
  buildCondition,
  conditionFor,
  countsOf,
  deriveSteadyState,
  endpointsReady,
  http,
  nodesReady,
  object,
  podsReady,
  workloadAvailable,
  type Condition,
} from '../../../harness/observe/conditions.js';
import { World } from '../../../harness/observe/world.js';
import { checkOf, nodeObject, objectOf, podObject, serviceObject, sliceObject, worldOf } from './support.js';

const holds = (condition: Condition, world: World): boolean => condition.evaluate(world).holds;

const deployment = (status: Record<string, unknown>, extra: { generation?: number; replicas?: number } = {}) => objectOf('apps/v1', 'Deployment', 'web', {
  generation: extra.generation ?? 1,
  spec: { replicas: extra.replicas ?? 3 },
  status: { observedGeneration: 1, ...status },
});

describe('observe: conditions', () => {
  describe('workloadAvailable', () => {
    const check = workloadAvailable({ kind: 'Deployment', name: 'web', namespace: 'web' });

    it('holds when updated and available replicas equal the desired count', () => {
      const evaluation = check.evaluate(worldOf(deployment({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 })));
      expect(evaluation).to.deep.include({ holds: true, detail: 'workloadAvailable Deployment/web: 3/3 available, 3/3 updated' });
    });

    it('does not hold while available or updated replicas are short', () => {
      expect(holds(check, worldOf(deployment({ updatedReplicas: 3, availableReplicas: 2 })))).to.equal(false);
      expect(holds(check, worldOf(deployment({ updatedReplicas: 2, availableReplicas: 3 })))).to.equal(false);
    });

    it('ignores a status written for an older generation', () => {
      const evaluation = check.evaluate(worldOf(deployment({ updatedReplicas: 3, availableReplicas: 3 }, { generation: 2 })));
      expect(evaluation.holds).to.equal(false);
      expect(evaluation.detail).to.contain('generation 1, the spec is at 2');
    });

    it('does not hold for a workload whose controller has not reported yet', () => {
      const fresh = objectOf('apps/v1', 'Deployment', 'web', { generation: 1, spec: { replicas: 3 } });
      expect(holds(check, worldOf(fresh))).to.equal(false);
    });

    it('wants the replicas declared in the manifest over the live spec a fault may have scaled', () => {
      const scaledDown = deployment({ updatedReplicas: 1, availableReplicas: 1, replicas: 1 }, { replicas: 1 });
      expect(holds(workloadAvailable({ kind: 'Deployment', name: 'web', namespace: 'web', replicas: 3 }), worldOf(scaledDown))).to.equal(false);
      expect(holds(check, worldOf(scaledDown))).to.equal(true);
    });

    it('is not found when the workload does not exist', () => {
      expect(check.evaluate(new World()).detail).to.equal('workloadAvailable Deployment/web: not found in web');
    });

    it('wants desired == updated == available scheduled for a DaemonSet', () => {
      const daemonSet = (status: Record<string, unknown>) => objectOf('apps/v1', 'DaemonSet', 'agent', { generation: 1, status: { observedGeneration: 1, ...status } });
      const agent = workloadAvailable({ kind: 'DaemonSet', name: 'agent', namespace: 'web' });
      expect(holds(agent, worldOf(daemonSet({ desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 })))).to.equal(true);
      expect(holds(agent, worldOf(daemonSet({ desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 })))).to.equal(false);
      expect(holds(agent, worldOf(daemonSet({ desiredNumberScheduled: 3, updatedNumberScheduled: 2, numberAvailable: 3 })))).to.equal(false);
    });

    it('reads a StatefulSet without availableReplicas (before Kubernetes 1.22) by its readyReplicas', () => {
      const sts = objectOf('apps/v1', 'StatefulSet', 'db', { generation: 1, spec: { replicas: 2 }, status: { observedGeneration: 1, updatedReplicas: 2, readyReplicas: 2 } });
      expect(holds(workloadAvailable({ kind: 'StatefulSet', name: 'db', namespace: 'web' }), worldOf(sts))).to.equal(true);
    });

    it('wants a ReplicaSet to have exactly the desired replicas, all available', () => {
      const replicaSet = (status: Record<string, unknown>) => objectOf('apps/v1', 'ReplicaSet', 'rs', { generation: 1, spec: { replicas: 2 }, status: { observedGeneration: 1, ...status } });
      const rs = workloadAvailable({ kind: 'ReplicaSet', name: 'rs', namespace: 'web' });
      expect(holds(rs, worldOf(replicaSet({ replicas: 2, availableReplicas: 2 })))).to.equal(true);
      expect(holds(rs, worldOf(replicaSet({ replicas: 3, availableReplicas: 2 })))).to.equal(false);
    });
  });

  describe('podsReady', () => {
    const world = worldOf(
      podObject({ name: 'a', node: 'n1' }),
      podObject({ name: 'b', node: 'n2' }),
      podObject({ name: 'c', node: 'n2', ready: false }),
      podObject({ name: 'd', node: 'n2', deleting: true }),
      podObject({ name: 'e' }),
      podObject({ name: 'f', node: 'n1', labels: { app: 'web', track: 'canary' } }),
      podObject({ name: 'g', node: 'n1', labels: { app: 'db' } }),
      podObject({ name: 'h', node: 'n1', namespace: 'other' }),
    );

    it('counts pods Running and Ready, not terminating, matching the selector in the namespace', () => {
      const evaluation = podsReady({ selector: 'app=web', namespace: 'web', count: 3 }).evaluate(world);
      expect(evaluation).to.deep.equal({ holds: true, detail: 'podsReady app=web: 3/3 ready', counts: { readyPods: 3 } });
    });

    it('takes count as exactly and min as at least', () => {
      expect(holds(podsReady({ selector: 'app=web', namespace: 'web', count: 2 }), world)).to.equal(false);
      expect(holds(podsReady({ selector: 'app=web', namespace: 'web', min: 2 }), world)).to.equal(true);
      expect(podsReady({ selector: 'app=web', namespace: 'web', min: 4 }).evaluate(world).detail).to.equal('podsReady app=web: 3 ready (min 4)');
    });

    it('reads set-based selectors as kubectl does', () => {
      expect(podsReady({ selector: 'app in (web,db),track notin (canary)', namespace: 'web', min: 1 }).evaluate(world).counts).to.deep.equal({ readyPods: 3 });
      expect(podsReady({ selector: 'app,!track', namespace: 'web', min: 1 }).evaluate(world).counts).to.deep.equal({ readyPods: 3 });
      expect(podsReady({ selector: 'app!=web', namespace: 'web', min: 1 }).evaluate(world).counts).to.deep.equal({ readyPods: 1 });
    });

    it('does not count pods on an impaired node, though their status still says Ready', () => {
      const impaired = worldOf(podObject({ name: 'a', node: 'n1' }), podObject({ name: 'b', node: 'n2' }));
      impaired.impairNode('n1', 5);
      expect(podsReady({ selector: 'app=web', namespace: 'web', count: 2 }).evaluate(impaired).detail).to.equal('podsReady app=web: 1/2 ready');
    });

    it('refuses a bad selector when built', () => {
      expect(() => podsReady({ selector: 'app in web', namespace: 'web', min: 1 })).to.throw(/selector/);
    });
  });

  describe('endpointsReady', () => {
    const check = (quantity: { count: number } | { min: number }) => endpointsReady({ service: 'web', namespace: 'web', ...quantity });

    it('counts an endpoint once by its target uid, even while it sits in two slices', () => {
      const world = worldOf(
        sliceObject('web-a', 'web', [{ ip: '10.0.0.1', pod: 'a', ready: true }, { ip: '10.0.0.2', pod: 'b', ready: true }]),
        sliceObject('web-b', 'web', [{ ip: '10.0.0.2', pod: 'b', ready: true }]),
      );
      expect(check({ count: 2 }).evaluate(world)).to.deep.equal({ holds: true, detail: 'endpointsReady web: 2/2 ready', counts: { readyEndpoints: 2 } });
    });

    it('takes an absent ready condition as ready, and ready: false as not', () => {
      const world = worldOf(sliceObject('web-a', 'web', [{ ip: '10.0.0.1', pod: 'a' }, { ip: '10.0.0.2', pod: 'b', ready: false }]));
      expect(check({ min: 1 }).evaluate(world).counts).to.deep.equal({ readyEndpoints: 1 });
    });

    it('counts endpoints without a target by their address', () => {
      const world = worldOf(
        sliceObject('web-a', 'web', [{ ip: '192.168.1.10' }, { ip: '192.168.1.11' }]),
        sliceObject('web-b', 'web', [{ ip: '192.168.1.10' }]),
      );
      expect(check({ min: 1 }).evaluate(world).counts).to.deep.equal({ readyEndpoints: 2 });
    });

    it('does not count an endpoint on an impaired node, by its nodeName or its pod\'s', () => {
      const world = worldOf(
        podObject({ name: 'b', node: 'n2' }),
        sliceObject('web-a', 'web', [{ ip: '10.0.0.1', pod: 'a', node: 'n1', ready: true }, { ip: '10.0.0.2', pod: 'b', ready: true }, { ip: '10.0.0.3', pod: 'c', node: 'n3' }]),
      );
      world.impairNode('n1', 1);
      world.impairNode('n2', 1);
      expect(check({ min: 1 }).evaluate(world).counts).to.deep.equal({ readyEndpoints: 1 });
    });

    it('only reads the slices of its Service', () => {
      const world = worldOf(sliceObject('db-a', 'db', [{ ip: '10.0.0.9', pod: 'z' }]));
      expect(check({ min: 1 }).evaluate(world).detail).to.equal('endpointsReady web: 0 ready (min 1), no EndpointSlice yet');
    });
  });

  describe('nodesReady', () => {
    it('counts Ready nodes matching the selector that rebound has not impaired', () => {
      const world = worldOf(nodeObject('n1', { labels: { pool: 'a' } }), nodeObject('n2', { labels: { pool: 'a' } }), nodeObject('n3', { ready: false, labels: { pool: 'a' } }), nodeObject('n4'));
      expect(nodesReady({ min: 3 }).evaluate(world).counts).to.deep.equal({ readyNodes: 3 });
      expect(nodesReady({ selector: 'pool=a', count: 2 }).evaluate(world).holds).to.equal(true);
      world.impairNode('n1', 1);
      expect(nodesReady({ selector: 'pool=a', count: 2 }).evaluate(world).detail).to.equal('nodesReady pool=a: 1/2 ready');
    });
  });

  describe('http', () => {
    it('reads the prober\'s latest answer for its url; no answer yet does not hold', () => {
      const world = new World();
      const check = http({ url: 'http://127.0.0.1:8080/healthz' });
      expect(check.evaluate(world)).to.deep.equal({ holds: false, detail: 'http http://127.0.0.1:8080/healthz: no answer yet' });
      world.setProbe('http://127.0.0.1:8080/healthz', 1, true, 'HTTP 200');
      expect(check.evaluate(world).holds).to.equal(true);
      world.setProbe('http://127.0.0.1:8080/healthz', 2, false, 'HTTP 503');
      expect(check.evaluate(world)).to.deep.equal({ holds: false, detail: 'http http://127.0.0.1:8080/healthz: HTTP 503' });
    });
  });

  describe('object (kubectl JSONPath)', () => {
    const widget = objectOf('example.com/v1', 'Widget', 'w1', {
      generation: 2,
      status: {
        phase: 'Running',
        replicas: 3,
        paused: false,
        conditions: [{ type: 'Progressing', status: 'True' }, { type: 'Ready', status: 'True', observedGeneration: 2 }],
        endpoints: [{ host: 'a', port: 80 }, { host: 'b', port: 81 }],
      },
    });
    (widget.metadata as Record<string, unknown>)['labels'] = { 'app.kubernetes.io/name': 'widget', 'example.com/tier': 'gold' };
    const world = worldOf(widget, objectOf('example.com/v1', 'Cluster', 'global', { namespace: null, status: { phase: 'Up' } }));
    const check = (jsonPath: string, expected: { equals: string } | { matches: string }, name = 'w1', kind = 'Widget') =>
      object({ apiVersion: 'example.com/v1', kind, name, namespace: 'web', jsonPath, ...expected });

    it('compares the printed value with equals', () => {
      expect(holds(check('{.status.phase}', { equals: 'Running' }), world)).to.equal(true);
      expect(check('{.status.phase}', { equals: 'Failed' }).evaluate(world).detail).to.equal('object Widget/w1 {.status.phase}: "Running", want "Failed"');
    });

    it('evaluates filters, as in {.status.conditions[?(@.type=="Ready")].status}', () => {
      expect(holds(check('{.status.conditions[?(@.type=="Ready")].status}', { equals: 'True' }), world)).to.equal(true);
      expect(holds(check("{.status.conditions[?(@.type=='Ready')].observedGeneration}", { equals: '2' }), world)).to.equal(true);
    });

    it('prints numbers and booleans as text, several results space-separated, objects as JSON', () => {
      expect(holds(check('{.status.replicas}', { equals: '3' }), world)).to.equal(true);
      expect(holds(check('{.status.paused}', { equals: 'false' }), world)).to.equal(true);
      expect(holds(check('{.status.endpoints[*].host}', { equals: 'a b' }), world)).to.equal(true);
      expect(holds(check('{.status.endpoints[0]}', { equals: '{"host":"a","port":80}' }), world)).to.equal(true);
      expect(holds(check('{.status.endpoints[-1:].port}', { equals: '81' }), world)).to.equal(true);
    });

    it('reads label keys with escaped dots, recursive descent and template text', () => {
      expect(holds(check('{.metadata.labels.app\\.kubernetes\\.io/name}', { equals: 'widget' }), world)).to.equal(true);
      expect(holds(check('{..port}', { equals: '80 81' }), world)).to.equal(true);
      expect(holds(check('{.status.phase}/{.status.replicas}', { equals: 'Running/3' }), world)).to.equal(true);
      expect(holds(check('.status.phase', { equals: 'Running' }), world)).to.equal(true);
    });

    it('matches a regular expression anywhere in the value', () => {
      expect(holds(check('{.status.phase}', { matches: '^Run' }), world)).to.equal(true);
      expect(holds(check('{.status.phase}', { matches: '^Pend' }), world)).to.equal(false);
    });

    it('does not hold for a missing object or path', () => {
      expect(check('{.status.phase}', { equals: 'Running' }, 'w2').evaluate(world).detail).to.equal('object Widget/w2 {.status.phase}: object not found');
      expect(check('{.status.nothing}', { equals: '' }).evaluate(world).detail).to.equal('object Widget/w1 {.status.nothing}: path not found');
      expect(holds(check('{.status.conditions[?(@.type=="Degraded")].status}', { equals: '' }), world)).to.equal(false);
    });

    it('finds cluster-scoped objects whatever namespace the scenario gives', () => {
      expect(holds(check('{.status.phase}', { equals: 'Up' }, 'global', 'Cluster'), world)).to.equal(true);
    });

    it('refuses templates it cannot evaluate when built', () => {
      expect(() => check('{range .items[*]}{.name}{end}', { equals: '' })).to.throw(/range/);
      expect(() => check('{.status.phase', { equals: '' })).to.throw(/never closed/);
      expect(() => check('{}', { equals: '' })).to.throw(/empty/);
    });
  });

  describe('all', () => {
    it('holds when every part holds, and lists the failing parts', () => {
      const world = worldOf(podObject({ name: 'a', node: 'n1' }), nodeObject('n1'));
      const both = all([podsReady({ selector: 'app=web', namespace: 'web', count: 2 }), nodesReady({ min: 1 }), nodesReady({ min: 2 })]);
      expect(both.evaluate(world)).to.deep.equal({ holds: false, detail: 'podsReady app=web: 1/2 ready; nodesReady: 1 ready (min 2)' });
      expect(all([nodesReady({ min: 1 })]).evaluate(world)).to.deep.equal({ holds: true, detail: 'nodesReady holds' });
      expect(all([]).evaluate(world).holds).to.equal(true);
    });
  });

  describe('building from the scenario', () => {
    it('defaults namespaces to the scenario\'s and takes declared replicas from the manifests', () => {
      const manifests = [objectOf('apps/v1', 'Deployment', 'web', { namespace: null, spec: { replicas: 3 } })];
      const scaled = deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 1 }, { replicas: 1 });
      const world = worldOf(scaled);
      const check = checkOf({ workloadAvailable: { kind: 'Deployment', name: 'web' } });
      expect(conditionFor(check, 'web', manifests).evaluate(world).detail).to.equal('workloadAvailable Deployment/web: 1/3 available, 1/3 updated');
      expect(conditionFor(check, 'web').evaluate(world).holds).to.equal(true);
      expect(conditionFor(check, 'elsewhere', manifests).evaluate(world).holds).to.equal(false);
    });

    it('builds every check of a steadyState, all at once', () => {
      const condition = buildCondition([
        checkOf({ podsReady: { selector: 'app=web', count: 1 } }, 0),
        checkOf({ nodesReady: {} }, 1),
        checkOf({ http: { url: 'http://x' } }, 2),
        checkOf({ object: { apiVersion: 'v1', kind: 'Node', name: 'n1', jsonPath: '{.status.conditions[?(@.type=="Ready")].status}', equals: 'True' } }, 3),
      ], 'web');
      const world = worldOf(podObject({ name: 'a', node: 'n1' }), nodeObject('n1'));
      expect(condition.describe().split('\n')).to.deep.equal(['podsReady app=web', 'nodesReady', 'http http://x', 'object Node/n1 {.status.conditions[?(@.type=="Ready")].status}']);
      expect(condition.evaluate(world).detail).to.equal('http http://x: no answer yet');
      world.setProbe('http://x', 1, true, 'HTTP 200');
      expect(condition.evaluate(world).holds).to.equal(true);
    });
  });

  describe('deriveSteadyState', () => {
    const manifests = [
      objectOf('apps/v1', 'Deployment', 'web', { namespace: null, spec: { replicas: 2 } }),
      objectOf('apps/v1', 'StatefulSet', 'db', { namespace: null, spec: {} }),
      objectOf('apps/v1', 'DaemonSet', 'agent', { namespace: null, spec: {} }),
      serviceObject('web', { app: 'web' }),
      serviceObject('external', undefined),
      objectOf('v1', 'ConfigMap', 'settings', { namespace: null }),
      objectOf('example.com/v1', 'Widget', 'w1', { namespace: null, spec: {} }),
    ];
    const condition = deriveSteadyState(manifests, 'web');
    const healthy = () => worldOf(
      deployment({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 }, { replicas: 2 }),
      objectOf('apps/v1', 'StatefulSet', 'db', { generation: 1, spec: { replicas: 1 }, status: { observedGeneration: 1, updatedReplicas: 1, availableReplicas: 1 } }),
      objectOf('apps/v1', 'DaemonSet', 'agent', { generation: 1, status: { observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 } }),
      sliceObject('web-a', 'web', [{ ip: '10.0.0.1', pod: 'a' }]),
    );

    it('checks workloads at their declared replicas (1 when omitted), DaemonSets, and Services with a selector', () => {
      expect(condition.describe().split('\n')).to.deep.equal([
        'workloadAvailable Deployment/web', 'workloadAvailable StatefulSet/db', 'workloadAvailable DaemonSet/agent', 'endpointsReady web',
        'ConfigMap/settings ready', 'Widget/w1 ready',
      ]);
      expect(condition.evaluate(healthy()).holds).to.equal(true);
    });

    it('takes a kind that never reported a Ready or Available condition as one without readiness', () => {
      const world = healthy();
      world.apply({ at: 1, type: 'ADDED', object: objectOf('example.com/v1', 'Widget', 'w1', { status: { phase: 'Pending' } }) });
      expect(condition.evaluate(world).holds).to.equal(true);
    });

    it('wants Ready True once the kind reports it, current for the object\'s generation', () => {
      const world = healthy();
      const widget = (status: string, observedGeneration: number) => objectOf('example.com/v1', 'Widget', 'w1', {
        generation: 2, status: { conditions: [{ type: 'Ready', status, reason: 'Reconciling', observedGeneration }] },
      });
      world.apply({ at: 1, type: 'ADDED', object: widget('False', 2) });
      expect(condition.evaluate(world).detail).to.equal('Widget/w1 ready: Ready is False (Reconciling)');
      world.apply({ at: 2, type: 'MODIFIED', object: widget('True', 1) });
      expect(condition.evaluate(world).detail).to.equal('Widget/w1 ready: its Ready condition is for generation 1, the spec is at 2');
      world.apply({ at: 3, type: 'MODIFIED', object: widget('True', 2) });
      expect(condition.evaluate(world).holds).to.equal(true);
      // Deleted: its kind reports readiness, so the operator must bring it back.
      world.apply({ at: 4, type: 'DELETED', object: widget('True', 2) });
      expect(condition.evaluate(world).detail).to.equal('Widget/w1 ready: not found');
    });

    it('wants a bare pod of the desired state ready', () => {
      const bare = deriveSteadyState([podObject({ name: 'solo' })], 'web');
      expect(bare.evaluate(worldOf(podObject({ name: 'solo', node: 'n1' }))).holds).to.equal(true);
      expect(bare.evaluate(new World()).holds).to.equal(false);
    });

    it('fails for a workload short of its declared replicas or a Service without endpoints', () => {
      const world = healthy();
      world.apply({ at: 1, type: 'MODIFIED', object: sliceObject('web-a', 'web', [{ ip: '10.0.0.1', pod: 'a', ready: false }]) });
      expect(condition.evaluate(world).detail).to.equal('endpointsReady web: 0 ready (min 1)');
    });
  });

  describe('countsOf', () => {
    it('counts ready pods and endpoints of the namespace and ready nodes, as the checks do', () => {
      const world = worldOf(
        podObject({ name: 'a', node: 'n1' }), podObject({ name: 'b', node: 'n2' }), podObject({ name: 'c', node: 'n2', namespace: 'other' }),
        nodeObject('n1'), nodeObject('n2'),
        sliceObject('web-a', 'web', [{ ip: '10.0.0.1', pod: 'a', node: 'n1' }, { ip: '10.0.0.2', pod: 'b', node: 'n2' }]),
        sliceObject('web-b', 'web', [{ ip: '10.0.0.2', pod: 'b', node: 'n2' }]),
        sliceObject('api-a', 'api', [{ ip: '10.0.0.2', pod: 'b', node: 'n2' }]),
      );
      expect(countsOf(world, 'web')).to.deep.equal({ readyPods: 2, readyNodes: 2, readyEndpoints: 3 });
      world.impairNode('n2', 1);
      expect(countsOf(world, 'web')).to.deep.equal({ readyPods: 1, readyNodes: 1, readyEndpoints: 1 });
    });
  });
});

import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import {
  all,
  conditionFor,
  countsOf,
  deriveSteadyState,
  desiredStateHolds,
  driftedFields,
  endpointsReady,
  notRolledOut,
  object,
  workloadAvailable,
  type Condition,
} from '../../../harness/observe/conditions.js';
import type { DesiredObject } from '../../../harness/observe/desired-fields.js';
import { World } from '../../../harness/observe/world.js';
import type { SteadyStateCheck } from '../../../harness/scenario/schema.js';
import { nodeObject, objectOf, podObject, serviceObject, sliceObject, worldOf } from './support.js';

const fixed = (holds: boolean, text: string): Condition => ({ describe: () => text, evaluate: () => ({ holds, detail: `${text} detail` }) });

/** A Deployment web in `namespace` whose status says `available` of `replicas` are available and updated. */
const web = (available: number, replicas = 2, namespace = 'web') => objectOf('apps/v1', 'Deployment', 'web', {
  namespace, generation: 1, spec: { replicas },
  status: { observedGeneration: 1, replicas: available, updatedReplicas: available, availableReplicas: available },
});

const field = (path: string, value: unknown) => ({ path: [{ field: 'spec' }, { field: path }], text: `spec.${path}`, value });
const desired = (name: string, fields: DesiredObject['fields'], extra: Partial<DesiredObject> = {}): DesiredObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: 'web', secret: false, fields, ...extra });
const configMap = (name: string, spec: Record<string, unknown>) => objectOf('v1', 'ConfigMap', name, { spec });

describe('observe: conditions, details and edges', () => {
  describe('all', () => {
    it('says what it checks and which parts hold, in words', () => {
      expect(all([]).describe()).to.equal('nothing to check');
      expect(all([]).evaluate(new World())).to.deep.equal({ holds: true, detail: 'all 0 checks hold' });
      expect(all([fixed(true, 'a')]).evaluate(new World())).to.deep.equal({ holds: true, detail: 'a holds' });
      expect(all([fixed(true, 'a'), fixed(true, 'b')]).evaluate(new World())).to.deep.equal({ holds: true, detail: 'all 2 checks hold' });
      expect(all([fixed(false, 'a'), fixed(true, 'b'), fixed(false, 'c')]).evaluate(new World())).to.deep.equal({ holds: false, detail: 'a detail; c detail' });
    });
  });

  describe('workloadAvailable details', () => {
    it('names a DaemonSet\'s available and updated counts', () => {
      const ds = objectOf('apps/v1', 'DaemonSet', 'agent', {
        generation: 1, status: { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 2, numberAvailable: 1 },
      });
      expect(workloadAvailable({ kind: 'DaemonSet', name: 'agent', namespace: 'web' }).evaluate(worldOf(ds)))
        .to.deep.equal({ holds: false, detail: 'workloadAvailable DaemonSet/agent: 1/3 available, 2/3 updated' });
    });

    it('calls a ReplicaSet\'s replicas existing, not updated', () => {
      const rs = objectOf('apps/v1', 'ReplicaSet', 'rs', { generation: 1, spec: { replicas: 2 }, status: { observedGeneration: 1, replicas: 2, availableReplicas: 1 } });
      expect(workloadAvailable({ kind: 'ReplicaSet', name: 'rs', namespace: 'web' }).evaluate(worldOf(rs)).detail)
        .to.equal('workloadAvailable ReplicaSet/rs: 1/2 available, 2/2 existing');
    });

    it('takes a workload without a generation as current, and says why a stale one does not hold', () => {
      const check = workloadAvailable({ kind: 'Deployment', name: 'web', namespace: 'web' });
      const noGeneration = objectOf('apps/v1', 'Deployment', 'web', { spec: { replicas: 1 }, status: { updatedReplicas: 1, availableReplicas: 1 } });
      expect(check.evaluate(worldOf(noGeneration)).holds).to.equal(true);
      const unreported = objectOf('apps/v1', 'Deployment', 'web', { generation: 4, spec: { replicas: 1 }, status: { updatedReplicas: 1, availableReplicas: 1 } });
      expect(check.evaluate(worldOf(unreported)).detail).to.equal('workloadAvailable Deployment/web: its controller has not reported on generation 4 yet');
      const stale = objectOf('apps/v1', 'Deployment', 'web', { generation: 4, spec: { replicas: 1 }, status: { observedGeneration: 3, updatedReplicas: 1, availableReplicas: 1 } });
      expect(check.evaluate(worldOf(stale)).detail).to.equal('workloadAvailable Deployment/web: status is for generation 3, the spec is at 4');
      const current = objectOf('apps/v1', 'Deployment', 'web', { generation: 4, spec: { replicas: 1 }, status: { observedGeneration: 5, updatedReplicas: 1, availableReplicas: 1 } });
      expect(check.evaluate(worldOf(current)).holds).to.equal(true);
    });
  });

  describe('endpointsReady edges', () => {
    const check = endpointsReady({ service: 'web', namespace: 'web', min: 1 });

    it('says when the Service has no EndpointSlice yet, and not once it has one', () => {
      expect(check.evaluate(new World())).to.deep.equal({
        holds: false, detail: 'endpointsReady web: 0 ready (min 1), no EndpointSlice yet', counts: { readyEndpoints: 0 },
      });
      expect(check.evaluate(worldOf(sliceObject('web-a', 'web', []))).detail).to.equal('endpointsReady web: 0 ready (min 1)');
    });

    it('counts the same addresses listed in another order once, and a target without a uid by its addresses', () => {
      const slice = (name: string, addresses: string[], target?: Record<string, unknown>): KubernetesObject => ({
        apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
        metadata: { name, namespace: 'web', uid: `uid-${name}`, labels: { 'kubernetes.io/service-name': 'web' } },
        endpoints: [{ addresses, ...(target === undefined ? {} : { targetRef: target }) }],
      } as KubernetesObject);
      const world = worldOf(
        slice('v4', ['10.0.0.1', '10.0.0.2']),
        slice('v6', ['10.0.0.2', '10.0.0.1']),
        slice('empty-uid', ['10.0.0.3'], { kind: 'Pod', name: 'p', uid: '' }),
        slice('empty-uid-2', ['10.0.0.4'], { kind: 'Pod', name: 'q', uid: '' }),
        slice('dual-stack-4', ['10.0.0.5'], { kind: 'Pod', name: 'r', uid: 'uid-r' }),
        slice('dual-stack-6', ['fd00::5'], { kind: 'Pod', name: 'r', uid: 'uid-r' }),
        slice('moved', ['10.0.0.6'], { kind: 'Pod', name: 'r', uid: 'uid-r' }),
        slice('no-addresses', []),
      );
      expect(check.evaluate(world).counts).to.deep.equal({ readyEndpoints: 5 });
      const sparse = { ...slice('sparse', []), endpoints: [{}] } as KubernetesObject;
      expect(check.evaluate(worldOf(sparse, { ...slice('none', []), endpoints: undefined } as KubernetesObject)).counts).to.deep.equal({ readyEndpoints: 1 });
    });

    it('finds an endpoint\'s pod by name when its uid is unknown, in the target\'s namespace, to see its node impaired', () => {
      const pod = podObject({ name: 'web-a', node: 'n1' });
      const slice = (targetNamespace: string | undefined): KubernetesObject => ({
        apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
        metadata: { name: 'web-x', namespace: 'web', uid: 'uid-slice', labels: { 'kubernetes.io/service-name': 'web' } },
        endpoints: [{ addresses: ['10.0.0.1'], targetRef: { kind: 'Pod', name: 'web-a', ...(targetNamespace === undefined ? {} : { namespace: targetNamespace }) } }],
      } as KubernetesObject);
      for (const targetNamespace of [undefined, 'web']) {
        const world = worldOf(pod, slice(targetNamespace));
        expect(check.evaluate(world).holds, String(targetNamespace)).to.equal(true);
        world.impairNode('n1', 5);
        expect(check.evaluate(world).holds, String(targetNamespace)).to.equal(false);
      }
      // A target in another namespace is not the pod of this one.
      const elsewhere = worldOf(pod, slice('other'));
      elsewhere.impairNode('n1', 5);
      expect(check.evaluate(elsewhere).holds).to.equal(true);
      // A target that is not a Pod is not looked up.
      const notPod = worldOf(pod, { ...slice('web'), endpoints: [{ addresses: ['10.0.0.1'], targetRef: { kind: 'Node', name: 'web-a', uid: 'uid-web-a' } }] } as KubernetesObject);
      notPod.impairNode('n1', 5);
      expect(check.evaluate(notPod).holds).to.equal(true);
    });

    it('finds the pod by uid first, whatever name the target gives', () => {
      const world = worldOf(podObject({ name: 'web-a', node: 'n1' }), podObject({ name: 'web-b', node: 'n2' }), sliceObject('web-x', 'web', [{ ip: '10.0.0.1', pod: 'web-b', uid: 'uid-web-a' }]));
      world.impairNode('n2', 5);
      expect(check.evaluate(world).holds).to.equal(true);
      world.impairNode('n1', 6);
      expect(check.evaluate(world).holds).to.equal(false);
    });

    it('ignores an endpoint whose uid names an object that is not a pod', () => {
      const node = nodeObject('n1');
      const world = worldOf(node, podObject({ name: 'web-a', node: 'n1' }), sliceObject('web-x', 'web', [{ ip: '10.0.0.1', pod: 'web-a', uid: 'uid-node-n1' }]));
      world.impairNode('n1', 5);
      expect(check.evaluate(world).holds).to.equal(true);
    });
  });

  describe('object details', () => {
    const cache = objectOf('example.com/v1', 'Cache', 'c', { status: { phase: 'Ready' } });

    it('says not found, path not found, what it wants and what it found', () => {
      const check = (extra: { equals: string } | { matches: string }, jsonPath = '{.status.phase}') =>
        object({ apiVersion: 'example.com/v1', kind: 'Cache', name: 'c', namespace: 'web', jsonPath, ...extra });
      expect(check({ equals: 'Ready' }).evaluate(new World())).to.deep.equal({ holds: false, detail: 'object Cache/c {.status.phase}: object not found' });
      expect(check({ equals: 'Ready' }, '{.status.other}').evaluate(worldOf(cache)))
        .to.deep.equal({ holds: false, detail: 'object Cache/c {.status.other}: path not found' });
      expect(check({ equals: 'Gone' }).evaluate(worldOf(cache))).to.deep.equal({ holds: false, detail: 'object Cache/c {.status.phase}: "Ready", want "Gone"' });
      expect(check({ matches: '^Rea' }).evaluate(worldOf(cache))).to.deep.equal({ holds: true, detail: 'object Cache/c {.status.phase}: "Ready", want a match of /^Rea/' });
      expect(check({ matches: 'Gone' }).evaluate(worldOf(cache)).holds).to.equal(false);
    });

    it('looks in its namespace first, then among cluster-scoped objects, never in another namespace', () => {
      const inOther = objectOf('example.com/v1', 'Cache', 'c', { namespace: 'other', status: { phase: 'Ready' } });
      const check = object({ apiVersion: 'example.com/v1', kind: 'Cache', name: 'c', namespace: 'web', jsonPath: '{.metadata.namespace}', equals: 'web' });
      expect(check.evaluate(worldOf(inOther)).detail).to.equal('object Cache/c {.metadata.namespace}: object not found');
      expect(check.evaluate(worldOf(inOther, cache)).holds).to.equal(true);
      const clusterScoped = object({ apiVersion: 'v1', kind: 'Node', name: 'n1', namespace: 'web', jsonPath: '{.metadata.name}', equals: 'n1' });
      expect(clusterScoped.evaluate(worldOf(nodeObject('n1'))).holds).to.equal(true);
    });
  });

  describe('desiredStateHolds and driftedFields', () => {
    it('counts the fields it holds, one and several', () => {
      const world = worldOf(configMap('a', { x: 1, y: 2 }));
      expect(desiredStateHolds([desired('a', [field('x', 1)])]).evaluate(world)).to.deep.equal({ holds: true, detail: 'desiredStateHolds: 1 field as applied' });
      expect(desiredStateHolds([desired('a', [field('x', 1), field('y', 2)])]).evaluate(world).detail).to.equal('desiredStateHolds: 2 fields as applied');
      expect(desiredStateHolds([desired('a', [field('x', 1)]), desired('a', [field('y', 2)], { kind: 'ConfigMap' })]).evaluate(world).detail)
        .to.equal('desiredStateHolds: 2 fields as applied');
    });

    it('narrows by kind, by name or both, and names the narrowing', () => {
      const objects = [desired('a', [field('x', 1)]), desired('b', [field('x', 1)]), desired('a', [field('x', 1)], { kind: 'Secret', secret: true })];
      const world = worldOf(configMap('a', { x: 1 }), configMap('b', { x: 2 }));
      expect(desiredStateHolds(objects, { kind: 'ConfigMap', name: 'a' }).evaluate(world))
        .to.deep.equal({ holds: true, detail: 'desiredStateHolds ConfigMap/a: 1 field as applied' });
      expect(desiredStateHolds(objects, { name: 'b' }).evaluate(world))
        .to.deep.equal({ holds: false, detail: 'desiredStateHolds */b: spec.x of ConfigMap/b is 2, applied 1' });
      expect(desiredStateHolds(objects, { kind: 'Secret' }).evaluate(world))
        .to.deep.equal({ holds: false, detail: 'desiredStateHolds Secret/*: Secret/a not found' });
      expect(desiredStateHolds(objects, { kind: 'Secret', name: 'b' }).evaluate(world))
        .to.deep.equal({ holds: false, detail: 'desiredStateHolds Secret/b: no object of the desired state matches' });
      expect(desiredStateHolds(objects).describe()).to.equal('desiredStateHolds');
    });

    it('names at most three drifted fields and counts the rest', () => {
      const fields = ['a', 'b', 'c', 'd', 'e'].map((name) => field(name, 1));
      const world = worldOf(configMap('m', { a: 2, b: 2, c: 2, d: 2, e: 1 }));
      expect(desiredStateHolds([desired('m', fields.slice(0, 3))]).evaluate(world).detail).to.equal(
        'desiredStateHolds: spec.a of ConfigMap/m is 2, applied 1; spec.b of ConfigMap/m is 2, applied 1; spec.c of ConfigMap/m is 2, applied 1',
      );
      expect(desiredStateHolds([desired('m', [...fields, field('f', 1)])]).evaluate(world).detail).to.equal(
        'desiredStateHolds: spec.a of ConfigMap/m is 2, applied 1; spec.b of ConfigMap/m is 2, applied 1; spec.c of ConfigMap/m is 2, applied 1 (and 2 more)',
      );
    });

    it('says a field is gone, shows long values cut at 60 characters, and never a Secret\'s value', () => {
      const sixty = 'x'.repeat(58);
      const long = 'y'.repeat(59);
      const world = worldOf(configMap('m', { a: sixty, b: long }), objectOf('v1', 'Secret', 's', { spec: { token: 'new' } }));
      expect(driftedFields(world, desired('m', [field('a', 'z'), field('b', 'z'), field('gone', 1)]))).to.deep.equal([
        `spec.a of ConfigMap/m is "${sixty}", applied "z"`,
        `spec.b of ConfigMap/m is "${'y'.repeat(56)}..., applied "z"`,
        'spec.gone of ConfigMap/m is gone',
      ]);
      expect(driftedFields(world, desired('s', [field('token', 'old')], { kind: 'Secret', secret: true })))
        .to.deep.equal(['spec.token of Secret/s differs from what rebound applied']);
      expect(driftedFields(world, desired('m', [field('a', undefined)]))).to.deep.equal([`spec.a of ConfigMap/m is "${sixty}", applied undefined`]);
    });

    it('leaves the objects a rollout fault rolls out to the rollout, matching kind, name and namespace', () => {
      const objects = [
        desired('web', [field('x', 1)], { kind: 'Deployment', apiVersion: 'apps/v1' }),
        desired('web', [field('x', 1)], { kind: 'StatefulSet', apiVersion: 'apps/v1' }),
        desired('api', [field('x', 1)], { kind: 'Deployment', apiVersion: 'apps/v1' }),
        desired('web', [field('x', 1)], { kind: 'Deployment', apiVersion: 'apps/v1', namespace: 'other' }),
        { ...desired('web', [field('x', 1)], { kind: 'Deployment', apiVersion: 'apps/v1' }), namespace: undefined } as unknown as DesiredObject,
      ];
      const kept = notRolledOut(objects, [{ kind: 'Deployment', name: 'web' }], 'web');
      expect(kept.map((o) => `${o.kind}/${o.name}@${o.namespace ?? '-'}`)).to.deep.equal(['StatefulSet/web@web', 'Deployment/api@web', 'Deployment/web@other']);
      expect(notRolledOut(objects, [{ kind: 'Deployment', name: 'web', namespace: 'other' }], 'web').map((o) => o.namespace ?? '-'))
        .to.deep.equal(['web', 'web', 'web', '-']);
    });
  });

  describe('conditionFor', () => {
    const check = (kind: SteadyStateCheck['kind'], params: Record<string, unknown>): SteadyStateCheck => ({ kind, index: 0, params } as SteadyStateCheck);

    it('defaults the namespace of every namespaced check to the scenario\'s, and keeps its own', () => {
      const world = worldOf(web(2), web(2, 2, 'other'), podObject({ name: 'p', node: 'n1' }), sliceObject('s', 'web', [{ ip: '10.0.0.1' }]),
        objectOf('example.com/v1', 'Cache', 'c', { namespace: 'other', status: { phase: 'Ready' } }));
      const holdsIn = (kind: SteadyStateCheck['kind'], params: Record<string, unknown>, namespace: string) =>
        conditionFor(check(kind, params), namespace).evaluate(world).holds;
      const cases: [SteadyStateCheck['kind'], Record<string, unknown>][] = [
        ['podsReady', { selector: 'app=web', min: 1 }],
        ['endpointsReady', { service: 'web', min: 1 }],
        ['workloadAvailable', { kind: 'Deployment', name: 'web' }],
        ['availableAtLeast', { kind: 'Deployment', name: 'web', floor: { min: 2 } }],
        ['rolledOut', { kind: 'Deployment', name: 'web' }],
      ];
      for (const [kind, params] of cases) {
        expect(holdsIn(kind, params, 'web'), `${kind} in web`).to.equal(true);
        expect(holdsIn(kind, params, 'none'), `${kind} in none`).to.equal(false);
        expect(holdsIn(kind, { ...params, namespace: 'web' }, 'none'), `${kind} with its namespace`).to.equal(true);
      }
      expect(holdsIn('object', { apiVersion: 'example.com/v1', kind: 'Cache', name: 'c', jsonPath: '{.status.phase}', equals: 'Ready' }, 'other')).to.equal(true);
      expect(holdsIn('object', { apiVersion: 'example.com/v1', kind: 'Cache', name: 'c', jsonPath: '{.status.phase}', equals: 'Ready' }, 'web')).to.equal(false);
    });

    it('takes the replicas a manifest declares for rolledOut and availableAtLeast, 1 when it omits them, none for a DaemonSet', () => {
      const world = worldOf(web(2, 2));
      const declared = (replicas?: number) => objectOf('apps/v1', 'Deployment', 'web', { spec: replicas === undefined ? {} : { replicas } });
      const rolled = (manifests: KubernetesObject[]) => conditionFor(check('rolledOut', { kind: 'Deployment', name: 'web' }), 'web', manifests).evaluate(world);
      expect(rolled([]).detail).to.equal('rolledOut Deployment/web: 2/2 updated, 2 available, 2 pods');
      expect(rolled([declared(3)]).detail).to.equal('rolledOut Deployment/web: 2/3 updated, 2 available, 2 pods');
      expect(rolled([declared()]).detail).to.equal('rolledOut Deployment/web: 2/1 updated, 2 available, 2 pods');
      const floor = (manifests: KubernetesObject[]) =>
        conditionFor(check('availableAtLeast', { kind: 'Deployment', name: 'web', floor: { percent: 100 } }), 'web', manifests).evaluate(world);
      expect(floor([]).detail).to.equal('availableAtLeast Deployment/web: 2 available, floor 2 (100% of 2 replicas)');
      expect(floor([declared(4)]).detail).to.equal('availableAtLeast Deployment/web: 2 available, floor 4 (100% of 4 replicas)');
      expect(floor([declared()]).detail).to.equal('availableAtLeast Deployment/web: 2 available, floor 1 (100% of 1 replicas)');
      const ds = objectOf('apps/v1', 'DaemonSet', 'agent', { generation: 1, status: { observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2, currentNumberScheduled: 2 } });
      const dsManifest = objectOf('apps/v1', 'DaemonSet', 'agent', { spec: { replicas: 5 } });
      expect(conditionFor(check('rolledOut', { kind: 'DaemonSet', name: 'agent' }), 'web', [dsManifest]).evaluate(worldOf(ds)).holds).to.equal(true);
      expect(conditionFor(check('availableAtLeast', { kind: 'DaemonSet', name: 'agent', floor: { percent: 100 } }), 'web', [dsManifest]).evaluate(worldOf(ds)).detail)
        .to.equal('availableAtLeast DaemonSet/agent: 2 available, floor 2 (100% of 2 replicas)');
      expect(conditionFor(check('workloadAvailable', { kind: 'DaemonSet', name: 'agent' }), 'web', [dsManifest]).evaluate(worldOf(ds)).holds).to.equal(true);
    });

    it('reads a manifest of another namespace, or one without metadata, as not declaring the workload', () => {
      const world = worldOf(web(2, 2));
      const elsewhere = objectOf('apps/v1', 'Deployment', 'web', { namespace: 'other', spec: { replicas: 5 } });
      const noMetadata = { apiVersion: 'apps/v1', kind: 'Deployment' } as KubernetesObject;
      const defaulted = objectOf('apps/v1', 'Deployment', 'web', { namespace: null, spec: { replicas: 5 } });
      const evaluate = (manifests: KubernetesObject[]) => conditionFor(check('workloadAvailable', { kind: 'Deployment', name: 'web' }), 'web', manifests).evaluate(world);
      expect(evaluate([noMetadata, elsewhere]).holds).to.equal(true);
      expect(evaluate([defaulted]).detail).to.equal('workloadAvailable Deployment/web: 2/5 available, 2/5 updated');
    });

    it('builds desiredStateHolds from the desired objects it is given', () => {
      const condition = conditionFor(check('desiredStateHolds', { name: 'a' }), 'web', [], [desired('a', [field('x', 1)])]);
      expect(condition.evaluate(worldOf(configMap('a', { x: 1 })))).to.deep.equal({ holds: true, detail: 'desiredStateHolds */a: 1 field as applied' });
    });
  });

  describe('deriveSteadyState', () => {
    it('checks each kind of manifest its own way, in the manifest\'s namespace or the scenario\'s', () => {
      const manifests: KubernetesObject[] = [
        { kind: 'ConfigMap' },
        objectOf('apps/v1', 'Deployment', 'web', { namespace: null, spec: { replicas: 2 } }),
        objectOf('apps/v1', 'DaemonSet', 'agent', { namespace: 'sys', spec: { replicas: 9 } }),
        objectOf('apps/v1', 'ReplicaSet', 'rs', {}),
        objectOf('v1', 'Service', 'web', { spec: { selector: { app: 'web' } } }),
        objectOf('v1', 'Service', 'headless', { spec: { selector: {} } }),
        objectOf('v1', 'Service', 'external', { spec: { selector: null } }),
        objectOf('v1', 'Service', 'odd', { spec: { selector: 'app=web' } }),
        objectOf('v1', 'Service', 'bare', {}),
        objectOf('v1', 'Pod', 'solo', {}),
        objectOf('example.com/v1', 'Pod', 'custom', {}),
        objectOf('example.com/v1', 'Service', 'custom-svc', {}),
        objectOf('example.com/v1', 'Deployment', 'custom-dep', {}),
        objectOf('v1', 'ConfigMap', 'settings', {}),
      ];
      expect(deriveSteadyState(manifests, 'web').describe().split('\n')).to.deep.equal([
        'workloadAvailable Deployment/web',
        'workloadAvailable DaemonSet/agent',
        'workloadAvailable ReplicaSet/rs',
        'endpointsReady web',
        'pod solo ready',
        'Pod/custom ready',
        'Service/custom-svc ready',
        'Deployment/custom-dep ready',
        'ConfigMap/settings ready',
      ]);
      const world = worldOf(
        web(2), objectOf('apps/v1', 'DaemonSet', 'agent', { namespace: 'sys', generation: 1, status: { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 } }),
        objectOf('apps/v1', 'ReplicaSet', 'rs', { generation: 1, status: { observedGeneration: 1, replicas: 1, availableReplicas: 1 } }),
        sliceObject('web-a', 'web', [{ ip: '10.0.0.1' }]),
        { ...podObject({ name: 'solo', node: 'n1' }), metadata: { name: 'solo', namespace: 'web', uid: 'uid-solo' } },
      );
      expect(deriveSteadyState(manifests, 'web').evaluate(world)).to.deep.equal({ holds: true, detail: 'all 9 checks hold' });
      world.apply({ at: 1, type: 'MODIFIED', object: web(1) });
      expect(deriveSteadyState(manifests, 'web').evaluate(world).detail).to.equal('workloadAvailable Deployment/web: 1/2 available, 1/2 updated');
    });

    it('wants each workload at the replicas its manifest declares, not the live spec a fault may have scaled', () => {
      const condition = deriveSteadyState([objectOf('apps/v1', 'Deployment', 'web', { spec: { replicas: 3 } })], 'web');
      expect(condition.evaluate(worldOf(web(1, 1))).detail).to.equal('workloadAvailable Deployment/web: 1/3 available, 1/3 updated');
    });

    it('checks a workload a rollout fault rolls out with availableAtLeast at its derived floor, at the declared replicas', () => {
      const manifests = [
        objectOf('apps/v1', 'Deployment', 'web', { namespace: null, spec: { replicas: 4 } }),
        objectOf('apps/v1', 'Deployment', 'api', { spec: {} }),
        objectOf('apps/v1', 'DaemonSet', 'agent', {}),
        objectOf('apps/v1', 'ReplicaSet', 'web', {}),
        objectOf('apps/v1', 'StatefulSet', 'web', { namespace: 'other' }),
        objectOf('apps/v1', 'Deployment', 'solo', {}),
        objectOf('apps/v1', 'DaemonSet', 'web', {}),
      ];
      const rolling = [
        { kind: 'Deployment' as const, name: 'web' }, { kind: 'Deployment' as const, name: 'api', namespace: 'web' },
        { kind: 'DaemonSet' as const, name: 'agent' }, { kind: 'StatefulSet' as const, name: 'web' },
      ];
      const condition = deriveSteadyState(manifests, 'web', [], rolling);
      expect(condition.describe().split('\n')).to.deep.equal([
        'availableAtLeast Deployment/web', 'availableAtLeast Deployment/api', 'availableAtLeast DaemonSet/agent',
        'workloadAvailable ReplicaSet/web', 'workloadAvailable StatefulSet/web', 'workloadAvailable Deployment/solo', 'workloadAvailable DaemonSet/web',
      ]);
      const world = worldOf(
        web(3, 2),
        objectOf('apps/v1', 'Deployment', 'api', { spec: { replicas: 7 }, status: { availableReplicas: 1 } }),
        objectOf('apps/v1', 'DaemonSet', 'agent', { status: { desiredNumberScheduled: 4, numberAvailable: 3 } }),
      );
      const details = condition.parts?.slice(0, 3).map((part) => part.evaluate(world).detail);
      expect(details).to.deep.equal([
        'availableAtLeast Deployment/web: 3 available, floor 3 (4 replicas - maxUnavailable 25% (1))',
        'availableAtLeast Deployment/api: 1 available, floor 1 (1 replicas - maxUnavailable 25% (0))',
        'availableAtLeast DaemonSet/agent: 3 available, floor 3 (4 replicas - maxUnavailable 1 (1))',
      ]);
    });

    it('adds desiredStateHolds for the applied fields of what no rollout rolls out, when there are any', () => {
      const objects = [desired('a', [field('x', 1)]), desired('web', [field('replicas', 3)], { kind: 'Deployment', apiVersion: 'apps/v1' })];
      expect(deriveSteadyState([], 'web', objects).describe()).to.equal('desiredStateHolds');
      expect(deriveSteadyState([], 'web', [desired('a', [])]).describe()).to.equal('nothing to check');
      const rollingOnly = deriveSteadyState([], 'web', [objects[1]], [{ kind: 'Deployment', name: 'web' }]);
      expect(rollingOnly.describe()).to.equal('nothing to check');
      const world = worldOf(configMap('a', { x: 1 }));
      expect(deriveSteadyState([], 'web', objects, [{ kind: 'Deployment', name: 'web' }]).evaluate(world).holds).to.equal(true);
    });

    it('wants a bare pod found and ready, saying which', () => {
      const condition = deriveSteadyState([objectOf('v1', 'Pod', 'solo', { namespace: 'jobs' })], 'web');
      expect(condition.evaluate(new World())).to.deep.equal({ holds: false, detail: 'pod solo ready: not found in jobs' });
      expect(condition.evaluate(worldOf(podObject({ name: 'solo', namespace: 'jobs', node: 'n1' })))).to.deep.equal({ holds: true, detail: 'pod solo ready holds' });
      expect(condition.parts?.[0]?.evaluate(worldOf(podObject({ name: 'solo', namespace: 'jobs', node: 'n1' }))))
        .to.deep.equal({ holds: true, detail: 'pod solo ready: ready' });
      expect(condition.evaluate(worldOf(podObject({ name: 'solo', namespace: 'jobs', node: 'n1', ready: false }))))
        .to.deep.equal({ holds: false, detail: 'pod solo ready: not ready' });
    });

    it('says how any other object holds or not: unseen, without conditions, its conditions, stale', () => {
      const condition = deriveSteadyState([objectOf('example.com/v1', 'Cache', 'c', {})], 'web').parts?.[0];
      const cache = (name: string, conditions: Record<string, unknown>[], generation?: number) =>
        objectOf('example.com/v1', 'Cache', name, { ...(generation === undefined ? {} : { generation }), status: { conditions } });
      const evaluate = (...objects: KubernetesObject[]) => condition?.evaluate(worldOf(...objects));
      expect(evaluate()).to.deep.equal({ holds: true, detail: 'Cache/c ready: not seen, and its kind reports no readiness' });
      expect(evaluate(cache('c', []))).to.deep.equal({ holds: true, detail: 'Cache/c ready: its kind reports no readiness' });
      const other = cache('other', [{ type: 'Available', status: 'True' }]);
      expect(evaluate(other)).to.deep.equal({ holds: false, detail: 'Cache/c ready: not found' });
      expect(evaluate(other, cache('c', []))).to.deep.equal({ holds: false, detail: 'Cache/c ready: no Ready or Available condition yet' });
      expect(evaluate(cache('c', [{ type: 'Ready', status: 'True' }, { type: 'Available', status: 'True' }])))
        .to.deep.equal({ holds: true, detail: 'Cache/c ready: Ready and Available True' });
      expect(evaluate(cache('c', [{ type: 'Available', status: 'True' }]))).to.deep.equal({ holds: true, detail: 'Cache/c ready: Available True' });
      expect(evaluate(cache('c', [{ type: 'Ready', status: 'True' }, { type: 'Available', status: 'False', reason: 'Scaling' }])))
        .to.deep.equal({ holds: false, detail: 'Cache/c ready: Available is False (Scaling)' });
      expect(evaluate(cache('c', [{ type: 'Ready', status: 'Unknown' }]))).to.deep.equal({ holds: false, detail: 'Cache/c ready: Ready is Unknown' });
      expect(evaluate(cache('c', [{ type: 'Ready', status: 'True', observedGeneration: 2 }], 3)))
        .to.deep.equal({ holds: false, detail: 'Cache/c ready: its Ready condition is for generation 2, the spec is at 3' });
      // A custom resource without observedGeneration in its status or condition is taken as current.
      expect(evaluate(cache('c', [{ type: 'Ready', status: 'True' }], 3))?.holds).to.equal(true);
      // So is one whose kind is named like a workload, in another API group.
      const custom = objectOf('example.com/v1', 'Deployment', 'd', { generation: 3, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
      expect(deriveSteadyState([custom], 'web').evaluate(worldOf(custom))).to.deep.equal({ holds: true, detail: 'Deployment/d ready holds' });
    });
  });

  it('countsOf counts the endpoints of every Service with slices in the namespace, each once', () => {
    const unlabelled = { ...sliceObject('loose', 'x', [{ ip: '10.0.0.9' }]), metadata: { name: 'loose', namespace: 'web', uid: 'uid-loose' } } as KubernetesObject;
    const world = worldOf(
      serviceObject('web', { app: 'web' }),
      sliceObject('web-a', 'web', [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }]),
      sliceObject('web-b', 'web', [{ ip: '10.0.0.2' }]),
      sliceObject('api-a', 'api', [{ ip: '10.0.0.3' }]),
      sliceObject('far-a', 'far', [{ ip: '10.0.0.4' }], 'other'),
      unlabelled,
    );
    expect(countsOf(world, 'web')).to.deep.equal({ readyPods: 0, readyNodes: 0, readyEndpoints: 3 });
  });
});

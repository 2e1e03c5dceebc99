import { expect } from 'chai';
import type { KubernetesObject } from '@kubernetes/client-node';
import { deriveSteadyState } from '../../../harness/observe/conditions.js';
import { availableAtLeast, resolveFloor, rolledOut, scaledValue } from '../../../harness/observe/rollout-checks.js';
import { RolloutTracker, stalled } from '../../../harness/observe/rollout-tracker.js';
import { World } from '../../../harness/observe/world.js';
import { objectOf, podObject, worldOf } from './support.js';

/** A Deployment as the API server returns it mid-rollout (the fields the checks read, as recorded from a cluster). */
function deployment(options: {
  replicas?: number;
  generation?: number;
  strategy?: Record<string, unknown>;
  status?: Record<string, unknown>;
}): KubernetesObject {
  return objectOf('apps/v1', 'Deployment', 'web', {
    generation: options.generation ?? 2,
    spec: {
      replicas: options.replicas ?? 4,
      selector: { matchLabels: { app: 'web' } },
      strategy: options.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    },
    status: {
      observedGeneration: options.generation ?? 2, replicas: 4, updatedReplicas: 4, availableReplicas: 4, readyReplicas: 4, ...options.status,
    },
  });
}

describe('observe: rollout checks', () => {
  describe('the floor arithmetic', () => {
    it('scales an intOrString as Kubernetes does: percentages rounded down or up, whole numbers as they are', () => {
      expect(scaledValue('25%', 4, false)).to.equal(1);
      expect(scaledValue('25%', 3, false)).to.equal(0);
      expect(scaledValue('25%', 3, true)).to.equal(1);
      expect(scaledValue('100%', 4, false)).to.equal(4);
      expect(scaledValue(2, 10, false)).to.equal(2);
      expect(scaledValue('2', 10, false)).to.equal(2);
      expect(() => scaledValue('a lot', 4, false)).to.throw('neither a whole number nor a percentage');
    });

    it('takes a Deployment\'s maxUnavailable (default 25%, rounded down) from its replicas', () => {
      expect(resolveFloor(deployment({}), 4)).to.deep.include({ maxUnavailable: 1, floor: 3 });
      expect(resolveFloor(deployment({ strategy: {} }), 10)).to.deep.include({ maxUnavailable: 2, floor: 8 });
      expect(resolveFloor(deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '100%' } } }), 4)).to.deep.include({ floor: 0 });
      expect(resolveFloor(deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 3 } } }), 2)).to.deep.include({ maxUnavailable: 2, floor: 0 });
      expect(resolveFloor(deployment({ strategy: { type: 'Recreate' } }), 4)).to.deep.include({ floor: 0 });
    });

    it('makes maxUnavailable 1 when maxSurge and maxUnavailable both come to 0, as the Deployment controller does', () => {
      // 25% of 3 rounded down is 0; maxSurge 0 too: the controller would be stuck, so it takes one pod down.
      const floor = resolveFloor(deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 0 } } }), 3);
      expect(floor).to.deep.include({ maxUnavailable: 1, floor: 2 });
      // With a surge the floor stays at every replica: new pods come up before any old one goes.
      expect(resolveFloor(deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } } }), 3)).to.deep.include({ floor: 3 });
    });

    it('gives StatefulSets and DaemonSets maxUnavailable 1 by default, percentages rounded up', () => {
      const statefulSet = objectOf('apps/v1', 'StatefulSet', 'db', { spec: { replicas: 3 } });
      expect(resolveFloor(statefulSet, 3)).to.deep.include({ maxUnavailable: 1, floor: 2 });
      const daemonSet = objectOf('apps/v1', 'DaemonSet', 'agent', { spec: { updateStrategy: { rollingUpdate: { maxUnavailable: '10%' } } } });
      expect(resolveFloor(daemonSet, 5)).to.deep.include({ maxUnavailable: 1, floor: 4 });
    });
  });

  describe('availableAtLeast', () => {
    const derived = availableAtLeast({ kind: 'Deployment', name: 'web', namespace: 'web', floor: { derived: true }, replicas: 4 });

    it('holds mid-rollout while available replicas stay at the derived floor', () => {
      const midway = deployment({ status: { replicas: 5, updatedReplicas: 2, availableReplicas: 3 } });
      expect(derived.evaluate(worldOf(midway))).to.deep.include({
        holds: true,
        detail: 'availableAtLeast Deployment/web: 3 available, floor 3 (4 replicas - maxUnavailable 25% (1))',
      });
    });

    it('breaks below the floor', () => {
      expect(derived.evaluate(worldOf(deployment({ status: { availableReplicas: 2 } }))).holds).to.equal(false);
    });

    it('takes an explicit min or percent of the declared replicas instead', () => {
      const world = worldOf(deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '100%' } }, status: { availableReplicas: 2 } }));
      expect(availableAtLeast({ kind: 'Deployment', name: 'web', namespace: 'web', floor: { min: 3 } }).evaluate(world).holds).to.equal(false);
      expect(availableAtLeast({ kind: 'Deployment', name: 'web', namespace: 'web', floor: { percent: 50 }, replicas: 4 }).evaluate(world).holds).to.equal(true);
      expect(availableAtLeast({ kind: 'Deployment', name: 'web', namespace: 'web', floor: { derived: true }, replicas: 4 }).evaluate(world).holds).to.equal(true);
    });

    it('does not hold for a workload not seen', () => {
      expect(derived.evaluate(new World())).to.deep.include({ holds: false, detail: 'availableAtLeast Deployment/web: not found in web' });
    });
  });

  describe('rolledOut', () => {
    it('holds once every replica is updated and available, and no old pod is left', () => {
      expect(rolledOut('Deployment', 'web', 'web', 4).evaluate(worldOf(deployment({}))).holds).to.equal(true);
      expect(rolledOut('Deployment', 'web', 'web', 4).evaluate(worldOf(deployment({ status: { replicas: 5 } }))).holds).to.equal(false);
      expect(rolledOut('Deployment', 'web', 'web', 4).evaluate(worldOf(deployment({ status: { updatedReplicas: 3 } }))).holds).to.equal(false);
    });

    it('does not hold before the new version\'s generation is seen and observed', () => {
      expect(rolledOut('Deployment', 'web', 'web', 4, 3).evaluate(worldOf(deployment({ generation: 2 }))).detail).to.contain('generation 3) not seen yet');
      expect(rolledOut('Deployment', 'web', 'web', 4).evaluate(worldOf(deployment({ generation: 3, status: { observedGeneration: 2 } }))).holds).to.equal(false);
    });
  });

  describe('the derived steady state of a scenario with a rollout', () => {
    const manifests = [deployment({}), objectOf('v1', 'Service', 'web', { spec: { selector: { app: 'web' } } })];

    it('judges a rolled-out workload by availableAtLeast at its own floor instead of workloadAvailable', () => {
      const plain = deriveSteadyState(manifests, 'web');
      const rolling = deriveSteadyState(manifests, 'web', [], [{ kind: 'Deployment', name: 'web' }]);
      expect(plain.describe()).to.contain('workloadAvailable Deployment/web');
      expect(rolling.describe()).to.contain('availableAtLeast Deployment/web');
      expect(rolling.describe()).not.to.contain('workloadAvailable');
    });
  });

  describe('RolloutTracker', () => {
    const pod = (name: string, hash: string, ready: boolean) => podObject({ name, node: 'n1', ready, labels: { app: 'web', 'pod-template-hash': hash } });

    it('tells the old and new revisions apart, samples their ready pods, and times the stall and the rollback', () => {
      const world = new World();
      const apply = (at: number, object: KubernetesObject, type: 'ADDED' | 'MODIFIED' = 'ADDED') => world.apply({ at, type, object });
      apply(0, deployment({ generation: 1 }));
      for (const name of ['a', 'b', 'c', 'd']) apply(0, pod(name, 'old', true));
      const tracker = new RolloutTracker('Deployment', 'web', 'web', 4);
      tracker.begin(0, world);
      tracker.applied(10, 2);
      apply(20, deployment({ generation: 2, status: { observedGeneration: 2, replicas: 5, updatedReplicas: 2, availableReplicas: 3 } }), 'MODIFIED');
      apply(20, pod('e', 'new', false));
      apply(20, pod('f', 'new', false));
      apply(20, { ...pod('d', 'old', true), metadata: { ...pod('d', 'old', true).metadata, deletionTimestamp: new Date() } }, 'MODIFIED');
      tracker.observe(20, world);
      const stalledStatus = {
        observedGeneration: 2, replicas: 5, updatedReplicas: 2, availableReplicas: 3,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      };
      apply(5020, deployment({ generation: 2, status: stalledStatus }), 'MODIFIED');
      expect(stalled(world.workload('Deployment', 'web', 'web') as KubernetesObject, 2)).to.equal(true);
      tracker.observe(5020, world);
      tracker.rollingBack(5030, 3);
      apply(5100, deployment({ generation: 3, status: { observedGeneration: 3 } }), 'MODIFIED');
      tracker.observe(5100, world);
      const figures = tracker.figures();
      expect(figures).to.deep.include({ oldRevision: 'old', newRevision: 'new', startedAt: 10, stalledAt: 5020, rollbackAt: 5030, rolledBackAt: 5100, completedAt: null, lowestAvailable: 3 });
      expect(figures.samples.map((s) => [s.at, s.old, s.new])).to.deep.equal([[20, 3, 0]]);
    });

    it('completes when the new version is rolled out, not on the old version the World still shows', () => {
      const world = worldOf(deployment({ generation: 1 }));
      const tracker = new RolloutTracker('Deployment', 'web', 'web', 4);
      tracker.begin(0, world);
      tracker.applied(1, 2);
      tracker.observe(1, world);
      expect(tracker.figures().completedAt).to.equal(null);
      world.apply({ at: 900, type: 'MODIFIED', object: deployment({ generation: 2 }) });
      tracker.observe(900, world);
      expect(tracker.figures().completedAt).to.equal(900);
    });
  });
});

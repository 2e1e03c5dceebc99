import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { availableAtLeast, floorOf, resolveFloor, rolledOut, scaledValue } from '../../../harness/observe/rollout-checks.js';
import { RolloutTracker, revisionLabel, stalled } from '../../../harness/observe/rollout-tracker.js';
import { World } from '../../../harness/observe/world.js';
import { objectOf, podObject, worldOf } from './support.js';

const workload = (kind: string, status: Record<string, unknown>, spec: Record<string, unknown> = {}, generation = 1) =>
  objectOf('apps/v1', kind, 'w', { generation, spec, status: { observedGeneration: generation, ...status } });

describe('observe: rollout checks, details and edges', () => {
  describe('rolledOut', () => {
    const check = (kind: string, replicas?: number, minGeneration?: number) => rolledOut(kind, 'w', 'web', replicas, minGeneration);

    it('says what it waits for: the workload, its new generation, its controller', () => {
      expect(check('Deployment').describe()).to.equal('rolledOut Deployment/w');
      expect(check('Deployment').evaluate(new World())).to.deep.equal({ holds: false, detail: 'rolledOut Deployment/w: not seen yet' });
      expect(check('Deployment', 1, 3).evaluate(worldOf(workload('Deployment', {}, {}, 2))))
        .to.deep.equal({ holds: false, detail: 'rolledOut Deployment/w: the new version (generation 3) not seen yet' });
      const unobserved = objectOf('apps/v1', 'Deployment', 'w', { generation: 2, status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 } });
      expect(check('Deployment').evaluate(worldOf(unobserved))).to.deep.equal({ holds: false, detail: 'rolledOut Deployment/w: generation 2 not observed yet' });
      const noGeneration = objectOf('apps/v1', 'Deployment', 'w', { status: { replicas: 1, updatedReplicas: 1, availableReplicas: 1 } });
      expect(check('Deployment').evaluate(worldOf(noGeneration))).to.deep.equal({ holds: true, detail: 'rolledOut Deployment/w: 1/1 updated, 1 available, 1 pods' });
    });

    it('wants a DaemonSet updated, available and current on every node it targets', () => {
      const full = { desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3, currentNumberScheduled: 3 };
      expect(check('DaemonSet').evaluate(worldOf(workload('DaemonSet', full)))).to.deep.equal({ holds: true, detail: 'rolledOut DaemonSet/w: 3/3 updated, 3 available' });
      for (const short of ['updatedNumberScheduled', 'numberAvailable', 'currentNumberScheduled']) {
        expect(check('DaemonSet').evaluate(worldOf(workload('DaemonSet', { ...full, [short]: 2 }))).holds, short).to.equal(false);
      }
      expect(check('DaemonSet').evaluate(worldOf(workload('DaemonSet', { ...full, numberAvailable: 2 }))).detail).to.equal('rolledOut DaemonSet/w: 3/3 updated, 2 available');
      // A non-number field counts as 0.
      expect(check('DaemonSet').evaluate(worldOf(workload('DaemonSet', { ...full, desiredNumberScheduled: '3' }))).detail)
        .to.equal('rolledOut DaemonSet/w: 3/0 updated, 3 available');
    });

    it('counts a ReplicaSet\'s pods as updated, a StatefulSet\'s ready ones as available, and wants its revisions equal', () => {
      expect(check('ReplicaSet', 2).evaluate(worldOf(workload('ReplicaSet', { replicas: 2, availableReplicas: 2 })))).to.deep.equal({
        holds: true, detail: 'rolledOut ReplicaSet/w: 2/2 updated, 2 available, 2 pods',
      });
      const sts = (status: Record<string, unknown>) => workload('StatefulSet', { replicas: 2, updatedReplicas: 2, currentRevision: 'a', updateRevision: 'a', ...status });
      expect(check('StatefulSet', 2).evaluate(worldOf(sts({ readyReplicas: 2 })))).to.deep.equal({
        holds: true, detail: 'rolledOut StatefulSet/w: 2/2 updated, 2 available, 2 pods',
      });
      expect(check('StatefulSet', 2).evaluate(worldOf(sts({ availableReplicas: 1, readyReplicas: 2 }))).holds).to.equal(false);
      expect(check('StatefulSet', 2).evaluate(worldOf(sts({ readyReplicas: 2, updateRevision: 'b' }))).holds).to.equal(false);
      // A Deployment reads availableReplicas only, and has no revisions in its status.
      expect(check('Deployment', 2).evaluate(worldOf(workload('Deployment', { replicas: 2, updatedReplicas: 2, readyReplicas: 2 }))).holds).to.equal(false);
      expect(check('Deployment', 2).evaluate(worldOf(workload('Deployment', { replicas: 2, updatedReplicas: 2, availableReplicas: 2, currentRevision: 'a' })))
        .holds).to.equal(true);
    });

    it('takes the declared replicas over the live spec, the live spec over 1', () => {
      const deployment = workload('Deployment', { replicas: 3, updatedReplicas: 3, availableReplicas: 3 }, { replicas: 3 });
      expect(check('Deployment').evaluate(worldOf(deployment)).holds).to.equal(true);
      expect(check('Deployment', 4).evaluate(worldOf(deployment)).detail).to.equal('rolledOut Deployment/w: 3/4 updated, 3 available, 3 pods');
      expect(check('Deployment', 3).evaluate(worldOf(workload('Deployment', { replicas: 3, updatedReplicas: 3, availableReplicas: 2 }, { replicas: 3 }))).holds)
        .to.equal(false);
    });
  });

  describe('the floor', () => {
    it('reads only whole numbers and whole percentages', () => {
      expect(scaledValue('10', 4, false)).to.equal(10);
      for (const bad of ['x25%', '25%x', '1.5', 'x1', '1x', '', null, undefined, true]) {
        expect(() => scaledValue(bad, 4, false), String(bad)).to.throw(`${JSON.stringify(bad)} is neither a whole number nor a percentage`);
      }
      expect(scaledValue('12', 4, true)).to.equal(12);
    });

    it('explains a Recreate Deployment, and a Deployment whose maxUnavailable is a number', () => {
      expect(resolveFloor(objectOf('apps/v1', 'Deployment', 'w', { spec: { strategy: { type: 'Recreate' } } }), 3))
        .to.deep.equal({ replicas: 3, maxUnavailable: 3, floor: 0, why: '3 replicas, strategy Recreate' });
      expect(resolveFloor(objectOf('apps/v1', 'Deployment', 'w', { spec: { strategy: { rollingUpdate: { maxUnavailable: 2, maxSurge: 0 } } } }), 3))
        .to.deep.equal({ replicas: 3, maxUnavailable: 2, floor: 1, why: '3 replicas - maxUnavailable 2 (2)' });
      expect(resolveFloor(objectOf('apps/v1', 'Deployment', 'w', { spec: { strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: '10%' } } } }), 3))
        .to.deep.equal({ replicas: 3, maxUnavailable: 0, floor: 3, why: '3 replicas - maxUnavailable 0 (0)' });
    });

    it('reads a StatefulSet\'s and a DaemonSet\'s updateStrategy: percentages rounded up, surge for DaemonSets only', () => {
      const rolling = (kind: string, rollingUpdate: Record<string, unknown>) => objectOf('apps/v1', kind, 'w', { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate } } });
      expect(resolveFloor(rolling('StatefulSet', { maxUnavailable: '30%' }), 4)).to.deep.equal({ replicas: 4, maxUnavailable: 2, floor: 2, why: '4 replicas - maxUnavailable 30% (2)' });
      expect(resolveFloor(rolling('StatefulSet', { maxUnavailable: 3 }), 2)).to.deep.equal({ replicas: 2, maxUnavailable: 2, floor: 0, why: '2 replicas - maxUnavailable 3 (2)' });
      // maxUnavailable 0 surges for a DaemonSet with maxSurge; a StatefulSet has no surge, so it takes 1.
      expect(resolveFloor(rolling('DaemonSet', { maxUnavailable: 0, maxSurge: '10%' }), 4)).to.deep.include({ maxUnavailable: 0, floor: 4 });
      expect(resolveFloor(rolling('StatefulSet', { maxUnavailable: 0, maxSurge: '10%' }), 4)).to.deep.include({ maxUnavailable: 1, floor: 3 });
      expect(resolveFloor(rolling('DaemonSet', { maxUnavailable: 0 }), 4)).to.deep.include({ maxUnavailable: 1, floor: 3 });
      expect(resolveFloor(rolling('DaemonSet', { maxUnavailable: 2, maxSurge: 0 }), 4)).to.deep.include({ maxUnavailable: 2, floor: 2 });
    });

    it('counts from the declared replicas, the live spec or 1, a DaemonSet from the nodes it targets', () => {
      const deployment = objectOf('apps/v1', 'Deployment', 'w', { spec: { replicas: 5 } });
      expect(floorOf(deployment, { min: 2 }, 8)).to.deep.equal({ floor: 2, why: 'min 2' });
      expect(floorOf(deployment, { percent: 50 }, 3)).to.deep.equal({ floor: 2, why: '50% of 3 replicas' });
      expect(floorOf(deployment, { percent: 50 }, undefined)).to.deep.equal({ floor: 3, why: '50% of 5 replicas' });
      expect(floorOf(objectOf('apps/v1', 'Deployment', 'w', {}), { percent: 100 }, undefined)).to.deep.equal({ floor: 1, why: '100% of 1 replicas' });
      const ds = objectOf('apps/v1', 'DaemonSet', 'w', { spec: { replicas: 9 }, status: { desiredNumberScheduled: 4 } });
      expect(floorOf(ds, { percent: 100 }, 7)).to.deep.equal({ floor: 4, why: '100% of 4 replicas' });
      expect(floorOf(objectOf('apps/v1', 'DaemonSet', 'w', {}), { percent: 100 }, 7)).to.deep.equal({ floor: 0, why: '100% of 0 replicas' });
    });

    it('availableAtLeast counts a DaemonSet\'s numberAvailable and a StatefulSet\'s readyReplicas when it has no availableReplicas', () => {
      const check = (kind: 'Deployment' | 'StatefulSet' | 'DaemonSet') => availableAtLeast({ kind, name: 'w', namespace: 'web', floor: { min: 2 } });
      expect(check('DaemonSet').evaluate(worldOf(workload('DaemonSet', { numberAvailable: 2, availableReplicas: 0 }))))
        .to.deep.equal({ holds: true, detail: 'availableAtLeast DaemonSet/w: 2 available, floor 2 (min 2)' });
      expect(check('DaemonSet').evaluate(worldOf(workload('DaemonSet', { availableReplicas: 2 }))).detail).to.equal('availableAtLeast DaemonSet/w: 0 available, floor 2 (min 2)');
      expect(check('StatefulSet').evaluate(worldOf(workload('StatefulSet', { readyReplicas: 2 }))).holds).to.equal(true);
      expect(check('Deployment').evaluate(worldOf(workload('Deployment', { readyReplicas: 2 }))).detail).to.equal('availableAtLeast Deployment/w: 0 available, floor 2 (min 2)');
    });

    it('does not hold, saying why, when the workload\'s floor cannot be resolved', () => {
      const bad = objectOf('apps/v1', 'Deployment', 'w', { spec: { replicas: 4, strategy: { rollingUpdate: { maxUnavailable: 'most' } } }, status: { availableReplicas: 4 } });
      expect(availableAtLeast({ kind: 'Deployment', name: 'w', namespace: 'web', floor: { derived: true } }).evaluate(worldOf(bad))).to.deep.equal({
        holds: false, detail: 'availableAtLeast Deployment/w: cannot resolve its floor: "most" is neither a whole number nor a percentage',
      });
    });
  });

  describe('RolloutTracker', () => {
    const deployment = (generation: number, status: Record<string, unknown>, matchLabels: unknown = { app: 'web' }) => objectOf('apps/v1', 'Deployment', 'web', {
      generation, spec: { replicas: 2, selector: { matchLabels } }, status: { observedGeneration: generation, ...status },
    });
    const pod = (name: string, hash: string | undefined, options: { ready?: boolean; deleting?: boolean; app?: string } = {}) => podObject({
      name, node: 'n1', ready: options.ready ?? true, deleting: options.deleting ?? false,
      labels: { app: options.app ?? 'web', ...(hash === undefined ? {} : { 'pod-template-hash': hash }) },
    });

    it('names the revision label of each kind', () => {
      expect(revisionLabel('Deployment')).to.equal('pod-template-hash');
      expect(revisionLabel('StatefulSet')).to.equal('controller-revision-hash');
      expect(revisionLabel('DaemonSet')).to.equal('controller-revision-hash');
    });

    it('knows a stall only by ProgressDeadlineExceeded on the generation asked or a later one', () => {
      const progressing = (reason: string, status = 'False', observedGeneration = 2) =>
        objectOf('apps/v1', 'Deployment', 'w', { status: { observedGeneration, conditions: [{ type: 'Progressing', status, reason }] } });
      expect(stalled(progressing('ProgressDeadlineExceeded'), 2)).to.equal(true);
      expect(stalled(progressing('ProgressDeadlineExceeded', 'False', 3), 2)).to.equal(true);
      expect(stalled(progressing('ProgressDeadlineExceeded', 'False', 1), 2)).to.equal(false);
      expect(stalled(progressing('ReplicaSetUpdated'), 2)).to.equal(false);
      expect(stalled(progressing('ProgressDeadlineExceeded', 'True'), 2)).to.equal(false);
      expect(stalled(objectOf('apps/v1', 'Deployment', 'w', { status: { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] } }), 1))
        .to.equal(false);
    });

    it('takes the old revisions from the running pods at the start, sorted, leaving out pods without one and terminating pods', () => {
      const world = worldOf(deployment(1, {}), pod('a', 'zeta'), pod('b', 'alpha'), pod('c', undefined), pod('d', 'gone', { deleting: true }), pod('e', 'other', { app: 'api' }));
      const tracker = new RolloutTracker('Deployment', 'web', 'web', 2);
      expect(tracker.figures().detail).to.equal('not looked at yet');
      tracker.begin(5, world);
      expect(tracker.figures()).to.deep.include({ startedAt: 5, oldRevision: 'alpha,zeta', newRevision: null });
    });

    it('finds no pods for a workload without matchLabels, and nothing at all for one it does not see', () => {
      for (const matchLabels of [{}, null, 'app=web']) {
        const world = worldOf(deployment(1, {}, matchLabels), pod('a', 'old'));
        const tracker = new RolloutTracker('Deployment', 'web', 'web', 2);
        tracker.begin(0, world);
        expect(tracker.figures().oldRevision, JSON.stringify(matchLabels)).to.equal(null);
      }
      const noSelector = new RolloutTracker('Deployment', 'web', 'web', 2);
      noSelector.begin(0, worldOf(objectOf('apps/v1', 'Deployment', 'web', { spec: {} }), pod('a', 'old')));
      expect(noSelector.figures().oldRevision).to.equal(null);
      const tracker = new RolloutTracker('Deployment', 'web', 'web', 2);
      tracker.begin(0, worldOf(pod('a', 'old')));
      tracker.observe(10, new World());
      expect(tracker.figures()).to.deep.include({ oldRevision: null, lowestAvailable: null, detail: 'Deployment/web not found' });
    });

    it('counts ready pods of the first new revision only, samples only changes, and keeps the lowest availability', () => {
      const world = worldOf(deployment(1, { availableReplicas: 2 }), pod('a', 'old'), pod('b', 'old'));
      const tracker = new RolloutTracker('Deployment', 'web', 'web', 2);
      tracker.begin(0, world);
      tracker.applied(10, 2);
      const apply = (at: number, object: KubernetesObject) => world.apply({ at, type: 'MODIFIED', object });
      tracker.observe(10, world);
      apply(20, pod('c', 'new', { ready: false }));
      tracker.observe(20, world);
      apply(30, pod('c', 'new'));
      apply(30, pod('x', 'newer'));
      apply(30, pod('y', undefined));
      apply(30, deployment(2, { availableReplicas: 1 }));
      tracker.observe(30, world);
      apply(35, pod('a', 'old', { ready: false }));
      tracker.observe(35, world);
      apply(36, pod('a', 'old', { ready: true }));
      apply(40, deployment(2, { availableReplicas: 3 }));
      tracker.observe(40, world);
      const figures = tracker.figures();
      expect(figures.samples).to.deep.equal([
        { at: 10, old: 2, new: 0 }, { at: 30, old: 2, new: 1 }, { at: 35, old: 1, new: 1 }, { at: 40, old: 2, new: 1 },
      ]);
      expect(figures).to.deep.include({ newRevision: 'new', lowestAvailable: 1 });
    });

    it('selects the pods by every label of matchLabels', () => {
      const world = worldOf(objectOf('apps/v1', 'Deployment', 'web', { spec: { selector: { matchLabels: { app: 'web', tier: 'front' } } } }),
        podObject({ name: 'a', node: 'n1', labels: { app: 'web', tier: 'front', 'pod-template-hash': 'old' } }),
        podObject({ name: 'b', node: 'n1', labels: { app: 'web', tier: 'back', 'pod-template-hash': 'other' } }));
      const tracker = new RolloutTracker('Deployment', 'web', 'web', 2);
      tracker.begin(0, world);
      expect(tracker.figures().oldRevision).to.equal('old');
    });

    it('counts no pod without a revision as new, and only the first new revision\'s pods', () => {
      const world = worldOf(deployment(1, {}), pod('a', 'old'));
      const tracker = new RolloutTracker('Deployment', 'web', 'web', 2);
      tracker.begin(0, world);
      world.apply({ at: 5, type: 'ADDED', object: pod('plain', undefined) });
      tracker.observe(5, world);
      expect(tracker.figures()).to.deep.include({ newRevision: null, samples: [{ at: 5, old: 1, new: 0 }] });
      for (const name of ['n1', 'x1', 'x2']) world.apply({ at: 6, type: 'ADDED', object: pod(name, name === 'n1' ? 'new' : 'newer') });
      tracker.observe(6, world);
      expect(tracker.figures()).to.deep.include({ newRevision: 'new', samples: [{ at: 5, old: 1, new: 0 }, { at: 6, old: 1, new: 1 }] });
    });

    it('keeps the moment it first saw the stall', () => {
      const stalledStatus = { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] };
      const tracker = new RolloutTracker('Deployment', 'web', 'web', 2);
      tracker.applied(0, 2);
      tracker.observe(10, worldOf(deployment(2, stalledStatus)));
      tracker.observe(20, worldOf(deployment(2, stalledStatus)));
      expect(tracker.figures().stalledAt).to.equal(10);
    });

    it('counts to the replicas it was built with, those applied with the new version, and the previous ones for a rollback', () => {
      const done = (replicas: number) => ({ replicas, updatedReplicas: replicas, availableReplicas: replicas });
      const built = new RolloutTracker('Deployment', 'web', 'web', 3);
      built.applied(0, 2);
      built.observe(10, worldOf(deployment(2, done(2))));
      built.observe(20, worldOf(deployment(2, done(3))));
      expect(built.figures().completedAt).to.equal(20);
      const keptByEmpty = new RolloutTracker('Deployment', 'web', 'web', 3);
      keptByEmpty.applied(0, 2, {});
      keptByEmpty.observe(10, worldOf(deployment(2, done(2))));
      expect(keptByEmpty.figures().completedAt).to.equal(null);
      const given = new RolloutTracker('Deployment', 'web', 'web', 3, 3);
      given.applied(0, 2, { replicas: 4 });
      given.observe(10, worldOf(deployment(2, done(3))));
      given.observe(20, worldOf(deployment(2, done(4))));
      expect(given.figures().completedAt).to.equal(20);
      given.rollingBack(30, 3);
      given.observe(40, worldOf(deployment(3, done(2))));
      given.observe(50, worldOf(deployment(3, done(3))));
      expect(given.figures().rolledBackAt).to.equal(50);
    });

    it('does not count a stall after the rollback was written, nor for another kind', () => {
      const stalledStatus = { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] };
      const world = worldOf(deployment(2, stalledStatus));
      const tracker = new RolloutTracker('Deployment', 'web', 'web', 2);
      tracker.applied(0, 2);
      tracker.rollingBack(5, 3);
      tracker.rollingBack(9, 4);
      tracker.observe(10, world);
      expect(tracker.figures()).to.deep.include({ stalledAt: null, rollbackAt: 5 });
      const sts = new RolloutTracker('StatefulSet', 'web', 'web', 2);
      sts.applied(0, 2);
      sts.observe(10, worldOf(objectOf('apps/v1', 'StatefulSet', 'web', { generation: 2, status: { observedGeneration: 2, ...stalledStatus } })));
      expect(sts.figures().stalledAt).to.equal(null);
    });

    it('counts a rollback done at the previous version\'s replicas, and the rollout done at the new version\'s', () => {
      const done = (replicas: number) => ({ replicas, updatedReplicas: replicas, availableReplicas: replicas });
      const rollback = new RolloutTracker('Deployment', 'web', 'web', 2);
      rollback.applied(0, 2, { replicas: 4, previousReplicas: 3 });
      rollback.rollingBack(10, 3);
      rollback.observe(20, worldOf(deployment(3, done(4))));
      expect(rollback.figures().rolledBackAt).to.equal(null);
      rollback.observe(30, worldOf(deployment(3, done(3))));
      expect(rollback.figures()).to.deep.include({ rolledBackAt: 30, completedAt: null });
      rollback.observe(40, worldOf(deployment(3, done(3))));
      expect(rollback.figures().rolledBackAt).to.equal(30);

      const forward = new RolloutTracker('Deployment', 'web', 'web', 2, 5);
      forward.applied(0, 2, {});
      forward.observe(20, worldOf(deployment(2, done(5))));
      expect(forward.figures().completedAt).to.equal(null);
      forward.observe(30, worldOf(deployment(2, done(2))));
      forward.observe(40, worldOf(deployment(2, done(2))));
      expect(forward.figures().completedAt).to.equal(30);
    });

    it('says where it stands with the Progressing condition, its reason when there is one', () => {
      const tracker = new RolloutTracker('Deployment', 'web', 'web', 2);
      tracker.applied(0, 1);
      tracker.observe(1, worldOf(deployment(1, { replicas: 2, updatedReplicas: 1, availableReplicas: 2 })));
      expect(tracker.figures().detail).to.equal('rolledOut Deployment/web: 1/2 updated, 2 available, 2 pods');
      tracker.observe(2, worldOf(deployment(1, { conditions: [{ type: 'Progressing', status: 'True' }] })));
      expect(tracker.figures().detail).to.equal('rolledOut Deployment/web: 0/2 updated, 0 available, 0 pods, Progressing True');
      tracker.observe(3, worldOf(deployment(1, { conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }] })));
      expect(tracker.figures().detail).to.equal('rolledOut Deployment/web: 0/2 updated, 0 available, 0 pods, Progressing True (NewReplicaSetAvailable)');
    });
  });
});

// When a workload counts as available in the steady state (harness/observe/conditions.ts): cases that surviving
// mutants showed untested (npm run test:mutation, QUALITY.md). A wrong answer here is a wrong verdict.
import { expect } from 'chai';
import { conditionFor, workloadAvailable } from '../../../harness/observe/conditions.js';
import { checkOf, objectOf, worldOf } from './support.js';

describe('observe: workloadAvailable verdicts', () => {
  for (const kind of ['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet'] as const) {
    it(`does not hold for a ${kind} whose controller has not reported on its generation yet`, () => {
      const status = kind === 'DaemonSet'
        ? { desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 }
        : { replicas: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 };
      const workload = objectOf('apps/v1', kind, 'web', { generation: 2, spec: { replicas: 2 }, status });
      const evaluation = workloadAvailable({ kind, name: 'web', namespace: 'web' }).evaluate(worldOf(workload));
      expect(evaluation).to.deep.include({
        holds: false, detail: `workloadAvailable ${kind}/web: its controller has not reported on generation 2 yet`,
      });
      const reported = objectOf('apps/v1', kind, 'web', { generation: 2, spec: { replicas: 2 }, status: { ...status, observedGeneration: 2 } });
      expect(workloadAvailable({ kind, name: 'web', namespace: 'web' }).evaluate(worldOf(reported)).holds).to.equal(true);
    });
  }

  it('takes readyReplicas for availableReplicas from a StatefulSet only', () => {
    const status = { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2 };
    const deployment = objectOf('apps/v1', 'Deployment', 'web', { generation: 1, spec: { replicas: 2 }, status });
    const evaluation = workloadAvailable({ kind: 'Deployment', name: 'web', namespace: 'web' }).evaluate(worldOf(deployment));
    expect(evaluation).to.deep.include({ holds: false, detail: 'workloadAvailable Deployment/web: 0/2 available, 2/2 updated' });
    const statefulSet = objectOf('apps/v1', 'StatefulSet', 'web', { generation: 1, spec: { replicas: 2 }, status });
    expect(workloadAvailable({ kind: 'StatefulSet', name: 'web', namespace: 'web' }).evaluate(worldOf(statefulSet)).holds).to.equal(true);
  });

  it('wants the replicas of the manifest that declares the workload, and the live spec when none does', () => {
    const live = objectOf('apps/v1', 'Deployment', 'web', {
      generation: 1, spec: { replicas: 2 }, status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 },
    });
    const check = checkOf({ workloadAvailable: { kind: 'Deployment', name: 'web' } });
    // Each differs from the workload in one thing: name, namespace, kind, API group.
    const others = [
      objectOf('apps/v1', 'Deployment', 'api', { spec: { replicas: 5 } }),
      objectOf('apps/v1', 'Deployment', 'web', { namespace: 'other', spec: { replicas: 3 } }),
      objectOf('apps/v1', 'StatefulSet', 'web', { spec: { replicas: 4 } }),
      objectOf('example.com/v1', 'Deployment', 'web', { spec: { replicas: 6 } }),
    ];
    expect(conditionFor(check, 'web', others).evaluate(worldOf(live)).holds).to.equal(true);
    expect(conditionFor(check, 'web').evaluate(worldOf(live)).holds).to.equal(true);
    const declared = objectOf('apps/v1', 'Deployment', 'web', { spec: { replicas: 3 } });
    expect(conditionFor(check, 'web', [...others, declared]).evaluate(worldOf(live))).to.deep.include({
      holds: false, detail: 'workloadAvailable Deployment/web: 2/3 available, 2/3 updated',
    });
  });
});

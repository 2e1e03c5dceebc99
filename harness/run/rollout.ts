import type { Condition } from '../observe/conditions.js';
import type { World } from '../observe/world.js';

interface WorkloadStatus {
  readonly metadata?: { readonly generation?: number };
  readonly spec?: { readonly replicas?: number };
  readonly status?: Readonly<Record<string, unknown>>;
}

const number = (value: unknown): number => (typeof value === 'number' ? value : 0);

/**
 * A workload of the desired state has finished rolling out: its controller saw the current spec and every pod runs
 * the current template, with no old pods left. Stricter than workloadAvailable (which holds mid-rollout, once as
 * many updated pods are available as desired), because a trial must not start while a rollout is still replacing
 * pods: that would be measured as if a fault had caused it.
 */
export function rolledOut(kind: string, name: string, namespace: string, declaredReplicas: number | undefined): Condition {
  const label = `rollout of ${kind}/${name}`;
  return {
    describe: () => label,
    evaluate: (world: World) => {
      const object: WorkloadStatus | undefined = world.get('apps/v1', kind, name, namespace);
      if (!object) return { holds: false, detail: `${label}: not seen yet` };
      const status = object.status ?? {};
      if (number(status.observedGeneration) < number(object.metadata?.generation)) return { holds: false, detail: `${label}: generation not observed yet` };
      if (kind === 'DaemonSet') {
        const desired = number(status.desiredNumberScheduled);
        const done = number(status.updatedNumberScheduled) === desired && number(status.numberAvailable) === desired
          && number(status.currentNumberScheduled) === desired;
        return { holds: done, detail: `${label}: ${number(status.updatedNumberScheduled)}/${desired} updated` };
      }
      const desired = declaredReplicas ?? object.spec?.replicas ?? 1;
      const total = number(status.replicas);
      const updated = kind === 'ReplicaSet' ? total : number(status.updatedReplicas);
      const ready = kind === 'StatefulSet' ? number(status.readyReplicas) : number(status.availableReplicas);
      const sameRevision = kind !== 'StatefulSet' || status.currentRevision === status.updateRevision;
      const done = total === desired && updated === desired && ready === desired && sameRevision;
      return { holds: done, detail: `${label}: ${updated}/${desired} updated, ${ready} ready, ${total} pods` };
    },
  };
}

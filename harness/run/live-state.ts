import { WORKLOAD_KINDS } from '../scenario/schema.js';
import { countsOf } from '../observe/conditions.js';
import { controllerOf, specReplicas, statusNumber } from '../observe/objects.js';
import type { LiveState, LiveWorkload } from './operator.js';
import type { Observer } from './observer.js';

/**
 * The workloads of a namespace with their ready replicas, top-level ones only: a ReplicaSet a Deployment owns is
 * the Deployment's business, and counting it twice would only confuse the room.
 */
function workloadsOf(observer: Observer, namespace: string): LiveWorkload[] {
  const workloads: LiveWorkload[] = [];
  for (const kind of WORKLOAD_KINDS) {
    for (const object of observer.world.list('apps/v1', kind, namespace)) {
      if (kind === 'ReplicaSet' && controllerOf(object) !== undefined) continue;
      const name = object.metadata?.name;
      if (name === undefined) continue;
      const ready = statusNumber(object, kind === 'DaemonSet' ? 'numberReady' : 'readyReplicas') ?? 0;
      const desired = kind === 'DaemonSet' ? statusNumber(object, 'desiredNumberScheduled') ?? 0 : specReplicas(object) ?? 1;
      workloads.push({ kind, name, ready, desired });
    }
  }
  return workloads;
}

/** The steady state as the live view of `run --interactive` shows it: each check, each workload, the counts. */
export function liveStateOf(observer: Observer, namespace: string): LiveState {
  const { evaluation } = observer.current();
  return {
    holds: evaluation.holds,
    checks: observer.checks().map((check) => ({ holds: check.holds, detail: check.detail })),
    workloads: workloadsOf(observer, namespace),
    ...countsOf(observer.world, namespace),
  };
}

/**
 * Rollout-aware steady-state checks, judged from the World alone: `rolledOut` (every replica on the current revision)
 * and `availableAtLeast` (available replicas never below a floor, by default the one the workload itself promises
 * through its maxUnavailable, resolved as Kubernetes resolves it). workloadAvailable breaks during any rollout (its
 * updated count is below desired until the last pod is replaced); these hold through a good one.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { AvailabilityFloor, RolloutKind } from '../scenario/schema.js';
import type { Condition } from './condition.js';
import { fieldOf, specReplicas, statusNumber } from './objects.js';
import type { World } from './world.js';

const number = (value: unknown): number => (typeof value === 'number' ? value : 0);

/**
 * A workload has finished rolling out: its controller saw the current spec and every pod runs the current template,
 * available, with no old pods left. Stricter than workloadAvailable (which holds mid-rollout, once as many updated
 * pods are available as desired), because a trial must not start while a rollout is still replacing pods: that
 * would be measured as if a fault had caused it. `minGeneration`: the spec must be at least at that generation (a
 * rollout just written, which the World may not have seen yet, is not finished).
 */
export function rolledOut(kind: string, name: string, namespace: string, declaredReplicas: number | undefined, minGeneration = 0): Condition {
  const label = `rolledOut ${kind}/${name}`;
  return {
    describe: () => label,
    evaluate: (world: World) => {
      const object = world.get('apps/v1', kind, name, namespace);
      if (!object) return { holds: false, detail: `${label}: not seen yet` };
      const generation = object.metadata?.generation ?? 0;
      if (generation < minGeneration) return { holds: false, detail: `${label}: the new version (generation ${minGeneration}) not seen yet` };
      const status = (fieldOf(object, 'status') ?? {}) as Record<string, unknown>;
      if (number(status.observedGeneration) < generation) return { holds: false, detail: `${label}: generation ${generation} not observed yet` };
      if (kind === 'DaemonSet') {
        const desired = number(status.desiredNumberScheduled);
        const done = number(status.updatedNumberScheduled) === desired && number(status.numberAvailable) === desired
          && number(status.currentNumberScheduled) === desired;
        return { holds: done, detail: `${label}: ${number(status.updatedNumberScheduled)}/${desired} updated, ${number(status.numberAvailable)} available` };
      }
      const desired = declaredReplicas ?? specReplicas(object) ?? 1;
      const total = number(status.replicas);
      const updated = kind === 'ReplicaSet' ? total : number(status.updatedReplicas);
      const ready = kind === 'StatefulSet' ? number(status.availableReplicas ?? status.readyReplicas) : number(status.availableReplicas);
      const sameRevision = kind !== 'StatefulSet' || status.currentRevision === status.updateRevision;
      const done = total === desired && updated === desired && ready === desired && sameRevision;
      return { holds: done, detail: `${label}: ${updated}/${desired} updated, ${ready} available, ${total} pods` };
    },
  };
}

/** An intOrString of a rolling update: a whole number, or "25%" of `total` rounded down or up. */
export function scaledValue(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const match = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
  if (typeof value === 'string' && match === null && /^\d+$/.test(value)) return Number(value);
  if (match === null) throw new Error(`${JSON.stringify(value)} is neither a whole number nor a percentage`);
  const scaled = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** An intOrString as written (25% or 1). */
function textOf(value: unknown): string {
  return typeof value === 'number' || typeof value === 'string' ? String(value) : JSON.stringify(value);
}

/** What the workload promises to keep available while it rolls out, and how that was resolved. */
export interface ResolvedFloor {
  readonly replicas: number;
  readonly maxUnavailable: number;
  readonly floor: number;
  /** e.g. "4 replicas - maxUnavailable 25% (1)" */
  readonly why: string;
}

/**
 * The floor a workload promises, as its controller resolves it. Deployment, RollingUpdate: maxUnavailable (default
 * 25%) of replicas rounded down, maxSurge (default 25%) rounded up, and when both come to 0 maxUnavailable is 1;
 * Recreate: 0 (every old pod goes first). StatefulSet and DaemonSet: rollingUpdate.maxUnavailable (default 1) of the
 * replicas (a DaemonSet's: the nodes it targets) rounded up, at least 1 unless a DaemonSet surges instead.
 */
export function resolveFloor(workload: KubernetesObject, replicas: number): ResolvedFloor {
  const spec = fieldOf(workload, 'spec');
  const kind = workload.kind;
  if (kind === 'Deployment') {
    const strategy = fieldOf(spec, 'strategy');
    if (fieldOf(strategy, 'type') === 'Recreate') return { replicas, maxUnavailable: replicas, floor: 0, why: `${replicas} replicas, strategy Recreate` };
    const rolling = fieldOf(strategy, 'rollingUpdate');
    const rawUnavailable = fieldOf(rolling, 'maxUnavailable') ?? '25%';
    const surge = scaledValue(fieldOf(rolling, 'maxSurge') ?? '25%', replicas, true);
    let unavailable = scaledValue(rawUnavailable, replicas, false);
    if (surge === 0 && unavailable === 0) unavailable = 1;
    unavailable = Math.min(unavailable, replicas);
    return { replicas, maxUnavailable: unavailable, floor: replicas - unavailable, why: `${replicas} replicas - maxUnavailable ${textOf(rawUnavailable)} (${unavailable})` };
  }
  const strategy = fieldOf(spec, 'updateStrategy');
  const rolling = fieldOf(strategy, 'rollingUpdate');
  const rawUnavailable = fieldOf(rolling, 'maxUnavailable') ?? 1;
  const surge = kind === 'DaemonSet' ? scaledValue(fieldOf(rolling, 'maxSurge') ?? 0, replicas, true) : 0;
  let unavailable = scaledValue(rawUnavailable, replicas, true);
  if (unavailable === 0 && surge === 0) unavailable = 1;
  unavailable = Math.min(unavailable, replicas);
  return { replicas, maxUnavailable: unavailable, floor: replicas - unavailable, why: `${replicas} replicas - maxUnavailable ${textOf(rawUnavailable)} (${unavailable})` };
}

/** Available replicas as the workload's controller reports them (a DaemonSet's numberAvailable). */
export function availableOf(workload: KubernetesObject): number {
  if (workload.kind === 'DaemonSet') return statusNumber(workload, 'numberAvailable') ?? 0;
  return statusNumber(workload, 'availableReplicas') ?? (workload.kind === 'StatefulSet' ? statusNumber(workload, 'readyReplicas') : undefined) ?? 0;
}

/** The replicas a floor is counted from: those declared, else the live spec's (a DaemonSet's: the nodes it targets). */
export function replicasOf(workload: KubernetesObject, declared: number | undefined): number {
  if (workload.kind === 'DaemonSet') return statusNumber(workload, 'desiredNumberScheduled') ?? 0;
  return declared ?? specReplicas(workload) ?? 1;
}

/** The floor of availableAtLeast for a workload as it is now. */
export function floorOf(workload: KubernetesObject, floor: AvailabilityFloor, declared: number | undefined): { floor: number; why: string } {
  const replicas = replicasOf(workload, declared);
  if ('min' in floor) return { floor: floor.min, why: `min ${floor.min}` };
  if ('percent' in floor) return { floor: Math.ceil((replicas * floor.percent) / 100), why: `${floor.percent}% of ${replicas} replicas` };
  const resolved = resolveFloor(workload, replicas);
  return { floor: resolved.floor, why: resolved.why };
}

/** The parameters of availableAtLeast, with the replicas the desired state declares (undefined: the live spec's). */
export interface AvailableAtLeastSpec {
  readonly kind: RolloutKind;
  readonly name: string;
  readonly namespace: string;
  readonly floor: AvailabilityFloor;
  readonly replicas?: number;
}

/**
 * The workload's available replicas (status.availableReplicas; a DaemonSet's numberAvailable) are at least the
 * floor. Counted by the workload's controller, old and new revisions together: what serves, whichever version.
 */
export function availableAtLeast(spec: AvailableAtLeastSpec): Condition {
  const label = `availableAtLeast ${spec.kind}/${spec.name}`;
  return {
    describe: () => label,
    evaluate: (world) => {
      const workload = world.workload(spec.kind, spec.name, spec.namespace);
      if (workload === undefined) return { holds: false, detail: `${label}: not found in ${spec.namespace}` };
      let floor: { floor: number; why: string };
      try {
        floor = floorOf(workload, spec.floor, spec.replicas);
      } catch (error) {
        return { holds: false, detail: `${label}: cannot resolve its floor: ${error instanceof Error ? error.message : String(error)}` };
      }
      const available = availableOf(workload);
      return { holds: available >= floor.floor, detail: `${label}: ${available} available, floor ${floor.floor} (${floor.why})` };
    },
  };
}

import { monotonicNow } from '../util/clock.js';
import type { PodTargets } from '../scenario/schema.js';
import { podTarget, runningPods } from './candidates.js';
import { settledFault, type FaultContext, type FaultHandler, type FaultPlan } from './fault.js';
import { chooseTargets } from './select.js';

async function planPods(context: FaultContext, kind: string, params: PodTargets): Promise<FaultPlan> {
  const pods = await runningPods(context, params.selector, params.namespace);
  const chosen = chooseTargets(pods, params, context.random, `${kind} ${params.selector}`);
  const targets = chosen.map(podTarget);
  return { targets, summary: `${kind === 'podKill' ? 'kill' : 'delete'} ${targets.map((t) => `pod ${t.name}${t.node ? ` (${t.node})` : ''}`).join(', ')}` };
}

/** Deletes the chosen pods; `gracePeriodSeconds` 0 for podKill, the pods' own grace for podDelete. */
async function deletePods(context: FaultContext, plan: FaultPlan, gracePeriodSeconds: number | undefined): Promise<number> {
  let first = Number.POSITIVE_INFINITY;
  await Promise.all(plan.targets.map(async (target) => {
    await context.kube.core.deleteNamespacedPod({
      name: target.name,
      namespace: target.namespace ?? context.namespace,
      ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
      // Only the pod that was chosen: a replacement with the same name (a StatefulSet's) must not be hit.
      ...(target.uid ? { body: { preconditions: { uid: target.uid } } } : {}),
    });
    const at = monotonicNow();
    first = Math.min(first, at);
    context.acknowledged(at);
  }));
  return first;
}

/**
 * podKill: a forced API delete with grace period 0, as other chaos tools' pod-kill. Where pods run real containers
 * (kind) their processes get SIGKILL right after: a real kubelet stops a force-deleted pod's containers with the
 * pod's own grace period (measured: 60 s for a pod that ignores SIGTERM), which is a podDelete, not a kill.
 * Nothing to revert.
 */
export const podKill: FaultHandler<'podKill'> = {
  kind: 'podKill',
  plan: (context, params) => planPods(context, 'podKill', params),
  inject: async (context, _params, plan) => {
    const ackAt = await deletePods(context, plan, 0);
    const containers = context.cluster.containerControl;
    if (containers) {
      await Promise.all(plan.targets.map(async (target) => {
        if (!target.node || !target.uid) return;
        const killed = await containers.killPodContainers(target.node, target.uid);
        context.log.debug({ pod: target.name, node: target.node, killed }, 'podKill: containers killed');
      }));
    }
    return settledFault(plan, ackAt);
  },
};

/** podDelete: a delete with the pods' own grace period, as a person or an eviction would. Nothing to revert. */
export const podDelete: FaultHandler<'podDelete'> = {
  kind: 'podDelete',
  plan: (context, params) => planPods(context, 'podDelete', params),
  inject: async (context, _params, plan) => settledFault(plan, await deletePods(context, plan, undefined)),
};

import { sleep } from '../util/sleep.js';
import type { PodTargets } from '../scenario/schema.js';
import { podTarget, runningPods } from './candidates.js';
import { settledFault, type FaultContext, type FaultHandler, type FaultPlan, type PlanContext } from './fault.js';
import { chooseTargets } from './select.js';
import { summarizeTargets } from '../util/names.js';

async function planPods(context: PlanContext, kind: string, params: PodTargets): Promise<FaultPlan> {
  const pods = await runningPods(context, params.selector, params.namespace);
  const chosen = chooseTargets(pods, params, context.random, `${kind} ${params.selector}`);
  const targets = chosen.map(podTarget);
  return { targets, summary: `${kind === 'podKill' ? 'kill' : 'delete'} ${summarizeTargets('pods', targets.map((t) => `pod ${t.name}${t.node ? ` (${t.node})` : ''}`))}` };
}

/** Deletes the chosen pods; `gracePeriodSeconds` 0 for podKill, the pods' own grace for podDelete. */
async function deletePods(context: FaultContext, plan: FaultPlan, gracePeriodSeconds: number | undefined): Promise<number> {
  let first = Number.POSITIVE_INFINITY;
  await Promise.all(plan.targets.map(async (target) => {
    // DeleteOptions travel in the body: with a body, the API server reads them from there alone and ignores
    // the query's gracePeriodSeconds.
    await context.kube.core.deleteNamespacedPod({
      name: target.name,
      namespace: target.namespace ?? context.namespace,
      body: {
        ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
        // Only the pod that was chosen: a replacement with the same name (a StatefulSet's) must not be hit.
        ...(target.uid ? { preconditions: { uid: target.uid } } : {}),
      },
    });
    const at = context.clock.now();
    first = Math.min(first, at);
    context.acknowledged(at);
  }));
  return first;
}

/** How long podKill keeps killing containers the kubelet restarts before it has seen the delete. */
const SWEEP_MS = 10_000;
const SWEEP_EVERY_MS = 200;

/**
 * podKill: a forced API delete with grace period 0, as other chaos tools' pod-kill. Where pods run real containers
 * (kind) their processes get SIGKILL too: a real kubelet stops a force-deleted pod's containers with the pod's own
 * grace period (measured: 60 s for a pod that ignores SIGTERM), which is a podDelete, not a kill. A kubelet that
 * has not processed the delete yet restarts a killed container within half a second (seen here), and would then stop
 * that one gracefully; so the kill is repeated until two sweeps in a row find nothing running (at most 10 s). The
 * sweep is the fault's own work (`done`); it never delays the injection. Nothing to revert.
 */
export const podKill: FaultHandler<'podKill'> = {
  kind: 'podKill',
  plan: (context, params) => planPods(context, 'podKill', params),
  inject: async (context, _params, plan) => {
    const ackAt = await deletePods(context, plan, 0);
    const containers = context.cluster.containerControl;
    if (!containers) return settledFault(plan, ackAt);
    const sweep = async (): Promise<undefined> => {
      const deadline = context.clock.now() + SWEEP_MS;
      let quiet = 0;
      while (quiet < 2 && context.clock.now() < deadline) {
        let killed = 0;
        for (const target of plan.targets) {
          if (target.node && target.uid) killed += await containers.killPodContainers(target.node, target.uid);
        }
        if (killed > 0) context.log.debug({ killed }, 'podKill: containers killed');
        quiet = killed === 0 ? quiet + 1 : 0;
        await sleep(SWEEP_EVERY_MS, context.clock);
      }
      return undefined;
    };
    const done = sweep().catch((error: unknown) => {
      context.log.warn({ error: error instanceof Error ? error.message : String(error) }, 'podKill: could not kill the containers');
      return undefined;
    });
    return { plan, ackAt, done, revert: async () => undefined };
  },
};

/** podDelete: a delete with the pods' own grace period, as a person or an eviction would. Nothing to revert. */
export const podDelete: FaultHandler<'podDelete'> = {
  kind: 'podDelete',
  plan: (context, params) => planPods(context, 'podDelete', params),
  inject: async (context, _params, plan) => settledFault(plan, await deletePods(context, plan, undefined)),
};

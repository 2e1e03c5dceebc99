import type * as k8s from '@kubernetes/client-node';
import { statusOf } from '../cluster/kube.js';
import { sleep } from '../util/sleep.js';
import type { FaultContext, FaultHandler } from './fault.js';
import { planNodeSpec, withUncordon } from './node-cordon.js';
import { setUnschedulable } from './node-spec.js';

/** How often an eviction refused by a PodDisruptionBudget (429) is tried again. */
const EVICTION_RETRY_MS = 500;

/** Pods a drain evicts: those of the namespaces faults may touch, except DaemonSet and mirror pods. */
function evictable(pod: k8s.V1Pod, namespaces: readonly string[]): boolean {
  if (!namespaces.includes(pod.metadata?.namespace ?? '')) return false;
  if (pod.metadata?.deletionTimestamp !== undefined) return false;
  if (pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return false;
  if (pod.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet' && o.controller)) return false;
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

/** The budget named in a 429 eviction refusal ("The disruption budget web needs 2 healthy pods..."). */
function refusal(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  try {
    const status = JSON.parse(text) as { message?: string; details?: { causes?: { message?: string }[] } };
    const cause = status.details?.causes?.find((c) => c.message)?.message;
    return cause ?? status.message ?? text;
  } catch {
    return text;
  }
}

/** Evicts one pod: undefined once it is gone, else the budget's refusal (a 429), to try again. */
async function evict(context: FaultContext, pod: k8s.V1Pod): Promise<string | undefined> {
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? context.namespace;
  try {
    await context.kube.core.createNamespacedPodEviction({
      name, namespace,
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } },
    });
    context.acknowledged(context.clock.now());
    return undefined;
  } catch (error) {
    const status = statusOf(error);
    if (status === 404) return undefined;
    if (status === 429) return refusal(error);
    throw error;
  }
}

/**
 * nodeDrain: cordon, then evict the pods of the scenario's namespaces through the Eviction API, so
 * PodDisruptionBudgets are honoured. Refused evictions are retried until the deadline (injection +
 * recoveryWithin); a budget that still blocks then is a FAIL that names it. Reverted by uncordoning.
 */
export const nodeDrain: FaultHandler<'nodeDrain'> = {
  kind: 'nodeDrain',
  plan: async (context, params) => withUncordon(await planNodeSpec(context, 'nodeDrain', 'drain', params)),
  inject: async (context, _params, plan) => {
    const namespaces = [context.namespace, ...context.allowNamespaces];
    const cordoned: string[] = [];
    for (const target of plan.targets) {
      if (!(await setUnschedulable(context.kube, target.name, true))) cordoned.push(target.name);
    }
    const ackAt = context.clock.now();
    context.acknowledged(ackAt);
    const drain = async (): Promise<string | undefined> => {
      for (const target of plan.targets) {
        const pods = (await context.kube.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${target.name}` })).items
          .filter((pod) => evictable(pod, namespaces));
        for (const pod of pods) {
          for (;;) {
            const outcome = await evict(context, pod);
            if (outcome === undefined) break;
            if (context.clock.now() >= context.deadline) {
              return `drain of node ${target.name} blocked: eviction of pod ${pod.metadata?.name} refused until the deadline (${outcome})`;
            }
            context.log.info({ pod: pod.metadata?.name, refusal: outcome }, 'eviction refused; retrying');
            await sleep(EVICTION_RETRY_MS, context.clock);
          }
        }
      }
      return undefined;
    };
    return {
      plan,
      ackAt,
      done: drain(),
      steps: cordoned.map((node) => ({ op: 'uncordon', node })),
      revert: async () => {
        while (cordoned.length > 0) await setUnschedulable(context.kube, cordoned.pop() as string, false);
      },
    };
  },
};

import type * as k8s from '@kubernetes/client-node';
import { statusOf } from '../cluster/kube.js';
import { allowedNamespace } from './candidates.js';
import { FaultError } from './errors.js';
import { settledFault, type FaultHandler, type Target } from './fault.js';
import { chooseTargets } from './select.js';
import { summarizeTargets } from '../util/names.js';

/** deleteObject: deletes any object, by name or by selector; an operator must recreate what it owns. */
export const deleteObject: FaultHandler<'deleteObject'> = {
  kind: 'deleteObject',
  plan: async (context, params) => {
    const namespace = allowedNamespace(context, params.namespace);
    let chosen: k8s.KubernetesObject[];
    if (params.name !== undefined) {
      try {
        chosen = [await context.kube.objects.read({ apiVersion: params.apiVersion, kind: params.kind, metadata: { name: params.name, namespace } })];
      } catch (error) {
        if (statusOf(error) === 404) throw new FaultError(`no ${params.kind} ${params.name} in ${namespace} to delete`);
        throw error;
      }
    } else {
      const list = await context.kube.objects.list(
        params.apiVersion,
        params.kind,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        params.selector,
      );
      const live = list.items.filter((item) => item.metadata?.deletionTimestamp === undefined);
      chosen = chooseTargets(live, params, context.random, `deleteObject ${params.kind} ${params.selector}`);
    }
    const targets: Target[] = chosen.map((object) => ({
      kind: params.kind,
      name: object.metadata?.name ?? '',
      namespace,
      ...(object.metadata?.uid ? { uid: object.metadata.uid } : {}),
    }));
    return { targets, summary: `delete ${summarizeTargets('objects', targets.map((t) => `${t.kind} ${t.name}`))}` };
  },
  inject: async (context, params, plan) => {
    let ackAt = Number.POSITIVE_INFINITY;
    for (const target of plan.targets) {
      await context.kube.objects.delete(
        { apiVersion: params.apiVersion, kind: params.kind, metadata: { name: target.name, namespace: target.namespace } },
        // In the body, where the API server reads DeleteOptions (it ignores the query's when there is a body).
        undefined, undefined, undefined, undefined, undefined,
        { propagationPolicy: params.propagationPolicy, ...(target.uid ? { preconditions: { uid: target.uid } } : {}) },
      );
      const at = context.clock.now();
      ackAt = Math.min(ackAt, at);
      context.acknowledged(at);
    }
    return settledFault(plan, ackAt);
  },
};

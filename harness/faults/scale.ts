import { setHeaderOptions } from '@kubernetes/client-node';
import { allowedNamespace } from './candidates.js';
import type { KubeClients } from '../cluster/kube.js';
import type { FaultHandler, PlanContext } from './fault.js';
import type { WorkloadKind } from '../scenario/schema.js';
import { FaultError } from './errors.js';

const MERGE_PATCH = setHeaderOptions('Content-Type', 'application/merge-patch+json');

async function readReplicas(context: PlanContext, kind: WorkloadKind, name: string, namespace: string): Promise<{ replicas: number; uid?: string }> {
  const apps = context.kube.apps;
  const object = kind === 'Deployment' ? await apps.readNamespacedDeployment({ name, namespace })
    : kind === 'StatefulSet' ? await apps.readNamespacedStatefulSet({ name, namespace })
    : kind === 'ReplicaSet' ? await apps.readNamespacedReplicaSet({ name, namespace })
    : undefined;
  if (!object) throw new FaultError(`scale cannot act on a ${kind}: it has no replica count`);
  return { replicas: object.spec?.replicas ?? 1, ...(object.metadata?.uid ? { uid: object.metadata.uid } : {}) };
}

/** Sets a workload's replicas through its scale subresource, as `kubectl scale` does. */
export async function writeReplicas(kube: KubeClients, kind: WorkloadKind, name: string, namespace: string, replicas: number): Promise<void> {
  const body = { spec: { replicas } };
  const apps = kube.apps;
  if (kind === 'Deployment') await apps.patchNamespacedDeploymentScale({ name, namespace, body }, MERGE_PATCH);
  else if (kind === 'StatefulSet') await apps.patchNamespacedStatefulSetScale({ name, namespace, body }, MERGE_PATCH);
  else await apps.patchNamespacedReplicaSetScale({ name, namespace, body }, MERGE_PATCH);
}

/**
 * scale: sets a workload's replicas, as a controller or a person would. The harness does not undo it during the
 * trial (it never helps recovery); revert, between trials and at cleanup, restores the count it found.
 */
export const scale: FaultHandler<'scale'> = {
  kind: 'scale',
  plan: async (context, params) => {
    const namespace = allowedNamespace(context, params.namespace);
    const { replicas, uid } = await readReplicas(context, params.kind, params.name, namespace);
    return {
      targets: [{ kind: params.kind, name: params.name, namespace, ...(uid ? { uid } : {}) }],
      summary: `scale ${params.kind} ${params.name} from ${replicas} to ${params.replicas} replicas`,
      revertSteps: [{ op: 'scale', kind: params.kind, name: params.name, namespace, replicas }],
    };
  },
  inject: async (context, params, plan) => {
    const namespace = allowedNamespace(context, params.namespace);
    const { replicas: before } = await readReplicas(context, params.kind, params.name, namespace);
    await writeReplicas(context.kube, params.kind, params.name, namespace, params.replicas);
    const ackAt = context.clock.now();
    context.acknowledged(ackAt);
    let reverted = false;
    return {
      plan, ackAt, done: Promise.resolve(undefined),
      steps: [{ op: 'scale', kind: params.kind, name: params.name, namespace, replicas: before }],
      revert: async () => {
        if (reverted) return;
        reverted = true;
        await writeReplicas(context.kube, params.kind, params.name, namespace, before);
      },
    };
  },
};

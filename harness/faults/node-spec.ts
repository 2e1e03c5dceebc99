import type * as k8s from '@kubernetes/client-node';
import { setHeaderOptions } from '@kubernetes/client-node';
import type { KubeClients } from '../cluster/kube.js';

const MERGE_PATCH = setHeaderOptions('Content-Type', 'application/merge-patch+json');

/** Marks a node (un)schedulable; returns whether it was unschedulable before, to restore exactly that. */
export async function setUnschedulable(kube: KubeClients, node: string, unschedulable: boolean): Promise<boolean> {
  const before = await kube.core.readNode({ name: node });
  await kube.core.patchNode({ name: node, body: { spec: { unschedulable } } }, MERGE_PATCH);
  return before.spec?.unschedulable === true;
}

/** The node's taints with one added (or replaced, when key and effect match). */
export async function addTaint(kube: KubeClients, node: string, taint: k8s.V1Taint): Promise<void> {
  const current = (await kube.core.readNode({ name: node })).spec?.taints ?? [];
  const taints = [...current.filter((t) => !(t.key === taint.key && t.effect === taint.effect)), taint];
  await kube.core.patchNode({ name: node, body: { spec: { taints } } }, MERGE_PATCH);
}

/** Removes the taint with that key and effect, leaving others (the control plane's own) alone. */
export async function removeTaint(kube: KubeClients, node: string, key: string, effect: string): Promise<void> {
  const current = (await kube.core.readNode({ name: node })).spec?.taints ?? [];
  const taints = current.filter((t) => !(t.key === key && t.effect === effect));
  await kube.core.patchNode({ name: node, body: { spec: { taints } } }, MERGE_PATCH);
}

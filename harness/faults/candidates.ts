import type * as k8s from '@kubernetes/client-node';
import { isNodeReady } from '../cluster/kube.js';
import type { NodeTargets } from '../scenario/schema.js';
import { FaultError } from './errors.js';
import type { PlanContext, Target } from './fault.js';

/**
 * The namespace a fault may act in: the scenario's, or one of spec.allowNamespaces; kube-system never, whatever
 * the scenario says.
 */
export function allowedNamespace(context: PlanContext, namespace: string | undefined): string {
  const wanted = namespace ?? context.namespace;
  if (wanted === 'kube-system') throw new FaultError('faults never touch kube-system');
  if (wanted !== context.namespace && !context.allowNamespaces.includes(wanted)) {
    throw new FaultError(`namespace ${wanted} is not the scenario's (${context.namespace}); add it to spec.allowNamespaces to let faults touch it`);
  }
  return wanted;
}

/** Running pods that are not terminating, matching a label selector: the candidates of a pod fault. */
export async function runningPods(context: PlanContext, selector: string, namespace: string | undefined): Promise<k8s.V1Pod[]> {
  const ns = allowedNamespace(context, namespace);
  const list = await context.kube.core.listNamespacedPod({ namespace: ns, labelSelector: selector });
  return list.items.filter((pod) => pod.status?.phase === 'Running' && pod.metadata?.deletionTimestamp === undefined);
}

/** A pod as a fault target. */
export function podTarget(pod: k8s.V1Pod): Target {
  return {
    kind: 'Pod',
    name: pod.metadata?.name ?? '',
    ...(pod.metadata?.namespace ? { namespace: pod.metadata.namespace } : {}),
    ...(pod.metadata?.uid ? { uid: pod.metadata.uid } : {}),
    ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
  };
}

/** A node as a fault target. */
export function nodeTarget(node: k8s.V1Node): Target {
  return { kind: 'Node', name: node.metadata?.name ?? '', ...(node.metadata?.uid ? { uid: node.metadata.uid } : {}) };
}

/** The label kubeadm puts on control-plane nodes (kind's among them). */
const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';

/**
 * A control-plane node is a candidate only when the scenario names it: its selector mentions the control-plane
 * role or the node's own name. Stopping the control plane by accident would take the measurement down with it.
 */
function namedBySelector(node: k8s.V1Node, selector: string | undefined): boolean {
  if (!selector) return false;
  return selector.includes(CONTROL_PLANE_LABEL) || (node.metadata?.name !== undefined && selector.includes(node.metadata.name));
}

/**
 * Ready nodes matching a node fault's `selector` (node labels) and/or `nodesOf` (nodes hosting running pods that
 * match that pod selector): the candidates of a node fault. Control-plane nodes only when the selector names them.
 */
export async function readyNodes(context: PlanContext, targets: NodeTargets): Promise<k8s.V1Node[]> {
  const list = await context.kube.core.listNode(targets.selector ? { labelSelector: targets.selector } : {});
  let nodes = list.items.filter(isNodeReady)
    .filter((node) => node.metadata?.labels?.[CONTROL_PLANE_LABEL] === undefined || namedBySelector(node, targets.selector));
  if (targets.nodesOf !== undefined) {
    const pods = await runningPods(context, targets.nodesOf, targets.namespace);
    const hosting = new Set(pods.map((pod) => pod.spec?.nodeName).filter((name): name is string => name !== undefined));
    nodes = nodes.filter((node) => hosting.has(node.metadata?.name ?? ''));
  }
  return nodes;
}

/** Describes a selection for error messages. */
export function describeNodeTargets(kind: string, targets: NodeTargets): string {
  const parts = [targets.selector ? `nodes ${targets.selector}` : 'any node', targets.nodesOf ? `hosting pods ${targets.nodesOf}` : ''];
  return `${kind} (${parts.filter(Boolean).join(', ')})`;
}

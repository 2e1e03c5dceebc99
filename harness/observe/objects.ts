/**
 * Small readers of Kubernetes objects as watches deliver them: plain JSON whose every field may be missing. Type
 * guards narrow a KubernetesObject by its apiVersion group and kind, never by assertion.
 */
import type {
  KubernetesObject,
  V1EndpointSlice,
  V1Node,
  V1OwnerReference,
  V1Pod,
  V1Service,
} from '@kubernetes/client-node';

/** The API group of an apiVersion: `apps` for apps/v1, '' for the core v1. */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** What identifies an object across the versions it is served at: group, kind, namespace ('' if cluster-scoped), name. */
export function identityOf(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  return `${groupOf(apiVersion)}/${kind}/${namespace ?? ''}/${name}`;
}

/** A KubernetesObject with the fields the index needs; watches always deliver them, hand-made objects may not. */
export interface IdentifiedObject extends KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: KubernetesObject['metadata'] & { readonly name: string };
}

/** True when the object has apiVersion, kind and metadata.name. */
export function isIdentified(object: KubernetesObject): object is IdentifiedObject {
  return typeof object.apiVersion === 'string'
    && typeof object.kind === 'string'
    && typeof object.metadata?.name === 'string';
}

function isKind(object: KubernetesObject, group: string, kind: string): boolean {
  return object.kind === kind && typeof object.apiVersion === 'string' && groupOf(object.apiVersion) === group;
}

/** A core v1 Pod. */
export function isPod(object: KubernetesObject): object is V1Pod {
  return isKind(object, '', 'Pod');
}

/** A core v1 Node. */
export function isNode(object: KubernetesObject): object is V1Node {
  return isKind(object, '', 'Node');
}

/** A core v1 Service. */
export function isService(object: KubernetesObject): object is V1Service {
  return isKind(object, '', 'Service');
}

/** A discovery.k8s.io EndpointSlice. */
export function isEndpointSlice(object: KubernetesObject): object is V1EndpointSlice {
  return isKind(object, 'discovery.k8s.io', 'EndpointSlice');
}

/** A status condition as every kind writes it (pods, nodes, workloads and most custom resources). */
export interface StatusCondition {
  readonly type: string;
  readonly status: string;
  readonly observedGeneration?: number;
  readonly reason?: string;
  readonly message?: string;
}

/** A field of a JSON value, or undefined when the value is not an object: for the fields client-node's types lack. */
export function fieldOf(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function isStatusCondition(value: unknown): value is StatusCondition {
  return typeof fieldOf(value, 'type') === 'string' && typeof fieldOf(value, 'status') === 'string';
}

/** The object's status.conditions, whatever its kind; entries without type and status are skipped. */
export function conditionsOf(object: KubernetesObject): StatusCondition[] {
  const conditions = fieldOf(fieldOf(object, 'status'), 'conditions');
  return Array.isArray(conditions) ? conditions.filter(isStatusCondition) : [];
}

/** The condition of that type, if the object reports one. */
export function conditionOf(object: KubernetesObject, type: string): StatusCondition | undefined {
  return conditionsOf(object).find((condition) => condition.type === type);
}

/** A numeric field of status (observedGeneration, readyReplicas, ...); undefined when absent (the API omits zeros). */
export function statusNumber(object: KubernetesObject, field: string): number | undefined {
  const value = fieldOf(fieldOf(object, 'status'), field);
  return typeof value === 'number' ? value : undefined;
}

/** spec.replicas of a workload, undefined when it is not set. */
export function specReplicas(object: KubernetesObject): number | undefined {
  const replicas = fieldOf(fieldOf(object, 'spec'), 'replicas');
  return typeof replicas === 'number' ? replicas : undefined;
}

/** The owner reference with controller: true, the one that recreates the object. */
export function controllerOf(object: KubernetesObject): V1OwnerReference | undefined {
  return object.metadata?.ownerReferences?.find((reference) => reference.controller === true);
}

/** True once the API server has accepted a delete of the object (it may linger for its grace period). */
export function isTerminating(object: KubernetesObject): boolean {
  const timestamp: unknown = object.metadata?.deletionTimestamp;
  return timestamp !== undefined && timestamp !== null;
}

/** Pod phase Running and condition Ready True, judged only from the pod's own status. */
export function podStatusReady(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && conditionOf(pod, 'Ready')?.status === 'True';
}

/** True once the pod has a node: spec.nodeName set or PodScheduled True. */
export function podScheduled(pod: V1Pod): boolean {
  return (pod.spec?.nodeName ?? '') !== '' || conditionOf(pod, 'PodScheduled')?.status === 'True';
}

/**
 * The node a pod runs on or is meant for: spec.nodeName, else the node a DaemonSet pinned it to through node
 * affinity on metadata.name (DaemonSet pods are created unscheduled, with that affinity).
 */
export function intendedNodeOf(pod: V1Pod): string | undefined {
  const nodeName = pod.spec?.nodeName;
  if (nodeName !== undefined && nodeName !== '') return nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const field of term.matchFields ?? []) {
      const [value] = field.values ?? [];
      if (field.key === 'metadata.name' && field.operator === 'In' && value !== undefined) return value;
    }
  }
  return undefined;
}

/** Node condition Ready True. */
export function nodeStatusReady(node: V1Node): boolean {
  return conditionOf(node, 'Ready')?.status === 'True';
}

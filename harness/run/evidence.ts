import type * as k8s from '@kubernetes/client-node';
import { isEndpointSlice, isPod } from '../observe/objects.js';
import type { World } from '../observe/world.js';
import type { EventRecord, ObjectSnapshot } from '../report/result.js';
import { isoOf } from '../util/clock.js';

type Loose = Record<string, unknown> & { metadata?: k8s.V1ObjectMeta; status?: Record<string, unknown>; spec?: Record<string, unknown> };

function conditionsOf(object: Loose): Record<string, string> {
  const found: Record<string, string> = {};
  const conditions = object.status?.conditions;
  if (Array.isArray(conditions)) {
    for (const c of conditions as { type?: string; status?: string }[]) if (c.type && c.status) found[c.type] = c.status;
  }
  return found;
}

/** The few fields of an object that explain health, so a FAIL can be understood without a rerun. */
function summarize(whole: k8s.KubernetesObject): Record<string, unknown> {
  const object = whole as Loose;
  const status = object.status ?? {};
  switch (whole.kind) {
    case 'Pod': {
      if (!isPod(whole)) break;
      const pod = whole;
      return {
        phase: pod.status?.phase ?? null,
        node: pod.spec?.nodeName ?? null,
        podIP: pod.status?.podIP ?? null,
        deleting: pod.metadata?.deletionTimestamp !== undefined,
        conditions: conditionsOf(object),
      };
    }
    case 'Node':
      return { conditions: conditionsOf(object), unschedulable: object.spec?.unschedulable === true, taints: object.spec?.taints ?? [] };
    case 'EndpointSlice': {
      if (!isEndpointSlice(whole)) break;
      const slice = whole;
      return {
        service: slice.metadata?.labels?.['kubernetes.io/service-name'] ?? null,
        endpoints: (slice.endpoints ?? []).map((e) => ({
          address: e.addresses[0],
          ready: e.conditions?.ready ?? true,
          pod: e.targetRef?.name ?? null,
        })),
      };
    }
    case 'Deployment': case 'StatefulSet': case 'ReplicaSet': case 'DaemonSet':
      return {
        generation: object.metadata?.generation ?? null,
        replicas: object.spec?.replicas ?? null,
        status: Object.fromEntries(Object.entries(status).filter(([key]) => key !== 'conditions')),
        conditions: conditionsOf(object),
      };
    default:
      break;
  }
  return { conditions: conditionsOf(object) };
}

const SNAPSHOT_KINDS = new Set(['Pod', 'Node', 'EndpointSlice', 'Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet']);

/**
 * The most objects of one kind a snapshot lists. At 10,000 pods, two snapshots of every pod were 6 MB of a results
 * file nobody reads; past this only healthy objects are left out (counted in `omitted`), never one that explains a break.
 */
export const EVIDENCE_PER_KIND = 50;

type SnapshotObject = ObjectSnapshot['objects'][number];

/** True when the summary shows something wrong: a pod not running and ready, a node not Ready, an endpoint not ready. */
function unhealthy(object: SnapshotObject): boolean {
  const summary = object.summary;
  const conditions = (summary['conditions'] ?? {}) as Record<string, string>;
  switch (object.kind) {
    case 'Pod':
      return summary['phase'] !== 'Running' || summary['deleting'] === true || conditions['Ready'] !== 'True';
    case 'Node':
      return conditions['Ready'] !== 'True' || summary['unschedulable'] === true;
    case 'EndpointSlice':
      return ((summary['endpoints'] ?? []) as { ready?: boolean }[]).some((endpoint) => endpoint.ready === false);
    default:
      // Workloads, desired objects: few, and each one explains itself.
      return true;
  }
}

/** At most EVIDENCE_PER_KIND objects of each kind, the unhealthy first, in name order; what was left out, by kind. */
function capped(objects: readonly SnapshotObject[]): { objects: SnapshotObject[]; omitted: Record<string, number> } {
  const byKind = new Map<string, SnapshotObject[]>();
  for (const object of objects) {
    const ofKind = byKind.get(object.kind);
    if (ofKind === undefined) byKind.set(object.kind, [object]);
    else ofKind.push(object);
  }
  const kept = new Set<SnapshotObject>();
  const omitted: Record<string, number> = {};
  for (const [kind, ofKind] of byKind) {
    const sick = ofKind.filter(unhealthy);
    const healthy = ofKind.filter((object) => !unhealthy(object));
    const room = Math.max(0, EVIDENCE_PER_KIND - sick.length);
    for (const object of [...sick, ...healthy.slice(0, room)]) kept.add(object);
    if (healthy.length > room) omitted[kind] = healthy.length - room;
  }
  return { objects: objects.filter((object) => kept.has(object)), omitted };
}

/**
 * The objects under check at one moment: the scenario's pods, workloads and EndpointSlices, the nodes, and the
 * objects of the desired state (custom resources' conditions included).
 */
export function snapshot(
  world: World,
  namespaces: readonly string[],
  desired: readonly { apiVersion: string; kind: string; name: string }[],
  at: number,
): ObjectSnapshot {
  const objects: ObjectSnapshot['objects'][number][] = [];
  for (const object of world.all()) {
    const namespace = object.metadata?.namespace;
    const kind = object.kind ?? '';
    const isDesired = desired.some((d) => d.kind === kind && d.name === object.metadata?.name);
    const inScope = kind === 'Node' || (namespace !== undefined && namespaces.includes(namespace));
    if (!inScope || (!SNAPSHOT_KINDS.has(kind) && !isDesired)) continue;
    objects.push({ kind, name: object.metadata?.name ?? '', namespace: namespace ?? null, uid: object.metadata?.uid ?? null, summary: summarize(object) });
  }
  objects.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  const listed = capped(objects);
  return { at: isoOf(at), objects: listed.objects, ...(Object.keys(listed.omitted).length > 0 ? { omitted: listed.omitted } : {}) };
}

/** A Kubernetes Event of the scenario's namespaces, as the report lists it. */
export function eventRecord(event: k8s.CoreV1Event): EventRecord {
  const last = event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp;
  return {
    at: last ? new Date(last).toISOString() : null,
    type: event.type ?? 'Normal',
    reason: event.reason ?? '',
    object: `${event.involvedObject.kind ?? ''}/${event.involvedObject.name ?? ''}`,
    message: event.message ?? '',
    count: event.count ?? 1,
  };
}

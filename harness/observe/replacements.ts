/**
 * Which pod replaced which, and how long each step took: deleted -> created -> scheduled -> running -> ready ->
 * endpoint ready. A replacement is matched through the deleted pod's stable owner, first in first out per owner:
 * the Deployment behind a ReplicaSet (a recreated ReplicaSet has a new uid, its Deployment does not), the
 * StatefulSet and the same ordinal, the DaemonSet and the same node, or else the controller's uid. Never by name
 * alone, never by arrival order across owners. Fed the raw watch events, like the World; it keeps its own memory of
 * pods and owners, since a deleted ReplicaSet or pod leaves the World.
 */
import type { KubernetesObject, V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import type { WatchEvent } from './events.js';
import {
  controllerOf,
  groupOf,
  intendedNodeOf,
  isEndpointSlice,
  isPod,
  isTerminating,
  podScheduled,
  conditionOf,
} from './objects.js';
import type { World } from './world.js';

/** A pod as the replacement list names it. */
export interface PodRef {
  readonly name: string;
  readonly uid: string;
  readonly node: string | null;
}

/** The stable owner a replacement was matched through. */
export interface OwnerRef {
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

/** The steps of a replacement after the deletion, in order. */
export type ReplacementPhase = 'created' | 'scheduled' | 'running' | 'ready' | 'endpointReady';

/** The steps of a replacement in order, for reporters that list them. */
export const REPLACEMENT_PHASES: readonly ReplacementPhase[] = ['created', 'scheduled', 'running', 'ready', 'endpointReady'];

/**
 * When each step happened (ms since epoch). Absent: not observed (yet). endpointReady is null when no Service
 * selects the replacement, so it never becomes an endpoint.
 */
export interface ReplacementTimes {
  readonly deleted: number;
  readonly created?: number;
  readonly scheduled?: number;
  readonly running?: number;
  readonly ready?: number;
  readonly endpointReady?: number | null;
}

/**
 * Each step as the time since the closest earlier step observed (created: since deleted). Never negative: two
 * watches (pods, EndpointSlices) may deliver causally ordered changes a few ms out of order.
 */
export type ReplacementDurations = { readonly [P in Exclude<ReplacementPhase, 'endpointReady'>]?: number } & {
  readonly endpointReady?: number | null;
};

/** One pod deleted during the trial, and its replacement (null while none was matched). */
export interface Replacement {
  readonly pod: PodRef;
  readonly replacement: PodRef | null;
  readonly owner: OwnerRef;
  readonly at: ReplacementTimes;
  readonly phasesMs: ReplacementDurations;
}

/** Where one pod runs. */
export interface Placement {
  readonly pod: string;
  readonly namespace: string;
  readonly uid: string;
  readonly node: string | null;
}

/** What the tracker remembers of one pod. */
interface PodRecord {
  readonly uid: string;
  /** Arrival order, to break ties between equal stamps deterministically. */
  readonly sequence: number;
  name: string;
  namespace: string;
  node: string | undefined;
  labels: Readonly<Record<string, string>>;
  controller: V1OwnerReference | undefined;
  /** First seen during the trial (a candidate replacement); undefined for pods that existed before it. */
  created?: number;
  scheduled?: number;
  running?: number;
  ready?: number;
  /** When the deletion was first seen: a deletionTimestamp or a DELETED event, whichever came first. */
  deleted?: number;
  /** Already terminating when the trial began: its deletion is not the trial's. */
  deletedBefore: boolean;
}

/** What the tracker remembers of an owner (a ReplicaSet, say) after it may have left the World. */
interface OwnerRecord {
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller: V1OwnerReference | undefined;
}

/**
 * Tracks pod replacements over one trial: pods deleted after it was constructed (the trial's start), and the pods
 * created after that which replace them. Feed it every watch event, or better what World.apply returned for it
 * (stale events dropped; a raw relist works too, the tracker diffs it against the pods it knows).
 */
export class ReplacementTracker {
  private readonly pods = new Map<string, PodRecord>();
  private readonly owners = new Map<string, OwnerRecord>();
  /** Pod uid -> first moment it was a ready endpoint of some EndpointSlice. */
  private readonly endpointReadyAt = new Map<string, number>();
  private sequence = 0;

  /** `world` holds the state at the trial's start; the tracker asks it for owners and nodes later too. */
  constructor(private readonly world: World) {
    for (const pod of world.pods(undefined)) {
      const record = this.recordOf(pod, undefined);
      if (record !== undefined && isTerminating(pod)) record.deletedBefore = true;
    }
  }

  /** Takes one watch event. */
  apply(event: WatchEvent): void {
    if (event.type === 'RELIST') {
      const group = groupOf(event.apiVersion);
      for (const object of event.objects) this.take(event.at, 'MODIFIED', object);
      if (group === '' && event.kind === 'Pod') this.relistPods(event.at, event.namespace, event.objects);
      return;
    }
    this.take(event.at, event.type, event.object);
  }

  /** Every pod deleted during the trial that has a controller, with its replacement, in order of deletion. */
  replacements(): Replacement[] {
    const deleted = [...this.pods.values()]
      .filter((record) => record.deleted !== undefined && !record.deletedBefore)
      .sort((a, b) => (a.deleted ?? 0) - (b.deleted ?? 0) || a.sequence - b.sequence);
    const candidates = [...this.pods.values()]
      .filter((record) => record.created !== undefined)
      .sort((a, b) => (a.created ?? 0) - (b.created ?? 0) || a.sequence - b.sequence);
    const taken = new Set<string>();
    const result: Replacement[] = [];
    for (const pod of deleted) {
      const owner = this.stableOwnerOf(pod);
      if (owner === undefined) continue;
      const replacement = this.match(pod, owner, candidates, taken);
      if (replacement !== undefined) taken.add(replacement.uid);
      result.push(this.describe(pod, owner, replacement));
    }
    return result;
  }

  /**
   * Where every pod (of `namespace`, or of all watched namespaces) runs now, terminating pods left out. Pods do
   * not move back when a node returns, so each trial records this at its end.
   */
  placement(namespace?: string): Placement[] {
    return this.world.pods(namespace)
      .filter((pod) => !isTerminating(pod))
      .flatMap((pod) => {
        const { name, uid } = pod.metadata ?? {};
        if (name === undefined || uid === undefined) return [];
        return [{ pod: name, namespace: pod.metadata?.namespace ?? '', uid, node: pod.spec?.nodeName ?? null }];
      });
  }

  private take(at: number, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubernetesObject): void {
    if (isPod(object)) {
      this.takePod(at, type, object);
    } else if (isEndpointSlice(object)) {
      if (type === 'DELETED') return;
      for (const endpoint of object.endpoints ?? []) {
        const uid = endpoint.targetRef?.uid;
        if (uid === undefined || endpoint.targetRef?.kind !== 'Pod' || endpoint.conditions?.ready === false) continue;
        if (!this.endpointReadyAt.has(uid)) this.endpointReadyAt.set(uid, at);
      }
    } else {
      const { uid, name } = object.metadata ?? {};
      if (uid !== undefined && name !== undefined && object.kind !== undefined) {
        this.owners.set(uid, { kind: object.kind, name, uid, controller: controllerOf(object) });
      }
    }
  }

  private takePod(at: number, type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: V1Pod): void {
    // A pod first seen now was created during the trial, unless its first sight is its deletion (recordOf takes
    // `created` only for a pod it has no record of yet).
    const record = this.recordOf(pod, type === 'DELETED' ? undefined : at);
    if (record === undefined) return;
    if (record.created !== undefined) {
      if (record.scheduled === undefined && podScheduled(pod)) record.scheduled = at;
      if (record.running === undefined && pod.status?.phase === 'Running') record.running = at;
      if (record.ready === undefined && conditionOf(pod, 'Ready')?.status === 'True') record.ready = at;
      // A later step proves the earlier ones, even when one event showed them all at once.
      record.running ??= record.ready;
      record.scheduled ??= record.running;
    }
    if (record.deleted === undefined && (type === 'DELETED' || isTerminating(pod))) record.deleted = at;
  }

  /** Pods a relist no longer holds were deleted while the watch was down: seen deleted at the relist. */
  private relistPods(at: number, namespace: string | undefined, objects: readonly KubernetesObject[]): void {
    const listed = new Set(objects.map((object) => object.metadata?.uid));
    for (const record of this.pods.values()) {
      if (listed.has(record.uid) || record.deleted !== undefined) continue;
      if (namespace !== undefined && record.namespace !== namespace) continue;
      record.deleted = at;
    }
  }

  /** The record of a pod, created on first sight (`created` set when it is a new pod of the trial). */
  private recordOf(pod: V1Pod, created: number | undefined): PodRecord | undefined {
    const { uid, name } = pod.metadata ?? {};
    if (uid === undefined || name === undefined) return undefined;
    let record = this.pods.get(uid);
    if (record === undefined) {
      record = {
        uid,
        sequence: this.sequence,
        name,
        namespace: pod.metadata?.namespace ?? '',
        node: undefined,
        labels: {},
        controller: undefined,
        deletedBefore: false,
        ...(created === undefined ? {} : { created }),
      };
      this.sequence += 1;
      this.pods.set(uid, record);
    }
    record.name = name;
    record.node = intendedNodeOf(pod) ?? record.node;
    record.labels = pod.metadata?.labels ?? record.labels;
    record.controller = controllerOf(pod) ?? record.controller;
    return record;
  }

  /** The owner that survives its own recreation: a ReplicaSet's Deployment, else the pod's controller. */
  private stableOwnerOf(pod: PodRecord): OwnerRef | undefined {
    const controller = pod.controller;
    if (controller === undefined) return undefined;
    if (controller.kind === 'ReplicaSet') {
      const replicaSet = this.ownerRecord(controller.uid);
      const deployment = replicaSet?.controller;
      if (deployment?.kind === 'Deployment') return { kind: 'Deployment', name: deployment.name, uid: deployment.uid };
    }
    return { kind: controller.kind, name: controller.name, uid: controller.uid };
  }

  private ownerRecord(uid: string): OwnerRecord | undefined {
    const remembered = this.owners.get(uid);
    if (remembered !== undefined) return remembered;
    const object = this.world.byUid(uid);
    const name = object?.metadata?.name;
    if (object === undefined || name === undefined || object.kind === undefined) return undefined;
    return { kind: object.kind, name, uid, controller: controllerOf(object) };
  }

  /** The first unmatched pod created at or after the deletion that replaces `pod` for its kind of owner. */
  private match(pod: PodRecord, owner: OwnerRef, candidates: readonly PodRecord[], taken: ReadonlySet<string>): PodRecord | undefined {
    const deleted = pod.deleted ?? 0;
    const ofOwner = candidates.filter((candidate) => candidate.uid !== pod.uid
      && !taken.has(candidate.uid)
      && (candidate.created ?? 0) >= deleted
      && candidate.namespace === pod.namespace
      && sameOwner(this.stableOwnerOf(candidate), owner));
    switch (owner.kind) {
      case 'StatefulSet':
        // The StatefulSet recreates the same ordinal, hence the same name, with a new uid.
        return ofOwner.find((candidate) => candidate.name === pod.name);
      case 'DaemonSet': {
        const sameNode = ofOwner.find((candidate) => pod.node !== undefined && candidate.node === pod.node);
        if (sameNode !== undefined) return sameNode;
        // A DaemonSet does not replace a pod elsewhere while the node still exists; once it is gone, its next pod.
        const nodeGone = pod.node === undefined || this.world.node(pod.node) === undefined;
        return nodeGone ? ofOwner[0] : undefined;
      }
      default:
        return ofOwner[0];
    }
  }

  private describe(pod: PodRecord, owner: OwnerRef, replacement: PodRecord | undefined): Replacement {
    const deleted = pod.deleted ?? 0;
    const podRef = { name: pod.name, uid: pod.uid, node: pod.node ?? null };
    if (replacement === undefined) return { pod: podRef, replacement: null, owner, at: { deleted }, phasesMs: {} };
    const endpointReady = this.endpointReadyAt.get(replacement.uid) ?? (this.selectedByService(replacement) ? undefined : null);
    const at: { -readonly [K in keyof ReplacementTimes]: ReplacementTimes[K] } = { deleted };
    if (replacement.created !== undefined) at.created = replacement.created;
    if (replacement.scheduled !== undefined) at.scheduled = replacement.scheduled;
    if (replacement.running !== undefined) at.running = replacement.running;
    if (replacement.ready !== undefined) at.ready = replacement.ready;
    if (endpointReady !== undefined) at.endpointReady = endpointReady;
    const phasesMs: { -readonly [K in keyof ReplacementDurations]: ReplacementDurations[K] } = {};
    let previous = deleted;
    for (const phase of REPLACEMENT_PHASES) {
      const moment = at[phase];
      if (moment === undefined) continue;
      if (moment === null) {
        phasesMs.endpointReady = null;
        continue;
      }
      phasesMs[phase] = Math.max(0, moment - previous);
      previous = Math.max(previous, moment);
    }
    return {
      pod: podRef,
      replacement: { name: replacement.name, uid: replacement.uid, node: replacement.node ?? null },
      owner,
      at,
      phasesMs,
    };
  }

  /** True when a Service of the pod's namespace selects it, so it should become an endpoint. */
  private selectedByService(pod: PodRecord): boolean {
    return this.world.services(pod.namespace).some((service) => {
      const selector = service.spec?.selector;
      // A Service's selector is a label map: every label equal.
      return selector !== undefined && Object.keys(selector).length > 0
        && Object.entries(selector).every(([key, value]) => pod.labels[key] === value);
    });
  }
}

function sameOwner(a: OwnerRef | undefined, b: OwnerRef): boolean {
  return a !== undefined && a.uid === b.uid;
}

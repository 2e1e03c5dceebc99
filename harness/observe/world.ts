/**
 * The harness's picture of the cluster: the latest version of every object the watches delivered, plus what only
 * rebound knows (which nodes it stopped, paused or cut off, and what the http probes answered). Steady-state
 * conditions read it; nothing here talks to the API server or reads a clock.
 */
import type { KubernetesObject, V1EndpointSlice, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { ObservedEvent, WatchEvent } from './events.js';
import {
  conditionsOf,
  groupOf,
  identityOf,
  isEndpointSlice,
  isIdentified,
  isNode,
  isPod,
  isService,
  isTerminating,
  nodeStatusReady,
  podStatusReady,
  type IdentifiedObject,
} from './objects.js';
import type { LabelSelector } from '../util/label-selector.js';

/** The latest answer of the prober for one http check. */
export interface ProbeResult {
  readonly at: number;
  readonly ok: boolean;
  /** e.g. "503 Service Unavailable" or "connect ECONNREFUSED"; shown when the check does not hold. */
  readonly detail: string;
}

/** One impairment of a node rebound stopped, paused or cut off: from impairNode to restoreNode (`until` undefined while it lasts). */
export interface Impairment {
  readonly node: string;
  readonly since: number;
  readonly until?: number;
}

/** The label EndpointSlices carry to name their Service. */
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/**
 * A count of ready pods (or nodes) of one namespace and selector, kept up to date event by event: the steady state
 * is judged after every watch event, and recounting 10,000 pods each time made rebound's lag grow with pods x events.
 */
interface ReadyCounter {
  readonly kind: 'Pod' | 'Node';
  readonly namespace: string | undefined;
  readonly selector: LabelSelector | undefined;
  count: number;
}

/** A resourceVersion as a number when it is one; Kubernetes calls them opaque, so anything else is not compared. */
function revisionOf(object: KubernetesObject): bigint | undefined {
  const version = object.metadata?.resourceVersion;
  return version !== undefined && /^\d+$/.test(version) ? BigInt(version) : undefined;
}

/** True when `incoming` is provably older than `held`: both resourceVersions are integers and it is smaller. */
function isOlder(incoming: KubernetesObject, held: KubernetesObject): boolean {
  const a = revisionOf(incoming);
  const b = revisionOf(held);
  return a !== undefined && b !== undefined && a < b;
}

/** True when both carry the same resourceVersion. */
function sameVersion(a: KubernetesObject, b: KubernetesObject): boolean {
  const version = a.metadata?.resourceVersion;
  return version !== undefined && version === b.metadata?.resourceVersion;
}

/**
 * The latest version of every object fed to it, indexed by identity (API group, kind, namespace, name) and by uid.
 * Indexing by group rather than apiVersion follows Kubernetes: apps/v1 and apps/v1beta2 Deployments are the same
 * objects, so a check may name either version.
 */
export class World {
  private readonly byIdentity = new Map<string, IdentifiedObject>();
  private readonly uids = new Map<string, IdentifiedObject>();
  /** Uids seen deleted: a late event for one of them must not bring it back. */
  private readonly deletedUids = new Set<string>();
  /** group/kind of every kind an object of which reported a Ready or Available condition. */
  private readonly readinessKinds = new Set<string>();
  /** Objects by group/kind, then identity: conditions list one kind on every evaluation. */
  private readonly byKind = new Map<string, Map<string, IdentifiedObject>>();
  private readonly impaired = new Map<string, number>();
  private readonly impairmentLog: Impairment[] = [];
  private readonly probes = new Map<string, ProbeResult>();
  /** The counts readyPodCount and readyNodeCount were asked for, by kind, namespace and selector. */
  private readonly counters = new Map<string, ReadyCounter>();

  /**
   * Takes one watch event and returns what it changed, as events: nothing for a stale update (older
   * resourceVersion, the version already held, or an object already deleted), ADDED for the first sight of an
   * object and MODIFIED after, and for a relist one DELETED for every object of its scope the list no longer holds:
   * a relist after an outage yields each change made during it exactly once, marked `uncertainSince`. Other observers (the
   * replacement tracker) should be fed these rather than the raw events.
   */
  apply(event: WatchEvent): ObservedEvent[] {
    if (event.type === 'RELIST') {
      const listed = new Set<string>();
      const changes: ObservedEvent[] = [];
      const objects = event.objects.filter(isIdentified);
      for (const object of objects) listed.add(this.identity(object));
      // What went away first, then what came or changed: a pod replaced during an outage reads as it happened.
      const ofKind = this.byKind.get(`${groupOf(event.apiVersion)}/${event.kind}`) ?? new Map<string, IdentifiedObject>();
      for (const [identity, held] of [...ofKind]) {
        if (listed.has(identity)) continue;
        if (event.namespace !== undefined && (held.metadata.namespace ?? '') !== event.namespace) continue;
        this.forget(identity, held);
        changes.push({ at: event.at, type: 'DELETED', object: held });
      }
      for (const object of objects) changes.push(...this.upsert(event.at, object, true));
      // After an outage, what the list reveals happened some time in it: each change says since when.
      const { since } = event;
      return since === undefined ? changes : changes.map((change) => ({ ...change, uncertainSince: since }));
    }
    const { object } = event;
    if (!isIdentified(object)) return [];
    if (event.type !== 'DELETED') return this.upsert(event.at, object, false);

    const identity = this.identity(object);
    const held = this.byIdentity.get(identity);
    const uid = object.metadata.uid;
    if (uid !== undefined && this.deletedUids.has(uid)) return [];
    if (held !== undefined && (uid === undefined || held.metadata.uid === uid)) {
      this.forget(identity, held);
    } else if (uid !== undefined) {
      // An incarnation we never held (or an older one, the name now belongs to a newer uid): record it only.
      this.deletedUids.add(uid);
    }
    return [{ at: event.at, type: 'DELETED', object }];
  }

  /** The object with that identity; `namespace` undefined or '' for cluster-scoped kinds. */
  get(apiVersion: string, kind: string, name: string, namespace?: string): KubernetesObject | undefined {
    return this.byIdentity.get(identityOf(apiVersion, kind, namespace, name));
  }

  /** Every object held, in identity order (for evidence snapshots). */
  all(): KubernetesObject[] {
    return [...this.byIdentity.values()].sort((a, b) => compareText(a.kind, b.kind) || compareNames(a, b));
  }

  /** The object with that uid, while it exists. */
  byUid(uid: string): KubernetesObject | undefined {
    return this.uids.get(uid);
  }

  /** Every object of a kind, in one namespace or (namespace undefined) in all, in name order. */
  list(apiVersion: string, kind: string, namespace?: string): KubernetesObject[] {
    const found: IdentifiedObject[] = [];
    for (const object of this.byKind.get(`${groupOf(apiVersion)}/${kind}`)?.values() ?? []) {
      if (namespace !== undefined && (object.metadata.namespace ?? '') !== namespace) continue;
      found.push(object);
    }
    return found.sort((a, b) => compareNames(a, b));
  }

  /** Pods of a namespace (all namespaces when undefined) whose labels match `selector` (all pods when undefined). */
  pods(namespace: string | undefined, selector?: LabelSelector): V1Pod[] {
    return this.list('v1', 'Pod', namespace)
      .filter(isPod)
      .filter((pod) => selector === undefined || selector.matches(pod.metadata?.labels ?? {}));
  }

  /** Nodes whose labels match `selector` (every node when undefined). */
  nodes(selector?: LabelSelector): V1Node[] {
    return this.list('v1', 'Node').filter(isNode).filter((node) => selector === undefined || selector.matches(node.metadata?.labels ?? {}));
  }

  /** The node of that name. */
  node(name: string): V1Node | undefined {
    const node = this.get('v1', 'Node', name);
    return node !== undefined && isNode(node) ? node : undefined;
  }

  /** Services of a namespace. */
  services(namespace: string): V1Service[] {
    return this.list('v1', 'Service', namespace).filter(isService);
  }

  /** The EndpointSlices of a Service, found by the kubernetes.io/service-name label their controller sets. */
  endpointSlicesOf(namespace: string, service: string): V1EndpointSlice[] {
    return this.list('discovery.k8s.io/v1', 'EndpointSlice', namespace)
      .filter(isEndpointSlice)
      .filter((slice) => slice.metadata?.labels?.[SERVICE_NAME_LABEL] === service);
  }

  /** Every EndpointSlice of a namespace (all namespaces when undefined). */
  endpointSlices(namespace?: string): V1EndpointSlice[] {
    return this.list('discovery.k8s.io/v1', 'EndpointSlice', namespace).filter(isEndpointSlice);
  }

  /** A Deployment, StatefulSet, ReplicaSet or DaemonSet (group apps). */
  workload(kind: 'Deployment' | 'StatefulSet' | 'ReplicaSet' | 'DaemonSet', name: string, namespace: string): KubernetesObject | undefined {
    return this.get('apps/v1', kind, name, namespace);
  }

  /** True once an object of that kind has reported a `Ready` or `Available` condition in its status. */
  kindReportsReadiness(apiVersion: string, kind: string): boolean {
    return this.readinessKinds.has(`${groupOf(apiVersion)}/${kind}`);
  }

  /**
   * A pod serves: Running and Ready, not terminating, and not on a node rebound impaired (its status says Ready
   * until the control plane notices the node is gone, but nothing there answers).
   */
  isPodReady(pod: V1Pod): boolean {
    if (!podStatusReady(pod) || isTerminating(pod)) return false;
    const node = pod.spec?.nodeName;
    return node === undefined || !this.impaired.has(node);
  }

  /** A node is Ready by its status and not impaired by rebound. */
  isNodeReady(node: V1Node): boolean {
    const name = node.metadata?.name;
    return nodeStatusReady(node) && (name === undefined || !this.impaired.has(name));
  }

  /**
   * How many pods of a namespace (all namespaces when undefined) matching `selector` are ready by isPodReady: the
   * same number as counting world.pods(namespace, selector), without the walk over every pod after the first call.
   */
  readyPodCount(namespace: string | undefined, selector?: LabelSelector): number {
    return this.counter('Pod', namespace, selector).count;
  }

  /** How many nodes matching `selector` are ready by isNodeReady (see readyPodCount). */
  readyNodeCount(selector?: LabelSelector): number {
    return this.counter('Node', undefined, selector).count;
  }

  /** rebound stopped, paused or cut off `node` at `at`: from now on nothing on it counts as ready. */
  impairNode(node: string, at: number): void {
    if (this.impaired.has(node)) return;
    // Readiness of what runs on the node changed: the counts are taken afresh when next asked.
    this.counters.clear();
    this.impaired.set(node, at);
    this.impairmentLog.push({ node, since: at });
  }

  /**
   * `node` is back (call it once the node runs again, at `at`): pods on it count by their status again. A pod
   * status left stale from before the impairment is then trusted, as the API server's own view is.
   */
  restoreNode(node: string, at: number): void {
    if (!this.impaired.delete(node)) return;
    this.counters.clear();
    const index = this.impairmentLog.findLastIndex((entry) => entry.node === node && entry.until === undefined);
    const entry = this.impairmentLog[index];
    if (entry !== undefined) this.impairmentLog[index] = { ...entry, until: at };
  }

  /** True while rebound has `node` stopped, paused or cut off. */
  isImpaired(node: string): boolean {
    return this.impaired.has(node);
  }

  /** Every impairment so far, in the order they began, for the report. */
  impairments(): Impairment[] {
    return [...this.impairmentLog];
  }

  /** Records the prober's answer for the check keyed `key` (its url); an answer older than the held one is dropped. */
  setProbe(key: string, at: number, ok: boolean, detail: string): void {
    const held = this.probes.get(key);
    if (held !== undefined && at < held.at) return;
    this.probes.set(key, { at, ok, detail });
  }

  /** The latest answer for `key`, if the prober has answered yet. */
  probe(key: string): ProbeResult | undefined {
    return this.probes.get(key);
  }

  private counter(kind: 'Pod' | 'Node', namespace: string | undefined, selector: LabelSelector | undefined): ReadyCounter {
    const key = `${kind}\n${namespace ?? '*'}\n${selector?.toString() ?? ''}`;
    let counter = this.counters.get(key);
    if (counter === undefined) {
      const ready = kind === 'Pod'
        ? this.pods(namespace, selector).filter((pod) => this.isPodReady(pod))
        : this.nodes(selector).filter((node) => this.isNodeReady(node));
      counter = { kind, namespace, selector, count: ready.length };
      this.counters.set(key, counter);
    }
    return counter;
  }

  /** Adds (+1) or takes away (-1) what `object` contributes to every ready count (called as it is stored or dropped). */
  private recount(object: IdentifiedObject, sign: 1 | -1): void {
    if (this.counters.size === 0) return;
    const pod = isPod(object);
    if (!pod && !isNode(object)) return;
    const ready = pod ? this.isPodReady(object) : this.isNodeReady(object);
    if (!ready) return;
    const labels = object.metadata.labels ?? {};
    for (const counter of this.counters.values()) {
      if (counter.kind !== object.kind) continue;
      if (counter.namespace !== undefined && (object.metadata.namespace ?? '') !== counter.namespace) continue;
      if (counter.selector !== undefined && !counter.selector.matches(labels)) continue;
      counter.count += sign;
    }
  }

  private identity(object: IdentifiedObject): string {
    return identityOf(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name);
  }

  /** Stores a newer version; a relist is authoritative about what exists, so it may bring back a deleted uid. */
  private upsert(at: number, object: IdentifiedObject, fromRelist: boolean): ObservedEvent[] {
    const uid = object.metadata.uid;
    if (uid !== undefined && this.deletedUids.has(uid)) {
      if (!fromRelist) return [];
      this.deletedUids.delete(uid);
    }
    const identity = this.identity(object);
    const held = this.byIdentity.get(identity);
    const changes: ObservedEvent[] = [];
    if (held !== undefined) {
      if (isOlder(object, held)) return [];
      // The very version already held (a relist repeats what the watch delivered before): nothing changed.
      if (held.metadata.uid === uid && sameVersion(object, held)) return [];
      if (held.metadata.uid !== uid) {
        // The name now belongs to a new incarnation (a StatefulSet pod, a recreated object): the old one is gone
        // even if its DELETED event was lost.
        this.forget(identity, held);
        changes.push({ at, type: 'DELETED', object: held });
      }
    }
    const sameObject = held !== undefined && held.metadata.uid === uid;
    if (sameObject) this.recount(held, -1);
    this.recount(object, 1);
    this.byIdentity.set(identity, object);
    const kindKey = `${groupOf(object.apiVersion)}/${object.kind}`;
    const ofKind = this.byKind.get(kindKey) ?? new Map<string, IdentifiedObject>();
    ofKind.set(identity, object);
    this.byKind.set(kindKey, ofKind);
    if (uid !== undefined) this.uids.set(uid, object);
    if (conditionsOf(object).some((condition) => condition.type === 'Ready' || condition.type === 'Available')) {
      this.readinessKinds.add(kindKey);
    }
    changes.push({ at, type: sameObject ? 'MODIFIED' : 'ADDED', object });
    return changes;
  }

  private forget(identity: string, held: IdentifiedObject): void {
    this.recount(held, -1);
    this.byIdentity.delete(identity);
    this.byKind.get(`${groupOf(held.apiVersion)}/${held.kind}`)?.delete(identity);
    const uid = held.metadata.uid;
    if (uid !== undefined) {
      this.uids.delete(uid);
      this.deletedUids.add(uid);
    }
  }
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNames(a: IdentifiedObject, b: IdentifiedObject): number {
  return compareText(a.metadata.namespace ?? '', b.metadata.namespace ?? '') || compareText(a.metadata.name, b.metadata.name);
}

/**
 * The breaks `rebound observe` looks for: what a scenario's faults would have done, done by someone else (a person
 * with kubectl, krkn, Litmus, Chaos Mesh). rebound injected nothing, so the trial's injection moment is the first
 * break it sees: a change to one of the objects the scenario's faults select (a pod deleted or terminating, a
 * container restarted, a node NotReady, cordoned or tainted, an object deleted, a workload rescaled), or the steady
 * state ceasing to hold, whichever comes first. Pure bookkeeping over the world's changes, stamped by the caller.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Target } from '../report/result.js';
import { LabelSelector } from '../util/label-selector.js';
import { NODE_FAULT_KINDS, type Fault } from '../scenario/schema.js';
import type { ObservedEvent } from './events.js';
import { groupOf, isNode, isPod, isTerminating, nodeStatusReady, specReplicas } from './objects.js';
import type { World } from './world.js';

/** One break someone else caused, as observe records it in place of an injected fault. */
export interface ObservedBreak {
  /** When its first watch event arrived (monotonic ms): the trial's injectedAt. */
  readonly at: number;
  /** What was seen, in words: `pod web-6c9f-x2 deleted`. */
  readonly summary: string;
  /** The spec.faults entry whose targets it touched; null when only the steady state told. */
  readonly fault: number | null;
  readonly targets: readonly Target[];
}

/** What is remembered of an object to tell a break from an ordinary update. */
interface Seen {
  readonly terminating: boolean;
  readonly restarts: number;
  readonly ready: boolean;
  readonly unschedulable: boolean;
  readonly taints: number;
  readonly replicas: number | undefined;
}

const POD_FAULTS = new Set<Fault['kind']>(['podKill', 'podDelete', 'containerKill']);
const NODE_FAULTS = new Set<Fault['kind']>(NODE_FAULT_KINDS);

/** Fault kinds observe cannot see happen: their targets live outside the cluster. */
export const UNOBSERVABLE_FAULTS: readonly Fault['kind'][] = ['processKill'];

function restartsOf(object: KubernetesObject): number {
  if (!isPod(object)) return 0;
  return [...(object.status?.containerStatuses ?? []), ...(object.status?.initContainerStatuses ?? [])]
    .reduce((sum, status) => sum + (status.restartCount ?? 0), 0);
}

function seenOf(object: KubernetesObject): Seen {
  return {
    terminating: isTerminating(object),
    restarts: restartsOf(object),
    ready: isNode(object) ? nodeStatusReady(object) : true,
    unschedulable: isNode(object) && object.spec?.unschedulable === true,
    taints: isNode(object) ? (object.spec?.taints ?? []).length : 0,
    replicas: specReplicas(object),
  };
}

function targetOf(object: KubernetesObject): Target {
  const node = isPod(object) ? object.spec?.nodeName : undefined;
  return {
    kind: object.kind ?? '',
    name: object.metadata?.name ?? '',
    ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}),
    ...(object.metadata?.uid ? { uid: object.metadata.uid } : {}),
    ...(node ? { node } : {}),
  };
}

/**
 * Recognizes the breaks of a scenario's faults in the world's changes. Fed every change from before the trial on,
 * so it knows each object's previous state; `see` returns a break only for a change that is one.
 */
export class BreakRules {
  private readonly seen = new Map<string, Seen>();
  private readonly selectors = new Map<string, LabelSelector>();

  constructor(private readonly faults: readonly Fault[], private readonly namespace: string) {}

  /** Whether this scenario's faults include a kind observe cannot see (see UNOBSERVABLE_FAULTS). */
  static unobservable(faults: readonly Fault[]): Fault[] {
    return faults.filter((fault) => UNOBSERVABLE_FAULTS.includes(fault.kind));
  }

  /** The kinds besides the observer's own that must be watched to see the faults' targets. */
  static watchedKinds(faults: readonly Fault[]): { apiVersion: string; kind: string }[] {
    return faults.flatMap((fault) => (fault.kind === 'deleteObject' ? [{ apiVersion: fault.params.apiVersion, kind: fault.params.kind }] : []));
  }

  /** One change of the world (World.apply's output), stamped `change.at`; `world` is the world after it. */
  see(change: ObservedEvent, world: World): ObservedBreak | undefined {
    const { object } = change;
    const uid = object.metadata?.uid;
    if (uid === undefined) return undefined;
    const before = this.seen.get(uid);
    if (change.type === 'DELETED') this.seen.delete(uid);
    else this.seen.set(uid, seenOf(object));
    for (const fault of this.faults) {
      if (!this.targets(fault, object, world)) continue;
      const what = this.breakOf(fault, change, before);
      if (what !== undefined) {
        return { at: change.at, summary: `${object.kind ?? 'object'} ${object.metadata?.name ?? uid} ${what}`, fault: fault.index, targets: [targetOf(object)] };
      }
    }
    return undefined;
  }

  private selector(text: string): LabelSelector {
    let parsed = this.selectors.get(text);
    if (parsed === undefined) {
      parsed = LabelSelector.parse(text);
      this.selectors.set(text, parsed);
    }
    return parsed;
  }

  private labelsMatch(selector: string | undefined, object: KubernetesObject): boolean {
    return selector === undefined || this.selector(selector).matches(object.metadata?.labels ?? {});
  }

  /** Whether `object` is among the objects `fault` would pick its targets from. */
  private targets(fault: Fault, object: KubernetesObject, world: World): boolean {
    const namespace = object.metadata?.namespace;
    if (POD_FAULTS.has(fault.kind) && isPod(object)) {
      const params = fault.params as { selector: string; namespace?: string };
      return namespace === (params.namespace ?? this.namespace) && this.labelsMatch(params.selector, object);
    }
    if (NODE_FAULTS.has(fault.kind) && isNode(object)) {
      const params = fault.params as { selector?: string; nodesOf?: string; namespace?: string };
      if (!this.labelsMatch(params.selector, object)) return false;
      if (params.nodesOf === undefined) return true;
      const nodesOf = this.selector(params.nodesOf);
      return world.pods(params.namespace ?? this.namespace, nodesOf).some((pod) => pod.spec?.nodeName === object.metadata?.name);
    }
    if (fault.kind === 'deleteObject') {
      const { params } = fault;
      if (groupOf(object.apiVersion ?? '') !== groupOf(params.apiVersion) || object.kind !== params.kind) return false;
      if (namespace !== undefined && namespace !== (params.namespace ?? this.namespace)) return false;
      return params.name !== undefined ? object.metadata?.name === params.name : this.labelsMatch(params.selector, object);
    }
    if (fault.kind === 'scale') {
      const { params } = fault;
      return object.kind === params.kind && groupOf(object.apiVersion ?? '') === 'apps' && object.metadata?.name === params.name
        && namespace === (params.namespace ?? this.namespace);
    }
    return false;
  }

  /** What happened to a target, when the change is a break; undefined for an ordinary update. */
  private breakOf(fault: Fault, change: ObservedEvent, before: Seen | undefined): string | undefined {
    const now = seenOf(change.object);
    if (fault.kind === 'scale') {
      return change.type === 'MODIFIED' && before !== undefined && before.replicas !== now.replicas ? `scaled from ${before.replicas ?? '?'} to ${now.replicas ?? '?'} replicas` : undefined;
    }
    if (change.type === 'DELETED') return before?.terminating === true ? undefined : 'deleted';
    if (change.type !== 'MODIFIED' || before === undefined) return undefined;
    if (now.terminating && !before.terminating) return 'terminating (deleted)';
    if (POD_FAULTS.has(fault.kind) && now.restarts > before.restarts) return `container restarted (restarts ${before.restarts} -> ${now.restarts})`;
    if (NODE_FAULTS.has(fault.kind)) {
      if (before.ready && !now.ready) return 'NotReady';
      if (now.unschedulable && !before.unschedulable) return 'cordoned';
      if (now.taints > before.taints) return 'tainted';
    }
    return undefined;
  }
}

/**
 * What happens between a node fault and the first replacement pod, phase by phase: injected -> the node is seen
 * NotReady (the control plane's detection: its grace period) -> the node is tainted NoExecute (not-ready or
 * unreachable) -> its pods are evicted (the pods' toleration seconds). The replacement phases that follow are the
 * ReplacementTracker's. Fed the raw watch events with their arrival times, like the World.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { WatchEvent } from './events.js';
import { conditionOf, isNode, isPod } from './objects.js';

/** The taints the node lifecycle controller puts on a node it lost. */
const LOST_NODE_TAINTS = new Set(['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready']);

/** When each step happened (monotonic ms). Absent: not observed (yet). */
export interface NodeLossTimes {
  readonly injected: number;
  readonly notReady?: number;
  readonly tainted?: number;
  /** The first pod of the node marked for deletion (or deleted) after the taint. */
  readonly evicted?: number;
}

/** One node a fault took away, and how the control plane reacted. */
export interface NodeLoss {
  readonly node: string;
  readonly fault: string;
  readonly at: NodeLossTimes;
  /** detection: injected -> NotReady; taint: NotReady -> tainted; eviction: tainted -> first pod evicted. */
  readonly phasesMs: { readonly detection?: number; readonly taint?: number; readonly eviction?: number };
  /** Pods of the node evicted during the trial. */
  readonly evictedPods: number;
}

interface Followed {
  readonly fault: string;
  readonly injected: number;
  notReady?: number;
  tainted?: number;
  evicted?: number;
  readonly evictedPods: Set<string>;
}

function isLost(node: V1Node): boolean {
  return conditionOf(node, 'Ready')?.status !== 'True';
}

function isTainted(node: V1Node): boolean {
  return node.spec?.taints?.some((taint) => LOST_NODE_TAINTS.has(taint.key) && taint.effect === 'NoExecute') ?? false;
}

/** Follows the nodes that node faults took down during one trial. */
export class NodeLossTracker {
  private readonly followed = new Map<string, Followed>();

  /** Starts following a node that a fault of kind `fault`, begun at `injectedAt`, takes down. */
  expect(node: string, fault: string, injectedAt: number): void {
    if (!this.followed.has(node)) this.followed.set(node, { fault, injected: injectedAt, evictedPods: new Set() });
  }

  apply(event: WatchEvent): void {
    if (this.followed.size === 0) return;
    const objects = event.type === 'RELIST' ? event.objects : [event.object];
    for (const object of objects) {
      if (isNode(object)) this.takeNode(event.at, object);
      else if (isPod(object)) this.takePod(event.at, event.type === 'DELETED', object);
    }
  }

  private takeNode(at: number, node: V1Node): void {
    const followed = this.followed.get(node.metadata?.name ?? '');
    if (!followed || at < followed.injected) return;
    if (followed.notReady === undefined && isLost(node)) followed.notReady = at;
    if (followed.tainted === undefined && isTainted(node)) followed.tainted = at;
  }

  private takePod(at: number, deleted: boolean, pod: V1Pod): void {
    const followed = this.followed.get(pod.spec?.nodeName ?? '');
    if (!followed || followed.tainted === undefined || at < followed.tainted) return;
    if (!deleted && pod.metadata?.deletionTimestamp === undefined) return;
    followed.evicted ??= at;
    followed.evictedPods.add(pod.metadata?.uid ?? '');
  }

  losses(): NodeLoss[] {
    return [...this.followed.entries()].map(([node, f]) => {
      const since = (later: number | undefined, earlier: number | undefined): number | undefined =>
        later === undefined || earlier === undefined ? undefined : Math.max(0, later - earlier);
      const detection = since(f.notReady, f.injected);
      const taint = since(f.tainted, f.notReady);
      const eviction = since(f.evicted, f.tainted);
      return {
        node,
        fault: f.fault,
        at: {
          injected: f.injected,
          ...(f.notReady === undefined ? {} : { notReady: f.notReady }),
          ...(f.tainted === undefined ? {} : { tainted: f.tainted }),
          ...(f.evicted === undefined ? {} : { evicted: f.evicted }),
        },
        phasesMs: {
          ...(detection === undefined ? {} : { detection }),
          ...(taint === undefined ? {} : { taint }),
          ...(eviction === undefined ? {} : { eviction }),
        },
        evictedPods: f.evictedPods.size,
      };
    });
  }
}

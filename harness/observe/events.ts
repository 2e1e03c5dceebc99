/**
 * What the watch plumbing hands to observe/: Kubernetes objects as they arrived, stamped with the moment they
 * arrived. Everything in observe/ is computed from these and from times passed in, never from a clock of its own,
 * so a recorded sequence replays to exactly the same figures.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

/** One watch event: the object as the API server sent it, stamped on arrival (ms since epoch, monotonic clock). */
export interface ObservedEvent {
  readonly at: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** Always carries apiVersion and kind (watches of typed clients leave them out; the plumbing sets them). */
  readonly object: KubernetesObject;
  /**
   * Set when a relist after an outage revealed this change: it happened at an unknown moment after this time
   * (when the watch was seen to break) and no later than `at` (the relist's arrival).
   */
  readonly uncertainSince?: number;
}

/** A watch reconnected and listed again: `objects` replace everything of that kind (in that namespace, if given). */
export interface RelistEvent {
  readonly at: number;
  readonly type: 'RELIST';
  readonly apiVersion: string;
  readonly kind: string;
  /** undefined: the list covered every namespace (or the kind is cluster-scoped). */
  readonly namespace?: string;
  readonly objects: readonly KubernetesObject[];
  /**
   * Set when this list follows a broken watch: the moment it was seen to break. Whatever the list reveals happened
   * at an unknown moment between then and `at`.
   */
  readonly since?: number;
}

/** What World.apply takes. */
export type WatchEvent = ObservedEvent | RelistEvent;

/**
 * Containers restarted in place after containerKill: the pod stays (same UID), its kubelet restarts the container
 * (restartCount + 1) and the readiness probe lets it back. Phases: killed -> restarted (the watch shows the higher
 * restartCount) -> ready (the container is ready again). Fed the raw watch events with their arrival times, like
 * the World, so a recorded sequence replays to the same figures.
 */
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { WatchEvent } from './events.js';
import { isPod } from './objects.js';
import type { World } from './world.js';

/** When each step happened (monotonic ms). Absent: not observed (yet). */
export interface RestartTimes {
  readonly killed: number;
  readonly restarted?: number;
  readonly ready?: number;
}

/** One container killed in place, and how it came back. */
export interface Restart {
  readonly pod: { readonly name: string; readonly uid: string; readonly node: string | null };
  readonly container: string;
  readonly restartCountBefore: number;
  /** The restart count once restarted; null while the restart was not seen. */
  readonly restartCountAfter: number | null;
  readonly at: RestartTimes;
  /** restarted: since killed; ready: since restarted. */
  readonly phasesMs: { readonly restarted?: number; readonly ready?: number };
}

interface Watched {
  name: string;
  node: string | null;
  readonly container: string;
  readonly before: number;
  after: number | null;
  readonly killed: number;
  restarted?: number;
  ready?: number;
}

function statusOf(pod: V1Pod, container: string): V1ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((status) => status.name === container);
}

/** Follows the containers that containerKill killed during one trial. */
export class RestartTracker {
  private readonly watched = new Map<string, Watched>();

  constructor(private readonly world: World) {}

  /** Starts following one container of a pod (by UID), killed at `killedAt`; its count now is the one before. */
  expect(podUid: string, container: string, killedAt: number): void {
    const pod = this.world.byUid(podUid);
    const before = pod && isPod(pod) ? statusOf(pod, container)?.restartCount ?? 0 : 0;
    this.watched.set(`${podUid}/${container}`, {
      name: pod?.metadata?.name ?? '', node: pod && isPod(pod) ? pod.spec?.nodeName ?? null : null,
      container, before, after: null, killed: killedAt,
    });
  }

  apply(event: WatchEvent): void {
    if (this.watched.size === 0) return;
    const objects = event.type === 'RELIST' ? event.objects : event.type === 'DELETED' ? [] : [event.object];
    for (const object of objects) {
      if (!isPod(object)) continue;
      const uid = object.metadata?.uid ?? '';
      for (const watched of this.watched.values()) {
        if (this.watched.get(`${uid}/${watched.container}`) !== watched || event.at < watched.killed) continue;
        const status = statusOf(object, watched.container);
        if (!status) continue;
        if (watched.restarted === undefined && status.restartCount > watched.before) {
          watched.restarted = event.at;
          watched.after = status.restartCount;
        }
        if (watched.restarted !== undefined && watched.ready === undefined && status.ready) watched.ready = event.at;
      }
    }
  }

  restarts(): Restart[] {
    return [...this.watched.entries()].map(([key, w]) => ({
      pod: { name: w.name, uid: key.slice(0, key.lastIndexOf('/')), node: w.node },
      container: w.container,
      restartCountBefore: w.before,
      restartCountAfter: w.after,
      at: {
        killed: w.killed,
        ...(w.restarted === undefined ? {} : { restarted: w.restarted }),
        ...(w.ready === undefined ? {} : { ready: w.ready }),
      },
      phasesMs: {
        ...(w.restarted === undefined ? {} : { restarted: Math.max(0, w.restarted - w.killed) }),
        ...(w.restarted === undefined || w.ready === undefined ? {} : { ready: Math.max(0, w.ready - w.restarted) }),
      },
    }));
  }
}

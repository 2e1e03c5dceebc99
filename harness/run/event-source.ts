import type { Logger } from 'pino';
import type { Discovery } from '../cluster/discovery.js';
import type { KubeClients } from '../cluster/kube.js';
import { ResilientWatch, type WatchEvent, type WatchTarget } from '../cluster/watch.js';

/**
 * Where the Observer's events come from: the cluster's watches, or (in tests) a recording. Events are stamped on
 * arrival with the monotonic clock by the source, so a recording replays with its own times.
 */
export interface EventSource {
  /** Starts delivering events of these kinds to `sink`; resolves once every kind the cluster serves was listed. */
  start(targets: readonly WatchTarget[], sink: (event: WatchEvent) => void): Promise<void>;
  stop(): void;
}

/** The cluster's watches, one per kind (and namespace), each relisting by itself after an outage. */
export class ClusterEventSource implements EventSource {
  private readonly watches: ResilientWatch[] = [];

  constructor(private readonly kube: KubeClients, private readonly discovery: Discovery, private readonly log: Logger) {}

  async start(targets: readonly WatchTarget[], sink: (event: WatchEvent) => void): Promise<void> {
    for (const target of targets) {
      // A kind the cluster does not serve (a CRD not installed) has nothing to watch.
      const info = await this.discovery.resourceOf(target.apiVersion, target.kind).catch(() => undefined);
      if (!info) continue;
      const watch = new ResilientWatch(this.kube.config, this.discovery, this.kube.objects,
        info.namespaced ? target : { apiVersion: target.apiVersion, kind: target.kind },
        sink,
        (message, detail) => this.log.warn(detail, message));
      await watch.start();
      this.watches.push(watch);
    }
  }

  stop(): void {
    for (const watch of this.watches) watch.stop();
  }
}

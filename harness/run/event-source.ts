import type { Logger } from 'pino';
import type { Discovery } from '../cluster/discovery.js';
import type { KubeClients } from '../cluster/kube.js';
import { RawLists } from '../cluster/list-pages.js';
import { ResilientWatch, type WatchEvent, type WatchTarget } from '../cluster/watch.js';

/**
 * Where the Observer's events come from: the cluster's watches, or (in tests) a recording. Events are stamped on
 * arrival with the monotonic clock by the source, so a recording replays with its own times. A source delivers
 * events in batches, in arrival order: those that arrived together, which the Observer applies one by one and judges
 * once (a recording may deliver batches of one).
 */
export interface EventSource {
  /** Starts delivering events of these kinds to `sink`; resolves once every kind the cluster serves was listed. */
  start(targets: readonly WatchTarget[], sink: (batch: readonly WatchEvent[]) => void): Promise<void>;
  stop(): void;
}

/**
 * The cluster's watches, one per kind (and namespace), each relisting by itself after an outage. What the watches
 * read in one turn of the event loop (a burst: 1,000 pods deleted at once arrive as a few thousand events in a few
 * reads) is one batch, handed over once those reads are done; a lone event is a batch of one, handed over at once.
 */
export class ClusterEventSource implements EventSource {
  private readonly watches: ResilientWatch[] = [];
  private pending: WatchEvent[] = [];
  private flush: NodeJS.Immediate | undefined;

  constructor(private readonly kube: KubeClients, private readonly discovery: Discovery, private readonly log: Logger) {}

  async start(targets: readonly WatchTarget[], sink: (batch: readonly WatchEvent[]) => void): Promise<void> {
    const deliver = (): void => {
      this.flush = undefined;
      const batch = this.pending;
      this.pending = [];
      if (batch.length > 0) sink(batch);
    };
    const take = (event: WatchEvent): void => {
      this.pending.push(event);
      // setImmediate runs after the reads of this turn of the loop: every event they held joins the batch.
      this.flush ??= setImmediate(deliver);
    };
    const lists = RawLists.for(this.kube.config);
    for (const target of targets) {
      // A kind the cluster does not serve (a CRD not installed) has nothing to watch.
      const info = await this.discovery.resourceOf(target.apiVersion, target.kind).catch(() => undefined);
      if (!info) continue;
      const watch = new ResilientWatch(this.kube.config, this.discovery, lists,
        info.namespaced ? target : { apiVersion: target.apiVersion, kind: target.kind },
        take,
        (message, detail) => this.log.warn(detail, message));
      await watch.start();
      this.watches.push(watch);
    }
    // Resolving means every kind was listed: what is still waiting for its turn is handed over now.
    if (this.flush !== undefined) clearImmediate(this.flush);
    deliver();
  }

  stop(): void {
    if (this.flush !== undefined) clearImmediate(this.flush);
    this.flush = undefined;
    this.pending = [];
    for (const watch of this.watches) watch.stop();
  }
}

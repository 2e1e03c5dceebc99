import * as k8s from '@kubernetes/client-node';
import { monotonicNow } from '../util/clock.js';
import { sleep } from '../util/sleep.js';
import type { Discovery } from './discovery.js';
import { listAllPages, type RawLists } from './list-pages.js';
import { backoffDelay, DEFAULT_RETRY_POLICY } from './retry.js';
import { textOf } from '../util/text-of.js';

/** What to watch: one kind, in one namespace or cluster-wide. */
export interface WatchTarget {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly labelSelector?: string;
}

/** A change to one object, stamped on arrival with the monotonic clock. */
export interface WatchChange {
  readonly at: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: k8s.KubernetesObject;
}

/** The full current list, after the first list or after a reconnect that needed a relist. */
export interface WatchRelist {
  readonly at: number;
  readonly type: 'RELIST';
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly objects: k8s.KubernetesObject[];
  /**
   * After a broken watch: when it was seen to break. The list then replaces what the watch would have delivered
   * meanwhile, and what it reveals happened at an unknown moment between `since` and `at`.
   */
  readonly since?: number;
}

/**
 * The watch broke (the API server went away, or closed it): from `at` on, changes go unseen until the next RELIST.
 * While the connection is open the API server streams every change, so the blind window starts here.
 */
export interface WatchBroken {
  readonly at: number;
  readonly type: 'BROKEN';
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  /** Why: the connection error, or that the server ended the watch. */
  readonly cause: string;
}

/** What a watch delivers. */
export type WatchEvent = WatchChange | WatchRelist | WatchBroken;

/** Receives notices about the watch itself (reconnects, errors), for the run log. */
export type WatchNotice = (message: string, detail: Record<string, unknown>) => void;

/**
 * A list+watch of one kind that never stops silently: whatever ends the watch (the server's timeout, a 410 Gone, a
 * dropped connection, an error status) leads to a relist and a new watch, with a short backoff on repeated
 * failures. client-node's own ListWatch gives up on errors other than 410, which would freeze a measurement.
 */
export class ResilientWatch {
  private stopped = false;
  private abort: AbortController | undefined;
  private resourceVersion = '';
  private failures = 0;
  /** When the last list arrived: what the watch knows is complete up to here at least. */
  private listedAt = 0;
  /** How many times the watch was re-established after it ended. */
  reconnects = 0;

  constructor(
    private readonly config: k8s.KubeConfig,
    private readonly discovery: Discovery,
    private readonly lists: RawLists,
    readonly target: WatchTarget,
    private readonly sink: (event: WatchEvent) => void,
    private readonly notice: WatchNotice = () => undefined,
  ) {}

  /** Lists, delivers the list as a RELIST, starts watching; resolves once the first list was delivered. */
  async start(): Promise<void> {
    await this.relist();
    void this.watchLoop();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  private async relist(since?: number): Promise<void> {
    const { apiVersion, kind, namespace, labelSelector } = this.target;
    // In pages: the whole list of a large kind at once is the peak of rebound's memory at scale (list-pages.ts).
    const list = await listAllPages(this.lists.page(apiVersion, kind, namespace, labelSelector));
    const at = monotonicNow();
    this.listedAt = at;
    this.resourceVersion = list.resourceVersion;
    // List items carry no apiVersion/kind of their own.
    const objects = list.items.map((item) => ({ ...item, apiVersion, kind }));
    this.sink({ at, type: 'RELIST', apiVersion, kind, ...(namespace ? { namespace } : {}), objects, ...(since === undefined ? {} : { since }) });
  }

  private async watchLoop(): Promise<void> {
    const { apiVersion, kind, namespace, labelSelector } = this.target;
    while (!this.stopped) {
      // Whether the stream was open: until it is, nothing is seen since the last list.
      let connected = false;
      const ended = await new Promise<{ error: unknown; gone: boolean }>((resolve) => {
        let gone = false;
        let done = false;
        void (async () => {
          try {
            const path = await this.discovery.collectionPath(apiVersion, kind, namespace);
            this.abort = await new k8s.Watch(this.config).watch(path, {
              resourceVersion: this.resourceVersion,
              allowWatchBookmarks: true,
              ...(labelSelector ? { labelSelector } : {}),
            }, (type: string, object: k8s.KubernetesObject) => {
              const at = monotonicNow();
              const version = object?.metadata?.resourceVersion;
              if (type === 'ERROR') {
                // A Status object: 410 means our resourceVersion is too old; anything else, reconnect anyway.
                gone = (object as { code?: number }).code === 410;
                this.abort?.abort();
                return;
              }
              if (version) this.resourceVersion = version;
              if (type === 'BOOKMARK') return;
              if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
                this.failures = 0;
                this.sink({ at, type, object: { ...object, apiVersion, kind } });
              }
            }, (error: unknown) => {
              done = true;
              resolve({ error, gone });
            });
            // client-node reports a failed request through the callback before watch() returns.
            if (!done) connected = true;
          } catch (error) {
            resolve({ error, gone: false });
          }
        })();
      });
      if (this.stopped) return;
      // Blind from the moment the open stream ended; a watch that never opened saw nothing after the last list.
      const brokenAt = connected ? monotonicNow() : this.listedAt;
      this.reconnects += 1;
      const status = (ended.error as { statusCode?: number } | null)?.statusCode;
      // A server that goes away mostly just closes the stream: no error, as on a server-side timeout.
      const cause = ended.error instanceof Error ? ended.error.message : ended.error ? textOf(ended.error) : 'the watch stream was closed';
      this.sink({ at: brokenAt, type: 'BROKEN', apiVersion, kind, ...(namespace ? { namespace } : {}), cause });
      this.notice('watch ended; re-establishing', {
        kind, namespace, reconnects: this.reconnects, gone: ended.gone || status === 410, error: ended.error ? cause : null,
      });
      if (ended.error) {
        this.failures += 1;
        await sleep(backoffDelay(DEFAULT_RETRY_POLICY, this.failures, undefined));
      }
      // Relist every time: it is cheap at a scenario's scale and no change can slip between two watches. The list
      // call itself retries while the API server is away (retry.ts); this loop outlasts even that.
      for (;;) {
        if (this.stopped) return;
        try {
          await this.relist(brokenAt);
          break;
        } catch (error) {
          this.failures += 1;
          this.notice('relist failed; retrying', { kind, namespace, error: error instanceof Error ? error.message : String(error) });
          await sleep(backoffDelay(DEFAULT_RETRY_POLICY, this.failures, undefined));
        }
      }
    }
  }
}

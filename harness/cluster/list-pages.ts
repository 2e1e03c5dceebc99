import * as k8s from '@kubernetes/client-node';
import { apiClient, statusOf } from './kube.js';

/**
 * Objects per list request. One list of 10,000 pods is one 60 MB response held three times at once (its text, the
 * parsed JSON, client-node's typed copy): the peak of a watch's start at scale. Pages of 500 (client-go's pager's
 * size) bound that to a page; the API server serves every page from the snapshot of the first.
 */
export const LIST_PAGE_SIZE = 500;

/** How many times a list starts over when the API server has compacted its snapshot away (410 Gone) between pages. */
const RESTARTS = 3;

/** Reads one page: `continueToken` undefined for the first. */
export type PageReader = (limit: number, continueToken: string | undefined) => Promise<RawList>;

/** A list as the API server sent it. */
export interface RawList {
  readonly items: k8s.KubernetesObject[];
  readonly metadata?: { readonly resourceVersion?: string; readonly continue?: string };
}

/** A whole list read page by page: every item, and the resourceVersion of the snapshot the pages were served from. */
export interface PagedList {
  readonly items: k8s.KubernetesObject[];
  readonly resourceVersion: string;
  readonly pages: number;
}

/**
 * Every page of a list, in order. A continue token expires with the snapshot it points into (etcd compaction, five
 * minutes by default): the API server answers 410 Gone, and the list starts over from a fresh snapshot, as client-go
 * does; what was read of the old one is dropped, since the pages must come from one snapshot to be a list at all.
 */
export async function listAllPages(read: PageReader, pageSize = LIST_PAGE_SIZE): Promise<PagedList> {
  for (let attempt = 0; ; attempt += 1) {
    const items: k8s.KubernetesObject[] = [];
    let token: string | undefined;
    let resourceVersion = '';
    let pages = 0;
    try {
      do {
        const page = await read(pageSize, token);
        pages += 1;
        items.push(...page.items);
        resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
        token = page.metadata?.continue || undefined;
      } while (token !== undefined);
      return { items, resourceVersion, pages };
    } catch (error) {
      if (token === undefined || statusOf(error) !== 410 || attempt + 1 >= RESTARTS) throw error;
    }
  }
}

/**
 * Lists as the API server sent them: parsed JSON, not client-node's typed copies. Its typed list drops what its
 * models do not know: the list's `continue` token for a custom resource (its metadata is read as an object's), and
 * any field newer than the client; and the watches deliver plain JSON, so the World holds one shape of object.
 */
export class RawLists extends k8s.KubernetesObjectApi {
  static for(config: k8s.KubeConfig): RawLists {
    const lists = apiClient(config, RawLists);
    // As the objects client: a namespaced kind listed without a namespace reads the context's.
    lists.setDefaultNamespace(config);
    return lists;
  }

  /** One page of a kind's list (cluster-wide without `namespace`). */
  page(apiVersion: string, kind: string, namespace: string | undefined, labelSelector: string | undefined): PageReader {
    return async (limit, continueToken) => this.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined,
      labelSelector, limit, continueToken);
  }

  protected override async processResponse<T extends k8s.KubernetesObject>(response: k8s.ResponseContext, type?: string): Promise<T> {
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299) return super.processResponse(response, type);
    return JSON.parse(await response.body.text()) as T;
  }
}

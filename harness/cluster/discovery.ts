import * as k8s from '@kubernetes/client-node';
import { apiClient } from './kube.js';

/** What the API server says of one kind: its plural resource name and whether it lives in namespaces. */
export interface ResourceInfo {
  readonly plural: string;
  readonly namespaced: boolean;
}

/** Resolves kinds to resources through the API server's discovery (cached by client-node). */
export class Discovery extends k8s.KubernetesObjectApi {
  static for(config: k8s.KubeConfig): Discovery {
    const client = apiClient(config, Discovery);
    client.setDefaultNamespace(config);
    return client;
  }

  /** The resource of a kind, or undefined when the cluster does not serve it (yet: a CRD may still be coming). */
  async resourceOf(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    const found = await this.resource(apiVersion, kind);
    return found ? { plural: found.name, namespaced: found.namespaced } : undefined;
  }

  /** The URL path of a collection, for lists and watches. */
  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const info = await this.resourceOf(apiVersion, kind);
    if (!info) throw new Error(`the cluster does not serve ${kind} (${apiVersion})`);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return info.namespaced && namespace ? `${base}/namespaces/${namespace}/${info.plural}` : `${base}/${info.plural}`;
  }
}

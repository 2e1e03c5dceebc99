import * as k8s from '@kubernetes/client-node';
import { apiClient, type ClientOptions } from './kube.js';

/** The content types of the three patch formats of `kubectl patch --type`. */
export const PATCH_CONTENT_TYPE = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
} as const;

export type PatchType = keyof typeof PATCH_CONTENT_TYPE;

/** Marks a request whose answer is handed back as the JSON the server sent. */
const RAW = '__raw__';

/**
 * Reads and patches any object as plain JSON, the way kubectl sends and shows it. The generic client serializes
 * bodies and answers through its typed models, which drop a merge patch's `null` (the way to remove a field),
 * cannot send a JSON Patch array, and turn timestamps into Dates: drift is judged on what the server says.
 */
export class RawObjectApi extends k8s.KubernetesObjectApi {
  static of(config: k8s.KubeConfig, options: ClientOptions = {}): RawObjectApi {
    const client = apiClient(config, RawObjectApi, options);
    client.setDefaultNamespace(config);
    return client;
  }

  /** GET of one object. */
  async readRaw(reference: k8s.KubernetesObject): Promise<Record<string, unknown>> {
    const path = await this.specUriPath(reference, 'read');
    const request = this.configuration.baseServer.makeRequestContext(path, k8s.HttpMethod.GET);
    request.setHeaderParam('Accept', 'application/json');
    return this.requestPromise<Record<string, unknown>>(request, RAW);
  }

  /** PATCH of one object, sent as `type` (its Content-Type) by `fieldManager`; `dryRun` changes nothing. */
  async patchRaw(
    reference: k8s.KubernetesObject, type: PatchType, body: unknown, fieldManager: string, dryRun = false,
  ): Promise<Record<string, unknown>> {
    const path = await this.specUriPath(reference, 'patch');
    const request = this.configuration.baseServer.makeRequestContext(path, k8s.HttpMethod.PATCH);
    request.setHeaderParam('Accept', 'application/json');
    request.setHeaderParam('Content-Type', PATCH_CONTENT_TYPE[type]);
    request.setQueryParam('fieldManager', fieldManager);
    if (dryRun) request.setQueryParam('dryRun', 'All');
    request.setBody(JSON.stringify(body));
    return this.requestPromise<Record<string, unknown>>(request, RAW);
  }

  protected override async processResponse<T extends k8s.KubernetesObject>(response: k8s.ResponseContext, type?: string): Promise<T> {
    if (type !== RAW) return super.processResponse(response, type);
    const text = await response.body.text();
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) return JSON.parse(text) as T;
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: kept as text.
    }
    throw new k8s.ApiException(response.httpStatusCode, 'Unsuccessful HTTP Request', body, response.headers);
  }
}

/** The API server's own message in an error of the clients, else the error's. */
export function serverMessage(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  const parsed = typeof body === 'string' ? (() => { try { return JSON.parse(body) as unknown; } catch { return body; } })() : body;
  if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { message?: unknown }).message === 'string') return (parsed as { message: string }).message;
  if (typeof parsed === 'string' && parsed !== '') return parsed;
  return error instanceof Error ? error.message : String(error);
}

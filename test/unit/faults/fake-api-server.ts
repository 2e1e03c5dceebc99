/**
 * An HTTP server on 127.0.0.1 that answers the raw JSON reads and patches of harness/cluster/raw-object.ts the way
 * the API server does, for the patch fault: resource discovery, GET and PATCH of objects it holds (merge patch and
 * JSON Patch; a dry run changes nothing), with resourceVersion and managedFields bumped on each write, a 404
 * Status for what it does not hold, and scripted refusals. Every request is recorded.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import fastJsonPatch from 'fast-json-patch';

type Json = Record<string, unknown>;

export interface Request {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly contentType: string;
  readonly body: unknown;
}

const RESOURCES: Record<string, { name: string; kind: string; namespaced: boolean }[]> = {
  '/api/v1': [{ name: 'configmaps', kind: 'ConfigMap', namespaced: true }, { name: 'pods', kind: 'Pod', namespaced: true }],
  // A custom kind named Pod: only the core group's Pod has a ReplicaSet that can release it.
  '/apis/example.com/v1': [{ name: 'widgets', kind: 'Widget', namespaced: true }, { name: 'pods', kind: 'Pod', namespaced: true }],
};

/** RFC 7386: null removes a field, objects merge, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const result: Json = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [key, value] of Object.entries(patch as Json)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

export class FakeApiServer {
  readonly requests: Request[] = [];
  /** Objects by their lowercased path (/api/v1/namespaces/ns/configmaps/name). */
  readonly objects = new Map<string, Json>();
  /** The next PATCH answers with this status and message instead. */
  refusal: { code: number; message: string } | undefined;
  /** The next GET of an object answers with this status and message instead. */
  readRefusal: { code: number; message: string } | undefined;
  private readonly server: Server;
  private version = 100;

  constructor() {
    this.server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => { text += chunk.toString(); });
      request.on('end', () => {
        const url = new URL(request.url ?? '/', 'http://localhost');
        const body = text === '' ? undefined : JSON.parse(text) as unknown;
        this.requests.push({
          method: request.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), contentType: request.headers['content-type'] ?? '', body,
        });
        const [status, answer] = this.answer(request.method ?? '', url, request.headers['content-type'] ?? '', body);
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer));
      });
    });
  }

  /** Holds an object (its path from apiVersion, kind, namespace and name). */
  put(object: Json): void {
    this.objects.set(FakeApiServer.pathOf(object), structuredClone(object));
  }

  get(object: Json): Json | undefined {
    return this.objects.get(FakeApiServer.pathOf(object));
  }

  static pathOf(object: Json): string {
    const apiVersion = String(object['apiVersion']);
    const metadata = object['metadata'] as { name: string; namespace: string };
    const resource = RESOURCES[apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`]?.find((r) => r.kind === object['kind']);
    const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return `${root}/namespaces/${metadata.namespace}/${resource?.name ?? '?'}/${metadata.name}`.toLowerCase();
  }

  patches(): Request[] {
    return this.requests.filter((r) => r.method === 'PATCH');
  }

  private answer(method: string, url: URL, contentType: string, body: unknown): [number, unknown] {
    const discovery = RESOURCES[url.pathname];
    if (method === 'GET' && discovery) return [200, { kind: 'APIResourceList', groupVersion: url.pathname, resources: discovery.map((r) => ({ ...r, verbs: [] })) }];
    const current = this.objects.get(url.pathname);
    const status = (code: number, message: string): [number, unknown] => [code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, message }];
    if (!current) return status(404, `not found: ${url.pathname}`);
    if (method === 'GET' && this.readRefusal) {
      const { code, message } = this.readRefusal;
      this.readRefusal = undefined;
      return status(code, message);
    }
    if (method === 'GET') return [200, current];
    if (method !== 'PATCH') return status(405, 'method not allowed');
    if (this.refusal) {
      const { code, message } = this.refusal;
      this.refusal = undefined;
      return status(code, message);
    }
    const patched = contentType.startsWith('application/json-patch+json')
      ? fastJsonPatch.applyPatch(structuredClone(current), body as fastJsonPatch.Operation[]).newDocument
      : mergePatch(current, body) as Json;
    this.version += 1;
    const manager = url.searchParams.get('fieldManager') ?? '';
    const metadata = patched['metadata'] as Json;
    patched['metadata'] = { ...metadata, resourceVersion: String(this.version), managedFields: [{ manager }] };
    if (url.searchParams.get('dryRun') !== 'All') this.objects.set(url.pathname, patched);
    return [200, patched];
  }

  /** Listens on 127.0.0.1 and returns a kubeconfig of it. */
  async start(): Promise<k8s.KubeConfig> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    const { port } = this.server.address() as AddressInfo;
    const config = new k8s.KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'fake', token: 't' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake', namespace: 'ns' }],
      currentContext: 'fake',
    });
    return config;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((done) => this.server.close(() => done()));
  }
}

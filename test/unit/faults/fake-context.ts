/**
 * A FaultContext for unit tests: the API calls a fault makes land in a fake that records each request as the API
 * server would receive it (method and body) and answers from a small in-memory cluster; a test scripts refusals.
 * Only the calls the faults under test make are here: any other call throws, so a fault that starts using a new
 * endpoint fails its tests loudly instead of passing against a fake that does nothing.
 */
import type * as k8s from '@kubernetes/client-node';
import pino from 'pino';
import type { KubeClients } from '../../../harness/cluster/kube.js';
import type { ClusterHandle } from '../../../harness/cluster/provider.js';
import type { FaultContext } from '../../../harness/faults/fault.js';
import { systemClock } from '../../../harness/util/clock.js';
import { RandomStream } from '../../../harness/util/random.js';

/** One request the fault sent. */
export interface Sent {
  readonly call: string;
  readonly request: Record<string, unknown>;
}

/** An error shaped as client-node throws it for an HTTP status. */
export function apiError(code: number, message: string): Error & { code: number; body: string } {
  return Object.assign(new Error(`HTTP ${code}`), { code, body: JSON.stringify({ kind: 'Status', code, message }) });
}

export class FakeApi {
  readonly sent: Sent[] = [];
  readonly pods: k8s.V1Pod[] = [];
  readonly nodes: k8s.V1Node[] = [];
  /** Objects of any kind (deleteObject reads, lists and deletes them through the generic client). */
  readonly objects: k8s.KubernetesObject[] = [];
  /** Deployments, StatefulSets and ReplicaSets by kind: what scale reads and writes. */
  readonly workloads: { kind: string; metadata: k8s.V1ObjectMeta; spec: { replicas?: number } }[] = [];
  /** Answers scripted per call name, used once each in order before the default answer. */
  private readonly scripted = new Map<string, (() => unknown)[]>();
  readonly acknowledged: number[] = [];
  /** The kubeconfig of a FakeApiServer, for faults that read and patch raw JSON (patch): `kube().config`. */
  config: k8s.KubeConfig | undefined;

  /** The next `times` calls of `call` throw `error`. */
  refuse(call: string, error: Error, times = 1): void {
    const queue = this.scripted.get(call) ?? [];
    for (let i = 0; i < times; i += 1) queue.push(() => { throw error; });
    this.scripted.set(call, queue);
  }

  private answer<T>(call: string, request: Record<string, unknown>, otherwise: () => T): T {
    this.sent.push({ call, request });
    const next = this.scripted.get(call)?.shift();
    return next ? (next() as T) : otherwise();
  }

  callsOf(call: string): Record<string, unknown>[] {
    return this.sent.filter((s) => s.call === call).map((s) => s.request);
  }

  kube(): KubeClients {
    const api = this; // eslint-disable-line @typescript-eslint/no-this-alias -- the fake's methods are arrow functions of a plain object
    const core = {
      listNamespacedPod: async (request: { namespace: string }) => api.answer('listNamespacedPod', request, () => ({
        items: api.pods.filter((p) => p.metadata?.namespace === request.namespace),
      })),
      listPodForAllNamespaces: async (request: { fieldSelector?: string }) => api.answer('listPodForAllNamespaces', request, () => {
        const node = /^spec\.nodeName=(.+)$/.exec(request.fieldSelector ?? '')?.[1];
        return { items: api.pods.filter((p) => node === undefined || p.spec?.nodeName === node) };
      }),
      deleteNamespacedPod: async (request: Record<string, unknown>) => api.answer('deleteNamespacedPod', request, () => ({})),
      createNamespacedPodEviction: async (request: Record<string, unknown>) => api.answer('createNamespacedPodEviction', request, () => ({})),
      listNode: async (request: Record<string, unknown>) => api.answer('listNode', request, () => ({ items: api.nodes })),
      readNode: async (request: { name: string }) => api.answer('readNode', request, () => {
        const node = api.nodes.find((n) => n.metadata?.name === request.name);
        if (!node) throw apiError(404, `nodes "${request.name}" not found`);
        return structuredClone(node);
      }),
      patchNode: async (request: { name: string; body: { spec?: k8s.V1NodeSpec } }) => api.answer('patchNode', request, () => {
        const node = api.nodes.find((n) => n.metadata?.name === request.name);
        if (!node) throw apiError(404, `nodes "${request.name}" not found`);
        node.spec = { ...node.spec, ...request.body.spec };
        return structuredClone(node);
      }),
    };
    const workload = (kind: string, request: { name: string; namespace: string }) => {
      const found = api.workloads.find((w) => w.kind === kind && w.metadata.name === request.name && w.metadata.namespace === request.namespace);
      if (!found) throw apiError(404, `${kind} "${request.name}" not found`);
      return found;
    };
    const read = (kind: string) => async (request: { name: string; namespace: string }) =>
      api.answer(`read${kind}`, request, () => structuredClone(workload(kind, request)));
    const scale = (kind: string) => async (request: { name: string; namespace: string; body: { spec: { replicas: number } } }) =>
      api.answer(`patch${kind}Scale`, request, () => {
        workload(kind, request).spec.replicas = request.body.spec.replicas;
        return {};
      });
    const apps = {
      readNamespacedDeployment: read('Deployment'),
      readNamespacedStatefulSet: read('StatefulSet'),
      readNamespacedReplicaSet: read('ReplicaSet'),
      patchNamespacedDeploymentScale: scale('Deployment'),
      patchNamespacedStatefulSetScale: scale('StatefulSet'),
      patchNamespacedReplicaSetScale: scale('ReplicaSet'),
    };
    const same = (object: k8s.KubernetesObject, spec: k8s.KubernetesObject): boolean => object.kind === spec.kind
      && object.apiVersion === spec.apiVersion && object.metadata?.name === spec.metadata?.name
      && object.metadata?.namespace === spec.metadata?.namespace;
    const objects = {
      read: async (spec: k8s.KubernetesObject) => api.answer('read', { spec }, () => {
        const found = api.objects.find((o) => same(o, spec));
        if (!found) throw apiError(404, `${spec.kind} "${spec.metadata?.name}" not found`);
        return structuredClone(found);
      }),
      list: async (apiVersion: string, kind: string, namespace: string, ...rest: unknown[]) =>
        api.answer('list', { apiVersion, kind, namespace, labelSelector: rest[4] }, () => ({
          items: api.objects.filter((o) => o.apiVersion === apiVersion && o.kind === kind && o.metadata?.namespace === namespace),
        })),
      // Server-side apply: the object is stored whole, its generation one more than before.
      patch: async (spec: k8s.KubernetesObject, ...rest: unknown[]) => api.answer('patch', { spec, fieldManager: rest[2], strategy: rest[4] }, () => {
        const at = api.objects.findIndex((o) => same(o, spec));
        const generation = at < 0 ? 1 : (api.objects[at]?.metadata)?.generation ?? 1;
        const stored = { ...structuredClone(spec), metadata: { ...spec.metadata, generation: at < 0 ? 1 : generation + 1 } };
        if (at < 0) api.objects.push(stored);
        else api.objects[at] = stored;
        return structuredClone(stored);
      }),
      delete: async (spec: k8s.KubernetesObject, ...rest: unknown[]) => api.answer('delete', { spec, body: rest[5] }, () => {
        const at = api.objects.findIndex((o) => same(o, spec));
        if (at < 0) throw apiError(404, `${spec.kind} "${spec.metadata?.name}" not found`);
        api.objects.splice(at, 1);
        return {};
      }),
    };
    const clients: Record<string, unknown> = { core, apps, objects, ...(api.config ? { config: api.config } : {}) };
    return new Proxy(clients, {
      get(target, property: string) {
        if (property in target) return target[property];
        throw new Error(`the fake API has no ${property} client: add what the fault under test calls`);
      },
    }) as unknown as KubeClients;
  }
}

/** A Running pod on a node. */
export function pod(name: string, node: string, namespace = 'ns'): k8s.V1Pod {
  return {
    metadata: { name, namespace, uid: `uid-${name}`, creationTimestamp: new Date(0) },
    spec: { nodeName: node, containers: [{ name: 'c' }] },
    status: { phase: 'Running' },
  };
}

/** A Ready node. */
export function node(name: string): k8s.V1Node {
  return { metadata: { name, uid: `uid-${name}`, labels: {} }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
}

export function faultContext(api: FakeApi, change: Partial<FaultContext> = {}): FaultContext {
  return {
    kube: api.kube(),
    cluster: {} as ClusterHandle,
    capabilities: { provider: 'local', nodes: false, containers: false, networks: false },
    namespace: 'ns',
    allowNamespaces: [],
    random: RandomStream.derive(1, 'unit', 1, 0),
    processes: { pidOf: () => undefined, noteKill: () => undefined },
    scenarioDir: '/tmp',
    deadline: Number.POSITIVE_INFINITY,
    clock: systemClock,
    acknowledged: (at) => { api.acknowledged.push(at); },
    impairNodes: () => undefined,
    restoreNodes: () => undefined,
    log: pino({ level: 'silent' }),
    ...change,
  };
}

import type * as k8s from '@kubernetes/client-node';
import { clientsFor, statusOf, type KubeClients } from '../../harness/cluster/kube.js';
import type { ClusterState } from '../../harness/cluster/local/state.js';
import { sleep } from '../../harness/util/sleep.js';

/** Test helpers over a cluster's API: a fresh namespace per test, and polling waits with clear failures. */
export interface TestKube extends KubeClients {
  readonly namespace: string;
  cleanup(): Promise<void>;
}

/** Clients for a cluster plus a new namespace that `cleanup` deletes. */
export async function withNamespace(state: ClusterState, prefix: string): Promise<TestKube> {
  const clients = clientsFor(state.kubeconfig);
  const namespace = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  await clients.core.createNamespace({ body: { metadata: { name: namespace } } });
  // Pods cannot be created until the namespace's default ServiceAccount exists.
  await until(`default ServiceAccount in ${namespace}`, async () => {
    try {
      await clients.core.readNamespacedServiceAccount({ name: 'default', namespace });
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }, 30_000);
  return {
    ...clients,
    namespace,
    cleanup: async () => {
      await clients.core.deleteNamespace({ name: namespace }).catch(() => undefined);
    },
  };
}

/** Polls `check` every 100 ms until it returns true; fails naming what was awaited. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** Running, Ready, not terminating. */
export function isPodReady(pod: k8s.V1Pod): boolean {
  return pod.status?.phase === 'Running'
    && pod.metadata?.deletionTimestamp === undefined
    && (pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);
}

/** A Deployment of `replicas` pods labelled app=`name`, spread over nodes. */
export function deployment(name: string, replicas: number, annotations: Record<string, string> = {}): k8s.V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations },
        spec: {
          containers: [{ name: 'app', image: 'registry.example/app:1' }],
          topologySpreadConstraints: [{
            maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: { app: name } },
          }],
        },
      },
    },
  };
}

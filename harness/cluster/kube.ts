import * as k8s from '@kubernetes/client-node';
import { UsageError } from '../errors.js';

/** The typed API clients rebound uses, built from one kubeconfig. */
export interface KubeClients {
  readonly config: k8s.KubeConfig;
  readonly core: k8s.CoreV1Api;
  readonly apps: k8s.AppsV1Api;
  readonly storage: k8s.StorageV1Api;
  readonly discovery: k8s.DiscoveryV1Api;
  readonly objects: k8s.KubernetesObjectApi;
}

/**
 * A kubeconfig file read; a UsageError when it cannot be. The YAML parser's message quotes the lines around the
 * mistake, and a kubeconfig's lines hold tokens and client keys: only its first line (what is wrong, and where) is
 * shown.
 */
export function loadKubeconfig(file: string): k8s.KubeConfig {
  const config = new k8s.KubeConfig();
  try {
    config.loadFromFile(file);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`kubeconfig ${file} cannot be read: ${message.split('\n')[0]?.trim() ?? ''}`);
  }
  return config;
}

/** Clients for the cluster of a kubeconfig file (its current context, or `context`). */
export function clientsFor(kubeconfigFile: string, context?: string): KubeClients {
  const config = loadKubeconfig(kubeconfigFile);
  if (context) config.setCurrentContext(context);
  return {
    config,
    core: config.makeApiClient(k8s.CoreV1Api),
    apps: config.makeApiClient(k8s.AppsV1Api),
    storage: config.makeApiClient(k8s.StorageV1Api),
    discovery: config.makeApiClient(k8s.DiscoveryV1Api),
    objects: k8s.KubernetesObjectApi.makeApiClient(config),
  };
}

/** The HTTP status of a client-node error, when it carries one. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** True when a node's Ready condition is True. */
export function isNodeReady(node: k8s.V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

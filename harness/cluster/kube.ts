import * as k8s from '@kubernetes/client-node';
import { UsageError } from '../errors.js';
import { DEFAULT_RETRY_POLICY, RetryingHttpLibrary, type RetryNotice, type RetryPolicy } from './retry.js';
import { SharedAgentHttpLibrary } from './shared-agent.js';

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

/** How the clients retry (see retry.ts); the defaults ride out an API server restart. */
export interface ClientOptions {
  readonly retry?: RetryPolicy;
  readonly onRetry?: RetryNotice;
}

/**
 * An API client of `config`'s current cluster whose every request retries per retry.ts. This is what
 * KubeConfig.makeApiClient does, with the retrying HTTP library in place of the plain one.
 */
export function apiClient<T>(config: k8s.KubeConfig, type: new (configuration: k8s.Configuration) => T, options: ClientOptions = {}): T {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  return new type(k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(cluster.server, {}),
    authMethods: { default: config },
    httpApi: k8s.wrapHttpLibrary(new RetryingHttpLibrary(new SharedAgentHttpLibrary(), options.retry ?? DEFAULT_RETRY_POLICY, options.onRetry)),
  }));
}

/** The generic objects client, retrying; its default namespace is the context's, as makeApiClient sets it. */
class RetryingObjectApi extends k8s.KubernetesObjectApi {
  static of(config: k8s.KubeConfig, options: ClientOptions): k8s.KubernetesObjectApi {
    const client = apiClient(config, RetryingObjectApi, options);
    client.setDefaultNamespace(config);
    return client;
  }
}

/** Clients for the cluster of a kubeconfig file (its current context, or `context`). */
export function clientsFor(kubeconfigFile: string, context?: string, options: ClientOptions = {}): KubeClients {
  const config = loadKubeconfig(kubeconfigFile);
  if (context) config.setCurrentContext(context);
  const objects = RetryingObjectApi.of(config, options);
  return {
    config,
    core: apiClient(config, k8s.CoreV1Api, options),
    apps: apiClient(config, k8s.AppsV1Api, options),
    storage: apiClient(config, k8s.StorageV1Api, options),
    discovery: apiClient(config, k8s.DiscoveryV1Api, options),
    objects,
  };
}

/** The HTTP status of a client-node error, when it carries one. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** True when a node's Ready condition is True. */
export function isNodeReady(node: k8s.V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { UsageError } from '../../errors.js';
import { guardCluster, type ContextAllowance } from '../context-guard.js';
import { loadKubeconfig } from '../kube.js';
import type { ClusterHandle } from '../provider.js';

/** Options of the kubeconfig provider: an existing cluster, reached through a kubeconfig file and context. */
export interface KubeconfigOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  /** Contexts allowed explicitly (--allow-context, config files), besides test clusters' on this machine. */
  readonly allowances: readonly ContextAllowance[];
}

/** The file a kubeconfig option means: the one given, else $KUBECONFIG's first, else ~/.kube/config. */
export function kubeconfigFile(given: string | undefined): string {
  return given ?? process.env.KUBECONFIG?.split(':')[0] ?? join(homedir(), '.kube', 'config');
}

/**
 * A kube context of a kubeconfig file, checked by the guard before anything is sent to its cluster: its name
 * and its server. Returns the loaded config and the context's name.
 */
export async function guardedContext(
  options: KubeconfigOptions,
): Promise<{ file: string; config: k8s.KubeConfig; context: string; server: string | undefined }> {
  const file = kubeconfigFile(options.kubeconfig);
  if (!existsSync(file)) throw new UsageError(`kubeconfig ${file} does not exist; give --kubeconfig FILE.`);
  const config = loadKubeconfig(file);
  const context = options.context ?? config.getCurrentContext();
  if (!context || !config.getContextObject(context)) {
    const known = config.getContexts().map((c) => c.name).join(', ') || 'none';
    throw new UsageError(`kubeconfig ${file} has no context "${context}" (its contexts: ${known}).`);
  }
  const server = config.getCluster(config.getContextObject(context)?.cluster ?? '')?.server;
  await guardCluster(context, server, options.allowances);
  return { file, config, context, server };
}

/**
 * An existing cluster. Its context must pass the guard before anything is touched. It has no node control:
 * node faults other than drain, cordon and taint need the local or kind provider.
 */
export async function acquireKubeconfig(options: KubeconfigOptions): Promise<ClusterHandle> {
  const { file, context } = await guardedContext(options);
  return {
    provider: 'kubeconfig',
    name: context,
    kubeconfig: file,
    context,
    timings: {},
    release: async () => undefined,
  };
}

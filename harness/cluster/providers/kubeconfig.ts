import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import { guardContext } from '../context-guard.js';
import { loadKubeconfig } from '../kube.js';
import type { ClusterHandle } from '../provider.js';

/** Options of the kubeconfig provider: an existing cluster, reached through a kubeconfig file and context. */
export interface KubeconfigOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly allowContexts: readonly string[];
}

/**
 * An existing cluster. Its context must pass the guard before anything is touched. It has no node control:
 * node faults other than drain, cordon and taint need the local or kind provider.
 */
export function acquireKubeconfig(options: KubeconfigOptions): ClusterHandle {
  const file = options.kubeconfig ?? process.env.KUBECONFIG?.split(':')[0] ?? join(homedir(), '.kube', 'config');
  if (!existsSync(file)) throw new UsageError(`kubeconfig ${file} does not exist; give --kubeconfig FILE.`);
  const config = loadKubeconfig(file);
  const context = options.context ?? config.getCurrentContext();
  if (!context || !config.getContextObject(context)) {
    const known = config.getContexts().map((c) => c.name).join(', ') || 'none';
    throw new UsageError(`kubeconfig ${file} has no context "${context}" (its contexts: ${known}).`);
  }
  guardContext(context, options.allowContexts);
  return {
    provider: 'kubeconfig',
    name: context,
    kubeconfig: file,
    context,
    timings: {},
    release: async () => undefined,
  };
}

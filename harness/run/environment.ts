import { readFileSync } from 'node:fs';
import { cpus, loadavg, platform } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { apiClient, type KubeClients } from '../cluster/kube.js';
import type { ClusterHandle } from '../cluster/provider.js';
import type { Environment } from '../report/result.js';
import { packageRoot } from '../util/paths.js';

/** rebound's own version, from package.json. */
export function reboundVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The fingerprint of where a run happened: provider, versions, the settings that bound recovery times, node count
 * and machine load. Two runs are only comparable when these match.
 */
export async function fingerprint(cluster: ClusterHandle, kube: KubeClients): Promise<Environment> {
  let kubernetesVersion: string | null = null;
  let nodeCount: number | null = null;
  try {
    kubernetesVersion = (await apiClient(kube.config, k8s.VersionApi).getCode()).gitVersion;
  } catch {
    // Reported as unknown.
  }
  try {
    nodeCount = (await kube.core.listNode()).items.length;
  } catch {
    // Reported as unknown.
  }
  const timings: Record<string, number> = {};
  for (const [key, value] of Object.entries(cluster.timings)) if (typeof value === 'number') timings[key] = value;
  return {
    provider: cluster.provider,
    cluster: cluster.name,
    kubernetesVersion,
    reboundVersion: reboundVersion(),
    nodeCount,
    timings,
    machine: { cpus: cpus().length, loadAverage: loadavg().map((l) => Math.round(l * 100) / 100), platform: platform() },
  };
}

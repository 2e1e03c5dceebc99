
/** The name of a kind cluster when none is given. */
export const DEFAULT_KIND_CLUSTER = 'rebound';

export { FAILURE_DETECTION_SETTINGS, type FailureDetection } from '../failure-detection.js';

/** The kube context kind writes for a cluster; `kind-*` is on the context guard's allowlist. */
export function kindContextName(cluster: string): string {
  return `kind-${cluster}`;
}

/** The container network of a cluster: one per cluster, so `cluster down` can remove it with the cluster. */
export function kindNetworkName(cluster: string): string {
  return `rebound-${cluster}`;
}

/** The control-plane node's container (and node) name, as kind names it. */
export function controlPlaneNode(cluster: string): string {
  return `${cluster}-control-plane`;
}

/** Worker node names as kind gives them: <cluster>-worker, <cluster>-worker2, ... */
export function workerNodes(cluster: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${cluster}-worker${i === 0 ? '' : i + 1}`);
}

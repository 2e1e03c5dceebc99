import { FAILURE_DETECTION } from '../local/settings.js';
import type { ClusterTimings } from '../provider.js';

/** The name of a kind cluster when none is given. */
export const DEFAULT_KIND_CLUSTER = 'rebound';

/** How fast a kind cluster notices a lost node: rebound's test settings, or Kubernetes' own defaults. */
export type FailureDetection = 'fast' | 'kubernetes';

/** The settings behind each choice, as the control plane and kubelets are configured with them. */
export const FAILURE_DETECTION_SETTINGS: Readonly<Record<FailureDetection, Required<ClusterTimings> & {
  readonly nodeLeaseDurationSeconds: number;
  readonly nodeMonitorPeriodSeconds: number;
  readonly nodeStatusUpdateFrequencySeconds: number;
}>> = {
  // The same numbers as the embedded cluster, so a recovery time means the same on both.
  fast: {
    nodeLeaseDurationSeconds: FAILURE_DETECTION.nodeLeaseDurationSeconds,
    nodeMonitorPeriodSeconds: FAILURE_DETECTION.nodeMonitorPeriodSeconds,
    nodeMonitorGracePeriodSeconds: FAILURE_DETECTION.nodeMonitorGracePeriodSeconds,
    notReadyTolerationSeconds: FAILURE_DETECTION.notReadyTolerationSeconds,
    unreachableTolerationSeconds: FAILURE_DETECTION.unreachableTolerationSeconds,
    nodeStatusUpdateFrequencySeconds: 1,
  },
  // Kubernetes v1.34's defaults (the grace period became 50 s in v1.32): what a production cluster does unless tuned.
  kubernetes: {
    nodeLeaseDurationSeconds: 40,
    nodeMonitorPeriodSeconds: 5,
    nodeMonitorGracePeriodSeconds: 50,
    notReadyTolerationSeconds: 300,
    unreachableTolerationSeconds: 300,
    nodeStatusUpdateFrequencySeconds: 10,
  },
};

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

/** The least time a node fault can take to heal on a kind cluster: detection plus the toleration before eviction. */
export function leastKindNodeRecoverySeconds(detection: FailureDetection): number {
  const settings = FAILURE_DETECTION_SETTINGS[detection];
  return settings.nodeMonitorGracePeriodSeconds + settings.unreachableTolerationSeconds;
}

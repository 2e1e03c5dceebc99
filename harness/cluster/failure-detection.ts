import { FAILURE_DETECTION } from './local/settings.js';
import type { ClusterTimings } from './provider.js';

/** How fast a cluster (local or kind) notices a lost node: rebound's test settings, or Kubernetes' own defaults. */
export type FailureDetection = 'fast' | 'kubernetes';

/** The settings behind one choice, as the control plane and kubelets (kwok on the local cluster) are configured. */
export interface FailureDetectionSettings extends Required<ClusterTimings> {
  readonly nodeLeaseDurationSeconds: number;
  readonly nodeMonitorPeriodSeconds: number;
  /** kind's kubelets only: kwok writes a node's status when it changes. */
  readonly nodeStatusUpdateFrequencySeconds: number;
}

/** The settings behind each choice. They are part of what a node fault's recovery time means, so reports carry them. */
export const FAILURE_DETECTION_SETTINGS: Readonly<Record<FailureDetection, FailureDetectionSettings>> = {
  // rebound's test settings (local/settings.ts), the same on both providers, so a recovery time means the same.
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

/** The least time a node fault can take to heal with these settings: detection plus the toleration before eviction. */
export function leastNodeRecoverySeconds(detection: FailureDetection): number {
  const settings = FAILURE_DETECTION_SETTINGS[detection];
  return settings.nodeMonitorGracePeriodSeconds + settings.unreachableTolerationSeconds;
}

/** What a run's report carries of the settings. */
export function timingsOf(detection: FailureDetection): Required<ClusterTimings> {
  const { nodeMonitorGracePeriodSeconds, notReadyTolerationSeconds, unreachableTolerationSeconds } = FAILURE_DETECTION_SETTINGS[detection];
  return { nodeMonitorGracePeriodSeconds, notReadyTolerationSeconds, unreachableTolerationSeconds };
}

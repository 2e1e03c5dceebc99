import { stringify } from 'yaml';
import { FAILURE_DETECTION_SETTINGS, type FailureDetection } from './settings.js';

/** What a kind cluster is made of. */
export interface KindClusterSpec {
  readonly name: string;
  /** Nodes in all: one control plane, the rest workers. */
  readonly nodes: number;
  readonly image: string;
  readonly failureDetection: FailureDetection;
  /** Port of the API server on 127.0.0.1; 0 lets the engine pick. */
  readonly apiPort: number;
  /** Ports of the control-plane node published on 127.0.0.1: container port -> host port. */
  readonly publishedPorts: Readonly<Record<number, number>>;
  /**
   * Image tags kubeadm must use for what rebound's node image holds at other versions than kubeadm's defaults;
   * absent for a node image of the user's (--node-image), which keeps kubeadm's and kind's own defaults.
   */
  readonly ownImage?: { readonly etcdTag: string; readonly corednsTag: string };
}

/**
 * The kind configuration file for a cluster (kind.x-k8s.io/v1alpha4). The kubeadm patches set the failure
 * detection speed; with rebound's own node image they also point kubeadm at the etcd and CoreDNS images built
 * here, and use the cgroupfs driver (that image's containerd is set up for it; it works on cgroup v1 and v2 hosts).
 */
export function kindConfig(spec: KindClusterSpec): string {
  const timing = FAILURE_DETECTION_SETTINGS[spec.failureDetection];
  const clusterConfiguration = {
    kind: 'ClusterConfiguration',
    ...(spec.ownImage ? { etcd: { local: { imageTag: spec.ownImage.etcdTag } }, dns: { imageTag: spec.ownImage.corednsTag } } : {}),
    apiServer: {
      extraArgs: {
        'default-not-ready-toleration-seconds': String(timing.notReadyTolerationSeconds),
        'default-unreachable-toleration-seconds': String(timing.unreachableTolerationSeconds),
      },
    },
    controllerManager: {
      extraArgs: {
        'node-monitor-period': `${timing.nodeMonitorPeriodSeconds}s`,
        'node-monitor-grace-period': `${timing.nodeMonitorGracePeriodSeconds}s`,
      },
    },
  };
  const kubeletConfiguration = {
    kind: 'KubeletConfiguration',
    ...(spec.ownImage ? { cgroupDriver: 'cgroupfs' } : {}),
    nodeStatusUpdateFrequency: `${timing.nodeStatusUpdateFrequencySeconds}s`,
    nodeLeaseDurationSeconds: timing.nodeLeaseDurationSeconds,
  };
  const portMappings = Object.entries(spec.publishedPorts).map(([containerPort, hostPort]) => ({
    containerPort: Number(containerPort), hostPort, listenAddress: '127.0.0.1', protocol: 'TCP',
  }));
  const config = {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: spec.name,
    networking: { apiServerAddress: '127.0.0.1', apiServerPort: spec.apiPort },
    nodes: [
      { role: 'control-plane', image: spec.image, ...(portMappings.length > 0 ? { extraPortMappings: portMappings } : {}) },
      ...Array.from({ length: spec.nodes - 1 }, () => ({ role: 'worker', image: spec.image })),
    ],
    kubeadmConfigPatches: [stringify(clusterConfiguration), stringify(kubeletConfiguration)],
  };
  return stringify(config);
}

/**
 * How fast the local cluster notices a failed node and moves its pods, as a test cluster should (production
 * defaults wait ~50 s + 300 s). These numbers are part of what a recovery time means, so reports carry them.
 */
export const FAILURE_DETECTION = {
  /** kwok renews each node's lease every quarter of this. */
  nodeLeaseDurationSeconds: 4,
  /** kube-controller-manager checks node health this often. */
  nodeMonitorPeriodSeconds: 1,
  /** A node whose lease is older than this is marked Unknown (NotReady). */
  nodeMonitorGracePeriodSeconds: 6,
  /** Tolerations the API server adds to every pod: evicted this long after the node is tainted. */
  notReadyTolerationSeconds: 2,
  unreachableTolerationSeconds: 2,
} as const;

/** Address ranges of the local cluster. Node i gets pod CIDR 10.244.i.0/24 and the loopback address 127.0.10.i. */
export const NETWORK = {
  clusterCidr: '10.244.0.0/16',
  serviceCidr: '10.96.0.0/16',
  /** The first address of the service range: the `kubernetes` Service, which the serving certificate names. */
  kubernetesServiceIp: '10.96.0.1',
  podCidrOf: (index: number): string => `10.244.${index}.0/24`,
  nodeIpOf: (index: number): string => `127.0.10.${index}`,
} as const;

/** The label that ties a node to its agent process (one kwok per node, selecting on it). */
export const AGENT_LABEL = 'rebound.dev/node-agent';

/** The name of the embedded cluster when none is given. */
export const DEFAULT_CLUSTER_NAME = 'local';

/** The kube context name of a local cluster; `rebound-*` is on the context guard's allowlist. */
export function contextName(cluster: string): string {
  return `rebound-${cluster}`;
}

/** The least time a node fault can take to heal here: detection plus the toleration before eviction. */
export function leastNodeRecoverySeconds(): number {
  return FAILURE_DETECTION.nodeMonitorGracePeriodSeconds + FAILURE_DETECTION.unreachableTolerationSeconds;
}

/**
 * The ServiceAccounts the controller-manager gives its controllers (`--use-service-account-credentials`, as kubeadm
 * and kind run it), created before it starts. At its first start it makes each one itself, one after another through
 * its own client, which is held to 20 requests a second: three requests a controller (look up, create, token) made
 * its 34 controllers take 5 s to start, the last of them the one that gives namespaces their `default` account. With
 * the accounts there, as on every later start of a real cluster's controller-manager, it makes two. A name missing
 * here (another Kubernetes version) is created by the controller-manager as before; one too many is an unused account.
 */
export const CONTROLLER_SERVICE_ACCOUNTS: readonly string[] = [
  'attachdetach-controller', 'certificate-controller', 'clusterrole-aggregation-controller', 'cronjob-controller',
  'daemon-set-controller', 'deployment-controller', 'disruption-controller', 'endpoint-controller',
  'endpointslice-controller', 'endpointslicemirroring-controller', 'ephemeral-volume-controller', 'expand-controller',
  'generic-garbage-collector', 'horizontal-pod-autoscaler', 'job-controller', 'legacy-service-account-token-cleaner',
  'namespace-controller', 'node-controller', 'persistent-volume-binder', 'pod-garbage-collector',
  'pv-protection-controller', 'pvc-protection-controller', 'replicaset-controller', 'replication-controller',
  'resource-claim-controller', 'resourcequota-controller', 'root-ca-cert-publisher', 'service-account-controller',
  'service-cidrs-controller', 'statefulset-controller', 'ttl-after-finished-controller', 'ttl-controller',
  'validatingadmissionpolicy-status-controller', 'volumeattributesclass-protection-controller',
];

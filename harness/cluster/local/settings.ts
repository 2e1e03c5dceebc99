import { NODE_AGENT_LABEL } from '../provider.js';

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

/**
 * The lease of the nodes that share one agent (a big cluster's bulk): kwok renews it every quarter of this, so every
 * 3 s instead of every second: 495 nodes renewing every second would be 495 writes a second on 2 cores. The grace
 * period above is the controller-manager's, cluster-wide, and stays 6 s for the nodes faults stop; a bulk lease is
 * at most 3 s old plus the time its write takes when the controller looks (every second), which leaves 2-3 s of margin
 * before 6 s while the API server answers in time. Under heavy pod churn on 2 cores it does not (the scale bench
 * counts NotReady transitions): `cluster up --failure-detection kubernetes` gives every agent 40 s leases and a 50 s
 * grace period instead (components.ts takes the longer of the two leases for the shared agent).
 */
export const BULK_NODE_LEASE_DURATION_SECONDS = 12;

/** The most nodes a local cluster may have: the addresses below give each of them its own pod range. */
export const MAX_NODES = 1000;

/** Up to this many nodes, each one gets an agent of its own (as always); above it only the first DEFAULT_DEDICATED. */
export const ALL_DEDICATED_UP_TO = 50;

/** Nodes with an agent of their own (the ones node faults can stop) in a cluster bigger than ALL_DEDICATED_UP_TO. */
export const DEFAULT_DEDICATED_NODES = 5;

/** How many of `nodes` nodes get an agent of their own when `cluster up` is not told (--dedicated-nodes). */
export function defaultDedicatedNodes(nodes: number): number {
  return nodes <= ALL_DEDICATED_UP_TO ? nodes : DEFAULT_DEDICATED_NODES;
}

/**
 * Address ranges of the local cluster. Node i (1..MAX_NODES) gets the i-th /24 of 10.244.0.0/14 as its pod range
 * (10.244.i.0/24 up to node 255, then 10.245.0.0/24...) and the loopback address 127.0.(10 + i / 256).(i % 256):
 * 127.0.10.i up to node 255, as before the range grew for big clusters.
 */
export const NETWORK = {
  clusterCidr: '10.244.0.0/14',
  serviceCidr: '10.96.0.0/16',
  /** The first address of the service range: the `kubernetes` Service, which the serving certificate names. */
  kubernetesServiceIp: '10.96.0.1',
  podCidrOf: (index: number): string => `10.${244 + Math.floor(checkIndex(index) / 256)}.${index % 256}.0/24`,
  nodeIpOf: (index: number): string => `127.0.${10 + Math.floor(checkIndex(index) / 256)}.${index % 256}`,
} as const;

function checkIndex(index: number): number {
  if (!Number.isInteger(index) || index < 1 || index > MAX_NODES) throw new RangeError(`node index ${index} is outside 1..${MAX_NODES}`);
  return index;
}

/** The label that ties a node to its agent process: the node's name (its own kwok) or SHARED_NODE_AGENT. */
export const AGENT_LABEL = NODE_AGENT_LABEL;

/** The annotation that gives a node its address (the kwok stages read it, so nodes sharing an agent differ). */
export const NODE_IP_ANNOTATION = 'rebound.dev/node-ip';

/** The name of the embedded cluster when none is given. */
export const DEFAULT_CLUSTER_NAME = 'local';

/** The kube context name of a local cluster; `rebound-*` is on the context guard's allowlist. */
export function contextName(cluster: string): string {
  return `rebound-${cluster}`;
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

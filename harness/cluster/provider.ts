/**
 * The kinds of cluster rebound can run scenarios against, as command lines and config files name them (their
 * entries, one per provider, are in registry.ts; this list stays here so the command line's choices load nothing).
 */
export const PROVIDER_KINDS = ['local', 'kind', 'kubeconfig'] as const;
export type ProviderKind = typeof PROVIDER_KINDS[number];

/** The providers whose clusters rebound creates and deletes itself (`rebound cluster up --provider ...`). */
export const MANAGED_PROVIDERS = ['local', 'kind'] as const satisfies readonly ProviderKind[];
export type ManagedProvider = typeof MANAGED_PROVIDERS[number];

/** What a provider's clusters can do beyond the Kubernetes API: what its handles bring, as planning checks it. */
export interface ClusterCapabilities {
  /** Stop, pause and restart nodes. */
  readonly nodes: boolean;
  /** Kill containers' processes. */
  readonly containers: boolean;
  /** Cut nodes' networks. */
  readonly networks: boolean;
}

export { nodePortVariable, PUBLISHED_NODE_PORTS } from '../util/node-ports.js';

/**
 * The label that ties a node of the embedded cluster to the process playing its kubelet: the node's own name when it
 * has an agent of its own, SHARED_NODE_AGENT when it is one of the many nodes one agent plays (`cluster up --nodes 500`).
 */
export const NODE_AGENT_LABEL = 'rebound.dev/node-agent';

/**
 * The value of NODE_AGENT_LABEL on nodes that share one agent: stopping, pausing or restarting one of them alone is
 * impossible (it would take all of them down), so node faults refuse them.
 */
export const SHARED_NODE_AGENT = 'bulk';

/**
 * What a fault needs from the machinery under a cluster's nodes. Providers that cannot do something leave it out,
 * and a fault that needs it is an ERROR naming the provider ("containerKill needs a provider with real containers").
 */
export interface NodeControl {
  /**
   * Stops a node: it stops answering (its agent or machine is down) until `start`. At once by default, as a power
   * cut; `graceful`: an orderly shutdown (the node's own shutdown path runs first).
   */
  stop(node: string, options?: { readonly graceful?: boolean }): Promise<void>;
  start(node: string): Promise<void>;
  /** Stops a node at once and starts it again, as a reboot. */
  restart(node: string): Promise<void>;
  /** Freezes a node (SIGSTOP-like): its processes hold still without ending. */
  pause(node: string): Promise<void>;
  resume(node: string): Promise<void>;
}

/** What containerKill needs from a provider whose pods run real containers. */
export interface ContainerControl {
  /**
   * Kills the main process of one running container of a pod (SIGKILL, as a crash or the OOM killer would), on the
   * node that runs it. The kubelet then restarts it in the same pod. Throws when no such container runs.
   */
  killContainer(node: string, podUid: string, container: string): Promise<void>;
  /**
   * Kills the main process of every running container of a pod (SIGKILL), whatever the pod's grace period: what
   * podKill does after its API delete, since a real kubelet would otherwise stop them gracefully. Returns how many
   * it killed (0 when the kubelet was quicker).
   */
  killPodContainers(node: string, podUid: string): Promise<number>;
}

/** What networkPartition needs from a provider whose nodes have real network links. */
export interface NetworkControl {
  /** Cuts a node off from the cluster's network: it reaches neither the control plane nor any other node. */
  disconnect(node: string): Promise<void>;
  /**
   * Connects it again, with the addresses it had: those seen at `disconnect`, or, for a node another process cut
   * off (`rebound recover` after a killed run), `ipv4`.
   */
  reconnect(node: string, ipv4?: string): Promise<void>;
}

/** Settings of the cluster that bound how fast it can heal; reports carry them so numbers can be compared. */
export interface ClusterTimings {
  readonly nodeMonitorGracePeriodSeconds?: number;
  readonly notReadyTolerationSeconds?: number;
  readonly unreachableTolerationSeconds?: number;
}

/** A cluster to run scenarios against, ready for use. */
export interface ClusterHandle {
  readonly provider: ProviderKind;
  /** The cluster's name (local and kind) or the kube context's name. */
  readonly name: string;
  readonly kubeconfig: string;
  readonly context?: string;
  readonly nodeControl?: NodeControl;
  /** Present when pods run real containers (kind). */
  readonly containerControl?: ContainerControl;
  /** Present when nodes have real network links (kind). */
  readonly networkControl?: NetworkControl;
  /** Built-in variables this cluster provides to scenarios (kind: NODE_PORT_30080 ... as 127.0.0.1:<port>). */
  readonly variables?: Readonly<Record<string, string>>;
  readonly timings: ClusterTimings;
  /** When a local or kind cluster was created: a cluster created anew under the same name is another cluster. */
  readonly createdAt?: string;
  /** Undoes what `acquire` did (stops a cluster it had to start), unless asked to keep it. */
  release(): Promise<void>;
}

/**
 * The provider a command line means: the one it names, else kubeconfig when it names a kubeconfig or context (an
 * existing cluster), else the local cluster.
 */
export function providerOf(choice: { readonly provider?: ProviderKind; readonly kubeconfig?: string; readonly context?: string }): ProviderKind {
  return choice.provider ?? (choice.kubeconfig !== undefined || choice.context !== undefined ? 'kubeconfig' : 'local');
}

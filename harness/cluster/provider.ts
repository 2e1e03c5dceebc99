/** The kinds of cluster rebound can run scenarios against. */
export type ProviderKind = 'local' | 'kind' | 'kubeconfig';

/**
 * What a fault needs from the machinery under a cluster's nodes. Providers that cannot do something leave it out,
 * and a fault that needs it is an ERROR naming the provider ("containerKill needs a provider with real containers").
 */
export interface NodeControl {
  /** Stops a node: it stops answering (its agent or machine is down) until `start`. */
  stop(node: string): Promise<void>;
  start(node: string): Promise<void>;
  /** Stops a node at once and starts it again, as a reboot. */
  restart(node: string): Promise<void>;
  /** Freezes a node (SIGSTOP-like): its processes hold still without ending. */
  pause(node: string): Promise<void>;
  resume(node: string): Promise<void>;
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
  readonly timings: ClusterTimings;
  /** Undoes what `acquire` did (stops a cluster it had to start), unless asked to keep it. */
  release(): Promise<void>;
}

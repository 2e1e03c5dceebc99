import type { Logger } from 'pino';
import type { KubeClients } from '../cluster/kube.js';
import type { ClusterCapabilities, ClusterHandle } from '../cluster/provider.js';
import type { FaultKind, FaultParams, Manifest, Rollback } from '../scenario/schema.js';
import type { Clock } from '../util/clock.js';
import type { RandomStream } from '../util/random.js';
import type { RevertStep } from './revert-step.js';

/** Something a fault acted on, as reports name it: defined with the results, which list it. */
export type { Target } from '../report/result.js';
import type { Target } from '../report/result.js';

/** Programs of spec.processes, as processKill reaches them. */
export interface ProcessTable {
  /** The pid of a running process of spec.processes, or undefined when it is not running. */
  pidOf(name: string): number | undefined;
  /** Tells the supervisor that rebound itself sent this signal, so the exit is logged as the fault. */
  noteKill(name: string, signal: string): void;
}

/**
 * What the provider can do beyond the Kubernetes API, as planning checks it (nothing is called): plain data, from
 * the cluster the run holds (capabilitiesOf) or, for a dry run, from the provider's entry in the registry.
 */
export interface ProviderCapabilities extends ClusterCapabilities {
  readonly provider: ClusterHandle['provider'];
}

/** The capabilities of a cluster the run holds. */
export function capabilitiesOf(cluster: ClusterHandle): ProviderCapabilities {
  return {
    provider: cluster.provider,
    nodes: cluster.nodeControl !== undefined,
    containers: cluster.containerControl !== undefined,
    networks: cluster.networkControl !== undefined,
  };
}

/**
 * What planning a fault may use: it reads the cluster and chooses targets with the seeded stream, and changes
 * nothing (`--dry-run` plans with it, with no cluster of its own to act on).
 */
export interface PlanContext {
  readonly kube: KubeClients;
  readonly capabilities: ProviderCapabilities;
  /** The scenario's namespace: the default for selectors. */
  readonly namespace: string;
  /** Namespaces faults may touch besides the scenario's (spec.allowNamespaces). */
  readonly allowNamespaces: readonly string[];
  readonly random: RandomStream;
  readonly processes: ProcessTable;
  /** The folder of the scenario file (pid files are relative to it). */
  readonly scenarioDir: string;
  /** The scenario's desired state, as loaded (a rollout's previous version). */
  readonly desiredState?: readonly Manifest[];
}

/** What a fault may use while it is injected. */
export interface FaultContext extends PlanContext {
  readonly cluster: ClusterHandle;
  /** When a fault still at work (a drain waiting on a budget) must give up: injection + recoveryWithin. */
  readonly deadline: number;
  /** The trial's clock: what a fault stamps its acknowledgements with, and what its own timers (a duration) run on. */
  readonly clock: Clock;
  /** Call with the monotonic time of every change the cluster acknowledged (a delete, an eviction...). */
  readonly acknowledged: (at: number) => void;
  /** Pods on these nodes stop counting as ready from `at` (rebound stopped, paused or cut the node off). */
  readonly impairNodes: (nodes: readonly string[], at: number) => void;
  readonly restoreNodes: (nodes: readonly string[], at: number) => void;
  readonly log: Logger;
}

/** What a fault will do, decided at injection time (or shown by --dry-run). */
export interface FaultPlan {
  readonly targets: readonly Target[];
  /** One line for people: "kill pod web-7d9f (node-2)". */
  readonly summary: string;
  /**
   * How to undo what the fault may change, as data, written to the run's journal before the injection (for
   * `rebound recover` after a killed run); none for a fault whose change the system must heal by itself.
   */
  readonly revertSteps?: readonly RevertStep[];
}

/** A fault after injection. */
export interface ActiveFault {
  readonly plan: FaultPlan;
  /** Monotonic time of the first acknowledged change. */
  readonly ackAt: number;
  /** Resolves when the fault's own work is over (at once for most; a drain when every pod is evicted or the
   *  deadline passed). A string is a failure of the system under test (a budget that blocked the drain): FAIL. */
  readonly done: Promise<string | undefined>;
  /** Undoes the fault: idempotent, safe to call at any time, also after a failed injection. */
  revert(): Promise<void>;
  /** What the injection changed exactly, when it is less than the plan's revertSteps (a node cordoned already). */
  readonly steps?: readonly RevertStep[];
  /** A rollout fault: what it wrote, and how to roll it back; the run follows its progress (run/rollout-follow.ts). */
  readonly rollout?: RolloutHandle;
}

/** A rollout written to the cluster: the workload, the generation the new version was stored at, and its rollback. */
export interface RolloutHandle {
  readonly kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  readonly name: string;
  readonly namespace: string;
  /** The replicas the new and the previous version declare (undefined for a DaemonSet). */
  readonly replicas?: number;
  readonly previousReplicas?: number;
  readonly generation: number;
  readonly ackAt: number;
  readonly policy: Rollback;
  /** Re-declares the previous version (once; later calls give the same answer): when and at which generation. */
  rollBack(): Promise<{ readonly at: number; readonly generation: number }>;
}

/** One fault kind: how targets are chosen, how it is injected. */
export interface FaultHandler<K extends FaultKind> {
  readonly kind: K;
  plan(context: PlanContext, params: FaultParams[K]): Promise<FaultPlan>;
  inject(context: FaultContext, params: FaultParams[K], plan: FaultPlan): Promise<ActiveFault>;
}

/** An ActiveFault with nothing to undo (the system must heal by itself, as after a pod kill). */
export function settledFault(plan: FaultPlan, ackAt: number, revert: () => Promise<void> = async () => undefined): ActiveFault {
  return { plan, ackAt, done: Promise.resolve(undefined), revert };
}

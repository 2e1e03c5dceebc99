import type { Logger } from 'pino';
import type { KubeClients } from '../cluster/kube.js';
import type { ClusterHandle } from '../cluster/provider.js';
import type { RolloutFigures } from '../observe/rollout-tracker.js';
import type { World } from '../observe/world.js';
import type { FaultKind, FaultParams, Manifest } from '../scenario/schema.js';
import type { RandomStream } from './random.js';
import type { RevertStep } from './revert-step.js';

/** Something a fault acted on, as reports name it. */
export interface Target {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  /** For pods: the node they ran on. */
  readonly node?: string;
  /** For containerKill: the container of the pod. */
  readonly container?: string;
}

/** Programs of spec.processes, as processKill reaches them. */
export interface ProcessTable {
  /** The pid of a running process of spec.processes, or undefined when it is not running. */
  pidOf(name: string): number | undefined;
  /** Tells the supervisor that rebound itself sent this signal, so the exit is logged as the fault. */
  noteKill(name: string, signal: string): void;
}

/** What a fault may use while it is injected. */
export interface FaultContext {
  readonly kube: KubeClients;
  readonly cluster: ClusterHandle;
  /** The scenario's namespace: the default for selectors. */
  readonly namespace: string;
  /** Namespaces faults may touch besides the scenario's (spec.allowNamespaces). */
  readonly allowNamespaces: readonly string[];
  readonly random: RandomStream;
  readonly processes: ProcessTable;
  /** The folder of the scenario file (pid files are relative to it). */
  readonly scenarioDir: string;
  /** When a fault still at work (a drain waiting on a budget) must give up: injection + recoveryWithin. */
  readonly deadline: number;
  /** Call with the monotonic time of every change the cluster acknowledged (a delete, an eviction...). */
  readonly acknowledged: (at: number) => void;
  /** Pods on these nodes stop counting as ready from `at` (rebound stopped, paused or cut the node off). */
  readonly impairNodes: (nodes: readonly string[], at: number) => void;
  readonly restoreNodes: (nodes: readonly string[], at: number) => void;
  readonly log: Logger;
  /** The scenario's desired state, as loaded (a rollout's previous version). */
  readonly desiredState?: readonly Manifest[];
  /** The run's picture of the cluster, and a subscription to its changes (stamped on arrival): what a rollout follows. */
  readonly world?: World;
  readonly onChange?: (listener: (at: number) => void) => () => void;
}

/** A rollout fault at work: when it (or its rollback) completed, and what it did. */
export interface RolloutProgress {
  readonly kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  readonly name: string;
  readonly namespace: string;
  /** The replicas the desired state declares for it, if it does. */
  readonly replicas?: number;
  /** Resolves with the monotonic time the rollout, or the rollback that its rollback setting awaits, completed. */
  readonly completed: Promise<number>;
  figures(): RolloutFigures;
  /** Why the rollback could not be written, if it could not (a harness failure: ERROR). */
  error(): string | undefined;
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
  /** A rollout fault's progress, which the trial waits for besides the steady state. */
  readonly rollout?: RolloutProgress;
}

/** One fault kind: how targets are chosen, how it is injected. */
export interface FaultHandler<K extends FaultKind> {
  readonly kind: K;
  plan(context: FaultContext, params: FaultParams[K]): Promise<FaultPlan>;
  inject(context: FaultContext, params: FaultParams[K], plan: FaultPlan): Promise<ActiveFault>;
}

/** An ActiveFault with nothing to undo (the system must heal by itself, as after a pod kill). */
export function settledFault(plan: FaultPlan, ackAt: number, revert: () => Promise<void> = async () => undefined): ActiveFault {
  return { plan, ackAt, done: Promise.resolve(undefined), revert };
}

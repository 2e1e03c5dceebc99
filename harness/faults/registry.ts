import type { Fault, FaultKind } from '../scenario/schema.js';
import { deleteObject } from './delete-object.js';
import type { ActiveFault, FaultContext, FaultHandler, FaultPlan, PlanContext } from './fault.js';
import { nodeCordon, nodeTaint } from './node-cordon.js';
import { nodePause, nodeRestart, nodeStop } from './node-down.js';
import { nodeDrain } from './node-drain.js';
import { podDelete, podKill } from './pod-kill.js';
import { processKill } from './process-kill.js';
import { rollout } from './rollout.js';
import { scale } from './scale.js';
import { containerKill } from './container-kill.js';
import { networkPartition } from './network-partition.js';
import { patch } from './patch.js';

/** Every fault kind of the format, with its handler. */
export const FAULTS: { readonly [K in FaultKind]: FaultHandler<K> } = {
  podKill, podDelete, containerKill, nodeStop, nodeRestart, nodePause, nodeDrain, nodeCordon, nodeTaint,
  networkPartition, deleteObject, scale, patch, rollout, processKill,
};

/** Node faults whose effect depends on the cluster's failure detection (for --dry-run's least recovery time). */
export const NODE_LOSS_FAULTS: readonly FaultKind[] = ['nodeStop', 'nodePause', 'networkPartition'];

/** One spec.faults entry bound to its handler: plan it, then inject what was planned. */
export interface BoundFault {
  plan(context: PlanContext): Promise<FaultPlan>;
  inject(context: FaultContext, plan: FaultPlan): Promise<ActiveFault>;
}

/** The handler of a fault with its parameters bound (the registry is keyed by kind, so the pairing is safe). */
export function bind(fault: Fault): BoundFault {
  const handler = FAULTS[fault.kind] as FaultHandler<FaultKind> as {
    plan(context: PlanContext, params: unknown): Promise<FaultPlan>;
    inject(context: FaultContext, params: unknown, plan: FaultPlan): Promise<ActiveFault>;
  };
  return {
    plan: (context) => handler.plan(context, fault.params),
    inject: (context, plan) => handler.inject(context, fault.params, plan),
  };
}

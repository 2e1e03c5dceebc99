import { describeNodeTargets, nodeTarget, readyNodes } from './candidates.js';
import type { FaultHandler, FaultPlan, PlanContext } from './fault.js';
import { addTaint, removeTaint, setUnschedulable } from './node-spec.js';
import { chooseTargets } from './select.js';
import type { NodeTargets } from '../scenario/schema.js';
import { summarizeTargets } from '../util/names.js';

/** Chooses the Ready nodes a node-spec fault (cordon, taint, drain) acts on. */
export async function planNodeSpec(context: PlanContext, kind: string, verb: string, params: NodeTargets): Promise<FaultPlan> {
  const chosen = chooseTargets(await readyNodes(context, params), params, context.random, describeNodeTargets(kind, params));
  const targets = chosen.map(nodeTarget);
  return { targets, summary: `${verb} ${summarizeTargets('nodes', targets.map((t) => `node ${t.name}`))}` };
}

/** The plan with an uncordon step per node: what a cordon or a drain may leave behind. */
export function withUncordon(plan: FaultPlan): FaultPlan {
  return { ...plan, revertSteps: plan.targets.map((t) => ({ op: 'uncordon', node: t.name })) };
}

/** nodeCordon: the nodes take no new pods; reverted by uncordoning (unless they were cordoned before). */
export const nodeCordon: FaultHandler<'nodeCordon'> = {
  kind: 'nodeCordon',
  plan: async (context, params) => withUncordon(await planNodeSpec(context, 'nodeCordon', 'cordon', params)),
  inject: async (context, _params, plan) => {
    const cordoned: string[] = [];
    for (const target of plan.targets) {
      const wasCordoned = await setUnschedulable(context.kube, target.name, true);
      if (!wasCordoned) cordoned.push(target.name);
      context.acknowledged(context.clock.now());
    }
    const ackAt = context.clock.now();
    return {
      plan, ackAt, done: Promise.resolve(undefined),
      steps: cordoned.map((node) => ({ op: 'uncordon', node })),
      revert: async () => {
        while (cordoned.length > 0) await setUnschedulable(context.kube, cordoned.pop() as string, false);
      },
    };
  },
};

/** nodeTaint: adds a taint (NoExecute evicts pods that do not tolerate it); reverted by removing it. */
export const nodeTaint: FaultHandler<'nodeTaint'> = {
  kind: 'nodeTaint',
  plan: async (context, params) => {
    const plan = await planNodeSpec(context, 'nodeTaint', 'taint', params);
    return {
      ...plan,
      summary: `${plan.summary} with ${params.key}${params.value ? `=${params.value}` : ''}:${params.effect}`,
      revertSteps: plan.targets.map((t) => ({ op: 'untaint', node: t.name, key: params.key, effect: params.effect })),
    };
  },
  inject: async (context, params, plan) => {
    const tainted: string[] = [];
    let ackAt = 0;
    for (const target of plan.targets) {
      await addTaint(context.kube, target.name, { key: params.key, ...(params.value ? { value: params.value } : {}), effect: params.effect });
      tainted.push(target.name);
      const at = context.clock.now();
      ackAt ||= at;
      context.acknowledged(at);
    }
    return {
      plan, ackAt, done: Promise.resolve(undefined),
      revert: async () => {
        while (tainted.length > 0) await removeTaint(context.kube, tainted.pop() as string, params.key, params.effect);
      },
    };
  },
};

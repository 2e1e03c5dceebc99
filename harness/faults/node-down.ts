import type { Duration } from '../scenario/duration.js';
import type { NodeTargets } from '../scenario/schema.js';
import { describeNodeTargets, nodeTarget, readyNodes } from './candidates.js';
import { FaultError } from './errors.js';
import type { ActiveFault, FaultContext, FaultHandler, FaultPlan, PlanContext } from './fault.js';
import { chooseTargets } from './select.js';
import { NODE_AGENT_LABEL, SHARED_NODE_AGENT, type NodeControl } from '../cluster/provider.js';
import { summarizeNames, summarizeTargets } from '../util/names.js';
import type * as k8s from '@kubernetes/client-node';

function cannotControlNodes(kind: string, provider: string): FaultError {
  return new FaultError(`${kind} needs a provider that controls nodes (local or kind); ${provider} cannot`);
}

function control(context: FaultContext, kind: string): NodeControl {
  const nodeControl = context.cluster.nodeControl;
  if (!nodeControl) throw cannotControlNodes(kind, context.cluster.provider);
  return nodeControl;
}

/**
 * Refuses a fault that would stop, pause or restart nodes sharing one agent (a big embedded cluster's bulk): stopping
 * that agent would take hundreds of nodes down, and acting on none would be a fault that silently did nothing. The
 * candidates decide, not the random choice, so a scenario is refused or run whatever its seed.
 */
async function refuseSharedAgents(context: PlanContext, kind: string, params: NodeTargets, nodes: readonly k8s.V1Node[]): Promise<void> {
  const shared = nodes.filter((node) => node.metadata?.labels?.[NODE_AGENT_LABEL] === SHARED_NODE_AGENT).map((node) => node.metadata?.name ?? '');
  if (shared.length === 0) return;
  const own = await context.kube.core.listNode({ labelSelector: `${NODE_AGENT_LABEL},${NODE_AGENT_LABEL}!=${SHARED_NODE_AGENT}` });
  const agentOf = (node: k8s.V1Node): string | undefined => node.metadata?.labels?.[NODE_AGENT_LABEL];
  const can = own.items.filter((node) => agentOf(node) !== undefined && agentOf(node) !== SHARED_NODE_AGENT)
    .map((node) => node.metadata?.name ?? '').sort(byNodeNumber);
  const which = `${shared.length} of its ${nodes.length} candidate nodes (${summarizeNames(shared.sort(byNodeNumber))})`;
  const remedy = can.length === 0 ? 'no node of this cluster has an agent of its own (bring it up with --dedicated-nodes N)'
    : `the nodes that can be: ${summarizeNames(can)}; select them with selector: ${NODE_AGENT_LABEL}!=${SHARED_NODE_AGENT}`;
  throw new FaultError(`${describeNodeTargets(kind, params)}: ${which} share one node agent and cannot be stopped, paused or restarted alone; ${remedy}`);
}

/** node-2 before node-10. */
function byNodeNumber(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/**
 * Chooses the nodes of a node fault (after `check` confirms the provider can do it); `ownAgents`: the fault acts on
 * the nodes' agents (stop, pause, restart), so nodes sharing one are refused.
 */
export async function planNodes(context: PlanContext, kind: string, verb: string, params: NodeTargets, check: () => void = () => {
  if (!context.capabilities.nodes) throw cannotControlNodes(kind, context.capabilities.provider);
}, ownAgents = true): Promise<FaultPlan> {
  check();
  const nodes = await readyNodes(context, params);
  if (ownAgents) await refuseSharedAgents(context, kind, params, nodes);
  const chosen = chooseTargets(nodes, params, context.random, describeNodeTargets(kind, params));
  const targets = chosen.map(nodeTarget);
  return { targets, summary: `${verb} ${summarizeTargets('nodes', targets.map((t) => `node ${t.name}`))}` };
}

/** The plan with a step per node that undoes the fault: start, resume or reconnect it. */
export function withNodeSteps(plan: FaultPlan, op: 'nodeStart' | 'nodeResume' | 'networkReconnect'): FaultPlan {
  return { ...plan, revertSteps: plan.targets.map((t) => ({ op, node: t.name })) };
}

/**
 * Takes nodes down with `down`, brings them back with `up` at revert (or after `duration`). Pods on them stop
 * counting as ready from the acknowledgement on: their stale status says Ready until the control plane notices,
 * but nothing on a stopped node serves.
 */
export async function takeDown(
  context: FaultContext,
  plan: FaultPlan,
  down: (node: string) => Promise<void>,
  up: (node: string) => Promise<void>,
  duration: Duration | undefined,
): Promise<ActiveFault> {
  const nodes = plan.targets.map((t) => t.name);
  const downed: string[] = [];
  let reverted = false;
  // The duration's timer, cleared by an early revert (after a FAIL) so that it holds nothing up; `done` then never
  // settles, and nothing waits for it any more (the trial awaits it only while the trial could still pass).
  let cancelTimer: (() => void) | undefined;
  const revert = async (): Promise<void> => {
    if (reverted) return;
    reverted = true;
    cancelTimer?.();
    for (const node of downed) await up(node);
    context.restoreNodes(downed, context.clock.now());
  };
  try {
    for (const node of nodes) {
      await down(node);
      downed.push(node);
    }
  } catch (error) {
    await revert();
    throw new FaultError(`could not take down node ${nodes[downed.length]}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const ackAt = context.clock.now();
  context.impairNodes(nodes, ackAt);
  context.acknowledged(ackAt);
  let done: Promise<string | undefined> = Promise.resolve(undefined);
  if (duration) {
    done = new Promise((resolve) => {
      cancelTimer = context.clock.after(duration.toMilliseconds(), () => {
        revert().then(() => resolve(undefined), (error: unknown) => resolve(`could not bring nodes back: ${String(error)}`));
      });
    });
  }
  return { plan, ackAt, done, revert };
}

/**
 * nodeStop: the node stops answering (local: its agent is killed, or gets SIGTERM with `graceful`; kind: its
 * container is killed, or stopped with `graceful`); with `duration` it starts again after that long.
 */
export const nodeStop: FaultHandler<'nodeStop'> = {
  kind: 'nodeStop',
  plan: async (context, params) => withNodeSteps(await planNodes(context, 'nodeStop', 'stop', params), 'nodeStart'),
  inject: (context, params, plan) => {
    const nodes = control(context, 'nodeStop');
    return takeDown(context, plan, (n) => nodes.stop(n, { graceful: params.graceful }), (n) => nodes.start(n), params.duration);
  },
};

/** nodePause: the node is frozen (local: its agent gets SIGSTOP), then thawed after `duration` or at revert. */
export const nodePause: FaultHandler<'nodePause'> = {
  kind: 'nodePause',
  plan: async (context, params) => withNodeSteps(await planNodes(context, 'nodePause', 'pause', params), 'nodeResume'),
  inject: (context, params, plan) => {
    const nodes = control(context, 'nodePause');
    return takeDown(context, plan, (n) => nodes.pause(n), (n) => nodes.resume(n), params.duration);
  },
};

/** nodeRestart: the node goes down and comes straight back, as a reboot; nothing is left to revert. */
export const nodeRestart: FaultHandler<'nodeRestart'> = {
  kind: 'nodeRestart',
  // Killed mid-restart, a run leaves the node down: recover starts it.
  plan: async (context, params) => withNodeSteps(await planNodes(context, 'nodeRestart', 'restart', params), 'nodeStart'),
  inject: async (context, _params, plan) => {
    const nodes = control(context, 'nodeRestart');
    const names = plan.targets.map((t) => t.name);
    const started = context.clock.now();
    context.impairNodes(names, started);
    for (const node of names) await nodes.restart(node);
    const ackAt = context.clock.now();
    context.acknowledged(started);
    context.restoreNodes(names, ackAt);
    return { plan, ackAt: started, done: Promise.resolve(undefined), revert: async () => undefined };
  },
};

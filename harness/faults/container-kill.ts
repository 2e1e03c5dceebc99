import { podTarget, runningPods } from './candidates.js';
import { FaultError } from './errors.js';
import { settledFault, type FaultHandler } from './fault.js';
import { chooseTargets } from './select.js';
import { summarizeTargets } from '../util/names.js';

/**
 * containerKill: the main process of one container of each chosen pod gets SIGKILL on its node, as a crash or the
 * OOM killer would. The pod stays; its kubelet restarts the container in place (restartCount + 1). Nothing to
 * revert. Needs a provider whose pods run real containers (kind).
 */
export const containerKill: FaultHandler<'containerKill'> = {
  kind: 'containerKill',
  plan: async (context, params) => {
    if (!context.capabilities.containers) {
      throw new FaultError(`containerKill needs a provider with real containers; the ${context.capabilities.provider} provider has none (use --provider kind)`);
    }
    const pods = await runningPods(context, params.selector, params.namespace);
    const chosen = chooseTargets(pods, params, context.random, `containerKill ${params.selector}`);
    const targets = chosen.map((pod) => {
      const containers = pod.spec?.containers.map((c) => c.name) ?? [];
      const container = params.container ?? containers[0];
      if (!container || !containers.includes(container)) {
        throw new FaultError(`pod ${pod.metadata?.name ?? '?'} has no container "${params.container ?? ''}" (it has: ${containers.join(', ')})`);
      }
      if (!pod.spec?.nodeName) throw new FaultError(`pod ${pod.metadata?.name ?? '?'} is not on a node yet`);
      return { ...podTarget(pod), container };
    });
    return { targets, summary: `kill container ${summarizeTargets('containers', targets.map((t) => `${t.container} of pod ${t.name} (${t.node ?? '?'})`))}` };
  },
  inject: async (context, _params, plan) => {
    const control = context.cluster.containerControl;
    if (!control) throw new FaultError(`containerKill needs a provider with real containers; the ${context.cluster.provider} provider has none`);
    let first = Number.POSITIVE_INFINITY;
    for (const target of plan.targets) {
      const { node, uid, container } = target;
      if (!node || !uid || !container) throw new FaultError(`pod ${target.name} has no node, UID or container to find its container by`);
      try {
        await control.killContainer(node, uid, container);
      } catch (error) {
        throw new FaultError(`could not kill container ${container} of pod ${target.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const at = context.clock.now();
      first = Math.min(first, at);
      context.acknowledged(at);
    }
    return settledFault(plan, first);
  },
};

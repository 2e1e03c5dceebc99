import type { NetworkControl } from '../cluster/provider.js';
import { FaultError } from './errors.js';
import type { FaultContext, FaultHandler } from './fault.js';
import { planNodes, takeDown, withNodeSteps } from './node-down.js';

function noNetworks(provider: string): FaultError {
  return new FaultError(`networkPartition needs a provider with real node networks; the ${provider} provider has none (use --provider kind)`);
}

function network(context: FaultContext): NetworkControl {
  const control = context.cluster.networkControl;
  if (!control) throw noNetworks(context.cluster.provider);
  return control;
}

/**
 * networkPartition: the chosen nodes are cut off from the rest of the cluster (kind: their containers leave the
 * cluster's network). They keep running with their pods, unseen: the control plane marks them NotReady after its
 * grace period and evicts their pods. After `duration`, or at revert, they are connected again with the same
 * addresses and their pods are seen again.
 */
export const networkPartition: FaultHandler<'networkPartition'> = {
  kind: 'networkPartition',
  plan: async (context, params) => withNodeSteps(await planNodes(context, 'networkPartition', 'cut off', params, () => {
    if (!context.capabilities.networks) throw noNetworks(context.capabilities.provider);
    // A cut acts on the node's network link, not its agent.
  }, false), 'networkReconnect'),
  inject: (context, params, plan) => {
    const control = network(context);
    return takeDown(context, plan, (n) => control.disconnect(n), (n) => control.reconnect(n), params.duration);
  },
};

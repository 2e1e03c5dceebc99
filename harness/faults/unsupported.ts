import { FaultError } from './errors.js';
import type { FaultHandler } from './fault.js';

/**
 * Faults that need real containers or a real network. The local cluster simulates both, so these are an ERROR
 * there, said plainly; the kind provider will implement them behind the same interface.
 */
function needs(kind: 'containerKill' | 'networkPartition', what: string): FaultHandler<typeof kind> {
  const refuse = (provider: string): never => {
    throw new FaultError(`${kind} needs a provider with ${what}; the ${provider} provider has none (use --provider kind once it is available)`);
  };
  return {
    kind,
    plan: async (context) => refuse(context.cluster.provider),
    inject: async (context) => refuse(context.cluster.provider),
  } as FaultHandler<typeof kind>;
}

export const containerKill = needs('containerKill', 'real containers') as FaultHandler<'containerKill'>;
export const networkPartition = needs('networkPartition', 'real node networks') as FaultHandler<'networkPartition'>;

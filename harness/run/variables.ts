import type { ClusterHandle } from '../cluster/provider.js';
import { expandBuiltinVariables, type BuiltinVariables } from '../scenario/loader.js';
import type { SteadyStateCheck } from '../scenario/schema.js';

/** The built-in variables of a run: the cluster's kubeconfig, the scenario's namespace, and its provider's own. */
export function builtinVariables(cluster: ClusterHandle, namespace: string): BuiltinVariables {
  return { ...cluster.variables, KUBECONFIG: cluster.kubeconfig, NAMESPACE: namespace };
}

/** The steady-state checks with the built-in variables of http URLs expanded; throws naming one that is missing. */
export function expandSteadyState(
  checks: readonly SteadyStateCheck[] | undefined,
  builtins: BuiltinVariables,
): readonly SteadyStateCheck[] | undefined {
  return checks?.map((check) => (check.kind === 'http'
    ? { ...check, params: { ...check.params, url: expandBuiltinVariables(check.params.url, builtins) } }
    : check));
}

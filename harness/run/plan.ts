import { pino } from 'pino';
import type { RunArgs } from '../cli/run.js';
import { print } from '../cli/output.js';
import { clientsFor, type KubeClients } from '../cluster/kube.js';
import type { ProviderKind } from '../cluster/provider.js';
import { readState } from '../cluster/local/state.js';
import { contextName, DEFAULT_CLUSTER_NAME, leastNodeRecoverySeconds } from '../cluster/local/settings.js';
import { existingKindClusters, requireKindState } from '../cluster/kind/cluster.js';
import { DEFAULT_KIND_CLUSTER, leastKindNodeRecoverySeconds } from '../cluster/kind/settings.js';
import type { ExitCode } from '../errors.js';
import type { FaultContext } from '../faults/fault.js';
import { RandomStream } from '../faults/random.js';
import { bind, NODE_LOSS_FAULTS } from '../faults/registry.js';
import type { Scenario } from '../scenario/schema.js';

/** Clients for the cluster the run would use, only when it is already there: a dry run starts nothing. */
function existingCluster(args: RunArgs): { kube: KubeClients; provider: ProviderKind } | undefined {
  const provider = args.provider ?? (args.kubeconfig !== undefined || args.context !== undefined ? 'kubeconfig' : 'local');
  if (provider === 'local') {
    const name = args.cluster ?? DEFAULT_CLUSTER_NAME;
    const state = readState(name);
    return state ? { kube: clientsFor(state.kubeconfig, contextName(name)), provider: 'local' } : undefined;
  }
  if (provider === 'kind') {
    const name = args.cluster ?? DEFAULT_KIND_CLUSTER;
    const state = existingKindClusters().includes(name) ? requireKindState(name) : undefined;
    return state ? { kube: clientsFor(state.kubeconfig, state.context), provider: 'kind' } : undefined;
  }
  if (provider === 'kubeconfig' && args.kubeconfig) return { kube: clientsFor(args.kubeconfig, args.context), provider: 'kubeconfig' };
  return undefined;
}

function checkLine(check: NonNullable<Scenario['spec']['steadyState']>[number]): string {
  return `${check.kind} ${JSON.stringify(check.params, (_key, value: unknown) => (typeof value === 'object' && value !== null && 'toMilliseconds' in value ? String(value) : value))}`;
}

/**
 * `rebound run --dry-run`: what would be applied, which targets this seed would hit in trial 1 as the cluster is
 * now (when it is up: a dry run starts and changes nothing), and the least recovery time a node fault can have.
 */
export async function printPlan(args: RunArgs, scenarios: readonly Scenario[], seed: number): Promise<ExitCode> {
  const cluster = existingCluster(args);
  print(`dry run, seed ${seed}: nothing is applied, injected or started`);
  if (!cluster) print(`(no running cluster to look at: targets are shown as the selectors that will choose them)`);
  for (const scenario of scenarios) {
    const { spec } = scenario;
    const namespace = spec.namespace ?? `rebound-${scenario.metadata.name}-<random>`;
    print(`\n${scenario.metadata.name} (${scenario.file})`);
    print(`  namespace: ${namespace}${spec.namespace ? '' : ' (created and deleted by the run)'}`);
    print(`  trials: ${args.trials ?? spec.trials}, recovery within ${spec.expect.recoveryWithin.toString()}, settle ${spec.expect.settle.toString()}, timeout ${spec.timeout.toString()}`);
    print('  desired state (server-side apply, field manager rebound):');
    for (const manifest of spec.desiredState) print(`    ${manifest.kind} ${manifest.namespace ? `${manifest.namespace}/` : ''}${manifest.name}  (${manifest.source.file}:${manifest.source.line})`);
    for (const process of spec.processes) print(`  process ${process.name}: ${process.command.join(' ')} (restart: ${process.restart})`);
    print('  steady state:');
    if (spec.steadyState) for (const check of spec.steadyState) print(`    ${checkLine(check)}`);
    else print('    derived from the desired state (workloads available at their declared replicas, services with ready endpoints, Ready/Available conditions True)');
    const load = spec.load;
    if (load) {
      const driver = load.driver;
      const how = driver.kind === 'k6' ? `k6 run ${driver.script}`
        : `${driver.model.kind === 'rate' ? `${driver.model.rate} requests/s` : `${driver.model.vus} virtual users`} to ${driver.targets.map((t) => `${t.method} ${t.url}`).join(', ')}`;
      print(`  load, from ${load.warmup.toString()} before T0 to the end of each trial: ${how}`);
      for (const [metric, thresholds] of Object.entries(load.thresholds)) {
        print(`    threshold ${metric}: ${thresholds.map((t) => (typeof t === 'string' ? t : `${t.threshold}${t.abortOnFail ? ' (abortOnFail)' : ''}`)).join(', ')}`);
      }
    }
    print('  faults (trial 1):');
    for (const fault of [...spec.faults].sort((a, b) => a.at.toMilliseconds() - b.at.toMilliseconds() || a.index - b.index)) {
      let targets = 'targets chosen at injection';
      if (cluster && spec.namespace) {
        const context = {
          kube: cluster.kube,
          cluster: { provider: cluster.provider, name: args.cluster ?? DEFAULT_CLUSTER_NAME, kubeconfig: '', timings: {}, release: async () => undefined,
            ...(cluster.provider !== 'kubeconfig' ? { nodeControl: {} as never } : {}) },
          namespace: spec.namespace,
          allowNamespaces: spec.allowNamespaces,
          random: RandomStream.derive(seed, scenario.metadata.name, 1, fault.index),
          processes: { pidOf: () => undefined, noteKill: () => undefined },
          scenarioDir: '',
          deadline: 0,
          acknowledged: () => undefined,
          impairNodes: () => undefined,
          restoreNodes: () => undefined,
          log: pino({ level: 'silent' }),
        } as unknown as FaultContext;
        try {
          targets = `would ${(await bind(fault).plan(context)).summary} (as the cluster is now)`;
        } catch (error) {
          targets = `no target now: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
      print(`    +${fault.at.toString()} ${fault.kind} ${JSON.stringify(fault.params, (_k, v: unknown) => (typeof v === 'object' && v !== null && 'toMilliseconds' in v ? String(v) : v))}: ${targets}`);
      const provider = cluster?.provider ?? args.provider ?? 'local';
      if (NODE_LOSS_FAULTS.includes(fault.kind) && provider !== 'kubeconfig') {
        const seconds = provider === 'kind' ? leastKindNodeRecoverySeconds(args.failureDetection ?? 'fast') : leastNodeRecoverySeconds();
        print(`      least recovery time on the ${provider} cluster: ${seconds} s (node grace period + toleration seconds), plus rescheduling`);
      }
    }
  }
  return 0;
}

import type { RunArgs } from './args.js';
import { print } from '../util/output.js';
import type { KubeClients } from '../cluster/kube.js';
import { chosenProvider, type FoundCluster, type Provider } from '../cluster/registry.js';
import type { ExitCode } from '../errors.js';
import type { PlanContext } from '../faults/fault.js';
import { RandomStream } from '../util/random.js';
import { bind, NODE_LOSS_FAULTS } from '../faults/registry.js';
import { faultsInOrder, NODE_FAULT_KINDS, type Fault, type Manifest, type NodeTargets, type Scenario } from '../scenario/schema.js';
import type { ContextAllowance } from '../cluster/context-guard.js';
import { Discovery } from '../cluster/discovery.js';
import { describeNodeTargets, readyNodes } from '../faults/candidates.js';
import { Duration } from '../scenario/duration.js';

/** What planning reads: the cluster, the namespace, the random stream; a dry run acts on nothing. */
function planningContext(
  kube: KubeClients,
  provider: Provider,
  namespace: string,
  allowNamespaces: readonly string[],
  random: RandomStream,
): PlanContext {
  // What the provider could do is what the run's provider would bring (its entry says: node control for local and
  // kind, containers and networks for kind; an existing cluster none).
  return {
    kube,
    capabilities: { provider: provider.kind, ...provider.capabilities },
    namespace,
    allowNamespaces,
    random,
    processes: { pidOf: () => undefined, noteKill: () => undefined },
    scenarioDir: '',
  };
}

/** The objects of the desired state by where they land, as the cluster serves their kinds (or guessed without one). */
async function objectsByPlace(kube: KubeClients | undefined, scenario: Scenario, namespace: string): Promise<Map<string, string[]>> {
  const discovery = kube ? Discovery.for(kube.config) : undefined;
  const places = new Map<string, string[]>();
  for (const manifest of scenario.spec.desiredState) {
    const info = discovery ? await discovery.resourceOf(manifest.apiVersion, manifest.kind).catch(() => undefined) : undefined;
    // Without the cluster's word, a manifest that names no namespace is taken to be namespaced (most kinds are).
    const namespaced = info ? info.namespaced : manifest.namespace !== undefined || !CLUSTER_SCOPED_KINDS.has(manifest.kind);
    const place = namespaced ? `namespace ${manifest.namespace ?? namespace}` : 'cluster-scoped';
    places.set(place, [...(places.get(place) ?? []), `${manifest.kind} ${manifest.name}`]);
  }
  return places;
}

/** Kinds that live outside namespaces, for a dry run without a cluster to ask. */
const CLUSTER_SCOPED_KINDS = new Set(['Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding',
  'CustomResourceDefinition', 'PriorityClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'IngressClass', 'RuntimeClass']);

/** Node faults: their candidates are nodes, chosen by node labels (and by the pods they host, at injection). */
const NODE_FAULTS: ReadonlySet<string> = new Set(NODE_FAULT_KINDS);

/** The nodes a node fault may hit, as the cluster is now: the ready nodes its selector matches. */
async function candidateNodes(context: PlanContext, fault: Fault): Promise<string> {
  const targets = fault.params as NodeTargets;
  const nodes = await readyNodes(context, { ...targets, nodesOf: undefined });
  const names = nodes.map((node) => node.metadata?.name ?? '').filter(Boolean);
  const hosting = targets.nodesOf ? `, those hosting pods ${targets.nodesOf} at injection` : '';
  return names.length === 0 ? 'none ready now' : `${names.join(', ')}${hosting}`;
}

/** A JSON.stringify replacer that writes Durations as they were written (`30s`). */
function durationsAsText(_key: string, value: unknown): unknown {
  return value instanceof Duration ? value.toString() : value;
}

/** A fault's parameters for people: durations as written, a rollout file's manifests named rather than printed whole. */
function paramsAsText(key: string, value: unknown): unknown {
  if (key === 'manifests' && Array.isArray(value)) return (value as Manifest[]).map((m) => `${m.kind} ${m.name}`);
  return durationsAsText(key, value);
}

function checkLine(check: NonNullable<Scenario['spec']['steadyState']>[number]): string {
  return `${check.kind} ${JSON.stringify(check.params, durationsAsText)}`;
}

/**
 * `rebound run --dry-run`: which cluster, what would be applied where, every namespace and node the run may touch
 * (and which targets this seed would hit in trial 1 as the cluster is now, when it is up: a dry run starts and
 * changes nothing), and the least recovery time a node fault can have.
 */
export async function printPlan(
  args: RunArgs,
  scenarios: readonly Scenario[],
  seed: number,
  allowances: readonly ContextAllowance[],
): Promise<ExitCode> {
  const provider = chosenProvider(args);
  const cluster: FoundCluster = await provider.find({ ...args, allowances });
  print(`dry run, seed ${seed}: nothing is applied, injected or started`);
  print(`cluster: ${cluster.line}`);
  if (!cluster.kube) print('(no running cluster to look at: targets are shown as the selectors that will choose them)');
  for (const scenario of scenarios) {
    const { spec } = scenario;
    const created = spec.namespace === undefined;
    const namespace = spec.namespace ?? `rebound-${scenario.metadata.name.slice(0, 45)}-<random>`;
    print(`\n${scenario.metadata.name} (${scenario.file})`);
    print(`  namespace: ${namespace}${created ? ' (created and deleted by the run)' : ''}`);
    print(`  trials: ${args.trials ?? spec.trials}, recovery within ${spec.expect.recoveryWithin.toString()}, settle ${spec.expect.settle.toString()}, timeout ${spec.timeout.toString()}`);
    print('  desired state (server-side apply, field manager rebound; what did not exist is deleted after):');
    for (const manifest of spec.desiredState) print(`    ${manifest.kind} ${manifest.namespace ? `${manifest.namespace}/` : ''}${manifest.name}  (${manifest.source.file}:${manifest.source.line})`);
    for (const process of spec.processes) print(`  process ${process.name}: ${process.command.join(' ')} (restart: ${process.restart})`);
    print('  steady state:');
    if (spec.steadyState) for (const check of spec.steadyState) print(`    ${checkLine(check)}`);
    else {
      const drift = spec.derivedSteadyState?.desiredStateHolds === false ? '' : ', and desiredStateHolds: every field rebound applies keeps its applied value';
      print(`    derived from the desired state (workloads available at their declared replicas, services with ready endpoints, Ready/Available conditions True${drift})`);
    }
    if (!spec.steadyState && spec.faults.some((f) => f.kind === 'rollout')) print('    workloads a rollout fault rolls out: availableAtLeast at their own maxUnavailable floor');
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
    const nodes: string[] = [];
    for (const fault of faultsInOrder(spec.faults)) {
      let targets = 'targets chosen at injection';
      const context = cluster.kube
        ? {
          ...planningContext(
            cluster.kube,
            provider,
            spec.namespace ?? namespace,
            spec.allowNamespaces,
            RandomStream.derive(seed, scenario.metadata.name, 1, fault.index),
          ),
          desiredState: spec.desiredState,
        }
        : undefined;
      if (context && (spec.namespace !== undefined || NODE_FAULTS.has(fault.kind))) {
        try {
          targets = `would ${(await bind(fault).plan(context)).summary} (as the cluster is now)`;
        } catch (error) {
          targets = `no target now: ${error instanceof Error ? error.message : String(error)}`;
        }
      } else if (context) {
        targets = `targets chosen at injection among what the desired state creates in ${namespace}`;
      }
      if (NODE_FAULTS.has(fault.kind)) {
        const candidates = context ? await candidateNodes(context, fault).catch((error: unknown) => `unknown (${error instanceof Error ? error.message : String(error)})`) : `the ready nodes matching ${describeNodeTargets(fault.kind, fault.params as NodeTargets)}`;
        nodes.push(`${fault.kind}: ${candidates}`);
      }
      print(`    +${fault.at.toString()} ${fault.kind} ${JSON.stringify(fault.params, paramsAsText)}: ${targets}`);
      const seconds = provider.leastNodeRecoverySeconds(args);
      if (NODE_LOSS_FAULTS.includes(fault.kind) && seconds !== undefined) {
        print(`      least recovery time on the ${provider.kind} cluster: ${seconds} s (node grace period + toleration seconds), plus rescheduling`);
      }
    }
    print('  blast radius (everything the run may touch):');
    const places = await objectsByPlace(cluster.kube, scenario, namespace);
    const faultNamespaces = [namespace, ...spec.allowNamespaces];
    const touched = [...new Set([...faultNamespaces, ...[...places.keys()].filter((p) => p.startsWith('namespace ')).map((p) => p.slice('namespace '.length))])];
    print(`    namespaces: ${touched.map((ns) => `${ns}${ns === namespace && created ? ' (created, then deleted)' : ''}${faultNamespaces.includes(ns) ? ' (faults act here)' : ''}`).join('; ')}`);
    for (const [place, objects] of places) print(`    ${place}: ${objects.join(', ')}`);
    print(`    nodes: ${nodes.length === 0 ? 'none (no node fault)' : nodes.join('; ')}`);
    if (spec.processes.length > 0) print(`    processes on this machine: ${spec.processes.map((p) => p.name).join(', ')}`);
  }
  return 0;
}

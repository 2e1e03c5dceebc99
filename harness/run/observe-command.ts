import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import type { ObserveArgs } from './args.js';
import { progress } from '../util/output.js';
import { chosenProvider, PROVIDERS } from '../cluster/registry.js';
import { allowancesOf, loadUserConfig, namesCluster, withClusterChoice, type UserConfig } from '../config/user-config.js';
import type { ClusterHandle } from '../cluster/provider.js';
import { UsageError, type ExitCode } from '../errors.js';
import { BreakRules } from '../observe/breaks.js';
import { createReporters, DEFAULT_REPORTERS } from '../report/registry.js';
import { exitCodeOf } from '../report/result.js';
import { Duration } from '../scenario/duration.js';
import { parseVarAssignments } from '../scenario/loader.js';
import type { Scenario } from '../scenario/schema.js';
import { defaultOut, loadScenarios } from './command.js';
import { RunInterrupt, RunInterruptedError } from './interrupt.js';
import { observeScenario } from './observe.js';

/**
 * The cluster to watch, chosen with the same flags and guard as run. observe touches nothing, so it never starts a
 * cluster (there would be nothing deployed in it) and never stops one.
 */
async function attach(given: ObserveArgs, config: UserConfig): Promise<ClusterHandle> {
  const args = withClusterDefaults(given, config);
  // observe has no --provider: a kubeconfig or context names an existing cluster, else the local one.
  const provider = chosenProvider({ kubeconfig: args.kubeconfig, context: args.context });
  if (provider.attach === undefined) throw new UsageError(`observe cannot attach to a ${provider.kind} cluster by itself; give its --context.`);
  const allowances = allowancesOf(args.allowContext, config);
  return provider.attach({ cluster: args.cluster, kubeconfig: args.kubeconfig, context: args.context, allowances }, progress);
}

/** The config files' cluster, when the command line names none (observe has no --provider: kind is a context). */
function withClusterDefaults(given: ObserveArgs, config: UserConfig): ObserveArgs {
  const provider = config.defaults.provider;
  if (!namesCluster(given) && provider !== undefined && PROVIDERS[provider].attach === undefined) {
    throw new UsageError(`the config file's defaults.provider is kind: observe reaches a kind cluster through its context; give --context kind-${config.defaults.cluster ?? 'rebound'} (or --kubeconfig and --context).`);
  }
  return withClusterChoice(given, config);
}

/** What observe cannot honour in a scenario: refused, since a field that does nothing would mislead. */
function refuseUnobservable(scenario: Scenario): void {
  const { spec, file } = scenario;
  if (spec.processes.length > 0) {
    throw new UsageError(`${file}: spec.processes: observe starts no process (it applies and starts nothing); run ${spec.processes.map((p) => p.name).join(', ')} yourself and use a copy of the scenario without spec.processes.`);
  }
  if (spec.load !== undefined) {
    throw new UsageError(`${file}: spec.load: observe sends no traffic (its trials begin whenever someone breaks something); use a copy of the scenario without spec.load.`);
  }
  const patch = spec.faults.find((fault) => fault.kind === 'patch');
  if (patch !== undefined) {
    throw new UsageError(`${file}: spec.faults[${patch.index}]: observe cannot tell a patch from any other write to its object; leave it out, the steady state breaking (desiredStateHolds in a run) still starts a trial.`);
  }
  const drift = (spec.steadyState ?? []).find((check) => check.kind === 'desiredStateHolds');
  if (drift !== undefined) {
    throw new UsageError(`${file}: spec.steadyState[${drift.index}]: desiredStateHolds checks the fields rebound applied, and observe applies nothing; use it with rebound run.`);
  }
  const hidden = BreakRules.unobservable(spec.faults);
  if (hidden.length > 0) {
    throw new UsageError(`${file}: spec.faults[${hidden[0]?.index ?? 0}]: observe cannot see a ${hidden[0]?.kind ?? 'fault'} happen (its target is a process, not a cluster object); leave it out, the steady state breaking still starts a trial.`);
  }
}

/** `rebound observe`: watches, measures, reports; the exit code follows the verdict as for run. */
export async function executeObserve(args: ObserveArgs, interrupt: RunInterrupt): Promise<ExitCode> {
  try {
    return await observe(args, interrupt);
  } finally {
    interrupt.uninstall();
  }
}

async function observe(args: ObserveArgs, interrupt: RunInterrupt): Promise<ExitCode> {
  const vars = parseVarAssignments(args.var);
  if (args.trials !== undefined && (!Number.isInteger(args.trials) || args.trials < 1)) {
    throw new UsageError(`--trials ${args.trials} is not valid: give a whole number of 1 or more.`);
  }
  let duration: Duration | undefined;
  if (args.duration !== undefined) {
    try {
      duration = Duration.parse(args.duration);
    } catch (error) {
      throw new UsageError(`--duration ${args.duration}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (duration.toMilliseconds() <= 0) throw new UsageError(`--duration ${args.duration}: give a positive duration, e.g. 30m.`);
  }
  const scenarios = await loadScenarios([args.scenario], vars);
  const scenario = scenarios[0];
  if (scenario === undefined || scenarios.length > 1) {
    throw new UsageError(`${args.scenario}: observe watches one scenario; name one scenario file (found ${scenarios.length}).`);
  }
  refuseUnobservable(scenario);
  const namespace = args.namespace ?? scenario.spec.namespace;
  if (namespace === undefined) {
    throw new UsageError(`${scenario.file}: observe needs the namespace the workloads run in: give --namespace NAME (the scenario sets no spec.namespace).`);
  }
  const config = loadUserConfig([args.scenario]);
  for (const file of config.files) progress(`config: ${file}`);
  const out = resolve(args.out ?? config.defaults.out ?? defaultOut());
  mkdirSync(out, { recursive: true });
  const log = pino({ level: args.logLevel, base: { mode: 'observe' } }, pino.destination({ dest: join(out, 'run.log'), sync: true }));
  const reporters = await createReporters(
    args.reporter && args.reporter.length > 0 ? args.reporter : [...(config.defaults.reporter ?? DEFAULT_REPORTERS)],
    out,
  );
  if (interrupt.by) throw new RunInterruptedError(interrupt.by);
  let cluster: ClusterHandle | undefined;
  try {
    cluster = await attach(args, config);
    const result = await observeScenario({
      scenario, namespace, trials: args.trials ?? scenario.spec.trials, durationMs: (duration ?? scenario.spec.timeout).toMilliseconds(),
      out, cluster, reporters, log, vars, interrupt,
    });
    return exitCodeOf(result.verdict, result.abortedBy);
  } finally {
    await cluster?.release();
    log.flush();
  }
}

import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { Discovery } from '../cluster/discovery.js';
import { clientsFor, type KubeClients } from '../cluster/kube.js';
import type { ClusterHandle } from '../cluster/provider.js';
import { ReboundError } from '../errors.js';
import { buildCondition, deriveSteadyState, type Condition } from '../observe/conditions.js';
import { SettleWatcher } from '../observe/detector.js';
import { report, type Reporter } from '../report/reporter.js';
import {
  RESULT_SCHEMA_VERSION, worstVerdict, type Environment, type RunResult, type ScenarioResult, type TrialResult, type Verdict,
} from '../report/result.js';
import { expandBuiltinVariables } from '../scenario/loader.js';
import type { Scenario } from '../scenario/schema.js';
import { isoOf, monotonicNow } from '../util/clock.js';
import { logTail } from '../cluster/local/process.js';
import type { World } from '../observe/world.js';
import { applyDesiredState } from './desired-state.js';
import { snapshot } from './evidence.js';
import { fingerprint } from './environment.js';
import { Ledger } from './ledger.js';
import { ensureNamespace, freshNamespace } from './namespace.js';
import { Observer } from './observer.js';
import { ProcessSupervisor } from './processes.js';
import { summarize } from './stats.js';
import { runTrial } from './trial.js';

/** What a run needs besides its scenarios. */
export interface RunOptions {
  readonly scenarios: readonly Scenario[];
  readonly seed: number;
  readonly out: string;
  /** --trials: overrides every scenario's spec.trials. */
  readonly trials?: number;
  readonly cluster: ClusterHandle;
  readonly reporters: readonly Reporter[];
  readonly log: Logger;
  readonly vars: Readonly<Record<string, string>>;
}

/** The harness could not do its job for a scenario (steady state never reached, timeout...): an ERROR. */
class ScenarioError extends ReboundError {}

/**
 * Waits until the steady state has held without a break for `settle`; returns that moment (a trial's T0). Fails
 * with the failing checks named when it does not happen before `deadline`.
 */
async function waitSteady(observer: Observer, settleMs: number, deadline: number, what: string): Promise<number> {
  const watcher = new SettleWatcher({ settleMs, startedAt: monotonicNow(), timeoutMs: Math.max(0, deadline - monotonicNow()) });
  let wake: (() => void) | undefined;
  const unsubscribe = observer.subscribe((at, evaluation) => {
    watcher.observe(at, evaluation.holds, evaluation.detail);
    wake?.();
  });
  try {
    const { evaluation } = observer.current();
    watcher.observe(monotonicNow(), evaluation.holds, evaluation.detail);
    for (;;) {
      const now = monotonicNow();
      const status = watcher.tick(now);
      if (status === 'ready' && watcher.t0 !== undefined) return watcher.t0;
      if (status === 'timedOut' || now >= deadline) {
        throw new ScenarioError(`${what} never reached within the scenario's timeout: ${watcher.reason ?? observer.current().evaluation.detail}`);
      }
      const next = Math.min(deadline, watcher.nextDeadline() ?? now + 1000);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(5, Math.min(1000, next - now)));
        wake = () => { clearTimeout(timer); resolve(); };
      });
      wake = undefined;
    }
  } finally {
    unsubscribe();
  }
}

function describeCondition(condition: Condition): string[] {
  return condition.describe().split('\n').filter((line) => line.trim() !== '');
}

async function runScenario(options: RunOptions, scenario: Scenario, kube: KubeClients, discovery: Discovery): Promise<ScenarioResult> {
  const { reporters, log: runLog } = options;
  const log = runLog.child({ scenario: scenario.metadata.name });
  const startedAt = Date.now();
  const deadline = monotonicNow() + scenario.spec.timeout.toMilliseconds();
  const trialsWanted = options.trials ?? scenario.spec.trials;
  const expect = scenario.spec.expect;
  const ledger = new Ledger();
  const trials: TrialResult[] = [];
  const namespace = scenario.spec.namespace ?? freshNamespace(scenario.metadata.name);
  const supervisor = new ProcessSupervisor(
    (text) => expandBuiltinVariables(text, { KUBECONFIG: options.cluster.kubeconfig, NAMESPACE: namespace }),
    join(options.out, 'processes', scenario.metadata.name),
    log,
  );
  let observer: Observer | undefined;
  let steadyState: string[] = [];
  let desired: { apiVersion: string; kind: string; name: string }[] = [];
  let error: string | null = null;
  const phase = (trial: number | null, name: Parameters<NonNullable<Reporter['onPhase']>>[2], detail: string, live = false): Promise<string[]> => {
    log.info({ trial, phase: name }, detail);
    const counts = live && observer ? observer.current() : undefined;
    return report(reporters, 'onPhase', scenario, trial, name, detail,
      counts ? { ...counts.counts, holds: counts.evaluation.holds } : undefined);
  };

  await report(reporters, 'onScenarioStart', scenario);
  try {
    await phase(null, 'apply', `namespace ${namespace}, ${scenario.spec.desiredState.length} object${scenario.spec.desiredState.length === 1 ? '' : 's'}`);
    await ensureNamespace(kube, namespace, scenario.metadata.name, ledger);
    const applied = await applyDesiredState(kube, discovery, scenario.spec.desiredState, namespace, ledger);
    if (scenario.spec.processes.length > 0) {
      ledger.record('process', 'stop spec.processes', () => supervisor.stopAll());
      await phase(null, 'apply', `starting ${scenario.spec.processes.map((p) => p.name).join(', ')}`);
      await supervisor.startAll(scenario.spec.processes);
    }
    const condition = scenario.spec.steadyState
      ? buildCondition(scenario.spec.steadyState, namespace, applied.map((a) => a.manifest.object as never))
      : deriveSteadyState(applied.map((a) => a.manifest.object as never), namespace);
    steadyState = describeCondition(condition);
    desired = applied.map((a) => ({ apiVersion: a.manifest.apiVersion, kind: a.manifest.kind, name: a.manifest.name }));
    observer = new Observer(kube, discovery, condition, namespace, log);
    const extraKinds = [
      ...applied.map((a) => ({ apiVersion: a.manifest.apiVersion, kind: a.manifest.kind })),
      ...(scenario.spec.steadyState ?? []).flatMap((check) => (check.kind === 'object' ? [{ apiVersion: check.params.apiVersion, kind: check.params.kind }] : [])),
    ];
    const probes = (scenario.spec.steadyState ?? []).flatMap((check) => (check.kind === 'http'
      ? [{ url: check.params.url, status: check.params.status, timeoutMs: check.params.timeout.toMilliseconds() }] : []));
    await observer.start([namespace, ...scenario.spec.allowNamespaces], extraKinds, probes);

    await phase(null, 'steady', `waiting for the steady state to hold for ${expect.settle.toString()}`);
    let t0 = await waitSteady(observer, expect.settle.toMilliseconds(), deadline, 'initial steady state');
    for (let trial = 1; trial <= trialsWanted; trial += 1) {
      await phase(trial, 'inject', `${scenario.spec.faults.length} fault${scenario.spec.faults.length === 1 ? '' : 's'}`);
      const result = await runTrial({
        scenario, trial, seed: options.seed, t0, namespace, kube, cluster: options.cluster, observer,
        processes: supervisor, ledger, log: log.child({ trial }), scenarioDir: dirname(scenario.file), deadline,
        onFault: (fault) => void report(reporters, 'onFaultInjected', scenario, trial, fault),
        onTick: () => void phase(trial, 'recover', 'waiting for recovery', true),
        snapshot: (at) => snapshot(observer?.world as World, [namespace, ...scenario.spec.allowNamespaces], desired, at),
      });
      trials.push(result);
      await report(reporters, 'onTrialEnd', scenario, result);
      await phase(trial, 'revert', 'reverting faults');
      const problems = await ledger.undo(['fault']);
      if (problems.length > 0) throw new ScenarioError(`could not revert faults: ${problems.join('; ')}`);
      if (result.verdict === 'ERROR') break;
      if (trial < trialsWanted) {
        await phase(trial, 'steady', 'waiting for the steady state before the next trial');
        t0 = await waitSteady(observer, expect.settle.toMilliseconds(), deadline, `steady state after trial ${trial}`);
      }
    }
  } catch (caught) {
    error = caught instanceof ReboundError || caught instanceof Error ? caught.message : String(caught);
    if (caught instanceof ReboundError && caught.details.length > 0) error = `${error}\n${caught.details.join('\n')}`;
    log.error({ error }, 'scenario error');
  }

  await phase(null, 'cleanup', 'undoing what the scenario did');
  const events = observer?.eventRecords() ?? [];
  observer?.stop();
  const cleanup = await ledger.undo();
  const verdicts: Verdict[] = trials.map((t) => t.verdict);
  if (error !== null || cleanup.length > 0) verdicts.push('ERROR');
  const verdict = trials.length === 0 && error === null && cleanup.length === 0 ? 'ERROR' : worstVerdict(verdicts);
  const firstBad = trials.find((t) => t.verdict === verdict && t.reason);
  const reason = error ?? (cleanup.length > 0 ? `cleanup failed: ${cleanup.join('; ')}` : firstBad ? `trial ${firstBad.trial}: ${firstBad.reason}` : null);
  const broken = trials.filter((t) => !t.undisrupted && t.recoveryTimeMs !== null);
  const result: ScenarioResult = {
    name: scenario.metadata.name,
    file: scenario.file,
    description: scenario.metadata.description ?? null,
    labels: scenario.metadata.labels,
    verdict,
    reason,
    namespace,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date().toISOString(),
    expect: {
      recoveryWithinMs: expect.recoveryWithin.toMilliseconds(),
      settleMs: expect.settle.toMilliseconds(),
      maxDisruptionMs: expect.maxDisruption ? expect.maxDisruption.toMilliseconds() : null,
      mustBreak: expect.mustBreak,
    },
    steadyState,
    trials,
    stats: {
      recoveryTimeMs: summarize(broken.map((t) => t.recoveryTimeMs as number)),
      disruptionMs: summarize(broken.map((t) => t.disruptionMs as number)),
      brokenTrials: broken.length,
    },
    processes: supervisor.summary().map((p) => ({ ...p, tail: logTail(p.log, 200) })),
    events,
    cleanup,
  };
  await report(reporters, 'onScenarioEnd', result);
  return result;
}

/** Runs scenarios one after the other against one cluster, and reports the run. */
export async function runScenarios(options: RunOptions): Promise<RunResult> {
  const startedAt = isoOf(Date.now());
  await report(options.reporters, 'onRunStart', { seed: options.seed, scenarios: options.scenarios, out: options.out });
  const kube = clientsFor(options.cluster.kubeconfig, options.cluster.context);
  const discovery = Discovery.for(kube.config);
  let environment: Environment | null = null;
  try {
    environment = await fingerprint(options.cluster, kube);
  } catch {
    // The scenarios will say what is wrong with the cluster.
  }
  const scenarios: ScenarioResult[] = [];
  for (const scenario of options.scenarios) scenarios.push(await runScenario(options, scenario, kube, discovery));
  const result: RunResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    verdict: scenarios.length === 0 ? 'ERROR' : worstVerdict(scenarios.map((s) => s.verdict)),
    seed: options.seed,
    startedAt,
    finishedAt: isoOf(Date.now()),
    environment,
    vars: options.vars,
    scenarios,
  };
  await report(options.reporters, 'onRunEnd', result);
  return result;
}

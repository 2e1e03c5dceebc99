/**
 * `rebound observe`: a scenario measured without applying or injecting anything. The workloads of its desired
 * state are already deployed; people (or krkn, Litmus, Chaos Mesh) break things by hand; rebound watches, and each
 * break and its recovery is one trial, judged by the same rules and the same code as `rebound run`:
 *
 * - T0: the steady state has held for `settle` (and every workload of the desired state has rolled out).
 * - The trial's injection moment is the first break seen at or after T0: a change to an object the scenario's faults
 *   select (observe/breaks.ts) or the steady state ceasing to hold, whichever comes first. It is recorded as a fault
 *   of kind `observed`. Further breaks before the trial is decided belong to that trial.
 * - Recovery, `recoveryWithin`, `settle`, `maxDisruption`, `mustBreak` and the verdicts: exactly as in run (trial.ts).
 * - The next trial begins once the steady state has held for `settle` again.
 *
 * The observation ends after `trials` trials, at the end of `duration` (a trial under way is measured to its end, at
 * most recoveryWithin + settle later), or on SIGINT/SIGTERM: then a trial under way is ABORTED, while a signal that
 * comes while waiting for a break ends the observation with the verdicts of the trials measured. An observation in
 * which nothing broke measured nothing and says so: ERROR when its duration ran out, ABORTED when a signal ended it.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Discovery } from '../cluster/discovery.js';
import { clientsFor, statusOf, type KubeClients } from '../cluster/kube.js';
import type { ClusterHandle } from '../cluster/provider.js';
import { ReboundError } from '../errors.js';
import { BreakRules, type ObservedBreak } from '../observe/breaks.js';
import { all, buildCondition, deriveSteadyState } from '../observe/conditions.js';
import { FailureKeepingReporters, report, type Reporter } from '../report/reporter.js';
import { RESULT_SCHEMA_VERSION, type Environment, type RunResult, type ScenarioResult } from '../report/result.js';
import type { Scenario } from '../scenario/schema.js';
import { isoOf, monotonicNow } from '../util/clock.js';
import { snapshot } from './evidence.js';
import { fingerprint } from './environment.js';
import type { RunInterrupt } from './interrupt.js';
import { Ledger } from './ledger.js';
import { ClusterEventSource } from './event-source.js';
import { Observer } from './observer.js';
import { ProcessSupervisor } from './processes.js';
import { rolledOut } from '../observe/rollout-checks.js';
import {
  describeCondition, RunAborted, ScenarioError, scenarioResult, waitSteady, watchPlan, WORKLOAD_KINDS, type VariantState,
} from './runner.js';
import { runTrial } from './trial.js';
import { builtinVariables, expandSteadyState } from './variables.js';

/** What an observation needs. */
export interface ObserveOptions {
  readonly scenario: Scenario;
  /** Where the workloads run: --namespace, else spec.namespace. */
  readonly namespace: string;
  /** How many breaks to measure before the observation ends. */
  readonly trials: number;
  /** How long to watch for breaks (ms). */
  readonly durationMs: number;
  readonly out: string;
  readonly cluster: ClusterHandle;
  readonly reporters: readonly Reporter[];
  readonly log: Logger;
  readonly vars: Readonly<Record<string, string>>;
  readonly interrupt: RunInterrupt;
}

/** The workloads to observe are not there: observe deploys nothing, so there is nothing to measure (exit 2). */
export class NothingToObserveError extends ReboundError {}

/**
 * Every object of the desired state must exist already (observe applies nothing); throws naming each one that does
 * not, and where the scenario declares it.
 */
export async function requireDeployed(kube: KubeClients, discovery: Discovery, scenario: Scenario, namespace: string): Promise<void> {
  const missing: string[] = [];
  try {
    await kube.core.readNamespace({ name: namespace });
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    throw new NothingToObserveError(`namespace ${namespace} does not exist: observe applies nothing, it watches workloads already deployed; deploy ${scenario.file}'s desired state there first, or name the namespace they run in with --namespace.`);
  }
  for (const manifest of scenario.spec.desiredState) {
    const info = await discovery.resourceOf(manifest.apiVersion, manifest.kind).catch(() => undefined);
    const where = `${manifest.source.file}:${manifest.source.line}:${manifest.source.column}: ${manifest.source.path}`;
    if (!info) {
      missing.push(`${where}: ${manifest.kind} ${manifest.name}: the cluster does not serve ${manifest.kind} (${manifest.apiVersion})`);
      continue;
    }
    const objectNamespace = info.namespaced ? manifest.namespace ?? namespace : undefined;
    try {
      await kube.objects.read({
        apiVersion: manifest.apiVersion,
        kind: manifest.kind,
        metadata: { name: manifest.name, ...(objectNamespace ? { namespace: objectNamespace } : {}) },
      });
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      missing.push(`${where}: ${manifest.kind} ${manifest.name}${objectNamespace ? ` in namespace ${objectNamespace}` : ''} does not exist`);
    }
  }
  if (missing.length > 0) {
    throw new NothingToObserveError(`nothing to observe: ${missing.length} object${missing.length === 1 ? '' : 's'} of the desired state ${missing.length === 1 ? 'is' : 'are'} not in the cluster; observe applies nothing: deploy ${missing.length === 1 ? 'it' : 'them'} first (kubectl apply -f the manifests), or name the namespace they run in with --namespace.`, missing);
  }
}

/**
 * The first break at or after T0, fed by every change and every evaluation of the observer. Breaks are looked for
 * all the time, so that one arriving between T0 and the trial's start is not lost; only those at or after the
 * armed T0 count.
 */
class BreakWatch {
  private armedAt: number | undefined;
  private seen: ObservedBreak[] = [];
  private wake: (() => void) | undefined;

  constructor(private readonly rules: BreakRules, private readonly observer: Observer) {}

  /** Starts listening; returns the function that stops it. */
  listen(): () => void {
    const offChange = this.observer.onChange((change) => this.offer(this.rules.see(change, this.observer.world)));
    const offEvaluation = this.observer.subscribe((at, evaluation) => {
      if (!evaluation.holds) this.offer({ at, summary: `steady state broke: ${evaluation.detail}`, fault: null, targets: [] });
    });
    return () => { offChange(); offEvaluation(); };
  }

  /** From `t0` on, a break starts a trial; the breaks seen before it are forgotten. */
  arm(t0: number): void {
    this.armedAt = t0;
    this.seen = this.seen.filter((b) => b.at >= t0);
  }

  disarm(): void {
    this.armedAt = undefined;
    this.seen = [];
  }

  /** The first break since T0, or null once `until` (monotonic ms) has passed or a signal has aborted. */
  async next(until: number, ...signals: (AbortSignal | undefined)[]): Promise<ObservedBreak | null> {
    for (;;) {
      const first = this.armedAt === undefined ? undefined : this.seen.find((b) => b.at >= (this.armedAt as number));
      if (first !== undefined) return first;
      const now = monotonicNow();
      if (now >= until || signals.some((s) => s?.aborted)) return null;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          for (const signal of signals) signal?.removeEventListener('abort', done);
          this.wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, Math.min(1000, until - now));
        for (const signal of signals) signal?.addEventListener('abort', done, { once: true });
        this.wake = done;
      });
    }
  }

  private offer(found: ObservedBreak | undefined): void {
    if (found === undefined) return;
    // Before T0 is armed only the last few matter (one may precede the arming by a moment).
    this.seen.push(found);
    if (this.seen.length > 100) this.seen.shift();
    this.wake?.();
  }
}

/** Watches one scenario's workloads and measures every break and recovery; returns the run's result. */
export async function observeScenario(options: ObserveOptions): Promise<RunResult> {
  const { scenario, namespace, interrupt } = options;
  const reporting = new FailureKeepingReporters(options.reporters);
  const { reporters } = reporting;
  const abort = interrupt.signal;
  const startedAtIso = isoOf(Date.now());
  const kube = clientsFor(options.cluster.kubeconfig, options.cluster.context);
  const discovery = Discovery.for(kube.config);
  await requireDeployed(kube, discovery, scenario, namespace);

  const wanted: Scenario = { ...scenario, spec: { ...scenario.spec, trials: options.trials } };
  await report(reporters, 'onRunStart', { seed: 0, scenarios: [wanted], out: options.out });
  let environment: Environment | null = null;
  try {
    environment = await fingerprint(options.cluster, kube);
  } catch {
    // The observation will say what is wrong with the cluster.
  }
  const log = options.log.child({ scenario: scenario.metadata.name, mode: 'observe' });
  const startedAt = Date.now();
  const end = monotonicNow() + options.durationMs;
  const expect = wanted.spec.expect;
  const builtins = builtinVariables(options.cluster, namespace);
  const namespaces = [namespace, ...wanted.spec.allowNamespaces];
  const declared = wanted.spec.desiredState.map((m) => m.object);
  const checks = expandSteadyState(wanted.spec.steadyState, builtins);
  const condition = checks ? buildCondition(checks, namespace, declared) : deriveSteadyState(declared, namespace);
  const state: VariantState = {
    variant: { label: null, scenario: wanted },
    // observe starts no process (spec.processes is refused); the supervisor only gives the report its empty list.
    supervisor: new ProcessSupervisor((text) => text, join(options.out, 'processes', scenario.metadata.name), log),
    trials: [],
    condition,
    rolledOut: all(wanted.spec.desiredState.flatMap((manifest) => {
      if (!WORKLOAD_KINDS.has(manifest.kind) || manifest.apiVersion !== 'apps/v1') return [];
      const replicas = (manifest.object.spec as { replicas?: unknown } | undefined)?.replicas;
      return [rolledOut(manifest.kind, manifest.name, manifest.namespace ?? namespace, typeof replicas === 'number' ? replicas : undefined)];
    })),
    steadyState: describeCondition(condition),
    desired: wanted.spec.desiredState.map((m) => ({ apiVersion: m.apiVersion, kind: m.kind, name: m.name })),
  };
  const phase = (trial: number | null, name: Parameters<NonNullable<Reporter['onPhase']>>[2], detail: string, counts?: Observer): Promise<string[]> => {
    log.info({ trial, phase: name }, detail);
    const live = counts?.current();
    return report(reporters, 'onPhase', wanted, trial, name, detail, live ? { ...live.counts, holds: live.evaluation.holds } : undefined);
  };

  await report(reporters, 'onScenarioStart', wanted);
  const observer = new Observer(new ClusterEventSource(kube, discovery, log), condition, namespace, log);
  const rules = new BreakRules(wanted.spec.faults, namespace);
  const watch = new BreakWatch(rules, observer);
  const unlisten = watch.listen();
  const ledger = new Ledger();
  let error: string | null = null;
  let aborted: string | null = null;
  let ended: string | null = null;
  try {
    const { extraKinds, probes } = watchPlan([wanted.spec], builtins);
    await observer.start(namespaces, [...extraKinds, ...BreakRules.watchedKinds(wanted.spec.faults)], probes);
    for (let trial = 1; trial <= options.trials; trial += 1) {
      await phase(trial, 'steady', `waiting for the steady state to hold for ${expect.settle.toString()}`);
      let t0: number;
      try {
        t0 = await waitSteady(observer, expect.settle.toMilliseconds(), end, trial === 1 ? 'initial steady state' : `steady state before trial ${trial}`, state.rolledOut, abort);
      } catch (caught) {
        // After a trial, the steady state not coming back before the end is the end; before any, nothing was measured.
        if (caught instanceof ScenarioError && trial > 1) {
          ended = `the steady state did not hold again before the observation's end (${caught.message})`;
          break;
        }
        throw caught;
      }
      watch.arm(t0);
      const watching = 'watching for a break (observe injects nothing)';
      await phase(trial, 'inject', watching);
      let broken = false;
      const result = await runTrial({
        scenario: wanted, trial, seed: 0, t0, namespace, kube, cluster: options.cluster, observer,
        processes: state.supervisor, ledger, log: log.child({ trial }), scenarioDir: '', deadline: end + expect.recoveryWithin.toMilliseconds() + expect.settle.toMilliseconds() + 5000,
        onFault: (fault) => {
          broken = true;
          void report(reporters, 'onFaultInjected', wanted, trial, fault);
        },
        onTick: () => void (broken ? phase(trial, 'recover', 'waiting for recovery', observer) : phase(trial, 'inject', watching, observer)),
        snapshot: (at) => snapshot(observer.world, namespaces, state.desired, at),
        abort,
        observed: (stop) => watch.next(end, abort, stop),
      });
      watch.disarm();
      if (result === null) break;
      state.trials.push(result);
      await report(reporters, 'onTrialEnd', wanted, result);
      if (result.verdict === 'ERROR') {
        error = `trial ${trial}: ${result.reason ?? 'ERROR'}`;
        break;
      }
      if (result.verdict === 'ABORTED') break;
    }
  } catch (caught) {
    if (!(caught instanceof RunAborted)) {
      error = caught instanceof Error ? caught.message : String(caught);
      log.error({ error }, 'observation error');
    }
  }
  const measured = state.trials.length;
  const interrupted = state.trials.some((t) => t.verdict === 'ABORTED');
  if (abort.aborted && (interrupted || measured === 0) && error === null) {
    aborted = measured === 0
      ? `ended by ${String(abort.reason)} before any break was observed: nothing was measured`
      : `aborted by ${String(abort.reason)} during trial ${measured}`;
  } else if (abort.aborted) {
    ended ??= `ended by ${String(abort.reason)}`;
  } else if (measured === 0 && error === null) {
    error = `nothing broke during the observation (${formatMs(options.durationMs)}): no trial to judge. Break something the scenario's faults select (${describeFaults(wanted)}), or let the steady state break, while rebound observe runs; a longer --duration waits longer.`;
  } else if (measured < options.trials && ended === null && error === null) {
    ended = `the observation's duration (${formatMs(options.durationMs)}) ran out`;
  }
  const events = observer.eventRecords();
  unlisten();
  observer.stop();
  const base = scenarioResult(state, { startedAt, namespace, error, aborted, cleanup: [], events, touched: false });
  const note = ended !== null && error === null && aborted === null
    ? `${measured} of ${options.trials} trial${options.trials === 1 ? '' : 's'} observed; ${ended}` : null;
  const result: ScenarioResult = { ...base, reason: base.reason ?? note };
  await report(reporters, 'onScenarioEnd', result);
  const run: RunResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    verdict: result.verdict,
    seed: 0,
    startedAt: startedAtIso,
    finishedAt: isoOf(Date.now()),
    environment,
    vars: options.vars,
    scenarios: [result],
    abortedBy: result.verdict === 'ABORTED' ? interrupt.by : null,
    mode: 'observe',
  };
  await report(reporters, 'onRunEnd', run);
  reporting.check(run.verdict);
  return run;
}

function describeFaults(scenario: Scenario): string {
  return scenario.spec.faults.map((f) => {
    const params = f.params as { selector?: string; name?: string; nodesOf?: string };
    const what = params.selector ?? params.nodesOf ?? params.name;
    return what === undefined ? f.kind : `${f.kind} ${what}`;
  }).join('; ');
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Number((ms / 1000).toFixed(3))}s`;
}

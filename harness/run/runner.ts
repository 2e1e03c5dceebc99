import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { Discovery } from '../cluster/discovery.js';
import { clientsFor, type KubeClients } from '../cluster/kube.js';
import type { ClusterHandle } from '../cluster/provider.js';
import { ReboundError } from '../errors.js';
import { all, buildCondition, deriveSteadyState, notRolledOut, type Condition, type Evaluation, type RolloutTarget } from '../observe/conditions.js';
import { SettleWatcher } from '../observe/detector.js';
import { FailureKeepingReporters, report, type Reporter } from '../report/reporter.js';
import {
  RESULT_SCHEMA_VERSION, worstVerdict, type Environment, type RunResult, type ScenarioResult, type TrialResult, type Verdict,
} from '../report/result.js';
import { expandBuiltinVariables, type BuiltinVariables } from '../scenario/loader.js';
import { builtinVariables, expandSteadyState } from './variables.js';
import { WORKLOAD_KINDS as SCHEMA_WORKLOAD_KINDS, type Scenario } from '../scenario/schema.js';
import { isoOf, nap, systemClock, type Clock } from '../util/clock.js';
import { logTail } from '../util/log-tail.js';
import { applyDesiredState } from './desired-state.js';
import { desiredFieldsOf } from '../observe/desired-fields.js';
import { FIELD_MANAGER } from '../cluster/apply.js';
import { snapshot } from './evidence.js';
import { rolledOut } from '../observe/rollout-checks.js';
import { fingerprint } from './environment.js';
import { Ledger } from './ledger.js';
import type { Journal } from './journal.js';
import { BackgroundDeletions } from './background-deletions.js';
import { ensureNamespace, freshNamespace, type DeletionWait } from './namespace.js';
import { ClusterEventSource } from './event-source.js';
import { Observer } from './observer.js';
import { ProcessSupervisor } from './processes.js';
import { summarize } from '../util/stats.js';
import { SKIPPED_BY_OPERATOR } from './judge.js';
import { runTrial } from './trial.js';
import { unattended, type Operator } from './operator.js';
import { startLoad } from '../load/start.js';
import type { LoadSession } from '../load/session.js';
import { sleepUnlessAborted, type RunInterrupt } from './interrupt.js';

/** What a run needs besides its scenarios. */
export interface RunOptions {
  /** Each entry is one scenario in its variants (one, without --matrix). */
  readonly groups: readonly (readonly Variant[])[];
  readonly seed: number;
  readonly out: string;
  /** --trials: overrides every scenario's spec.trials. */
  readonly trials?: number;
  readonly cluster: ClusterHandle;
  readonly reporters: readonly Reporter[];
  readonly log: Logger;
  readonly vars: Readonly<Record<string, string>>;
  /** The k6 binary for scenarios whose load is a k6 script (--k6, or k6 on PATH). */
  readonly k6?: string;
  /** SIGINT/SIGTERM: the run stops where it stands, undoes what it did and reports ABORTED. */
  readonly interrupt?: RunInterrupt;
  /** The journal on disk of what the run changed and has not undone, for `rebound recover` after a killed run. */
  readonly journal?: Journal;
  /** The people running it (`run --interactive`); default: nobody, every fault goes in. */
  readonly operator?: Operator;
  /** The time trials and the waits between them run on; default: the system's monotonic clock and timers. */
  readonly clock?: Clock;
}

/** The harness could not do its job for a scenario (steady state never reached, timeout...): an ERROR. */
export class ScenarioError extends ReboundError {}

/** A signal stopped the run while it waited: the scenario is ABORTED, not an ERROR. */
export class RunAborted extends ReboundError {}

/**
 * Waits until the steady state has held without a break for `settle`; returns that moment (a trial's T0). Fails
 * with the failing checks named when it does not happen before `deadline`.
 */
export async function waitSteady(
  observer: Observer,
  settleMs: number,
  deadline: number,
  what: string,
  rolledOut: Condition,
  abort?: AbortSignal,
  clock: Clock = systemClock,
): Promise<number> {
  const watcher = new SettleWatcher({ settleMs, startedAt: clock.now(), timeoutMs: Math.max(0, deadline - clock.now()) });
  let wake: (() => void) | undefined;
  // T0 also waits for every workload of the desired state to have rolled out, so that a rollout still under way
  // (after a --matrix swap, say) is never measured as if a fault had caused it.
  const judge = (at: number, evaluation: Evaluation): void => {
    // A blind watch (the API server away) may hide a break: the wait goes on once every watch is listed again.
    if (observer.blindSince() !== undefined) return;
    const rollout = rolledOut.evaluate(observer.world);
    const holds = evaluation.holds && rollout.holds;
    watcher.observe(at, holds, evaluation.holds ? rollout.detail : evaluation.detail);
  };
  const unsubscribe = observer.subscribe((at, evaluation) => {
    judge(at, evaluation);
    wake?.();
  });
  try {
    judge(clock.now(), observer.current().evaluation);
    const onAbort = (): void => wake?.();
    abort?.addEventListener('abort', onAbort, { once: true });
    for (;;) {
      if (abort?.aborted) {
        abort.removeEventListener('abort', onAbort);
        throw new RunAborted(`waiting for the ${what}`);
      }
      const now = clock.now();
      const status = observer.blindSince() === undefined ? watcher.tick(now) : watcher.status;
      if (status === 'ready' && watcher.t0 !== undefined) return watcher.t0;
      if (status === 'timedOut' || now >= deadline) {
        throw new ScenarioError(`${what} never reached within the scenario's timeout: ${watcher.reason ?? observer.current().evaluation.detail}`);
      }
      const next = Math.min(deadline, watcher.nextDeadline() ?? now + 1000);
      const sleeping = nap(clock, Math.max(5, Math.min(1000, next - now)));
      wake = sleeping.wake;
      await sleeping.done;
      wake = undefined;
    }
  } finally {
    unsubscribe();
  }
}

export function describeCondition(condition: Condition): string[] {
  return condition.describe().split('\n').filter((line) => line.trim() !== '');
}

/** Kinds of the desired state that roll out, by name. */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(SCHEMA_WORKLOAD_KINDS);

/** What the Observer must watch and probe for these specs: the kinds of their objects, and their http checks. */
export function watchPlan(specs: readonly Scenario['spec'][], builtins: BuiltinVariables): {
  extraKinds: { apiVersion: string; kind: string }[];
  probes: { url: string; status: number; timeoutMs: number }[];
} {
  const extraKinds = specs.flatMap((s) => [
    ...s.desiredState.map((m) => ({ apiVersion: m.apiVersion, kind: m.kind })),
    ...(s.steadyState ?? []).flatMap((check) => (check.kind === 'object' ? [{ apiVersion: check.params.apiVersion, kind: check.params.kind }] : [])),
    // What a patch changes is followed from its first watch event, as other faults' targets are.
    ...s.faults.flatMap((fault) => (fault.kind === 'patch' ? [{ apiVersion: fault.params.apiVersion, kind: fault.params.kind }] : [])),
  ]);
  const probes = specs.flatMap((s) => (expandSteadyState(s.steadyState, builtins) ?? []).flatMap((check) => (check.kind === 'http'
    ? [{ url: check.params.url, status: check.params.status, timeoutMs: check.params.timeout.toMilliseconds() }] : [])));
  return { extraKinds, probes };
}

/** One way of running a scenario: the scenario as loaded with one value of a --matrix variable (or the only way). */
export interface Variant {
  /** `VAR=value` for a matrix variant, null otherwise. */
  readonly label: string | null;
  readonly scenario: Scenario;
}

/** What one variant has set up and measured so far. */
export interface VariantState {
  readonly variant: Variant;
  readonly supervisor: ProcessSupervisor;
  readonly trials: TrialResult[];
  condition: Condition | undefined;
  /** Every workload of the desired state rolled out at its declared replicas. */
  rolledOut: Condition;
  steadyState: string[];
  desired: { apiVersion: string; kind: string; name: string }[];
}

/**
 * Runs one scenario, in one or more variants sharing a namespace. Variants run interleaved trial by trial
 * (a, b, a, b, ...) so drift on a noisy machine hits both alike. Before a variant's trial the previous variant is
 * swapped out (its processes stopped, the variant's desired state applied and its processes started) and the
 * steady state must hold for settle again: the swap happens before T0, so it is never part of a measurement.
 */
async function runScenario(
  options: RunOptions,
  variants: readonly Variant[],
  kube: KubeClients,
  discovery: Discovery,
  deletions: DeletionWait,
): Promise<ScenarioRun> {
  const { reporters, log: runLog } = options;
  const first = variants[0];
  if (!first) return { results: [], withLateCleanup: () => [] };
  const scenario = first.scenario;
  const log = runLog.child({ scenario: scenario.metadata.name });
  const startedAt = Date.now();
  const operator = options.operator ?? unattended;
  const clock = options.clock ?? systemClock;
  const timeLimit = clock.now() + scenario.spec.timeout.toMilliseconds() * variants.length;
  // Time spent at the operator's prompts is not the system's: the scenario's time limit moves by it.
  let heldMs = 0;
  const deadlineNow = (): number => timeLimit + heldMs;
  const trialsWanted = options.trials ?? scenario.spec.trials;
  const ledger = new Ledger(options.journal);
  options.interrupt?.track(ledger);
  const abort = options.interrupt?.signal;
  let aborted: string | null = null;
  const namespace = scenario.spec.namespace ?? freshNamespace(scenario.metadata.name);
  const namespaces = [namespace, ...scenario.spec.allowNamespaces];
  const states: VariantState[] = variants.map((variant) => ({
    variant,
    supervisor: new ProcessSupervisor(
      (text) => expandBuiltinVariables(text, builtinVariables(options.cluster, namespace)),
      join(options.out, 'processes', scenario.metadata.name, ...(variant.label ? [variant.label.replace(/[^\w.=-]/g, '_')] : [])),
      log,
    ),
    trials: [],
    condition: undefined,
    rolledOut: all([]),
    steadyState: [],
    desired: [],
  }));
  if (abort?.aborted) {
    // Stopped before this scenario began: nothing of it is touched; its reports say so.
    const notRun = `not run: the run was aborted by ${String(abort.reason)}`;
    const results = states.map((state) => ({
      ...scenarioResult(state, { startedAt, namespace, error: null, aborted: notRun, cleanup: [], events: [], touched: false }),
      namespace: null,
    }));
    return { results, withLateCleanup: () => results };
  }
  let observer: Observer | undefined;
  let active: VariantState | undefined;
  let error: string | null = null;
  const phase = (trial: number | null, name: Parameters<NonNullable<Reporter['onPhase']>>[2], detail: string, live = false): Promise<string[]> => {
    const label = active?.variant.label && variants.length > 1 ? `[${active.variant.label}] ` : '';
    log.info({ trial, phase: name, variant: active?.variant.label }, detail);
    const counts = live && observer ? observer.current() : undefined;
    return report(reporters, 'onPhase', scenario, trial, name, `${label}${detail}`,
      counts ? { ...counts.counts, holds: counts.evaluation.holds } : undefined);
  };

  /** Makes `state` the variant in place: its desired state applied, its processes running, its steady state judged. */
  const activate = async (state: VariantState): Promise<void> => {
    if (active === state) return;
    const spec = state.variant.scenario.spec;
    if (active) {
      await phase(null, 'apply', `swapping in ${state.variant.label ?? 'the next variant'}`);
      await active.supervisor.stopAll();
    }
    active = state;
    await phase(null, 'apply', `namespace ${namespace}, ${spec.desiredState.length} object${spec.desiredState.length === 1 ? '' : 's'}`);
    const applied = await applyDesiredState(kube, discovery, spec.desiredState, namespace, ledger);
    if (spec.processes.length > 0) {
      const processes = await ledger.record('process', `stop spec.processes${state.variant.label ? ` of ${state.variant.label}` : ''}`, () => state.supervisor.stopAll(),
        []);
      // Every start and restart changes the pids a later `rebound recover` must stop.
      state.supervisor.onLaunch = () => processes.updateSteps(state.supervisor.stopSteps());
      await phase(null, 'apply', `starting ${spec.processes.map((p) => p.name).join(', ')}`);
      await state.supervisor.startAll(spec.processes);
    }
    const declared = applied.map((a) => a.manifest.object);
    const steadyState = expandSteadyState(spec.steadyState, builtinVariables(options.cluster, namespace));
    // The fields rebound applied, as the apply returned them: taken now, never re-read during a trial.
    const desired = desiredFieldsOf(applied.map((a) => a.object), FIELD_MANAGER);
    state.condition = steadyState ? buildCondition(steadyState, namespace, declared, desired)
      : deriveSteadyState(declared, namespace, spec.derivedSteadyState?.desiredStateHolds === false ? [] : desired, rolloutTargets(spec.faults));
    state.rolledOut = all(applied.flatMap(({ manifest }) => {
      if (!WORKLOAD_KINDS.has(manifest.kind) || manifest.apiVersion !== 'apps/v1') return [];
      const replicas = (manifest.object.spec as { replicas?: unknown } | undefined)?.replicas;
      return [rolledOut(manifest.kind, manifest.name, manifest.namespace ?? namespace, typeof replicas === 'number' ? replicas : undefined)];
    }));
    state.steadyState = describeCondition(state.condition);
    state.desired = applied.map((a) => ({ apiVersion: a.manifest.apiVersion, kind: a.manifest.kind, name: a.manifest.name }));
    if (!observer) {
      observer = new Observer(new ClusterEventSource(kube, discovery, log), state.condition, namespace, log, clock);
      const { extraKinds, probes } = watchPlan(variants.map((v) => v.scenario.spec), builtinVariables(options.cluster, namespace));
      // Desired objects in namespaces of their own are watched there too: desiredStateHolds reads them.
      const declaredNamespaces = variants.flatMap((v) => v.scenario.spec.desiredState)
        .flatMap((m) => (m.namespace === undefined ? [] : [m.namespace]));
      await observer.start([...new Set([...namespaces, ...declaredNamespaces])], extraKinds, probes);
    } else {
      observer.setCondition(state.condition);
    }
    observer.drift.setDesired(notRolledOut(desired, rolloutTargets(spec.faults), namespace), observer.world);
  };

  for (const variant of variants) await report(reporters, 'onScenarioStart', variant.scenario);
  try {
    await ensureNamespace(kube, namespace, scenario.metadata.name, ledger, { background: deletions, progress: (line) => void phase(null, 'apply', line) });
    let steadySince: VariantState | undefined;
    let t0 = 0;
    for (let trial = 1; trial <= trialsWanted && error === null && !abort?.aborted; trial += 1) {
      for (const state of states) {
        if (abort?.aborted) break;
        const { scenario: current } = state.variant;
        const expect = current.spec.expect;
        await activate(state);
        const live = observer as Observer;
        // The load runs from its warm-up before T0 to the trial's end; whatever ends the trial early stops it.
        let load: LoadSession | undefined;
        let result: TrialResult;
        try {
          const spec = current.spec.load;
          if (spec) {
            load = await startLoad(spec, builtinVariables(options.cluster, namespace), {
              dir: join(options.out, 'load', current.metadata.name, ...(state.variant.label ? [state.variant.label.replace(/[^\w.=-]/g, '_')] : []), `trial-${trial}`),
              deadline: deadlineNow(),
              trialMs: expect.recoveryWithin.toMilliseconds() + expect.settle.toMilliseconds(),
              log: log.child({ trial, load: spec.driver.kind }),
              ...(options.k6 === undefined ? {} : { k6: options.k6 }),
            });
            await phase(trial, 'steady', `load (${describeLoad(spec.driver)}): warming up for ${spec.warmup.toString()}`);
            await sleepUnlessAborted(spec.warmup.toMilliseconds(), abort, clock);
          }
          if (steadySince !== state) {
            await phase(trial, 'steady', `waiting for the steady state to hold for ${expect.settle.toString()}`);
            t0 = await waitSteady(live, expect.settle.toMilliseconds(), deadlineNow(), trial === 1 ? 'initial steady state' : `steady state before trial ${trial}`, state.rolledOut, abort, clock);
            steadySince = state;
          }
          await phase(trial, 'inject', `${current.spec.faults.length} fault${current.spec.faults.length === 1 ? '' : 's'}`);
          result = await runTrial({
            scenario: current, trial, seed: options.seed, t0, namespace, kube, cluster: options.cluster, observer: live,
            processes: state.supervisor, ledger, log: log.child({
              trial,
              variant: state.variant.label,
            }), scenarioDir: dirname(current.file), deadline: deadlineNow(),
            operator, variant: state.variant.label, onHeld: (ms) => { heldMs += ms; },
            onFault: (fault) => void report(reporters, 'onFaultInjected', current, trial, fault),
            onTick: () => void phase(trial, 'recover', 'waiting for recovery', true),
            snapshot: (at) => snapshot(live.world, namespaces, state.desired, at),
            ...(load ? { load } : {}),
            ...(abort ? { abort } : {}),
            clock,
          });
        } finally {
          await load?.cancel();
        }
        state.trials.push(result);
        await report(reporters, 'onTrialEnd', current, result);
        await phase(trial, 'revert', 'reverting faults');
        const problems = await ledger.undo(['fault']);
        if (problems.length > 0) throw new ScenarioError(`could not revert faults: ${problems.join('; ')}`);
        steadySince = undefined;
        if (result.verdict === 'ERROR') {
          error = `trial ${trial}${state.variant.label ? ` of ${state.variant.label}` : ''}: ${result.reason ?? 'ERROR'}`;
          break;
        }
      }
    }
  } catch (caught) {
    // A signal while waiting is said below, with what was done: not an ERROR.
    if (!(caught instanceof RunAborted)) {
      error = caught instanceof ReboundError || caught instanceof Error ? caught.message : String(caught);
      if (caught instanceof ReboundError && caught.details.length > 0) error = `${error}\n${caught.details.join('\n')}`;
      log.error({ error }, 'scenario error');
    }
  }
  if (abort?.aborted) {
    const done = states.reduce((sum, s) => sum + s.trials.filter((t) => t.verdict !== 'ABORTED' && t.verdict !== 'SKIPPED').length, 0);
    aborted = `aborted by ${String(abort.reason)} after ${done} of ${trialsWanted * states.length} trial${trialsWanted * states.length === 1 ? '' : 's'}`;
    log.warn({ signal: abort.reason }, 'run aborted');
  }

  await phase(null, 'cleanup', 'undoing what the scenario did');
  const events = observer?.eventRecords() ?? [];
  observer?.stop();
  const cleanup = await ledger.undo();
  // Notes typed after the last trial ended (while it and the scenario were undone) belong to it.
  const lastTrials = active?.trials;
  const lastTrial = lastTrials?.at(-1);
  const late = operator.takeNotes();
  if (lastTrials && lastTrial && late.length > 0) {
    const notes = late.map((note) => ({ at: isoOf(note.at), kind: 'operator', label: `note: ${note.text}` }));
    lastTrials[lastTrials.length - 1] = { ...lastTrial, timeline: { ...lastTrial.timeline, markers: [...lastTrial.timeline.markers, ...notes] } };
  }
  const resultsWith = (problems: string[]): ScenarioResult[] =>
    states.map((state) => scenarioResult(state, { startedAt, namespace, error, aborted, cleanup: problems, events }));
  const results = resultsWith(cleanup);
  for (const result of results) await report(reporters, 'onScenarioEnd', result);
  return { results, withLateCleanup: (late) => resultsWith([...cleanup, ...late]) };
}

/** A scenario's results, and the same results with cleanup problems found after it ended (a namespace that stayed). */
interface ScenarioRun {
  readonly results: ScenarioResult[];
  withLateCleanup(late: string[]): ScenarioResult[];
}

/** The workloads the scenario's rollout faults roll out (the derived steady state judges them by availableAtLeast). */
function rolloutTargets(faults: Scenario['spec']['faults']): RolloutTarget[] {
  return faults.flatMap((fault) => (fault.kind === 'rollout' ? [{ kind: fault.params.kind, name: fault.params.name, ...(fault.params.namespace ? { namespace: fault.params.namespace } : {}) }] : []));
}

/** `200 requests/s over 1 target` or `k6 script load.js`, for the live output. */
function describeLoad(driver: NonNullable<Scenario['spec']['load']>['driver']): string {
  if (driver.kind === 'k6') return `k6 ${basename(driver.script)}`;
  const model = driver.model.kind === 'rate' ? `${driver.model.rate} requests/s` : `${driver.model.vus} virtual users`;
  return `${model} over ${driver.targets.length} target${driver.targets.length === 1 ? '' : 's'}`;
}

/** The result of one variant of a scenario, from its trials and whatever went wrong around them. */
export function scenarioResult(
  state: VariantState,
  run: { startedAt: number; namespace: string; error: string | null; aborted: string | null; cleanup: string[]; events: ScenarioResult['events']; /** false: the scenario never began (nothing to undo) */ touched?: boolean },
): ScenarioResult {
  const { scenario, label } = state.variant;
  const { trials } = state;
  const expect = scenario.spec.expect;
  // A trial the operator skipped was not measured: it neither passes nor fails the scenario, and a scenario of
  // skipped trials only is an ERROR, never a PASS (nothing was verified).
  const measured = trials.filter((t): t is typeof t & { verdict: Verdict } => t.verdict !== 'SKIPPED');
  const skipped = trials.filter((t) => t.verdict === 'SKIPPED').map((t) => t.trial);
  const verdicts: Verdict[] = measured.map((t) => t.verdict);
  if (run.error !== null || run.cleanup.length > 0) verdicts.push('ERROR');
  if (run.aborted !== null) verdicts.push('ABORTED');
  const verdict = measured.length === 0 ? (run.aborted !== null ? 'ABORTED' : 'ERROR') : worstVerdict(verdicts);
  const firstBad = measured.find((t) => t.verdict === verdict && t.reason);
  const cleanupFailed = run.cleanup.length > 0 ? `cleanup failed: ${run.cleanup.join('; ')}` : null;
  // Whether what the scenario did was undone is known only once the cleanup has run (and is news only if it did anything).
  const undone = run.cleanup.length === 0 && run.touched !== false ? 'what the scenario did was undone' : null;
  const skips = skipped.length === 0 ? null : `trial${skipped.length === 1 ? '' : 's'} ${skipped.join(', ')} ${SKIPPED_BY_OPERATOR}`;
  const reason = run.aborted !== null ? [run.aborted, run.error, cleanupFailed ?? undone].filter((r) => r !== null).join('; ') : run.error ?? (cleanupFailed !== null ? cleanupFailed
    : firstBad ? `trial ${firstBad.trial}: ${firstBad.reason}`
    : measured.length === 0 ? (skips !== null ? `no trial measured: ${skips}` : 'no trial ran') : skips);
  const broken = trials.filter((t) => !t.undisrupted && t.recoveryTimeMs !== null);
  return {
    name: label ? `${scenario.metadata.name} [${label}]` : scenario.metadata.name,
    file: scenario.file,
    variant: label,
    description: scenario.metadata.description ?? null,
    labels: scenario.metadata.labels,
    verdict,
    reason,
    namespace: run.namespace,
    startedAt: new Date(run.startedAt).toISOString(),
    finishedAt: new Date().toISOString(),
    expect: {
      recoveryWithinMs: expect.recoveryWithin.toMilliseconds(),
      settleMs: expect.settle.toMilliseconds(),
      maxDisruptionMs: expect.maxDisruption ? expect.maxDisruption.toMilliseconds() : null,
      mustBreak: expect.mustBreak,
    },
    steadyState: state.steadyState,
    trials,
    stats: {
      recoveryTimeMs: summarize(broken.map((t) => t.recoveryTimeMs as number)),
      disruptionMs: summarize(broken.map((t) => t.disruptionMs as number)),
      brokenTrials: broken.length,
    },
    processes: state.supervisor.summary().map((p) => ({ ...p, tail: logTail(p.log, 200) })),
    events: run.events,
    cleanup: run.cleanup,
  };
}

/** Runs scenarios one after the other against one cluster, and reports the run. */
export async function runScenarios(given: RunOptions): Promise<RunResult> {
  const reporting = new FailureKeepingReporters(given.reporters);
  const options = { ...given, reporters: reporting.reporters };
  const startedAt = isoOf(Date.now());
  await report(options.reporters, 'onRunStart', { seed: options.seed, scenarios: options.groups.flatMap((g) => g.map((v) => v.scenario)), out: options.out });
  const kube = clientsFor(options.cluster.kubeconfig, options.cluster.context);
  const discovery = Discovery.for(kube.config);
  let environment: Environment | null = null;
  try {
    environment = await fingerprint(options.cluster, kube);
  } catch {
    // The scenarios will say what is wrong with the cluster.
  }
  const runs: ScenarioRun[] = [];
  const deletions = new BackgroundDeletions();
  for (const [index, group] of options.groups.entries()) runs.push(await runScenario(options, group, kube, discovery, deletions.handTo(index)));
  if (deletions.size > 0) options.log.info({ namespaces: deletions.size }, 'waiting for the namespaces the scenarios deleted to be gone');
  const late = await deletions.settle();
  for (const [index, problems] of late) options.log.error({ scenario: index, problems }, 'cleanup failed after the scenario ended');
  const scenarios = runs.flatMap((run, index) => {
    const problems = late.get(index);
    return problems ? run.withLateCleanup(problems) : run.results;
  });
  const result: RunResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    verdict: scenarios.length === 0 ? 'ERROR' : worstVerdict(scenarios.map((s) => s.verdict)),
    seed: options.seed,
    startedAt,
    finishedAt: isoOf(Date.now()),
    environment,
    vars: options.vars,
    scenarios,
    abortedBy: options.interrupt?.by ?? null,
  };
  await report(options.reporters, 'onRunEnd', result);
  reporting.check(result.verdict);
  return result;
}

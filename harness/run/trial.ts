import type { Logger } from 'pino';
import type { KubeClients } from '../cluster/kube.js';
import type { ClusterHandle } from '../cluster/provider.js';
import { capabilitiesOf, type ActiveFault, type FaultContext, type ProcessTable, type Target } from '../faults/fault.js';
import { RandomStream } from '../util/random.js';
import { bind, NODE_LOSS_FAULTS } from '../faults/registry.js';
import type { ObservedBreak } from '../observe/breaks.js';
import { RecoveryDetector } from '../observe/detector.js';
import { judgeOutages } from '../observe/outages.js';
import type { FaultResult, LoadResult, ObjectSnapshot, TrialResult } from '../report/result.js';
import type { LoadSession } from '../load/session.js';
import { describeThreshold } from '../report/figures.js';
import { faultsInOrder, type Fault, type Scenario } from '../scenario/schema.js';
import { isoOf, nap, systemClock, type Clock } from '../util/clock.js';
import { within } from '../util/sleep.js';
import type { Ledger } from './ledger.js';
import { liveStateOf } from './live-state.js';
import { judgeTrial, SKIPPED_BY_OPERATOR } from './judge.js';
import type { Observer } from './observer.js';
import { unattended, type Operator } from './operator.js';
import { orphansOf } from '../observe/drift.js';
import { driftResult, nodeLossResults, replacementResults, restartResults, timelineResult } from './trial-results.js';
import { rolloutRecord, rolloutResults, type TrialRollout } from './rollout-results.js';
import { beginRollout, followRollout } from './rollout-follow.js';

/** What one trial needs. */
export interface TrialContext {
  readonly scenario: Scenario;
  readonly trial: number;
  readonly seed: number;
  /** When the steady state had held for settle: the trial starts here (monotonic ms). */
  readonly t0: number;
  readonly namespace: string;
  readonly kube: KubeClients;
  readonly cluster: ClusterHandle;
  readonly observer: Observer;
  readonly processes: ProcessTable;
  readonly ledger: Ledger;
  readonly log: Logger;
  readonly scenarioDir: string;
  /** The scenario's hard time limit (monotonic ms). */
  readonly deadline: number;
  readonly onFault: (fault: FaultResult) => void;
  readonly onTick: () => void;
  /** The objects under check now, for the evidence in the report. */
  readonly snapshot: (at: number) => ObjectSnapshot;
  /** spec.load's traffic, running since before T0; the trial finishes and judges it. */
  readonly load?: LoadSession;
  /** Aborted by SIGINT/SIGTERM (or the operator): the trial ends at once as ABORTED, no further fault injected. */
  readonly abort?: AbortSignal;
  /**
   * `rebound observe`: nothing is injected; the trial's one fault is the first break someone else caused, as this
   * resolves it, and recovery is measured from it by the same rules. It resolves null when the observation ends
   * (or `stop` aborts) before any break: then there is no trial.
   */
  readonly observed?: (stop: AbortSignal) => Promise<ObservedBreak | null>;
  /** The people running it (`run --interactive`): asked before the first fault, shown the recovery; default: none. */
  readonly operator?: Operator;
  /** `VAR=value` of the --matrix variant, for the operator's prompt. */
  readonly variant?: string | null;
  /** Told how long the operator's answer took: the scenario's time limit moves by it too. */
  readonly onHeld?: (ms: number) => void;
  /**
   * The time the trial runs on (t0 and deadline are on it): fault offsets, deadlines, the settle window, faults'
   * own timers and the wait for faults still at work; default: the system's monotonic clock and timers.
   */
  readonly clock?: Clock;
}

/** Reports carry whole milliseconds: the watch stamps are finer, but the API server's own clock is not. */
function roundMs(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One trial: injects the faults at T0 + at, follows the steady state through the RecoveryDetector until it has
 * recovered or cannot any more (the detector's deadlines are timers, so the trial never waits for an event that
 * may not come), and gives the trial's verdict. It never re-applies anything: the system heals by itself or not.
 * Faults stay in the ledger; the caller reverts them after the trial.
 */
export function runTrial(context: TrialContext & { readonly observed: NonNullable<TrialContext['observed']> }): Promise<TrialResult | null>;
export function runTrial(context: TrialContext): Promise<TrialResult>;
export async function runTrial(context: TrialContext): Promise<TrialResult | null> {
  const { scenario, observer } = context;
  const clock = context.clock ?? systemClock;
  const expect = scenario.spec.expect;
  // Told how many faults come, the detector never decides before the last one is in.
  const detector = new RecoveryDetector({
    recoveryWithinMs: expect.recoveryWithin.toMilliseconds(),
    settleMs: expect.settle.toMilliseconds(),
    faults: context.observed ? 1 : scenario.spec.faults.length,
    // A rollout fault's rollout (or rollback) must complete too: a gate each.
    gates: context.observed ? 0 : scenario.spec.faults.filter((f) => f.kind === 'rollout').length,
  });
  const rollouts: TrialRollout[] = [];
  const faults: FaultResult[] = [];
  const active: ActiveFault[] = [];
  observer.resetTrial();
  observer.timeline.mark(context.t0, 'note', `trial ${context.trial} T0`);
  // observe: nothing waits for rebound to inject, so a break may come right at T0, a moment before this call; the
  // evaluations since T0 are on the timeline (every change of `holds` is kept there).
  if (context.observed) for (const sample of observer.timeline.samples(context.t0)) detector.observe(sample.at, sample.holds);
  const operator = context.operator ?? unattended;
  // Time spent waiting for the operator's answer: later faults and the time limits move by it, so it is never
  // part of what is measured.
  let heldMs = 0;
  let skipped = false;
  const stopFollowing = operator.follow({
    scenario: scenario.metadata.name,
    trial: context.trial,
    trials: scenario.spec.trials,
    t0: context.t0,
    injectedAt: () => detector.result().injectedAt,
    state: () => liveStateOf(observer, context.namespace),
    subscribe: (listener) => observer.subscribe(() => listener()),
  });

  let wake: (() => void) | undefined;
  const nudge = (): void => { wake?.(); };
  // Evidence: the objects under check when the steady state first broke, and when it last came back.
  let brokenSnapshot: ObjectSnapshot | null = null;
  let backSnapshot: ObjectSnapshot | null = null;
  let held = true;
  const unsubscribe = observer.subscribe((at, evaluation) => {
    // While a watch is blind the picture may be stale: the detector waits for the relist (outages.ts).
    if (observer.blindSince() === undefined) detector.observe(at, evaluation.holds);
    if (detector.result().injectedAt !== null) {
      if (!evaluation.holds && brokenSnapshot === null) brokenSnapshot = context.snapshot(at);
      if (evaluation.holds && !held) backSnapshot = context.snapshot(at);
    }
    held = evaluation.holds;
    nudge();
  });
  let error: string | undefined;
  const targetUids = new Set<string>();
  let injecting: { startedAt: number; firstEvent: number | undefined } | undefined;
  const untarget = observer.onTarget((at, uid) => {
    if (injecting && targetUids.has(uid) && at >= injecting.startedAt && injecting.firstEvent === undefined) injecting.firstEvent = at;
  });

  // What the fault set in motion, phase by phase: a node's loss up to its pods' eviction, a container's restart.
  const follow = (kind: Fault['kind'], targets: readonly Target[], at: number): void => {
    for (const target of targets) {
      if (NODE_LOSS_FAULTS.includes(kind) && target.kind === 'Node') observer.nodeLoss.expect(target.name, kind, at);
      if (kind === 'containerKill' && target.uid && target.container) observer.restarts.expect(target.uid, target.container, at);
    }
  };

  // Once the trial has ended early (timeout, a load threshold's abortOnFail), no further fault goes in.
  let stopInjecting = false;
  let cancelWait: (() => void) | undefined;
  const mayInject = (): boolean => !stopInjecting && context.abort?.aborted !== true && clock.now() <= context.deadline + heldMs;
  const injectAll = async (): Promise<void> => {
    for (const [order, fault] of faultsInOrder(scenario.spec.faults).entries()) {
      const due = context.t0 + fault.at.toMilliseconds() + heldMs;
      const wait = due - clock.now();
      if (wait > 0) {
        const waiting = nap(clock, wait);
        cancelWait = waiting.wake;
        await waiting.done;
        cancelWait = undefined;
      }
      if (!mayInject()) return;
      let faultContext: FaultContext = {
        kube: context.kube,
        cluster: context.cluster,
        capabilities: capabilitiesOf(context.cluster),
        namespace: context.namespace,
        allowNamespaces: scenario.spec.allowNamespaces,
        random: RandomStream.derive(context.seed, scenario.metadata.name, context.trial, fault.index),
        processes: context.processes,
        scenarioDir: context.scenarioDir,
        deadline: clock.now() + expect.recoveryWithin.toMilliseconds(),
        clock,
        acknowledged: (at) => detector.injected(at, order),
        impairNodes: (nodes, at) => observer.impairNodes(nodes, at),
        restoreNodes: (nodes, at) => {
          observer.restoreNodes(nodes, at);
          observer.timeline.mark(at, 'reverted', `nodes back: ${nodes.join(', ')}`);
        },
        log: context.log.child({ fault: fault.index, kind: fault.kind }),
        desiredState: scenario.spec.desiredState,
      };
      const handler = bind(fault);
      let result: FaultResult = { index: fault.index, kind: fault.kind, atMs: fault.at.toMilliseconds(), injectedAt: null, summary: '', targets: [], error: null };
      try {
        const plan = await handler.plan(faultContext);
        result = { ...result, summary: plan.summary, targets: plan.targets };
        if (order === 0) {
          // The trial's go, skip or abort: asked once, before anything is hit. Between faults of a trial the
          // recovery clock already runs, so later faults are not held up.
          const asked = clock.now();
          const decision = await operator.beforeFault({
            scenario: scenario.metadata.name,
            variant: context.variant ?? null,
            trial: context.trial,
            trials: scenario.spec.trials,
            namespace: context.namespace,
            fault: { kind: fault.kind, atMs: fault.at.toMilliseconds(), summary: plan.summary, targets: plan.targets },
            later: faultsInOrder(scenario.spec.faults).slice(1).map((f) => ({ kind: f.kind, atMs: f.at.toMilliseconds() })),
          }, context.abort);
          const decidedAt = clock.now();
          heldMs += decidedAt - asked;
          context.onHeld?.(decidedAt - asked);
          if (decision !== 'go' || operator !== unattended) {
            const waited = `after ${((decidedAt - asked) / 1000).toFixed(1)} s at the prompt`;
            const said = decision === 'go' ? 'go' : decision === 'skip' ? SKIPPED_BY_OPERATOR : 'abort the run';
            observer.timeline.mark(decidedAt, 'operator', `operator: ${said} (${waited})`);
          }
          if (decision !== 'go') {
            // Nothing was hit: the fault is listed with what it would have hit, injectedAt null.
            faults.push(result);
            if (decision === 'skip') skipped = true;
            return;
          }
          faultContext = { ...faultContext, deadline: decidedAt + expect.recoveryWithin.toMilliseconds() };
        }
        // Planning (and the prompt) took time: the trial may have ended meanwhile (timeout, abort, a FAIL).
        if (!mayInject()) return;
        for (const target of plan.targets) if (target.uid) targetUids.add(target.uid);
        // On disk before the change is made: a run killed from here on leaves `rebound recover` what to undo.
        const change = await context.ledger.begin('fault', `revert ${fault.kind} (${plan.summary})`, plan.revertSteps);
        injecting = { startedAt: clock.now(), firstEvent: undefined };
        // Followed from the moment the fault begins: a graceful node stop takes seconds, during which the control
        // plane may already see the node NotReady.
        follow(fault.kind, plan.targets, injecting.startedAt);
        // A rollout's old revisions are those its pods run before the new version is written.
        const tracker = fault.kind === 'rollout' ? beginRollout(fault.params, fault.params.namespace ?? context.namespace, observer, clock) : undefined;
        let injected: ActiveFault;
        try {
          injected = await handler.inject(faultContext, plan);
        } catch (failed) {
          // A fault that fails to go in undoes what it did of itself.
          change.drop();
          throw failed;
        }
        active.push(injected);
        change.commit(() => injected.revert(), injected.steps);
        if (injected.rollout && tracker) {
          const gate = rollouts.length;
          const progress = followRollout(tracker, injected.rollout, observer, clock);
          rollouts.push({ fault: fault.index, progress });
          void progress.completed.then((at) => { detector.passed(gate, at); nudge(); });
        }
        // The first watch event the fault caused may have arrived before the API server's answer.
        const first = injecting.firstEvent !== undefined ? Math.min(injecting.firstEvent, injected.ackAt) : injected.ackAt;
        // Both moments go to the detector: the earliest is injectedAt, the acknowledgement bounds the settle window.
        if (injecting.firstEvent !== undefined) detector.injected(injecting.firstEvent, order);
        injecting = undefined;
        detector.injected(injected.ackAt, order);
        observer.timeline.mark(first, 'injected', `${fault.kind}: ${plan.summary}`);
        result = { ...result, injectedAt: isoOf(first) };
        context.log.info({ fault: fault.kind, plan: plan.summary, ackAt: injected.ackAt, first }, 'fault injected');
      } catch (caught) {
        injecting = undefined;
        result = { ...result, error: errorText(caught) };
        error = `fault ${fault.index + 1} (${fault.kind}) could not be injected: ${errorText(caught)}`;
        context.log.error({ fault: fault.kind, error: errorText(caught) }, 'fault injection failed');
      }
      faults.push(result);
      context.onFault(result);
      observer.evaluate(clock.now());
      if (error) return;
    }
  };

  // observe: the first break someone else caused stands in for the injection (its first watch event, as in run).
  let noBreak = false;
  const stopWatching = new AbortController();
  const observeBreak = async (watch: NonNullable<TrialContext['observed']>): Promise<void> => {
    const seen = await watch(stopWatching.signal);
    if (seen === null) {
      noBreak = true;
      return;
    }
    detector.injected(seen.at, 0);
    // The evaluation that showed the break may have come before this: the evidence is taken now if it still shows.
    if (brokenSnapshot === null && !observer.current().evaluation.holds) brokenSnapshot = context.snapshot(clock.now());
    observer.timeline.mark(seen.at, 'injected', `observed: ${seen.summary}`);
    const result: FaultResult = {
      index: seen.fault ?? 0, kind: 'observed', atMs: Math.max(0, Math.round(seen.at - context.t0)), injectedAt: isoOf(seen.at),
      summary: seen.summary, targets: [...seen.targets], error: null,
    };
    faults.push(result);
    context.onFault(result);
    context.log.info({ observed: seen.summary, at: seen.at }, 'break observed');
  };
  const allInjected = (context.observed ? observeBreak(context.observed) : injectAll()).finally(nudge);
  let injectedDone = false;
  void allInjected.then(() => { injectedDone = true; nudge(); });
  let status: ReturnType<RecoveryDetector['tick']> = 'waiting';
  let aborted: string | undefined;
  let interrupted: string | undefined;
  const onSignal = (): void => nudge();
  context.abort?.addEventListener('abort', onSignal, { once: true });
  while (!error) {
    const now = clock.now();
    if (context.abort?.aborted) {
      interrupted = `aborted by ${String(context.abort.reason)} during the trial`;
      observer.timeline.mark(now, 'note', interrupted);
      break;
    }
    if (skipped) break;
    if (now > context.deadline + heldMs) {
      error = `the scenario's timeout (${scenario.spec.timeout.toString()}) ran out during the trial`;
      break;
    }
    aborted = context.load?.abortReason({ t0: context.t0, injectedAt: detector.result().injectedAt, recoveredAt: null, end: now });
    if (aborted !== undefined) {
      observer.timeline.mark(now, 'note', `trial aborted: ${aborted}`);
      break;
    }
    // No decision from the clock alone while a watch is blind: the deadline may have passed unseen.
    status = observer.blindSince() === undefined ? detector.tick(now) : detector.status;
    if (injectedDone && (status !== 'waiting' || noBreak)) break;
    context.onTick();
    const deadline = detector.nextDeadline();
    const sleepMs = Math.max(5, Math.min(1000, deadline === undefined ? 1000 : deadline - now));
    const sleeping = nap(clock, sleepMs);
    wake = sleeping.wake;
    await sleeping.done;
    wake = undefined;
  }
  context.abort?.removeEventListener('abort', onSignal);
  stopInjecting = true;
  stopWatching.abort();
  cancelWait?.();
  await allInjected;
  stopFollowing();
  const ended = clock.now();
  // Faults still at work (a drain waiting on a budget) decide too: a failure there is the system's. They are
  // awaited only while the trial could still pass, and never past injectedAt + recoveryWithin + settle (the format's
  // promise): after a FAIL, an ERROR or an abort, and for a fault that outlasts that (a node down for longer than
  // recoveryWithin), what is not over yet is left to the revert that follows the trial.
  const measuredSoFar = detector.result();
  const couldPass = status === 'recovered' && !error && aborted === undefined && interrupted === undefined && !skipped;
  const capAt = (measuredSoFar.injectedAt ?? ended) + expect.recoveryWithin.toMilliseconds() + expect.settle.toMilliseconds();
  const waitMs = couldPass ? capAt - clock.now() : 0;
  const failures = (await Promise.all(active.map((a) => within(a.done.catch((e: unknown) => `fault failed: ${errorText(e)}`), waitMs, undefined, clock))))
    .filter((f): f is string => f !== undefined);
  unsubscribe();
  untarget();
  if (noBreak) return null;

  const measured = detector.result();
  const recovered = status === 'recovered' && !error && aborted === undefined && interrupted === undefined;
  let load: LoadResult | undefined;
  if (context.load && !skipped) {
    try {
      load = await context.load.finish({
        t0: context.t0,
        injectedAt: measured.injectedAt,
        recoveredAt: recovered ? measured.recoveredAt : null,
        end: ended,
      });
    } catch (caught) {
      error ??= `the load (spec.load) could not be judged: ${errorText(caught)}`;
    }
  }
  const crossed = load?.thresholds.filter((t) => !t.ok) ?? [];
  const outage = judgeOutages(measured, observer.outages(), ended, isoOf);
  // A rollback that could not be written is the harness's failure; a rollout that did not complete, or not in time,
  // the system's (the judge weighs them with the rest).
  const rolloutError = rollouts.flatMap((r) => r.progress.error() ?? []).join('; ');
  const { verdict, reason } = judgeTrial({
    ...(interrupted === undefined ? {} : { interrupted }),
    skipped,
    ...(error === undefined || error === '' ? (rolloutError === '' ? {} : { error: rolloutError }) : { error }),
    ...(aborted === undefined ? {} : { aborted }),
    status,
    current: observer.current().evaluation,
    failures,
    measured,
    crossed: crossed.map(describeThreshold),
    outage,
    ...rolloutRecord(rollouts, scenario),
  }, expect);
  // A recovery an outage left unknown gives no figure to count in the statistics.
  const known = recovered && !(verdict === 'ERROR' && reason === outage.error);
  if (measured.brokenAt !== null) observer.timeline.mark(measured.brokenAt, 'broken', 'steady state broken');
  if (measured.recoveredAt !== null && status === 'recovered') observer.timeline.mark(measured.recoveredAt, 'recovered', 'steady state back');
  if (load?.firstSuccessAfterInjectionMs != null && measured.injectedAt !== null) {
    observer.timeline.mark(measured.injectedAt + load.firstSuccessAfterInjectionMs, 'note', 'first successful response after the injection');
  }
  const nodeLoss = nodeLossResults(observer.nodeLoss);
  const restarts = restartResults(observer.restarts);
  const rolloutFigures = rolloutResults(rollouts, scenario, observer);
  for (const rollout of rollouts) rollout.progress.stop();
  markPhases(observer);
  const drift = driftResult(observer.drift, orphansOf(observer.world, faults.filter((f) => f.kind === 'patch').flatMap((f) => f.targets)));
  const timeline = timelineResult(observer.timeline, context.t0);
  // What the room typed since the last trial (while this one waited for its steady state, too) is this trial's.
  const notes = operator.takeNotes().map((note) => ({ at: isoOf(note.at), kind: 'operator', label: `note: ${note.text}` }));
  return {
    trial: context.trial,
    verdict,
    reason,
    t0: isoOf(context.t0),
    injectedAt: measured.injectedAt === null ? null : isoOf(measured.injectedAt),
    brokenAt: measured.brokenAt === null ? null : isoOf(measured.brokenAt),
    recoveredAt: known && measured.recoveredAt !== null ? isoOf(measured.recoveredAt) : null,
    recoveryTimeMs: known ? roundMs(measured.recoveryTimeMs) : null,
    disruptionMs: known ? roundMs(measured.disruptionMs) : null,
    undisrupted: measured.undisrupted,
    longestBreakMs: roundMs(measured.longestBreakMs),
    faults,
    replacements: replacementResults(observer.replacements),
    ...(nodeLoss.length > 0 ? { nodeLoss } : {}),
    ...(restarts.length > 0 ? { restarts } : {}),
    ...(rolloutFigures.length > 0 ? { rollouts: rolloutFigures } : {}),
    ...(load ? { load } : {}),
    ...(drift ? { drift } : {}),
    ...(recovered && verdict === 'PASS' && outage.recoveryUncertaintyMs > 0 ? { recoveryUncertaintyMs: Math.round(outage.recoveryUncertaintyMs) } : {}),
    ...(outage.during.length > 0 ? {
      outages: outage.during.map((o) => ({
        from: isoOf(o.since),
        to: o.until === undefined ? null : isoOf(o.until),
        kinds: [...o.kinds],
        changes: o.changes,
        cause: o.cause,
      })),
    } : {}),
    placement: observer.replacements.placement(context.namespace).map((p) => ({ pod: p.pod, node: p.node })),
    timeline: notes.length === 0 ? timeline : {
      samples: timeline.samples,
      markers: [...timeline.markers, ...notes].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
    },
    evidence: { brokenAt: brokenSnapshot, recoveredAt: recovered ? backSnapshot : null },
  };
}

/** The phases of node losses and container restarts as markers on the timeline (the HTML report draws them). */
function markPhases(observer: Observer): void {
  for (const loss of observer.nodeLoss.losses()) {
    if (loss.at.notReady !== undefined) observer.timeline.mark(loss.at.notReady, 'note', `node ${loss.node} NotReady`);
    if (loss.at.tainted !== undefined) observer.timeline.mark(loss.at.tainted, 'note', `node ${loss.node} tainted NoExecute`);
    if (loss.at.evicted !== undefined) observer.timeline.mark(loss.at.evicted, 'note', `pods of ${loss.node} evicted (${loss.evictedPods})`);
  }
  for (const restart of observer.restarts.restarts()) {
    if (restart.at.restarted !== undefined) observer.timeline.mark(restart.at.restarted, 'note', `container ${restart.container} of ${restart.pod.name} restarted (count ${restart.restartCountAfter ?? '?'})`);
    if (restart.at.ready !== undefined) observer.timeline.mark(restart.at.ready, 'note', `container ${restart.container} of ${restart.pod.name} ready again`);
  }
  for (const drift of observer.drift.drift()) {
    const what = `${drift.field} of ${drift.object.kind}/${drift.object.name}`;
    observer.timeline.mark(drift.driftedAt, 'note', `${what} drifted${drift.driftedBy ? ` (${drift.driftedBy.manager})` : ''}`);
    if (drift.restoredAt !== undefined) observer.timeline.mark(drift.restoredAt, 'note', `${what} restored by ${drift.restoredBy?.manager ?? 'an unknown writer'}`);
  }
}

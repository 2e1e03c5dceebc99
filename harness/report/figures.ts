import { median } from 'simple-statistics';
import type { Environment, LoadResult, RolloutResult, ScenarioResult, ThresholdResult, TrialResult, Verdict } from './result.js';

/** The phases of a pod replacement, in order, as ReplacementResult.phasesMs names them (defined where they are measured). */
export { REPLACEMENT_PHASES, type ReplacementPhase } from '../observe/replacements.js';
import { REPLACEMENT_PHASES, type ReplacementPhase } from '../observe/replacements.js';

/** A phase with the median of its durations over every replaced pod of every trial. */
export interface PhaseMedian {
  readonly phase: ReplacementPhase;
  readonly medianMs: number;
  /** How many replaced pods had this phase measured. */
  readonly count: number;
}

/** The figures every file reporter shows for a scenario, computed in one place so they agree. */
export interface ScenarioFigures {
  readonly passedTrials: number;
  /** Trials that ran (skipped ones are not counted: nothing was measured). */
  readonly totalTrials: number;
  /** Trials the operator of `run --interactive` skipped. */
  readonly skippedTrials: number;
  readonly medianRecoveryMs: number | null;
  readonly p95RecoveryMs: number | null;
  /** The replacement phase with the largest median duration, null when no pod was replaced. */
  readonly worstPhase: PhaseMedian | null;
}

/** Seconds with two decimals (`3.05s`), `-` for no value: recovery times are seconds to a person. */
export function formatSeconds(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : `${(ms / 1000).toFixed(2)}s`;
}

/** How long a run or scenario took, as a person reads it: `3m 13s`, or `12.9s` under a minute. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  return minutes > 0 ? `${minutes}m ${totalSeconds % 60}s` : `${(ms / 1000).toFixed(1)}s`;
}

/** A phase's duration: milliseconds below one second (phases are often a few ms), else seconds. */
export function formatPhase(ms: number): string {
  return Math.abs(ms) < 1000 ? `${Math.round(ms)}ms` : formatSeconds(ms);
}

/** Medians of each replacement phase over all trials; phases never measured are left out. */
export function phaseMedians(trials: readonly TrialResult[]): PhaseMedian[] {
  const medians: PhaseMedian[] = [];
  for (const phase of REPLACEMENT_PHASES) {
    const values: number[] = [];
    for (const trial of trials) {
      for (const replacement of trial.replacements) {
        const value = replacement.phasesMs[phase];
        if (typeof value === 'number') values.push(value);
      }
    }
    if (values.length > 0) medians.push({ phase, medianMs: median(values), count: values.length });
  }
  return medians;
}

/** The figures of one scenario. */
export function scenarioFigures(scenario: ScenarioResult): ScenarioFigures {
  // The first phase wins a tie: earlier phases are the ones a controller's reaction time shows in.
  const worstPhase = phaseMedians(scenario.trials).reduce<PhaseMedian | null>(
    (worst, p) => (worst === null || p.medianMs > worst.medianMs ? p : worst),
    null,
  );
  return {
    passedTrials: scenario.trials.filter((t) => t.verdict === 'PASS').length,
    totalTrials: scenario.trials.filter((t) => t.verdict !== 'SKIPPED').length,
    skippedTrials: scenario.trials.filter((t) => t.verdict === 'SKIPPED').length,
    medianRecoveryMs: scenario.stats.recoveryTimeMs?.median ?? null,
    p95RecoveryMs: scenario.stats.recoveryTimeMs?.p95 ?? null,
    worstPhase,
  };
}

/** Why a scenario did not pass: its reason, else the reasons of its trials that did not pass; empty for a PASS. */
export function reasonsOf(scenario: ScenarioResult): string[] {
  if (scenario.verdict === 'PASS') return [];
  const reasons: string[] = [];
  if (scenario.reason) reasons.push(scenario.reason);
  for (const trial of scenario.trials) {
    const line = `trial ${trial.trial}: ${trial.reason ?? trial.verdict}`;
    // The scenario's reason usually repeats its first bad trial's.
    if (trial.verdict !== 'PASS' && !reasons.includes(line)) reasons.push(line);
  }
  for (const problem of scenario.cleanup) {
    if (!reasons.some((r) => r.includes(problem))) reasons.push(`cleanup: ${problem}`);
  }
  return reasons;
}

/** `2/3` passed trials, with `(1 skipped)` when the operator skipped some. */
export function trialsPassed(figures: ScenarioFigures): string {
  return `${figures.passedTrials}/${figures.totalTrials}${figures.skippedTrials > 0 ? ` (${figures.skippedTrials} skipped)` : ''}`;
}

/**
 * What the people running `run --interactive` decided and typed during a trial, one line each, stamped with the
 * time since the trial's T0 and the wall clock: `+3.21s since T0 (08:01:02.123Z): note: the pod came back on node-2`.
 */
export function operatorLines(trial: TrialResult): string[] {
  const origin = trial.t0 === null ? null : Date.parse(trial.t0);
  return [...trial.timeline.markers].filter((m) => m.kind === 'operator').sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).map((m) => {
    const since = origin === null ? '' : `${Date.parse(m.at) - origin < 0 ? '-' : '+'}${formatSeconds(Math.abs(Date.parse(m.at) - origin))} since T0 `;
    return `${since}(${m.at.slice(11)}): ${m.label}`;
  });
}

/** How many scenarios got each verdict, as `2 PASS, 1 FAIL, 0 ERROR`. */
export function verdictCounts(scenarios: readonly ScenarioResult[]): string {
  const counts = (['PASS', 'FAIL', 'ERROR'] as const satisfies readonly Verdict[]).map((v) => `${scenarios.filter((s) => s.verdict === v).length} ${v}`);
  // ABORTED is rare: named only when a signal stopped the run.
  const aborted = scenarios.filter((s) => s.verdict === 'ABORTED').length;
  return [...counts, ...(aborted > 0 ? [`${aborted} ABORTED`] : [])].join(', ');
}

/** Milliseconds between two ISO timestamps, or null when either is missing or unreadable. */
export function millisBetween(from: string | null, to: string | null): number | null {
  if (from === null || to === null) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? ms : null;
}

/** One line on the run's environment: provider, cluster, versions, nodes, machine. */
export function environmentLine(environment: Environment | null): string {
  if (environment === null) return 'environment unknown';
  const parts = [
    `${environment.provider} cluster ${environment.cluster}`,
    `Kubernetes ${environment.kubernetesVersion ?? 'unknown'}`,
    environment.nodeCount === null ? null : `${environment.nodeCount} node${environment.nodeCount === 1 ? '' : 's'}`,
    `rebound ${environment.reboundVersion}`,
    `${environment.machine.cpus} CPU ${environment.machine.platform}`,
  ];
  return parts.filter((p): p is string => p !== null).join(', ');
}

/** A measured value as k6 prints it: at most 4 significant digits, no float noise. */
function measured(value: number): string {
  return String(Number(value.toPrecision(4)));
}

/** `http_req_failed rate<0.01 (rate=0.0034)`: a threshold and what was measured for it. */
export function describeThreshold(threshold: ThresholdResult): string {
  const aggregation = /^\s*([a-z]+(?:\([\d.]+\))?)/.exec(threshold.expression)?.[1] ?? 'value';
  const value = threshold.value === null ? 'not in the summary' : `${aggregation}=${measured(threshold.value)}`;
  return `${threshold.metric} ${threshold.expression} (${value})`;
}

/** `✓ http_req_failed rate<0.01 (rate=0.0034)`: a threshold, its verdict and what was measured. */
export function thresholdLine(threshold: ThresholdResult): string {
  return `${threshold.ok ? '✓' : '✗'} ${describeThreshold(threshold)}${threshold.abortOnFail ? ' [abortOnFail]' : ''}`;
}

/** The load of a trial in a few lines: traffic, its cost during the disruption, and anything a reader must know. */
export function loadLines(load: LoadResult): string[] {
  const share = load.requests > 0 ? ` (${((load.failed / load.requests) * 100).toFixed(2)}%)` : '';
  const p95 = load.metrics.http_req_duration?.['p(95)'];
  const lines = [`load (${load.driver}): ${load.requests} requests, ${load.failed} failed${share}${p95 === undefined ? '' : `, p95 ${measured(p95)} ms`}`
    + `${load.dropped > 0 ? `, ${load.dropped} dropped (maxInFlight reached)` : ''}`];
  const budget = load.errorBudget;
  if (budget) {
    const longest = budget.longestFailureRun;
    const run = budget.failed === 0 ? '' : `, longest failure run ${longest.requests} request${longest.requests === 1 ? '' : 's'} over ${formatPhase(longest.ms)}`;
    lines.push(`error budget from injection to recovery: ${budget.failed} of ${budget.requests} requests failed${run}`
      + `${load.firstSuccessAfterInjectionMs === null ? '' : `; first success ${formatPhase(load.firstSuccessAfterInjectionMs)} after the injection`}`);
  }
  for (const threshold of load.thresholds) lines.push(thresholdLine(threshold));
  if (load.abortedBy) lines.push(`aborted by ${load.abortedBy}`);
  if (load.stoppedBy) lines.push(`the driver stopped early: ${load.stoppedBy}`);
  if (load.note) lines.push(load.note);
  return lines;
}

/**
 * A trial's drift in lines: each field rebound applied that left its applied value, how long until it was back and
 * who wrote it back (the manager owning it then), or that nobody did and rebound's revert did; then the orphans.
 */
export function driftLines(trial: TrialResult): string[] {
  const drift = trial.drift;
  if (drift === undefined) return [];
  const lines = drift.fields.map((field) => {
    const what = `drift: ${field.field} of ${field.object.kind}/${field.object.name}${field.driftedBy ? ` (written by ${field.driftedBy.manager})` : ''}`;
    if (field.restoredAt === null) return `${what}: not restored by the system; rebound reverted it after the trial`;
    const after = millisBetween(field.driftedAt, field.restoredAt);
    const by = field.restoredBy ? `${field.restoredBy.manager} (${field.restoredBy.operation})` : 'an unknown writer';
    return `${what}: restored by ${by} after ${formatPhase(after ?? 0)}`;
  });
  for (const orphan of drift.orphans) {
    lines.push(`orphan: pod ${orphan.name} left ${orphan.formerOwner} and ran on unowned; rebound deleted it after the trial`);
  }
  return lines;
}

/**
 * A rollout fault of a trial in a few lines: its revisions, how it ended (completed, stalled, rolled back and in how
 * long) and the lowest availability against the floor.
 */
export function rolloutLines(rollout: RolloutResult): string[] {
  const revision = (hash: string | null, replicaSet: string | null): string => replicaSet ?? hash ?? '?';
  const lines = [`rollout of ${rollout.kind} ${rollout.name}: ${revision(rollout.oldRevision, rollout.oldReplicaSet)} → ${revision(rollout.newRevision, rollout.newReplicaSet)}`];
  const since = (at: string | null): string => formatPhase(millisBetween(rollout.startedAt, at) ?? 0);
  if (rollout.completedAt !== null) lines.push(`completed in ${formatPhase(rollout.rolloutTimeMs ?? 0)}`);
  if (rollout.stalledAt !== null) lines.push(`stalled (Progressing=False, ProgressDeadlineExceeded) ${since(rollout.stalledAt)} after it started`);
  if (rollout.rollback !== null) {
    lines.push(rollout.rollback.timeMs === null
      ? `rollback written ${since(rollout.rollback.startedAt)} after it started, never completed`
      : `rolled back: written ${since(rollout.rollback.startedAt)} after it started, every replica back on the old revision ${formatPhase(rollout.rollback.timeMs)} later`);
  }
  if (rollout.completedAt === null && rollout.rollback === null) lines.push('never completed');
  if (rollout.lowestAvailable !== null) {
    const floor = rollout.floor === null ? '' : `, floor ${rollout.floor} (${rollout.floorReason})${rollout.lowestAvailable < rollout.floor ? ': CROSSED' : ''}`;
    lines.push(`lowest availability ${rollout.lowestAvailable}${floor}`);
  }
  if (rollout.error !== null) lines.push(rollout.error);
  return lines;
}

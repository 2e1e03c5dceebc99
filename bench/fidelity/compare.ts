/**
 * rebound's account of a run (results.json) set against the audit log's truth: signed errors in ms (rebound minus
 * truth) per figure, and the replacements either side could not match.
 */
import type { RunResult } from '../../harness/report/result.js';
import type { AuditEvent } from './audit.js';
import { PHASES, truthOf, type Phase, type ReportedTrial, type TrialTruth, type Workload } from './truth.js';

/** The figures whose error is measured. */
export type Figure = 'injectedAt' | 'injectedAt-vs-done' | 'recoveredAt' | 'recovery' | 'recovery-vs-done' | `phase:${Phase}`;

export interface TrialComparison {
  readonly run: string;
  readonly trial: number;
  readonly errors: Partial<Record<Figure, number>>;
  readonly unmatched: string[];
  readonly note: string | null;
}

/** A run compared: per trial its errors, and what they were computed from, for whatever else sets the two side by side. */
export interface RunComparison {
  readonly trials: TrialComparison[];
  /** rebound's trials as results.json gives them, in its order. */
  readonly reported: readonly ReportedTrial[];
  /** The audit log's truth of each of those trials, in the same order. */
  readonly truths: readonly TrialTruth[];
}

function ms(iso: string | null | undefined): number | null {
  return iso === null || iso === undefined ? null : Date.parse(iso);
}

/** rebound's trials of the run's one scenario, with the window in which each one's truth is looked for. */
export function reportedTrials(result: RunResult): ReportedTrial[] {
  const scenario = result.scenarios[0];
  if (scenario === undefined) throw new Error('results.json has no scenario');
  const settle = scenario.expect.settleMs;
  return scenario.trials.map((trial, i) => {
    const following = scenario.trials[i + 1];
    const recovered = ms(trial.recoveredAt);
    const end = ms(following?.t0) ?? (recovered ?? ms(scenario.finishedAt) ?? 0) + settle;
    const targets = trial.faults.flatMap((fault) => fault.targets);
    return {
      trial: trial.trial,
      injectedAtMs: ms(trial.injectedAt),
      recoveredAtMs: recovered,
      windowEndMs: end,
      killedPods: targets.filter((t) => t.kind === 'Pod').map((t) => t.name),
      stoppedNodes: targets.filter((t) => t.kind === 'Node').map((t) => t.name),
      replacements: trial.replacements.map((r) => ({
        pod: r.pod.name,
        podUid: r.pod.uid,
        replacementUid: r.replacement?.uid ?? null,
        at: Object.fromEntries(PHASES.map((phase) => [phase, ms(r.at[phase])])),
      })),
    };
  });
}

/** Compares every trial of a run; `label` names the run in the tables. */
export function compareRun(label: string, result: RunResult, events: readonly AuditEvent[], workload: Workload): RunComparison {
  const reported = reportedTrials(result);
  const truths = truthOf(events, workload, reported);
  const trials = reported.map((trial, i): TrialComparison => {
    const truth = truths[i];
    const errors: Partial<Record<Figure, number>> = {};
    const unmatched: string[] = [];
    if (trial.injectedAtMs !== null && truth.deleteReceivedMs !== null) errors.injectedAt = trial.injectedAtMs - truth.deleteReceivedMs;
    // Against the DELETE's answer too: rebound cannot see a deletion before the API server has made it.
    if (trial.injectedAtMs !== null && truth.deleteCompletedMs !== null) errors['injectedAt-vs-done'] = trial.injectedAtMs - truth.deleteCompletedMs;
    if (trial.recoveredAtMs !== null && truth.recoveredMs !== null) {
      errors.recoveredAt = trial.recoveredAtMs - truth.recoveredMs;
      // Durations: a pod kill from the DELETE the API server received; a node stop writes nothing, so rebound's
      // own injectedAt starts both (the error is then recoveredAt's).
      const truthStart = truth.deleteReceivedMs ?? trial.injectedAtMs;
      if (trial.injectedAtMs !== null && truthStart !== null) {
        errors.recovery = (trial.recoveredAtMs - trial.injectedAtMs) - (truth.recoveredMs - truthStart);
      }
      // The same duration with the truth starting where the scenario format starts rebound's: at the API server's
      // answer to the DELETE (its stageTimestamp), not at its arrival: the API server's own time spent on the
      // DELETE (admission, the write, the audit record) is in the first truth and in neither of these.
      const answered = truth.deleteCompletedMs ?? trial.injectedAtMs;
      if (trial.injectedAtMs !== null && answered !== null) {
        errors['recovery-vs-done'] = (trial.recoveredAtMs - trial.injectedAtMs) - (truth.recoveredMs - answered);
      }
    }
    const listed = new Set<string>();
    for (const replacement of trial.replacements) {
      if (replacement.replacementUid === null) {
        unmatched.push(`rebound found no replacement for ${replacement.pod}`);
        continue;
      }
      listed.add(replacement.replacementUid);
      const phases = truth.phases.get(replacement.replacementUid);
      if (phases?.created === undefined) {
        unmatched.push(`replacement ${replacement.replacementUid} of ${replacement.pod} was not created in the audit log`);
        continue;
      }
      for (const phase of PHASES) {
        const reported = replacement.at[phase];
        // deleted is the old pod's: the first DELETE of it (rebound's for a pod kill, the eviction for a node stop).
        const truthAt = phase === 'deleted' ? truth.phases.get(replacement.podUid)?.deleted : phases[phase];
        if (reported !== null && reported !== undefined && truthAt !== undefined) errors[`phase:${phase}`] = reported - truthAt;
      }
    }
    for (const created of truth.created) {
      if (!listed.has(created.uid)) unmatched.push(`pod ${created.uid} was created during the trial but rebound lists it as no replacement`);
    }
    return { run: label, trial: trial.trial, errors, unmatched, note: truth.why };
  });
  return { trials, reported, truths };
}

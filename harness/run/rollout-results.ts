/**
 * A trial's rollout faults, as the report shows them and as the verdict weighs them: their figures (revisions,
 * completion or stall, rollback, lowest availability against the floor), their markers on the timeline, and whether
 * each completed within expect.rolloutWithin.
 */
import type { RolloutProgress } from './rollout-follow.js';
import { floorOf } from '../observe/rollout-checks.js';
import type { Observer } from './observer.js';
import type { RolloutResult } from '../report/result.js';
import type { Scenario } from '../scenario/schema.js';
import { isoOf } from '../util/clock.js';

/** A rollout fault of the trial, with its index in spec.faults. */
export interface TrialRollout {
  readonly fault: number;
  readonly progress: RolloutProgress;
}

const label = (progress: RolloutProgress): string => `${progress.kind}/${progress.name}`;

/** When the rollout, or the rollback that ended it, completed; undefined while neither has. */
function finishedAt(progress: RolloutProgress): number | undefined {
  const figures = progress.figures();
  return figures.rolledBackAt ?? (figures.rollbackAt === null ? figures.completedAt : null) ?? undefined;
}

/** Why the trial could not recover: the rollouts that did not complete, in words; undefined when every one did. */
export function incompleteRollouts(rollouts: readonly TrialRollout[]): string | undefined {
  const open = rollouts.filter((r) => finishedAt(r.progress) === undefined);
  if (open.length === 0) return undefined;
  return open.map((r) => {
    const figures = r.progress.figures();
    const state = figures.rollbackAt !== null ? 'its rollback did not complete' : figures.stalledAt !== null ? 'it stalled at its progress deadline' : 'it did not complete';
    return `the rollout of ${label(r.progress)}: ${state} (${figures.detail})`;
  }).join('; ');
}

/** The rollouts not complete within rolloutWithin of their injection, in words; undefined when all were. */
export function lateRollouts(rollouts: readonly TrialRollout[], scenario: Scenario): string | undefined {
  const within = scenario.spec.expect.rolloutWithin;
  if (within === undefined) return undefined;
  const late = rollouts.flatMap((r) => {
    const figures = r.progress.figures();
    const end = finishedAt(r.progress);
    if (end !== undefined && end - figures.startedAt <= within.toMilliseconds()) return [];
    const took = end === undefined ? 'it never completed' : `it took ${((end - figures.startedAt) / 1000).toFixed(2)} s`;
    return [`the rollout of ${label(r.progress)} was not complete within rolloutWithin ${within.toString()} (${took})`];
  });
  return late.length === 0 ? undefined : late.join('; ');
}

/** What the judge weighs of the trial's rollouts: one that did not complete, or not within rolloutWithin. */
export function rolloutRecord(rollouts: readonly TrialRollout[], scenario: Scenario): { incompleteRollout?: string; lateRollout?: string } {
  const incomplete = incompleteRollouts(rollouts);
  const late = lateRollouts(rollouts, scenario);
  return { ...(incomplete === undefined ? {} : { incompleteRollout: incomplete }), ...(late === undefined ? {} : { lateRollout: late }) };
}

/** The report's figures of each rollout; its events become markers on the trial's timeline. */
export function rolloutResults(rollouts: readonly TrialRollout[], scenario: Scenario, observer: Observer): RolloutResult[] {
  return rollouts.map(({ fault, progress }) => {
    const figures = progress.figures();
    const at = (moment: number | null): string | null => (moment === null ? null : isoOf(moment));
    const name = label(progress);
    if (figures.completedAt !== null) observer.timeline.mark(figures.completedAt, 'note', `rollout of ${name} complete`);
    if (figures.stalledAt !== null) observer.timeline.mark(figures.stalledAt, 'note', `rollout of ${name} stalled (ProgressDeadlineExceeded)`);
    if (figures.rollbackAt !== null) observer.timeline.mark(figures.rollbackAt, 'reverted', `rollback of ${name} written`);
    if (figures.rolledBackAt !== null) observer.timeline.mark(figures.rolledBackAt, 'note', `${name} rolled back`);
    // The floor the trial judged: the steady state's availableAtLeast for this workload, else the workload's own.
    const check = scenario.spec.steadyState?.find((c) => c.kind === 'availableAtLeast' && c.params.kind === progress.kind
      && c.params.name === progress.name && (c.params.namespace === undefined || c.params.namespace === progress.namespace));
    const workload = observer.world.workload(progress.kind, progress.name, progress.namespace);
    const wanted = check?.kind === 'availableAtLeast' ? check.params.floor : { derived: true as const };
    let floor: { floor: number; why: string } | null = null;
    try {
      if (workload !== undefined) floor = floorOf(workload, wanted, progress.replicas);
    } catch {
      // A maxUnavailable that is neither a number nor a percentage: the check says so; the report has no floor.
    }
    const deployment = progress.kind === 'Deployment';
    return {
      fault,
      kind: progress.kind,
      name: progress.name,
      namespace: progress.namespace,
      oldRevision: figures.oldRevision,
      newRevision: figures.newRevision,
      oldReplicaSet: deployment && figures.oldRevision !== null && !figures.oldRevision.includes(',') ? `${progress.name}-${figures.oldRevision}` : null,
      newReplicaSet: deployment && figures.newRevision !== null ? `${progress.name}-${figures.newRevision}` : null,
      startedAt: isoOf(figures.startedAt),
      completedAt: at(figures.completedAt),
      rolloutTimeMs: figures.completedAt === null ? null : Math.round(figures.completedAt - figures.startedAt),
      stalledAt: at(figures.stalledAt),
      rollback: figures.rollbackAt === null ? null : {
        startedAt: isoOf(figures.rollbackAt),
        completedAt: at(figures.rolledBackAt),
        timeMs: figures.rolledBackAt === null ? null : Math.round(figures.rolledBackAt - figures.rollbackAt),
      },
      lowestAvailable: figures.lowestAvailable,
      floor: floor?.floor ?? null,
      floorReason: floor?.why ?? 'the workload was not seen',
      revisions: figures.samples.map((s) => ({ at: isoOf(s.at), old: s.old, new: s.new })),
      error: progress.error() ?? null,
    };
  });
}

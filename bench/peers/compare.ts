/**
 * A peer's account of its trials set against the audit log's truth, as rebound's is (fidelity/compare.ts): the truth
 * of a trial runs from the DELETE's requestReceivedTimestamp to the stageTimestamp of the last write that made every
 * steady-state check hold; a peer's error is its figure minus that duration.
 */
import type { AuditEvent } from '../fidelity/audit.js';
import { percentile } from '../../harness/util/stats.js';
import { summarizeErrors, type Summary } from '../fidelity/report.js';
import { truthOf, type ReportedTrial, type Workload } from '../fidelity/truth.js';
import type { PeerRun } from './peer.js';

export interface PeerTrialComparison {
  readonly peer: string;
  readonly trial: number;
  readonly pod: string | null;
  readonly truthMs: number | null;
  /** Per figure of the peer: its value minus the truth (ms). */
  readonly errors: Record<string, number>;
  readonly wallMs: number;
  readonly verdict: string;
  readonly note: string | null;
}

/** The first DELETE of a pod of the namespace received in [from, to): the peer's kill (the node agent's own DELETE comes after it). */
function killIn(events: readonly AuditEvent[], namespace: string, from: number, to: number): AuditEvent | undefined {
  return events
    .filter((e) => e.verb === 'delete' && e.resource === 'pods' && e.subresource === undefined && e.namespace === namespace
      && e.receivedMs >= from && e.receivedMs < to)
    .sort((a, b) => a.receivedMs - b.receivedMs)[0];
}

export function comparePeer(run: PeerRun, events: readonly AuditEvent[], workload: Omit<Workload, 'namespace'>): PeerTrialComparison[] {
  const end = run.finishedAtMs ?? Math.max(...events.map((e) => e.completedMs));
  const reported: ReportedTrial[] = run.trials.map((trial, i) => {
    const windowEndMs = run.trials[i + 1]?.windowStartMs ?? end;
    const kill = killIn(events, run.namespace, trial.windowStartMs, windowEndMs);
    return {
      trial: trial.trial, injectedAtMs: trial.windowStartMs, recoveredAtMs: null, windowEndMs,
      killedPods: kill?.name === undefined ? [] : [kill.name], stoppedNodes: [], replacements: [],
    };
  });
  const truths = truthOf(events, { ...workload, namespace: run.namespace }, reported);
  return run.trials.map((trial, i) => {
    const truth = truths[i];
    const truthMs = truth.recoveredMs !== null && truth.deleteReceivedMs !== null ? truth.recoveredMs - truth.deleteReceivedMs : null;
    const errors: Record<string, number> = {};
    for (const [figure, value] of Object.entries(trial.figures)) {
      if (value !== null && truthMs !== null) errors[figure] = value - truthMs;
    }
    const note = truth.deleteReceivedMs === null ? 'no DELETE of a pod in the audit log' : truth.why;
    const pod = reported[i].killedPods[0] ?? null;
    return { peer: run.peer, trial: trial.trial, pod, truthMs, errors, wallMs: trial.wallMs, verdict: trial.verdict, note };
  });
}

/** One row of the peers' table: a peer's figure, its error summary, its wall time per trial and its verdicts. */
export interface PeerRow {
  readonly who: string;
  readonly figure: string;
  readonly trials: number;
  readonly error: Summary | null;
  readonly wallP50Ms: number | null;
  readonly wallMaxMs: number | null;
  readonly verdicts: Record<string, number>;
}

export function peerRows(comparisons: readonly PeerTrialComparison[]): PeerRow[] {
  const rows: PeerRow[] = [];
  for (const peer of [...new Set(comparisons.map((c) => c.peer))]) {
    const mine = comparisons.filter((c) => c.peer === peer);
    const walls = mine.map((c) => c.wallMs).sort((a, b) => a - b);
    const verdicts: Record<string, number> = {};
    for (const c of mine) verdicts[c.verdict] = (verdicts[c.verdict] ?? 0) + 1;
    const figures = [...new Set(mine.flatMap((c) => Object.keys(c.errors)))];
    for (const figure of figures.length === 0 ? ['(none)'] : figures) {
      rows.push({
        who: peer, figure, trials: mine.length,
        error: summarizeErrors(mine.flatMap((c) => (c.errors[figure] === undefined ? [] : [c.errors[figure]]))),
        wallP50Ms: walls.length === 0 ? null : percentile(walls, 0.5),
        wallMaxMs: walls.length === 0 ? null : walls[walls.length - 1],
        verdicts,
      });
    }
  }
  return rows;
}

/**
 * Event lag at scale: when rebound saw each step of a replacement (results.json's `at`, stamped with the arrival of
 * the watch event) minus when the API server finished the write that made it (the audit log's stageTimestamp). At
 * the Metadata level the audit log names the pod of each write but keeps no bodies, so a step is the first write
 * of its kind to that pod: its binding (scheduled), its first status write by its node's agent (running and ready:
 * kwok makes a pod Running and Ready in one write unless a pod asks for a delay), and the first DELETE of the killed
 * pod (deleted). A pod's creation is not among them: a create by generateName carries no name at this level (the
 * name is made after the request is logged), so `created` has no lag here (the fidelity bench measures it with
 * bodies); a replacement counts as in the audit log when its binding is.
 */
import type { RunResult } from '../../harness/report/result.js';
import type { AuditEvent } from '../fidelity/audit.js';
import { percentile } from '../../harness/util/stats.js';

export const LAG_PHASES = ['deleted', 'created', 'scheduled', 'running', 'ready'] as const;
export type LagPhase = (typeof LAG_PHASES)[number];

/** Per pod name, the first write of each kind, as ms since the epoch (fraction kept). */
export type WritesByPod = Map<string, Partial<Record<LagPhase, number>>>;

/** The first writes of each step per pod of `namespace`, from the audit log's ResponseComplete events. */
export function firstWrites(events: readonly AuditEvent[], namespace: string): WritesByPod {
  const writes: WritesByPod = new Map();
  const note = (pod: string | undefined, phase: LagPhase, at: number): void => {
    if (pod === undefined || pod === '') return;
    const steps = writes.get(pod) ?? {};
    if (steps[phase] === undefined || at < steps[phase]) steps[phase] = at;
    writes.set(pod, steps);
  };
  for (const event of events) {
    if (event.namespace !== namespace || event.resource !== 'pods' || (event.code !== undefined && event.code >= 300)) continue;
    if (event.subresource === undefined && event.verb === 'create') note(event.name, 'created', event.completedMs);
    if (event.subresource === undefined && event.verb === 'delete') note(event.name, 'deleted', event.completedMs);
    if (event.subresource === 'binding' && event.verb === 'create') note(event.name, 'scheduled', event.completedMs);
    if (event.subresource === 'status' && (event.verb === 'patch' || event.verb === 'update')) {
      note(event.name, 'running', event.completedMs);
      note(event.name, 'ready', event.completedMs);
    }
  }
  return writes;
}

/** Lags per phase (ms, rebound minus the audit log), and what could not be matched. */
export interface LagOutcome {
  readonly lags: Record<LagPhase, number[]>;
  readonly replacements: number;
  /** Killed pods rebound found no replacement for. */
  readonly withoutReplacement: string[];
  /** Replacements rebound named that the audit log never shows bound to a node. */
  readonly notInAudit: string[];
  /** Pods the audit log shows bound after the first kill that rebound lists as no replacement. */
  readonly unlisted: string[];
}

/** Sets rebound's account of every replacement of the run against the first writes. */
export function lagsOf(result: RunResult, writes: WritesByPod): LagOutcome {
  const lags = Object.fromEntries(LAG_PHASES.map((phase) => [phase, [] as number[]])) as Record<LagPhase, number[]>;
  const withoutReplacement: string[] = [];
  const notInAudit: string[] = [];
  const listed = new Set<string>();
  let replacements = 0;
  let firstKill = Number.POSITIVE_INFINITY;
  for (const trial of result.scenarios.flatMap((s) => s.trials)) {
    for (const replacement of trial.replacements) {
      replacements += 1;
      const killed = writes.get(replacement.pod.name)?.deleted;
      if (killed !== undefined) firstKill = Math.min(firstKill, killed);
      if (replacement.replacement === null) {
        withoutReplacement.push(replacement.pod.name);
        continue;
      }
      const name = replacement.replacement.name;
      listed.add(name);
      const truth = writes.get(name);
      if (truth?.scheduled === undefined) {
        notInAudit.push(name);
        continue;
      }
      for (const phase of LAG_PHASES) {
        const at = replacement.at[phase];
        const written = phase === 'deleted' ? killed : truth[phase];
        if (at !== null && at !== undefined && written !== undefined) lags[phase].push(Date.parse(at) - written);
      }
    }
  }
  const unlisted = [...writes.entries()]
    .filter(([name, steps]) => steps.scheduled !== undefined && steps.scheduled > firstKill && !listed.has(name))
    .map(([name]) => name);
  return { lags, replacements, withoutReplacement, notInAudit, unlisted };
}

/** p50, p99 and max of a list of lags (ms), or nulls when it is empty. */
export function lagSummary(values: readonly number[]): { n: number; p50: number | null; p99: number | null; max: number | null } {
  if (values.length === 0) return { n: 0, p50: null, p99: null, max: null };
  const sorted = [...values].sort((a, b) => a - b);
  return { n: values.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] };
}

import { REPLACEMENT_PHASES, type ReplacementTracker } from '../observe/replacements.js';
import type { Timeline } from '../observe/timeline.js';
import type { ReplacementResult, TrialResult } from '../report/result.js';
import { isoOf } from '../util/clock.js';

/** The replaced pods of a trial, as results.json carries them (ISO timestamps, a duration per phase). */
export function replacementResults(tracker: ReplacementTracker): ReplacementResult[] {
  return tracker.replacements().map((r) => {
    const at: Record<string, string | null> = { deleted: isoOf(r.at.deleted) };
    const phasesMs: Record<string, number | null> = {};
    for (const phase of REPLACEMENT_PHASES) {
      const time = r.at[phase];
      at[phase] = time === undefined || time === null ? null : isoOf(time);
      const duration = r.phasesMs[phase];
      phasesMs[phase] = duration === undefined || duration === null ? null : Math.round(duration);
    }
    return { pod: r.pod, replacement: r.replacement, owner: r.owner, phasesMs, at };
  });
}

/** The trial's part of the timeline: from a little before T0 to now. */
export function timelineResult(timeline: Timeline, t0: number): TrialResult['timeline'] {
  const from = t0 - 2000;
  return {
    samples: timeline.samples(from).map((s) => ({ at: isoOf(s.at), holds: s.holds, readyPods: s.readyPods, readyNodes: s.readyNodes, readyEndpoints: s.readyEndpoints })),
    markers: timeline.markers(from).map((m) => ({ at: isoOf(m.at), kind: m.kind, label: m.label })),
  };
}

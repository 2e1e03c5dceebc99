import type { NodeLossTracker } from '../observe/node-loss.js';
import { REPLACEMENT_PHASES, type ReplacementTracker } from '../observe/replacements.js';
import type { RestartTracker } from '../observe/restarts.js';
import type { Timeline } from '../observe/timeline.js';
import type { NodeLossResult, ReplacementResult, RestartResult, TrialResult } from '../report/result.js';
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
    samples: timeline.samples(from).map((s) => ({
      at: isoOf(s.at),
      holds: s.holds,
      readyPods: s.readyPods,
      readyNodes: s.readyNodes,
      readyEndpoints: s.readyEndpoints,
    })),
    markers: timeline.markers(from).map((m) => ({ at: isoOf(m.at), kind: m.kind, label: m.label })),
  };
}

const isoOrNull = (at: number | undefined): string | null => (at === undefined ? null : isoOf(at));
const msOrNull = (ms: number | undefined): number | null => (ms === undefined ? null : Math.round(ms));

/** The nodes node faults took down in a trial, as results.json carries them. */
export function nodeLossResults(tracker: NodeLossTracker): NodeLossResult[] {
  return tracker.losses().map((loss) => ({
    node: loss.node,
    fault: loss.fault,
    at: {
      injected: isoOf(loss.at.injected),
      notReady: isoOrNull(loss.at.notReady),
      tainted: isoOrNull(loss.at.tainted),
      evicted: isoOrNull(loss.at.evicted),
    },
    phasesMs: { detection: msOrNull(loss.phasesMs.detection), taint: msOrNull(loss.phasesMs.taint), eviction: msOrNull(loss.phasesMs.eviction) },
    evictedPods: loss.evictedPods,
  }));
}

/** The containers containerKill killed in a trial, as results.json carries them. */
export function restartResults(tracker: RestartTracker): RestartResult[] {
  return tracker.restarts().map((restart) => ({
    pod: restart.pod,
    container: restart.container,
    restartCountBefore: restart.restartCountBefore,
    restartCountAfter: restart.restartCountAfter,
    at: { killed: isoOf(restart.at.killed), restarted: isoOrNull(restart.at.restarted), ready: isoOrNull(restart.at.ready) },
    phasesMs: { restarted: msOrNull(restart.phasesMs.restarted), ready: msOrNull(restart.phasesMs.ready) },
  }));
}

/**
 * The RunResult model: what a run found, as results.json carries it. Other tools read this file, so it is
 * versioned: add fields freely, but a rename or removal bumps RESULT_SCHEMA_VERSION.
 */

/** The version of the results.json layout. */
export const RESULT_SCHEMA_VERSION = 1;

/** The three verdicts of the contract. */
export type Verdict = 'PASS' | 'FAIL' | 'ERROR';

/** Summary statistics over the trials that broke. */
export interface Stats {
  readonly count: number;
  readonly min: number;
  readonly median: number;
  /** Linear interpolation between closest ranks. */
  readonly p95: number;
  readonly max: number;
  readonly mean: number;
}

/** A pod, or its replacement, as the replacement list names it. */
export interface PodRef {
  readonly name: string;
  readonly uid: string;
  readonly node: string | null;
}

/** One replaced pod and how long each step to its replacement took. */
export interface ReplacementResult {
  readonly pod: PodRef;
  readonly replacement: PodRef | null;
  readonly owner: { readonly kind: string; readonly name: string; readonly uid: string };
  /** Each phase as the time since the previous one: created, scheduled, running, ready, endpointReady. */
  readonly phasesMs: Readonly<Record<string, number | null>>;
  /** ISO timestamps of deleted, created, scheduled, running, ready, endpointReady. */
  readonly at: Readonly<Record<string, string | null>>;
}

/** One injected fault. */
export interface FaultResult {
  readonly index: number;
  readonly kind: string;
  /** The `at` offset from T0. */
  readonly atMs: number;
  readonly injectedAt: string | null;
  readonly summary: string;
  readonly targets: readonly { kind: string; name: string; namespace?: string; uid?: string; node?: string }[];
  readonly error: string | null;
}

/** One point of the timeline chart. */
export interface TimelineSample {
  readonly at: string;
  readonly holds: boolean;
  readonly readyPods: number;
  readonly readyNodes: number;
  readonly readyEndpoints: number;
}

/** A labelled moment on the timeline (injected, broken, recovered, reverted...). */
export interface TimelineMarker {
  readonly at: string;
  readonly kind: string;
  readonly label: string;
}

/** The objects under check at one moment, each reduced to the fields that explain health. */
export interface ObjectSnapshot {
  readonly at: string;
  readonly objects: readonly {
    readonly kind: string;
    readonly name: string;
    readonly namespace: string | null;
    readonly uid: string | null;
    readonly summary: Readonly<Record<string, unknown>>;
  }[];
}

/** A Kubernetes Event of the scenario's namespaces. */
export interface EventRecord {
  readonly at: string | null;
  readonly type: string;
  readonly reason: string;
  /** kind/name of the object the event is about. */
  readonly object: string;
  readonly message: string;
  readonly count: number;
}

/** One trial. */
export interface TrialResult {
  readonly trial: number;
  readonly verdict: Verdict;
  readonly reason: string | null;
  /** When the initial steady state had held for settle: the trial's start. */
  readonly t0: string | null;
  readonly injectedAt: string | null;
  readonly brokenAt: string | null;
  readonly recoveredAt: string | null;
  readonly recoveryTimeMs: number | null;
  readonly disruptionMs: number | null;
  readonly undisrupted: boolean;
  /** Longest time the steady state was broken in one stretch. */
  readonly longestBreakMs: number | null;
  readonly faults: readonly FaultResult[];
  readonly replacements: readonly ReplacementResult[];
  /** Where each pod of the scenario's namespace ran at the end of the trial (pods do not move back). */
  readonly placement: readonly { pod: string; node: string | null }[];
  readonly timeline: { readonly samples: readonly TimelineSample[]; readonly markers: readonly TimelineMarker[] };
  /** Snapshots of the objects under check when the steady state first broke and when it came back for good. */
  readonly evidence: { readonly brokenAt: ObjectSnapshot | null; readonly recoveredAt: ObjectSnapshot | null };
}

/** One scenario. */
export interface ScenarioResult {
  readonly name: string;
  readonly file: string;
  readonly description: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly verdict: Verdict;
  readonly reason: string | null;
  readonly namespace: string | null;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly expect: {
    readonly recoveryWithinMs: number;
    readonly settleMs: number;
    readonly maxDisruptionMs: number | null;
    readonly mustBreak: boolean;
  };
  readonly steadyState: readonly string[];
  readonly trials: readonly TrialResult[];
  readonly stats: { readonly recoveryTimeMs: Stats | null; readonly disruptionMs: Stats | null; readonly brokenTrials: number };
  /** spec.processes: where each one's log is, how often it was started, and the end of its log. */
  readonly processes: readonly { name: string; log: string; starts: number; tail: readonly string[] }[];
  /** Kubernetes Events of the scenario's namespaces during the run (the last 500). */
  readonly events: readonly EventRecord[];
  /** Problems while undoing what the scenario did (they make the scenario an ERROR). */
  readonly cleanup: readonly string[];
}

/** Where and on what the run happened, so two runs can be compared fairly. */
export interface Environment {
  readonly provider: string;
  readonly cluster: string;
  readonly kubernetesVersion: string | null;
  readonly reboundVersion: string;
  readonly nodeCount: number | null;
  readonly timings: Readonly<Record<string, number>>;
  readonly machine: { readonly cpus: number; readonly loadAverage: readonly number[]; readonly platform: string };
}

/** A whole run: results.json. */
export interface RunResult {
  readonly schemaVersion: typeof RESULT_SCHEMA_VERSION;
  readonly verdict: Verdict;
  readonly seed: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly environment: Environment | null;
  readonly vars: Readonly<Record<string, string>>;
  readonly scenarios: readonly ScenarioResult[];
}

/** The worst of several verdicts: ERROR over FAIL over PASS. */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('ERROR')) return 'ERROR';
  if (verdicts.includes('FAIL')) return 'FAIL';
  return 'PASS';
}

/** The exit code of a verdict: 0 PASS, 1 FAIL, 2 ERROR. */
export function exitCodeOf(verdict: Verdict): 0 | 1 | 2 {
  return verdict === 'PASS' ? 0 : verdict === 'FAIL' ? 1 : 2;
}

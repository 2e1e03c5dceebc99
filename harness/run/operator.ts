/**
 * The people running the run (a game day's room), as the runner sees them: before a trial's first fault goes in
 * they are asked (go, skip the trial, abort the run), while the system recovers they are shown the live state,
 * and what they type is handed back as notes for the trial's timeline. An unattended run has the operator that
 * always says go and never writes a note; `run --interactive` brings the terminal one (harness/cli/interactive/).
 */
import type { Target } from '../faults/fault.js';

/** What the operator decided before a trial's first fault. */
export type OperatorDecision = 'go' | 'skip' | 'abort';

/** What a trial's first fault will hit, shown before it goes in. */
export interface FaultPrompt {
  readonly scenario: string;
  /** `VAR=value` of a --matrix variant, or null. */
  readonly variant: string | null;
  readonly trial: number;
  readonly trials: number;
  readonly namespace: string;
  readonly fault: {
    readonly kind: string;
    /** The `at` offset from T0, in ms. */
    readonly atMs: number;
    /** The plan's line for people: "kill pod web-7d9f (node-2)". */
    readonly summary: string;
    readonly targets: readonly Target[];
  };
  /** The trial's later faults: their targets are chosen when they are due. */
  readonly later: readonly { readonly kind: string; readonly atMs: number }[];
}

/** One steady-state check as the live view shows it. */
export interface LiveCheck {
  readonly holds: boolean;
  /** The check's own words: "podsReady app=web: 2/3 ready". */
  readonly detail: string;
}

/** A workload of the scenario's namespace with its ready replicas. */
export interface LiveWorkload {
  readonly kind: string;
  readonly name: string;
  readonly ready: number;
  readonly desired: number;
}

/** The system under test right now. */
export interface LiveState {
  readonly holds: boolean;
  readonly checks: readonly LiveCheck[];
  readonly workloads: readonly LiveWorkload[];
  readonly readyPods: number;
  readonly readyNodes: number;
  readonly readyEndpoints: number;
}

/** A trial under way, for the live view. Times are monotonic ms (harness/util/clock.ts). */
export interface LiveTrial {
  readonly scenario: string;
  readonly trial: number;
  readonly trials: number;
  readonly t0: number;
  /** When the first fault went in; null before. */
  injectedAt(): number | null;
  state(): LiveState;
  /** Calls `listener` on every evaluation of the steady state; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

/** A line typed by someone in the room, stamped when they began typing it (monotonic ms). */
export interface OperatorNote {
  readonly at: number;
  readonly text: string;
}

/** What the runner asks of and tells the people running it. */
export interface Operator {
  /**
   * Asked before a trial's first fault goes in; the trial waits for the answer (the time spent waiting shifts the
   * trial's later faults and its time limits, so the wait is never measured). Resolves 'abort' when `abort` fires.
   */
  beforeFault(prompt: FaultPrompt, abort?: AbortSignal): Promise<OperatorDecision>;
  /** A trial began at its T0: shows it live (the prompt, then the recovery) until the returned function is called. */
  follow(trial: LiveTrial): () => void;
  /** The notes typed since the last call, oldest first. */
  takeNotes(): OperatorNote[];
}

/** The operator of an unattended run: always go, nothing shown, no notes. */
export const unattended: Operator = {
  beforeFault: () => Promise.resolve('go'),
  follow: () => () => undefined,
  takeNotes: () => [],
};

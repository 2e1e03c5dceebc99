/**
 * What a steady-state check is: judged from the World alone, with its answer in words. In a file of its own so that
 * the checks in several files (conditions.ts, rollout-checks.ts) share it without importing one another.
 */
import type { World } from './world.js';

/** Ready pods, endpoints and nodes, as counted by the checks (and by countsOf for the timeline). */
export interface Counts {
  readonly readyPods?: number;
  readonly readyEndpoints?: number;
  readonly readyNodes?: number;
}

/** One judgement of a condition: whether it holds, and why in words (e.g. "podsReady app=web: 2/3 ready"). */
export interface Evaluation {
  readonly holds: boolean;
  readonly detail: string;
  readonly counts?: Counts;
}

/** A steady-state check, judged from what the World holds. */
export interface Condition {
  describe(): string;
  evaluate(world: World): Evaluation;
  /** The checks an `all` is made of, each judged on its own (the live view of `run --interactive` lists them). */
  readonly parts?: readonly Condition[];
}

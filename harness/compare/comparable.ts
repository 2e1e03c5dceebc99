/** What a comparison reads of two runs, and what it can say of them (compare.ts compares; disruption-load.ts too). */
import type { RunResult, ScenarioResult, TrialResult } from '../report/result.js';

/** What a comparison says about a scenario, or about the whole run. */
export type ComparisonVerdict = 'regressed' | 'improved' | 'unchanged' | 'inconclusive';

/** The parts of a trial a comparison reads: its recovery and, under load, what the disruption cost the clients. */
export type ComparableTrial = Pick<TrialResult, 'trial' | 'verdict' | 'recoveryTimeMs' | 'undisrupted'> & {
  readonly load?: { readonly errorBudget: { readonly failed: number; readonly p95Ms: number | null } | null };
};

/** The parts of a scenario's result a comparison reads. */
export interface ComparableScenario extends Pick<ScenarioResult, 'name' | 'verdict' | 'expect' | 'steadyState'> {
  readonly trials: readonly ComparableTrial[];
}

/** The parts of a RunResult a comparison reads; every RunResult is one. */
export interface ComparableRun extends Pick<RunResult, 'startedAt' | 'verdict' | 'environment' | 'vars'> {
  readonly scenarios: readonly ComparableScenario[];
}

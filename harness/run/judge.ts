/**
 * The verdict of a trial, as a pure function of what the trial recorded: no clock, no cluster, no timers. trial.ts
 * gathers the inputs while it runs; everything that decides PASS, FAIL, ERROR, ABORTED or SKIPPED is here, so it is
 * unit-tested case by case (test/unit/run/judge.test.ts).
 */
import type { RecoveryResult } from '../observe/detector.js';
import type { OutageJudgement } from '../observe/outages.js';
import type { TrialVerdict } from '../report/result.js';
import type { Expectation } from '../scenario/schema.js';
import { exceedsMaxDisruption, maxDisruptionReason } from './max-disruption.js';

/** The reason of a trial the operator skipped at the prompt. */
export const SKIPPED_BY_OPERATOR = 'skipped by the operator';

/** What a trial recorded, as the judge reads it. */
export interface TrialRecord {
  /** Why the run was interrupted (a signal, the operator's abort) during this trial. */
  readonly interrupted?: string;
  /** The operator skipped the trial at the prompt. */
  readonly skipped: boolean;
  /** Why the harness could not do its job (a fault not injected, an unreadable load...). */
  readonly error?: string;
  /** A load threshold with abortOnFail that ended the trial. */
  readonly aborted?: string;
  /** The detector's decision. */
  readonly status: RecoveryResult['status'];
  /** The steady state when the trial ended: a FAIL for time says what still did not hold. */
  readonly current: { readonly holds: boolean; readonly detail: string };
  /** Failures of the system under test the faults reported (a budget that blocked a drain). */
  readonly failures: readonly string[];
  readonly measured: Pick<RecoveryResult, 'undisrupted' | 'breaks' | 'longestBreakMs'>;
  /** The load thresholds crossed, described. */
  readonly crossed: readonly string[];
  /** What the API server's outages during the trial leave unknown. */
  readonly outage: Pick<OutageJudgement, 'error' | 'breakUncertaintyMs'>;
  /** A rollout fault's rollout (or rollback) that did not complete, in words: why a trial that held never recovered. */
  readonly incompleteRollout?: string;
  /** Rollouts not complete within expect.rolloutWithin, in words: a FAIL. */
  readonly lateRollout?: string;
}

/** A verdict with its reason (null for a PASS). */
export interface Judgement {
  readonly verdict: TrialVerdict;
  readonly reason: string | null;
}

/**
 * The verdict of one trial. Order matters: an interruption or a skip says nothing about the system; an ERROR of
 * the harness outranks what it measured; then the FAILs of the system; and a PASS an outage may make false is an
 * ERROR that says why, never a PASS.
 */
export function judgeTrial(record: TrialRecord, expect: Expectation): Judgement {
  const { measured, outage } = record;
  const judged = judgeMeasured(record, expect);
  if (judged.verdict !== 'PASS') return judged;
  if (outage.error !== undefined) return { verdict: 'ERROR', reason: outage.error };
  const max = expect.maxDisruption;
  if (max !== undefined && outage.breakUncertaintyMs > 0 && measured.longestBreakMs + outage.breakUncertaintyMs > max.toMilliseconds()) {
    return {
      verdict: 'ERROR',
      reason: max.toMilliseconds() === 0
        ? `the API server was unreachable for ${Math.round(outage.breakUncertaintyMs)} ms during the trial: whether the steady state held throughout (maxDisruption 0s) is unknown`
        : `the API server was unreachable while the steady state was broken: the longest break may have been up to ${Math.round(outage.breakUncertaintyMs)} ms longer than the ${(measured.longestBreakMs / 1000).toFixed(2)} s measured, beyond maxDisruption ${max.toString()}`,
    };
  }
  return judged;
}

function judgeMeasured(record: TrialRecord, expect: Expectation): Judgement {
  const { measured, outage } = record;
  if (record.interrupted !== undefined) return { verdict: 'ABORTED', reason: record.interrupted };
  if (record.skipped) return { verdict: 'SKIPPED', reason: SKIPPED_BY_OPERATOR };
  if (record.error !== undefined) return { verdict: 'ERROR', reason: record.error };
  if (record.aborted !== undefined) return { verdict: 'FAIL', reason: `${record.aborted}; the trial was aborted (abortOnFail)` };
  if (record.status === 'failed' && outage.error !== undefined) return { verdict: 'ERROR', reason: outage.error };
  if (record.status === 'failed') {
    const why = record.current.holds ? record.incompleteRollout ?? 'the steady state came back too late' : record.current.detail;
    return { verdict: 'FAIL', reason: `no recovery within ${expect.recoveryWithin.toString()} (+${expect.settle.toString()} settle): ${why}` };
  }
  if (record.failures.length > 0) return { verdict: 'FAIL', reason: record.failures.join('; ') };
  if (record.lateRollout !== undefined) return { verdict: 'FAIL', reason: record.lateRollout };
  if (measured.undisrupted && expect.mustBreak) {
    return { verdict: 'ERROR', reason: 'the fault did not bite: the steady state never broke (expect.mustBreak is true)' };
  }
  if (expect.maxDisruption !== undefined && exceedsMaxDisruption(measured, expect.maxDisruption)) {
    return { verdict: 'FAIL', reason: maxDisruptionReason(measured, expect.maxDisruption) };
  }
  if (record.crossed.length > 0) {
    return { verdict: 'FAIL', reason: `load threshold${record.crossed.length === 1 ? '' : 's'} crossed: ${record.crossed.join('; ')}` };
  }
  return { verdict: 'PASS', reason: null };
}

import type { RecoveryResult } from '../observe/detector.js';
import type { Duration } from '../scenario/duration.js';

/**
 * expect.maxDisruption, judged from a trial's measurement. `0s` is zero downtime, what a drain under a
 * PodDisruptionBudget or a rolling update promises: any break fails, however short (a break the watches saw begin
 * and end in the same millisecond included). A longer bound fails a trial one stretch of which lasted longer.
 */
export function exceedsMaxDisruption(measured: Pick<RecoveryResult, 'breaks' | 'longestBreakMs'>, maxDisruption: Duration): boolean {
  const bound = maxDisruption.toMilliseconds();
  return bound === 0 ? measured.breaks > 0 : measured.longestBreakMs > bound;
}

/** The reason of a FAIL by exceedsMaxDisruption, naming how long the steady state was broken. */
export function maxDisruptionReason(measured: Pick<RecoveryResult, 'breaks' | 'longestBreakMs'>, maxDisruption: Duration): string {
  const longest = `${(measured.longestBreakMs / 1000).toFixed(2)} s`;
  if (maxDisruption.toMilliseconds() === 0) {
    const stretches = measured.breaks === 1 ? 'once, for' : `${measured.breaks} times, the longest for`;
    return `the steady state broke ${stretches} ${longest}; maxDisruption 0s allows no break`;
  }
  return `the steady state was broken for ${longest} in one stretch, more than maxDisruption ${maxDisruption.toString()}`;
}

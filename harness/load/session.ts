import type { Logger } from 'pino';
import type { LoadResult } from '../report/result.js';

/** The moments of a trial that judge its load (monotonic ms). */
export interface TrialMoments {
  /** The trial's start: requests before it were the warm-up, not judged. */
  readonly t0: number;
  readonly injectedAt: number | null;
  /** null when the trial did not recover. */
  readonly recoveredAt: number | null;
  /** When the trial ended: the judged window is [t0, end). */
  readonly end: number;
}

/** What a load session needs from the run around it. */
export interface LoadContext {
  /** A folder for the session's files (k6's summary and output). */
  readonly dir: string;
  /** The scenario's hard time limit (monotonic ms): no traffic outlives it. */
  readonly deadline: number;
  /** The longest a trial can take once T0 is reached: recoveryWithin + settle. */
  readonly trialMs: number;
  readonly log: Logger;
  /** The k6 binary to run a k6 script with (default: k6 on PATH). */
  readonly k6?: string;
}

/**
 * The traffic of one trial, from its warm-up to its end. A session starts when it is made; the runner then waits
 * out the warm-up and the steady state, runs the trial, and finishes the session with the trial's moments.
 */
export interface LoadSession {
  /** When traffic began (monotonic ms). */
  readonly startedAt: number;
  /**
   * Why the trial must end now (an abortOnFail threshold crossed over [t0, end), `end` being now), or undefined.
   * Only the built-in driver can judge while it runs; a k6 script aborts itself.
   */
  abortReason(sofar: TrialMoments): string | undefined;
  /** Stops the traffic and judges the window [t0, end). Throws when the load itself could not be run or read. */
  finish(moments: TrialMoments): Promise<LoadResult>;
  /** Stops the traffic without judging it (the trial never began); after finish, does nothing. */
  cancel(): Promise<void>;
}

/**
 * The measurement of the contract ("What is measured, per trial"), as pure bookkeeping over a step function: the
 * steady state's truth over time, built from the evaluations fed to observe(). Times are passed in; the caller
 * owns the clock and the timers, and asks nextDeadline() when to call tick(), so a trial ends by a timer and never
 * by waiting for an event that may not come.
 *
 * Conventions, so that recorded sequences replay to exact figures:
 * - The state at a moment is the last evaluation stamped with that moment (several evaluations stamped alike
 *   collapse into the last), and holds until the next evaluation.
 * - "Held for settle" means held over the half-open interval [start, start + settle): a break stamped exactly at
 *   the end of the settle window comes after it.
 * - A decision that depends on the state at the current moment itself (a failure when it is broken at the
 *   deadline) is taken once that moment is over: by tick() at or after it, or by an evaluation stamped later.
 *   nextDeadline() then returns that moment, so the caller ticks at once.
 */

/** Where a trial's measurement stands. */
export type RecoveryStatus = 'waiting' | 'recovered' | 'failed';

/** The parameters of a trial's measurement, from spec.expect. */
export interface RecoveryOptions {
  readonly recoveryWithinMs: number;
  readonly settleMs: number;
  /** How many faults will be injected (default 1): recovery is not declared before every one was reported. */
  readonly faults?: number;
  /**
   * How many gates must also pass (a rollout fault's rollout or rollback complete, default 0): settle is counted from
   * no earlier than the last gate passed, as from the last injection, so recovery waits for them; they do not change
   * when the steady state broke.
   */
  readonly gates?: number;
}

/** The figures of one trial, in ms since epoch (the caller formats ISO). */
export interface RecoveryResult {
  readonly status: RecoveryStatus;
  /** The earliest time passed to injected(). */
  readonly injectedAt: number | null;
  /** The latest time passed to injected(): settle is counted from no earlier than this. */
  readonly lastInjectionAt: number | null;
  /** The first moment at or after injectedAt at which the steady state did not hold; null if it never broke. */
  readonly brokenAt: number | null;
  /** When the final unbroken stretch began; null unless recovered. May precede injectedAt if nothing broke. */
  readonly recoveredAt: number | null;
  /** recoveredAt - injectedAt; 0 when it never broke; null unless recovered. */
  readonly recoveryTimeMs: number | null;
  /** recoveredAt - brokenAt; 0 when it never broke; null unless recovered. */
  readonly disruptionMs: number | null;
  /** Recovered without ever breaking. */
  readonly undisrupted: boolean;
  /** The longest single broken interval between injectedAt and the decision (for expect.maxDisruption). */
  readonly longestBreakMs: number;
  /** How many times the steady state broke between injectedAt and the decision. */
  readonly breaks: number;
  /**
   * When the outcome became certain: recovered, when settle completed; failed, when no recovery within
   * recoveryWithin was possible any more. Never later than injectedAt + recoveryWithin + settle.
   */
  readonly decidedAt: number | null;
}

/** A maximal interval over which the evaluations agreed; it lasts until the next run's start. */
interface Run {
  readonly start: number;
  readonly holds: boolean;
}

/** The state as a step function: runs in time order, consecutive runs differing. */
class StepFunction {
  readonly runs: Run[] = [];

  /** Records an evaluation; `at` is never earlier than the previous one. */
  record(at: number, holds: boolean): void {
    const last = this.runs.at(-1);
    if (last === undefined) {
      this.runs.push({ start: at, holds });
      return;
    }
    if (last.holds === holds) return;
    if (last.start === at) {
      // The same moment evaluated again: the last evaluation is the state at that moment.
      this.runs.pop();
      if (this.runs.length === 0) this.runs.push({ start: at, holds });
      return;
    }
    this.runs.push({ start: at, holds });
  }

  /** The index of the run in force at `at`, or -1 before the first evaluation. */
  indexAt(at: number): number {
    for (let index = this.runs.length - 1; index >= 0; index -= 1) {
      const run = this.runs[index];
      if (run !== undefined && run.start <= at) return index;
    }
    return -1;
  }

  /** Where run `index` ends: the next run's start, or undefined while it lasts. */
  endOf(index: number): number | undefined {
    return this.runs[index + 1]?.start;
  }
}

interface Decision {
  readonly status: 'recovered' | 'failed';
  readonly at: number;
  readonly recoveredAt?: number;
}

/**
 * Decides when a trial has recovered or failed, per the contract: recovered once the steady state has held
 * without a break for `settle`, counted from no earlier than the last injection, with a stretch that began no later
 * than injectedAt + recoveryWithin; failed as soon as that is no longer possible, and never later than
 * injectedAt + recoveryWithin + settle. A decision is final.
 */
export class RecoveryDetector {
  private readonly state = new StepFunction();
  private readonly recoveryWithinMs: number;
  private readonly settleMs: number;
  private readonly faults: number;
  private readonly reported = new Set<number>();
  private readonly gates: number;
  private readonly passedGates = new Map<number, number>();
  private firstInjection: number | undefined;
  private lastInjection: number | undefined;
  private now = Number.NEGATIVE_INFINITY;
  /** Whether the moment `now` is over (a tick reached it): then the state at `now` can decide. */
  private nowIsOver = false;
  private decision: Decision | undefined;
  private frozen: RecoveryResult | undefined;

  constructor(options: RecoveryOptions) {
    this.recoveryWithinMs = options.recoveryWithinMs;
    this.settleMs = options.settleMs;
    this.faults = Math.max(1, options.faults ?? 1);
    this.gates = options.gates ?? 0;
  }

  /** Gate `gate` (0-based) passed at `at`, a moment no later than now; the first call for a gate counts. */
  passed(gate: number, at: number): RecoveryStatus {
    if (this.decision !== undefined || this.passedGates.has(gate)) return this.status;
    this.passedGates.set(gate, at);
    this.advance(at, false);
    return this.judge();
  }

  /** Settle is counted from no earlier than this: the last injection, or the last gate passed. */
  private settleFrom(): number {
    return Math.max(this.lastInjection ?? Number.NEGATIVE_INFINITY, ...this.passedGates.values());
  }

  /** The current status. */
  get status(): RecoveryStatus {
    return this.decision?.status ?? 'waiting';
  }

  /**
   * A fault was injected at `at`: its acknowledgement, or the first watch event it caused when that came earlier
   * (call it for both; the earliest call is injectedAt, the latest lastInjectionAt). `fault` is its 0-based place
   * in the injection order. Ignored once decided.
   */
  injected(at: number, fault = 0): RecoveryStatus {
    if (this.decision !== undefined) return this.decision.status;
    this.firstInjection = this.firstInjection === undefined ? at : Math.min(this.firstInjection, at);
    this.lastInjection = this.lastInjection === undefined ? at : Math.max(this.lastInjection, at);
    this.reported.add(fault);
    this.advance(at, false);
    return this.judge();
  }

  /**
   * One evaluation of the steady state, stamped `at` (never earlier than the previous call's time; an earlier one
   * is taken as made now). Evaluations before the injection count too: the final stretch may begin before it.
   */
  observe(at: number, holds: boolean): RecoveryStatus {
    if (this.decision !== undefined) return this.decision.status;
    const moment = Math.max(at, this.now);
    this.advance(moment, false);
    this.state.record(moment, holds);
    return this.judge();
  }

  /** Time has reached `at` (a timer the caller set from nextDeadline()). */
  tick(at: number): RecoveryStatus {
    if (this.decision !== undefined) return this.decision.status;
    if (at >= this.now) this.advance(at, true);
    return this.judge();
  }

  /**
   * When the caller must call tick() if nothing else happens: the end of the settle window, the recoveryWithin
   * deadline, or the current moment when a decision only waits for it to be over. undefined when decided or
   * before the first injection.
   */
  nextDeadline(): number | undefined {
    if (this.decision !== undefined || this.firstInjection === undefined || this.lastInjection === undefined) return undefined;
    const deadline = this.firstInjection + this.recoveryWithinMs;
    const cap = deadline + this.settleMs;
    if (this.failureAt(false) !== undefined) return this.now;
    const index = this.state.indexAt(this.now);
    const run = this.state.runs[index];
    if (run?.holds === true && this.state.endOf(index) === undefined && run.start <= deadline) {
      if (!this.allReported()) return cap;
      return Math.min(Math.max(run.start, this.settleFrom()) + this.settleMs, cap);
    }
    return Math.min(deadline, cap);
  }

  /** The figures so far; final once the status is not 'waiting'. */
  result(): RecoveryResult {
    return this.frozen ?? this.compute();
  }

  private advance(at: number, over: boolean): void {
    if (at > this.now) {
      this.now = at;
      this.nowIsOver = over;
    } else if (at === this.now && over) {
      this.nowIsOver = true;
    }
  }

  private allReported(): boolean {
    for (let fault = 0; fault < this.faults; fault += 1) if (!this.reported.has(fault)) return false;
    for (let gate = 0; gate < this.gates; gate += 1) if (!this.passedGates.has(gate)) return false;
    return true;
  }

  private judge(): RecoveryStatus {
    if (this.decision === undefined && this.firstInjection !== undefined) {
      const recovery = this.recovery();
      if (recovery !== undefined) {
        this.decision = { status: 'recovered', at: recovery.at, recoveredAt: recovery.start };
      } else {
        const failedAt = this.failureAt(true);
        if (failedAt !== undefined) this.decision = { status: 'failed', at: failedAt };
      }
      if (this.decision !== undefined) this.frozen = this.compute();
    }
    return this.status;
  }

  /** The earliest stretch that satisfies recovery by now: its start and when its settle completed. */
  private recovery(): { start: number; at: number } | undefined {
    if (this.firstInjection === undefined || this.lastInjection === undefined || !this.allReported()) return undefined;
    const deadline = this.firstInjection + this.recoveryWithinMs;
    const cap = deadline + this.settleMs;
    const { runs } = this.state;
    for (let index = 0; index < runs.length; index += 1) {
      const run = runs[index];
      if (run === undefined || !run.holds) continue;
      if (run.start > deadline) break;
      const settled = Math.max(run.start, this.settleFrom()) + this.settleMs;
      // A stretch still going counts up to now: the state is known to hold over [start, now].
      const end = this.state.endOf(index) ?? this.now;
      if (settled <= end && settled <= cap) return { start: run.start, at: settled };
    }
    return undefined;
  }

  /**
   * The moment from which no recovery is possible, once known; undefined while one still is. With `requireOver`
   * false, also a failure that only waits for the current moment to be over.
   */
  private failureAt(requireOver: boolean): number | undefined {
    if (this.firstInjection === undefined) return undefined;
    const deadline = this.firstInjection + this.recoveryWithinMs;
    const cap = deadline + this.settleMs;
    const known = (moment: number) => moment < this.now || (moment === this.now && (this.nowIsOver || !requireOver));
    // The state at the recoveryWithin deadline must hold (or no stretch can have begun by then) ...
    const index = this.state.indexAt(deadline);
    const run = this.state.runs[index];
    if (run?.holds !== true) {
      if (known(deadline)) return deadline;
    } else {
      // ... and keep holding: once the stretch in force at the deadline breaks, any later one begins too late.
      const end = this.state.endOf(index);
      if (end !== undefined && known(end)) return end;
    }
    // Reached only when recovery waits on a late injection (acknowledged after the deadline): the cap still holds.
    return known(cap) ? cap : undefined;
  }

  private compute(): RecoveryResult {
    const injectedAt = this.firstInjection ?? null;
    const decision = this.decision;
    const recovered = decision?.status === 'recovered' ? decision : undefined;
    const recoveredAt = recovered?.recoveredAt ?? null;
    const windowEnd = decision?.at ?? this.now;
    let brokenAt: number | null = null;
    let breaks = 0;
    let longestBreakMs = 0;
    if (injectedAt !== null) {
      const { runs } = this.state;
      for (let index = 0; index < runs.length; index += 1) {
        const run = runs[index];
        if (run === undefined || run.holds) continue;
        const end = this.state.endOf(index);
        if (end !== undefined && end <= injectedAt) continue;
        // A break that begins exactly when settle completed comes after the recovery; one that begins exactly
        // when the failure was decided is that failure's cause.
        if (run.start > windowEnd || (recovered !== undefined && run.start >= windowEnd)) break;
        const from = Math.max(run.start, injectedAt);
        const to = Math.min(end ?? windowEnd, windowEnd);
        brokenAt ??= from;
        breaks += 1;
        longestBreakMs = Math.max(longestBreakMs, to - from);
      }
    }
    // The contract: a trial that never broke has recoveryTime and disruption 0, even if its final stretch began
    // before the injection (recoveredAt < injectedAt).
    let recoveryTimeMs: number | null = null;
    let disruptionMs: number | null = null;
    if (recoveredAt !== null && injectedAt !== null) {
      recoveryTimeMs = brokenAt === null ? 0 : recoveredAt - injectedAt;
      disruptionMs = brokenAt === null ? 0 : recoveredAt - brokenAt;
    }
    return {
      status: decision?.status ?? 'waiting',
      injectedAt,
      lastInjectionAt: this.lastInjection ?? null,
      brokenAt,
      recoveredAt,
      recoveryTimeMs,
      disruptionMs,
      undisrupted: recovered !== undefined && brokenAt === null,
      longestBreakMs,
      breaks,
      decidedAt: decision?.at ?? null,
    };
  }
}

/** Where waiting for the initial steady state stands. */
export type SettleStatus = 'waiting' | 'ready' | 'timedOut';

/** The parameters of a SettleWatcher. */
export interface SettleOptions {
  readonly settleMs: number;
  /**
   * When waiting began; holding before it does not count (between trials: after the revert). Default: the time of
   * the first observe() or tick().
   */
  readonly startedAt?: number;
  /** Give up this long after startedAt; undefined: never. */
  readonly timeoutMs?: number;
}

/**
 * Waits for the steady state to hold without a break for `settle` before a trial (T0 = the moment settle
 * completed), with the same conventions as RecoveryDetector. Times out with a reason naming what did not hold.
 */
export class SettleWatcher {
  private readonly state = new StepFunction();
  private readonly settleMs: number;
  private readonly timeoutMs: number | undefined;
  private startedAt: number | undefined;
  private timeoutAt: number | undefined;
  private now = Number.NEGATIVE_INFINITY;
  private lastFailure: string | undefined;
  private longestHeldMs = 0;
  private outcome: { status: 'ready'; t0: number } | { status: 'timedOut'; reason: string } | undefined;

  constructor(options: SettleOptions) {
    this.settleMs = options.settleMs;
    this.timeoutMs = options.timeoutMs;
    if (options.startedAt !== undefined) this.start(options.startedAt);
  }

  /** The current status. */
  get status(): SettleStatus {
    return this.outcome?.status ?? 'waiting';
  }

  /** T0, once ready: the moment the steady state had held for settle. */
  get t0(): number | undefined {
    return this.outcome?.status === 'ready' ? this.outcome.t0 : undefined;
  }

  /** Why it timed out: what did not hold, and the longest stretch it did hold. */
  get reason(): string | undefined {
    return this.outcome?.status === 'timedOut' ? this.outcome.reason : undefined;
  }

  /** One evaluation of the steady state; `detail` (the failing checks) goes into the timeout reason. */
  observe(at: number, holds: boolean, detail?: string): SettleStatus {
    if (this.outcome !== undefined) return this.outcome.status;
    const moment = Math.max(at, this.now, this.start(at));
    this.now = moment;
    this.state.record(moment, holds);
    if (!holds && detail !== undefined) this.lastFailure = detail;
    return this.judge();
  }

  /** Time has reached `at`. */
  tick(at: number): SettleStatus {
    if (this.outcome !== undefined) return this.outcome.status;
    this.start(at);
    this.now = Math.max(this.now, at);
    return this.judge();
  }

  /** When to tick if nothing else happens: settle completing, or the timeout. undefined when decided. */
  nextDeadline(): number | undefined {
    if (this.outcome !== undefined) return undefined;
    const last = this.state.runs.at(-1);
    const settled = last?.holds === true ? last.start + this.settleMs : undefined;
    if (settled === undefined) return this.timeoutAt;
    return this.timeoutAt === undefined ? settled : Math.min(settled, this.timeoutAt);
  }

  /** Starts the clock at `at` unless it runs already; returns when it started. */
  private start(at: number): number {
    if (this.startedAt === undefined) {
      this.startedAt = at;
      this.now = Math.max(this.now, at);
      this.timeoutAt = this.timeoutMs === undefined ? undefined : at + this.timeoutMs;
    }
    return this.startedAt;
  }

  private judge(): SettleStatus {
    const { runs } = this.state;
    this.longestHeldMs = 0;
    for (let index = 0; index < runs.length; index += 1) {
      const run = runs[index];
      if (run === undefined || !run.holds) continue;
      const settled = run.start + this.settleMs;
      const end = this.state.endOf(index) ?? this.now;
      if (settled <= end && (this.timeoutAt === undefined || settled <= this.timeoutAt)) {
        this.outcome = { status: 'ready', t0: settled };
        return 'ready';
      }
      this.longestHeldMs = Math.max(this.longestHeldMs, Math.min(end, this.timeoutAt ?? end) - run.start);
    }
    if (this.timeoutAt !== undefined && this.now >= this.timeoutAt) {
      const waited = formatMs(this.timeoutMs ?? 0);
      const held = this.longestHeldMs > 0 ? `it held for at most ${formatMs(this.longestHeldMs)} at a time` : 'it never held';
      const failing = this.state.runs.at(-1)?.holds === false && this.lastFailure !== undefined ? `: ${this.lastFailure}` : '';
      this.outcome = {
        status: 'timedOut',
        reason: `the steady state did not hold for ${formatMs(this.settleMs)} within ${waited} (${held})${failing}`,
      };
    }
    return this.status;
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(3))} s` : `${Math.round(ms)} ms`;
}

/**
 * Milliseconds since the epoch from a monotonic clock: performance.now() anchored at the process's time origin.
 * Every observed event is stamped with this on arrival, so a wall-clock step (NTP) never bends a measurement.
 */
export function monotonicNow(): number {
  return performance.timeOrigin + performance.now();
}

/** An ISO timestamp with milliseconds, as reports carry them. */
export function isoOf(ms: number): string {
  return new Date(Math.round(ms)).toISOString();
}

/**
 * The time a trial runs on: what it reads as now and what wakes it up. Injected so that a trial's orchestration
 * (fault offsets, deadlines, settle windows, waits for faults) can be driven by a clock a test advances by hand;
 * the run uses systemClock.
 */
export interface Clock {
  /** Monotonic milliseconds since the epoch, as monotonicNow. */
  now(): number;
  /** Calls `callback` once `ms` have passed on this clock; returns what cancels it (harmless after it ran). */
  after(ms: number, callback: () => void): () => void;
}

/** The process's monotonic clock and Node's timers. */
export const systemClock: Clock = {
  now: monotonicNow,
  after: (ms, callback) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

/** A wait on a clock that something else may end early (`wake`): the trial's loops sleep so between events. */
export interface Nap {
  readonly done: Promise<void>;
  /** Ends the wait now (harmless once it is over). */
  readonly wake: () => void;
}

/** Sleeps `ms` on `clock`, unless woken first. */
export function nap(clock: Clock, ms: number): Nap {
  let wake: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    const cancel = clock.after(ms, resolve);
    wake = () => { cancel(); resolve(); };
  });
  return { done, wake };
}

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

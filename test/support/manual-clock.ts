import type { Clock } from '../../harness/util/clock.js';

interface Pending {
  readonly at: number;
  readonly order: number;
  readonly callback: () => void;
}

/** Lets every promise chain that can move on without a timer run to its end (a macrotask turn drains them). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A Clock that moves only when the test says so: `advance` runs the timers that fall due, in time order, and lets
 * what they set in motion settle before the next one, so a trial's orchestration runs as it would in real time,
 * without waiting for it.
 */
export class ManualClock implements Clock {
  private current: number;
  private pending: Pending[] = [];
  private order = 0;

  constructor(start = 1_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  after(ms: number, callback: () => void): () => void {
    // As Node's setTimeout: a delay below 1 ms is 1 ms, so a timer never runs within the turn that set it.
    const timer = { at: this.current + Math.max(1, ms), order: this.order++, callback };
    this.pending.push(timer);
    return () => { this.pending = this.pending.filter((t) => t !== timer); };
  }

  /** Timers still to run. */
  get timers(): number {
    return this.pending.length;
  }

  /** Moves the clock `ms` on, running every timer due by then at its own time. */
  async advance(ms: number): Promise<void> {
    const until = this.current + ms;
    await settle();
    for (;;) {
      const next = [...this.pending].sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (next === undefined || next.at > until) break;
      this.pending = this.pending.filter((t) => t !== next);
      this.current = Math.max(this.current, next.at);
      next.callback();
      await settle();
    }
    this.current = until;
    await settle();
  }

  /** Moves the clock on to `at` (monotonic ms). */
  advanceTo(at: number): Promise<void> {
    return this.advance(Math.max(0, at - this.current));
  }
}

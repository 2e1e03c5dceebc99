/**
 * The record of every request of a load run, kept in columns of typed arrays (a run may hold a few million requests;
 * an object per request would cost ten times the memory and keep the garbage collector busy during the run).
 *
 * Ordering: a request takes its slot when it is sent (`begin`), not when it ends, so slots are in the order of
 * their start times even though responses arrive in any order. Starts are therefore sorted at all times, a time
 * window is found by binary search, and the log can be read while requests are still in flight: a slot is `pending`
 * until `complete` or `cancel` fills it, and readers skip slots that are not `done`. (The alternative, appending at
 * completion and sorting when read, would have to re-sort a growing log on every read during the run.)
 *
 * Dropped requests (due, but not sent: see the driver) are kept apart, as their due times in increasing order.
 * A request costs 21 bytes (start and duration as doubles, status, target, flags), capacity doubling as needed.
 */

/** Where a request stands: in flight, ended (with a response or a failure), or abandoned by the one running it. */
export type RequestState = 'pending' | 'done' | 'cancelled';

const PENDING = 0;
const DONE = 1;
const CANCELLED = 2;
const STATE_MASK = 3;
const EXPECTED = 4;

const INITIAL_CAPACITY = 1024;
const MAX_TARGETS = 0xffff;

/** A growable column of times in increasing order, for the drop times. */
class TimeColumn {
  private values = new Float64Array(INITIAL_CAPACITY);
  length = 0;

  push(value: number): void {
    const last = this.length > 0 ? (this.values[this.length - 1]) : -Infinity;
    if (value < last) throw new RangeError(`${value} is before the previous time (${last})`);
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length] = value;
    this.length += 1;
  }

  /** The first index whose value is at or after `at` (values are pushed in increasing order). */
  lowerBound(at: number): number {
    return lowerBound(this.values, this.length, at);
  }
}

function lowerBound(sorted: Float64Array, length: number, at: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid]) < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * An append-only log of requests, each with its start (monotonic ms), duration (ms), HTTP status (0 for a
 * connection error or a timeout), whether the status was the expected one (k6's `expected_response`) and its
 * target (an index into `targets`, which names each target as k6's `name` tag does: by URL).
 */
export class RequestLog {
  private starts = new Float64Array(INITIAL_CAPACITY);
  private durations = new Float64Array(INITIAL_CAPACITY);
  private statuses = new Uint16Array(INITIAL_CAPACITY);
  private targetIndexes = new Uint16Array(INITIAL_CAPACITY);
  private flags = new Uint8Array(INITIAL_CAPACITY);
  private readonly drops = new TimeColumn();
  private size = 0;

  constructor(readonly targets: readonly string[]) {
    if (targets.length === 0 || targets.length > MAX_TARGETS) {
      throw new RangeError(`a request log needs 1 to ${MAX_TARGETS} targets, not ${targets.length}`);
    }
  }

  /** How many slots the log holds, in flight and cancelled ones included. */
  get length(): number {
    return this.size;
  }

  /** How many requests were due but dropped. */
  get dropCount(): number {
    return this.drops.length;
  }

  /**
   * Takes the next slot for a request sent at `start` to target `target`, and returns it. Starts must not go
   * backwards: that is what keeps the log sorted.
   */
  begin(start: number, target: number): number {
    const last = this.size > 0 ? (this.starts[this.size - 1]) : -Infinity;
    if (start < last) throw new RangeError(`request start ${start} is before the previous one (${last})`);
    if (!Number.isInteger(target) || target < 0 || target >= this.targets.length) {
      throw new RangeError(`target ${target} is not one of the log's ${this.targets.length} targets`);
    }
    if (this.size === this.starts.length) this.grow();
    const slot = this.size;
    this.starts[slot] = start;
    this.targetIndexes[slot] = target;
    this.flags[slot] = PENDING;
    this.size += 1;
    return slot;
  }

  /** Fills a pending slot: the request ended after `duration` ms with `status` (0: no response). */
  complete(slot: number, duration: number, status: number, expected: boolean): void {
    this.checkPending(slot);
    this.durations[slot] = duration;
    this.statuses[slot] = status;
    this.flags[slot] = DONE | (expected ? EXPECTED : 0);
  }

  /** Marks a pending slot as abandoned (aborted by the one running the load): readers skip it. */
  cancel(slot: number): void {
    this.checkPending(slot);
    this.flags[slot] = CANCELLED;
  }

  /** Records a request that was due at `at` but not sent. Due times must not go backwards. */
  drop(at: number): void {
    this.drops.push(at);
  }

  /** How many requests were dropped with a due time in [from, to). */
  dropsBetween(from: number, to: number): number {
    return Math.max(0, this.drops.lowerBound(to) - this.drops.lowerBound(from));
  }

  /** The first slot whose start is at or after `at` (`length` when there is none): where a time window begins. */
  slotAt(at: number): number {
    return lowerBound(this.starts, this.size, at);
  }

  /** Calls `visit` with each `done` slot whose start is in [from, to), in start order. */
  forEachDone(from: number, to: number, visit: (slot: number) => void): void {
    const end = this.slotAt(to);
    for (let slot = this.slotAt(from); slot < end; slot += 1) {
      if (((this.flags[slot]) & STATE_MASK) === DONE) visit(slot);
    }
  }

  /** Whether the request is still in flight, ended, or was cancelled. */
  state(slot: number): RequestState {
    const state = this.flagsOf(slot) & STATE_MASK;
    return state === DONE ? 'done' : state === CANCELLED ? 'cancelled' : 'pending';
  }

  /** When the request was sent (monotonic ms). */
  start(slot: number): number {
    this.flagsOf(slot);
    return this.starts[slot];
  }

  /** The duration in ms; NaN unless the slot is done. */
  duration(slot: number): number {
    return this.isDone(slot) ? (this.durations[slot]) : NaN;
  }

  /** The HTTP status; 0 for a failure without a response, and unless the slot is done. */
  status(slot: number): number {
    return this.isDone(slot) ? (this.statuses[slot]) : 0;
  }

  /** Whether the response was the expected one (k6's `expected_response`); false unless the slot is done. */
  expected(slot: number): boolean {
    return (this.flagsOf(slot) & (STATE_MASK | EXPECTED)) === (DONE | EXPECTED);
  }

  /** The index in `targets` of the request's target. */
  target(slot: number): number {
    this.flagsOf(slot);
    return this.targetIndexes[slot];
  }

  private isDone(slot: number): boolean {
    return (this.flagsOf(slot) & STATE_MASK) === DONE;
  }

  private flagsOf(slot: number): number {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.size) {
      throw new RangeError(`slot ${slot} is not in the log (length ${this.size})`);
    }
    return this.flags[slot];
  }

  private checkPending(slot: number): void {
    if ((this.flagsOf(slot) & STATE_MASK) !== PENDING) throw new Error(`request slot ${slot} has already ended`);
  }

  private grow(): void {
    const capacity = this.starts.length * 2;
    this.starts = grown(this.starts, new Float64Array(capacity));
    this.durations = grown(this.durations, new Float64Array(capacity));
    this.statuses = grown(this.statuses, new Uint16Array(capacity));
    this.targetIndexes = grown(this.targetIndexes, new Uint16Array(capacity));
    this.flags = grown(this.flags, new Uint8Array(capacity));
  }
}

function grown<T extends Float64Array | Uint16Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

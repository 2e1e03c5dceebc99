/**
 * The built-in HTTP load driver: k6's two workload models on undici, recording every request into a RequestLog
 * that can be judged while the run goes on (a fault is injected and recovered from during the load).
 *
 * Rate model (k6's constant-arrival-rate, an open model): request k is due at start + k / rate, whatever the server
 * does. A timer wakes at the next due time (Node's timers have 1 ms granularity, so at high rates each wake sends
 * the batch that fell due since the last one: jitter stays within about a millisecond). A due request that finds
 * `maxInFlight` requests outstanding is dropped and counted, like k6's dropped_iterations. Catch-up after an
 * event-loop stall: the requests that fell due meanwhile are sent at once, but only those due within the last
 * `catchUpMs`; older ones are dropped (counted as late, at their due time). A stall of any length thus bursts at
 * most rate * catchUpMs requests, and never more than `maxInFlight` outstanding.
 *
 * VUs model (k6's constant-vus, a closed model): each virtual user sends its next request as soon as its previous
 * one ends. A refused connection fails within a millisecond locally, which would turn a VU into a loop that keeps
 * a core busy for nothing (k6 has the same loop, but on other cores than the harness): after a failure without
 * response that was not a timeout, the VU waits `errorPauseMs` before going on. It keeps going, so recovery is
 * seen within that pause, and it records at most about vus * 1000 / errorPauseMs such failures per second.
 *
 * Every request ends as a response (its status, expected or not), a failure without response (status 0: refused,
 * reset, or timed out after `timeoutMs`, its duration then the time waited) or, at stop(), a cancellation. Its
 * duration runs from its dispatch to the end of its response body, so it includes waiting for a connection and
 * connecting, which k6 leaves out of http_req_duration: during a fault, a slow connect is what clients suffer.
 */
import { Pool, type Dispatcher } from 'undici';
import { monotonicNow } from '../util/clock.js';
import { LoadDriverError, validateDriverOptions, type LoadDriverOptions } from './driver-options.js';
import { RequestLog } from './request-log.js';

/** Why the driver stopped: stop() was called, or it reached `maxRequests` or `maxDurationMs`. */
export type StopReason = 'stopped' | 'maxRequests' | 'maxDuration';

/** What a run did, once it is over; the log has every request. */
export interface LoadSummary {
  readonly reason: StopReason;
  /** When the first request was due and when sending stopped (monotonic ms). */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly sent: number;
  /** Requests answered with an expected status. */
  readonly ok: number;
  /** Requests with an unexpected status or without response (timeouts included). */
  readonly failed: number;
  readonly timedOut: number;
  /** Rate model: due requests not sent because `maxInFlight` requests were outstanding. */
  readonly droppedInFlight: number;
  /** Rate model: due requests not sent because they were more than `catchUpMs` late (an event-loop stall). */
  readonly droppedLate: number;
  /**
   * Requests still in flight when stop()'s grace ran out, aborted and marked cancelled in the log: the harness
   * ended them, not the server, so they are neither failures nor successes.
   */
  readonly cancelled: number;
}

interface PreparedTarget {
  readonly pool: Pool;
  readonly request: Dispatcher.DispatchOptions;
  /** expected[status] is 1 for an expected status. */
  readonly expected: Uint8Array;
}

type Settle = (exchange: Exchange, status: number) => void;

const STOPPED = new Error('the load driver stopped');

/** One request in flight: undici's handler for it, and what is needed to record it once it ends. */
class Exchange implements Dispatcher.DispatchHandler {
  status = 0;
  settled = false;
  timedOut = false;
  private controller: Dispatcher.DispatchController | undefined;

  constructor(private readonly settle: Settle, readonly slot: number, readonly start: number, readonly target: number) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.settled) controller.abort(STOPPED);
    else this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseEnd(): void {
    this.settle(this, this.status);
  }

  onResponseError(): void {
    this.settle(this, 0);
  }

  /** Aborts undici's request (now, or as soon as it is dispatched); called once the exchange is settled. */
  abort(): void {
    this.controller?.abort(STOPPED);
  }
}

/** Sends HTTP load per LoadDriverOptions from start() until stop() or a bound; `log` is readable throughout. */
export class LoadDriver {
  readonly log: RequestLog;
  /** Resolves with the summary once the driver has stopped, by itself or by stop(). */
  readonly finished: Promise<LoadSummary>;

  private readonly targets: PreparedTarget[];
  private readonly pools: Pool[];
  private readonly stopGraceMs: number;
  private readonly catchUpMs: number;
  private readonly errorPauseMs: number;
  private phase: 'idle' | 'running' | 'draining' | 'stopped' = 'idle';
  private reason: StopReason = 'stopped';
  private startedAt = NaN;
  private endedAt = NaN;
  private nextTarget = 0;
  private scheduled = 0;
  private readonly counts = { sent: 0, ok: 0, failed: 0, timedOut: 0, droppedInFlight: 0, droppedLate: 0, cancelled: 0 };
  /** Requests in start order (so in deadline order); settled ones are skipped from the head. */
  private queue: Exchange[] = [];
  private head = 0;
  private active = 0;
  private scheduleTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private timeoutTimer: NodeJS.Timeout | undefined;
  /** Set while timeouts are being handled: a VU's next request sent meanwhile must not start a second timer. */
  private sweeping = false;
  /** While draining: ends the wait for the requests in flight, and the timer that ends it at the latest. */
  private drained: (() => void) | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private finish: (summary: LoadSummary) => void = () => undefined;
  private readonly settleBound: Settle = (exchange, status) => this.settle(exchange, status);

  constructor(private readonly options: LoadDriverOptions) {
    validateDriverOptions(options);
    this.stopGraceMs = options.stopGraceMs ?? 1000;
    this.catchUpMs = options.catchUpMs ?? 100;
    this.errorPauseMs = options.errorPauseMs ?? 10;
    this.log = new RequestLog(options.targets.map((t) => t.url));
    const connections = options.model.kind === 'rate' ? options.model.maxInFlight : options.model.vus;
    const pools = new Map<string, Pool>();
    this.targets = options.targets.map((target) => {
      const url = new URL(target.url);
      let pool = pools.get(url.origin);
      if (!pool) {
        // No pipelining (k6 does not pipeline; it would queue a request behind a slow one) and no undici
        // timeouts: the driver times requests out itself, over connecting, sending and receiving.
        pool = new Pool(url.origin, { connections, pipelining: 1, headersTimeout: 0, bodyTimeout: 0 });
        pools.set(url.origin, pool);
      }
      const expected = new Uint8Array(1000);
      for (const status of target.expectedStatuses ?? range(200, 400)) expected[status] = 1;
      const request: Dispatcher.DispatchOptions = {
        path: url.pathname + url.search,
        method: target.method,
        headers: target.headers,
        body: target.body ?? null,
      };
      return { pool, request, expected };
    });
    this.pools = [...pools.values()];
    this.finished = new Promise((resolve) => { this.finish = resolve; });
  }

  /** Starts sending; a driver runs once. */
  start(): void {
    if (this.phase !== 'idle') throw new LoadDriverError('this load driver was already started; create a new one');
    this.phase = 'running';
    this.startedAt = monotonicNow();
    const { maxDurationMs } = this.options;
    if (maxDurationMs !== undefined) this.deadlineTimer = setTimeout(() => this.end('maxDuration'), maxDurationMs);
    const { model } = this.options;
    if (model.kind === 'rate') this.tick();
    else for (let vu = 0; vu < model.vus && this.phase === 'running'; vu += 1) this.nextOfVu();
  }

  /**
   * Stops sending, waits up to `stopGraceMs` for the requests in flight, cancels the rest, and gives the summary.
   * When the driver already stopped by itself, gives that run's summary (its wait for the requests in flight, up
   * to `timeoutMs`, is cut to `stopGraceMs` from now).
   */
  stop(): Promise<LoadSummary> {
    if (this.phase === 'idle') {
      this.phase = 'running';
      this.startedAt = monotonicNow();
    }
    if (this.phase === 'draining' && this.drained) {
      clearTimeout(this.graceTimer);
      this.graceTimer = setTimeout(this.drained, this.stopGraceMs);
    }
    this.end('stopped');
    return this.finished;
  }

  /** Rate model: sends what fell due since the last wake, then sleeps until the next due time. */
  private tick(): void {
    this.scheduleTimer = undefined;
    if (this.phase !== 'running' || this.options.model.kind !== 'rate') return;
    const { rate, maxInFlight } = this.options.model;
    const now = monotonicNow();
    let due = Math.floor(((now - this.startedAt) * rate) / 1000) + 1;
    const { maxDurationMs } = this.options;
    if (maxDurationMs !== undefined) due = Math.min(due, Math.ceil((maxDurationMs * rate) / 1000));
    for (; this.scheduled < due; this.scheduled += 1) {
      const dueAt = this.startedAt + (this.scheduled * 1000) / rate;
      if (dueAt < now - this.catchUpMs) {
        this.log.drop(dueAt);
        this.counts.droppedLate += 1;
      } else if (this.active >= maxInFlight) {
        this.log.drop(dueAt);
        this.counts.droppedInFlight += 1;
      } else {
        this.send();
        if (this.limitReached()) return;
      }
    }
    const nextDueAt = this.startedAt + (this.scheduled * 1000) / rate;
    if (maxDurationMs === undefined || nextDueAt < this.startedAt + maxDurationMs) {
      this.scheduleTimer = setTimeout(() => this.tick(), Math.max(0, nextDueAt - monotonicNow()));
    }
  }

  /** VUs model: one VU's next request, unless the run is over. */
  private nextOfVu(): void {
    if (this.phase !== 'running') return;
    const { maxDurationMs } = this.options;
    if (maxDurationMs !== undefined && monotonicNow() - this.startedAt >= maxDurationMs) this.end('maxDuration');
    else {
      this.send();
      this.limitReached();
    }
  }

  /** Ends the run at `maxRequests`; says whether it did. */
  private limitReached(): boolean {
    const { maxRequests } = this.options;
    if (maxRequests === undefined || this.counts.sent < maxRequests) return false;
    this.end('maxRequests');
    return true;
  }

  private send(): void {
    const index = this.nextTarget;
    this.nextTarget = (index + 1) % this.targets.length;
    const target = this.targets[index];
    const start = monotonicNow();
    const exchange = new Exchange(this.settleBound, this.log.begin(start, index), start, index);
    this.counts.sent += 1;
    this.active += 1;
    this.queue.push(exchange);
    if (this.timeoutTimer === undefined && !this.sweeping) this.armTimeouts();
    target.pool.dispatch(target.request, exchange);
  }

  private settle(exchange: Exchange, status: number): void {
    if (exchange.settled) return;
    exchange.settled = true;
    this.active -= 1;
    const target = this.targets[exchange.target];
    const expected = status > 0 && status < 1000 && target.expected[status] === 1;
    this.log.complete(exchange.slot, monotonicNow() - exchange.start, status, expected);
    if (expected) this.counts.ok += 1;
    else this.counts.failed += 1;
    this.skipSettled();
    if (this.phase === 'draining' && this.active === 0) this.drained?.();
    if (this.phase !== 'running' || this.options.model.kind !== 'vus') return;
    if (status === 0 && !exchange.timedOut) setTimeout(() => this.nextOfVu(), this.errorPauseMs);
    else this.nextOfVu();
  }

  /** Keeps the queue's head on the oldest request in flight, and the queue from growing with settled ones. */
  private skipSettled(): void {
    while (this.head < this.queue.length && (this.queue[this.head]).settled) this.head += 1;
    if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** One timer for all timeouts: requests start in order and share `timeoutMs`, so deadlines come in order too. */
  private armTimeouts(): void {
    this.timeoutTimer = undefined;
    this.sweeping = true;
    const now = monotonicNow();
    for (;;) {
      this.skipSettled();
      const oldest = this.queue[this.head];
      if (oldest === undefined) break;
      const wait = oldest.start + this.options.timeoutMs - now;
      if (wait > 0) {
        if (this.phase !== 'stopped') this.timeoutTimer = setTimeout(() => this.armTimeouts(), wait);
        break;
      }
      oldest.timedOut = true;
      this.counts.timedOut += 1;
      this.settle(oldest, 0);
      oldest.abort();
    }
    this.sweeping = false;
  }

  private end(reason: StopReason): void {
    if (this.phase !== 'running') return;
    this.phase = 'draining';
    this.reason = reason;
    this.endedAt = monotonicNow();
    clearTimeout(this.scheduleTimer);
    clearTimeout(this.deadlineTimer);
    // Stopping by itself, the driver lets every request end (each does within timeoutMs); stop() has a short grace.
    void this.drain(reason === 'stopped' ? this.stopGraceMs : this.options.timeoutMs + 50);
  }

  /** Waits for the requests in flight (at most `graceMs`), cancels what is left and closes the connections. */
  private async drain(graceMs: number): Promise<void> {
    if (this.active > 0) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        this.graceTimer = setTimeout(resolve, graceMs);
      });
      clearTimeout(this.graceTimer);
      this.drained = undefined;
    }
    this.phase = 'stopped';
    clearTimeout(this.timeoutTimer);
    for (let i = this.head; i < this.queue.length; i += 1) {
      const exchange = this.queue[i];
      if (exchange.settled) continue;
      exchange.settled = true;
      this.log.cancel(exchange.slot);
      this.counts.cancelled += 1;
      exchange.abort();
    }
    this.queue = [];
    this.head = 0;
    this.active = 0;
    await Promise.all(this.pools.map((pool) => pool.destroy().catch(() => undefined)));
    this.finish({ reason: this.reason, startedAt: this.startedAt, endedAt: this.endedAt, ...this.counts });
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/**
 * What the load driver is told to do: targets, workload model and bounds, and their validation, so that a wrong
 * scenario is refused before a run starts rather than misbehaving during it.
 */
import { ReboundError } from '../errors.js';

/** Invalid load driver options. */
export class LoadDriverError extends ReboundError {}

/** One kind of request the driver sends; targets take turns (round robin). */
export interface LoadTarget {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Statuses that count as expected (k6's `expected_response`); null for k6's default, 200 to 399. */
  readonly expectedStatuses: readonly number[] | null;
}

/** How requests are paced: an open model at a fixed rate, or a closed model of virtual users. */
export type LoadModel =
  | { readonly kind: 'rate'; /** requests per second */ readonly rate: number; readonly maxInFlight: number }
  | { readonly kind: 'vus'; readonly vus: number };

/** What to send, how, and for how long. */
export interface LoadDriverOptions {
  readonly targets: readonly LoadTarget[];
  readonly model: LoadModel;
  /** A request without a complete response after this long fails (status 0). */
  readonly timeoutMs: number;
  /** Stop by itself once this many requests were sent. */
  readonly maxRequests?: number;
  /** Stop by itself this long after start(). */
  readonly maxDurationMs?: number;
  /** How long stop() waits for requests in flight before cancelling them; default 1000. */
  readonly stopGraceMs?: number;
  /** Rate model: how late a due request may still be sent after a stall; default 100. */
  readonly catchUpMs?: number;
  /** VUs model: a VU's pause after a failure without response (refused, reset); default 10. */
  readonly errorPauseMs?: number;
}

/** Checks options before any connection is made, naming every problem at once. */
export function validateDriverOptions(options: LoadDriverOptions): void {
  const problems: string[] = [];
  const positive = (value: number | undefined, what: string, integer = false): void => {
    if (value === undefined) return;
    if (!(Number.isFinite(value) && value > 0) || (integer && !Number.isInteger(value))) {
      problems.push(`${what} must be a positive ${integer ? 'integer' : 'number'}, not ${value}`);
    }
  };
  if (options.targets.length === 0) problems.push('at least one target is needed');
  options.targets.forEach((target, i) => {
    let url: URL | undefined;
    try {
      url = new URL(target.url);
    } catch {
      problems.push(`target ${i}: ${JSON.stringify(target.url)} is not a URL`);
    }
    if (url && url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`target ${i}: ${target.url} is not http(s)`);
    const wrong = (target.expectedStatuses ?? []).filter((s) => !Number.isInteger(s) || s < 100 || s > 999);
    if (wrong.length > 0) problems.push(`target ${i}: expected statuses must be 100 to 999, not ${wrong.join(', ')}`);
  });
  const { model } = options;
  if (model.kind === 'rate') {
    positive(model.rate, 'model.rate');
    positive(model.maxInFlight, 'model.maxInFlight', true);
  } else positive(model.vus, 'model.vus', true);
  positive(options.timeoutMs, 'timeoutMs');
  positive(options.maxRequests, 'maxRequests', true);
  positive(options.maxDurationMs, 'maxDurationMs');
  positive(options.stopGraceMs, 'stopGraceMs');
  positive(options.catchUpMs, 'catchUpMs');
  positive(options.errorPauseMs, 'errorPauseMs');
  if (problems.length > 0) throw new LoadDriverError('invalid load driver options', problems);
}

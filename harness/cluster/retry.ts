/**
 * How rebound's API calls survive a busy or restarting API server: every request goes through one HTTP library that
 * retries, with bounded exponential backoff and jitter, the answers that say "try again" (429, 500, 502, 503, 504)
 * and the connection errors of a server that is away (refused, reset, hung up, timed out). Any other answer, 4xx
 * included, goes back to the caller at once. Requests that are not idempotent are retried with care: a create or a
 * delete whose connection broke after it was sent may have happened, so what the retry answers is checked.
 */
import * as k8s from '@kubernetes/client-node';
import { sleep } from '../util/sleep.js';

/** The bounds of the retries. */
export interface RetryPolicy {
  /** The first delay (ms); doubled on each retry. */
  readonly initialDelayMs: number;
  /** No single delay is longer (ms), Retry-After included. */
  readonly maxDelayMs: number;
  /** No retry starts later than this after the first attempt (ms). */
  readonly budgetMs: number;
  /** Most attempts, the first included. */
  readonly maxAttempts: number;
}

/** 100 ms doubling to 2 s, for at most 30 s and 20 attempts: long enough for an API server restart. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { initialDelayMs: 100, maxDelayMs: 2000, budgetMs: 30_000, maxAttempts: 20 };

/** Told about each retry, for the run log. */
export type RetryNotice = (detail: { method: string; url: string; attempt: number; delayMs: number; cause: string }) => void;

/** The answers that mean "the server could not take this now; the same request may work later". */
const RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** Connection errors after which the request certainly never reached the server. */
const NEVER_SENT: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Connection errors after which the request may or may not have been carried out. */
const MAYBE_SENT: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** How a failed attempt failed, when it is worth another. */
type Failure =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterMs: number | undefined }
  | { readonly kind: 'connection'; readonly maybeSent: boolean; readonly cause: string };

/** The connection failure an error stands for, or undefined for anything else (an abort by the caller included). */
function connectionFailureOf(error: unknown): { maybeSent: boolean; cause: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  if ((error as { name?: unknown }).name === 'AbortError') return undefined;
  const code = (error as { code?: unknown }).code ?? (error as { errno?: unknown }).errno;
  const message = error instanceof Error ? error.message : '';
  if (typeof code === 'string' && NEVER_SENT.has(code)) return { maybeSent: false, cause: code };
  if (typeof code === 'string' && MAYBE_SENT.has(code)) return { maybeSent: true, cause: code };
  if (/socket hang up|network timeout|other side closed|Premature close/i.test(message)) return { maybeSent: true, cause: message };
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error ? connectionFailureOf(cause) : undefined;
}

/** Retry-After in ms (delta-seconds or an HTTP date), or undefined when absent or unreadable. */
function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The delay before retry number `retry` (1 for the first retry): the exponential step with "equal jitter" (half
 * fixed, half random, so retries of many callers spread out yet never come back at once), raised to Retry-After
 * when the server asked for longer, never above maxDelayMs.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, retryAfter: number | undefined, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, retry - 1));
  const jittered = step / 2 + (step / 2) * random();
  return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfter ?? 0));
}

/** The answer to give instead of an error, for a response received; undefined when the response is final. */
function failureOfResponse(response: k8s.ResponseContext, request: k8s.RequestContext): Failure | undefined {
  const status = response.httpStatusCode;
  if (!RETRYABLE_STATUS.has(status)) return undefined;
  // An eviction answers 429 while a PodDisruptionBudget forbids it: that is the answer, and the drain waits on it.
  if (status === 429 && /\/eviction(\?|$)/.test(request.getUrl())) return undefined;
  return { kind: 'status', status, retryAfterMs: retryAfterMs(response.headers['retry-after']) };
}

/** A response made up from a body, for a create or delete a lost answer hid. */
function responseOf(status: number, body: string): k8s.ResponseContext {
  return new k8s.ResponseContext(status, { 'content-type': 'application/json' }, {
    text: () => Promise.resolve(body),
    binary: () => Promise.resolve(Buffer.from(body)),
  });
}

/** The name a create request gives its object, when its body names one. */
function nameOf(body: k8s.RequestBody): { name: string; labels: Record<string, string> } | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const parsed = JSON.parse(body) as { metadata?: { name?: unknown; labels?: Record<string, string> } };
    const name = parsed.metadata?.name;
    return typeof name === 'string' && name !== '' ? { name, labels: parsed.metadata?.labels ?? {} } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An HTTP library for client-node's API clients that retries per the policy. `inner` sends one attempt (the
 * library client-node uses by default).
 */
export class RetryingHttpLibrary implements k8s.PromiseHttpLibrary {
  constructor(
    private readonly inner: k8s.HttpLibrary = new k8s.IsomorphicFetchHttpLibrary(),
    private readonly policy: RetryPolicy = DEFAULT_RETRY_POLICY,
    private readonly notice: RetryNotice = () => undefined,
  ) {}

  async send(request: k8s.RequestContext): Promise<k8s.ResponseContext> {
    const method = request.getHttpMethod().toString();
    const started = Date.now();
    // Whether an earlier attempt may have reached the server and been carried out without us hearing the answer.
    let maybeDone = false;
    for (let attempt = 1; ; attempt += 1) {
      let failure: Failure;
      let response: k8s.ResponseContext | undefined;
      try {
        response = await this.inner.send(request).toPromise();
      } catch (error) {
        const connection = connectionFailureOf(error);
        if (connection === undefined) throw error;
        failure = { kind: 'connection', ...connection };
        if (attempt >= this.policy.maxAttempts) throw error;
        const delay = backoffDelay(this.policy, attempt, undefined);
        if (Date.now() + delay - started > this.policy.budgetMs) throw error;
        maybeDone ||= connection.maybeSent;
        this.notice({ method, url: request.getUrl(), attempt, delayMs: Math.round(delay), cause: failure.cause });
        await sleep(delay);
        continue;
      }
      if (maybeDone) {
        const settled = await this.settleAmbiguous(request, method, response, started);
        if (settled !== undefined) return settled;
      }
      const retryable = failureOfResponse(response, request);
      if (retryable === undefined || retryable.kind !== 'status' || attempt >= this.policy.maxAttempts) return response;
      const delay = backoffDelay(this.policy, attempt, retryable.retryAfterMs);
      // A Retry-After beyond the budget: give the caller the server's answer now rather than wait in vain.
      if (Date.now() + delay - started > this.policy.budgetMs || (retryable.retryAfterMs ?? 0) > this.policy.maxDelayMs) return response;
      // A create or delete that timed out inside the server (500, 504) may still have been committed.
      if (retryable.status === 500 || retryable.status === 504) maybeDone = true;
      // Read the body to free the connection for the next attempt.
      await response.body.text().catch(() => undefined);
      this.notice({ method, url: request.getUrl(), attempt, delayMs: Math.round(delay), cause: `HTTP ${retryable.status}` });
      await sleep(delay);
    }
  }

  /**
   * The answer to a retried create or delete whose earlier attempt may have been carried out: a delete now
   * answered 404 was ours and is done; a create now answered 409 was ours when the object that exists carries
   * every label we sent and was created no earlier than our first attempt (to the second, the API's resolution).
   * undefined: take the response as it is.
   */
  private async settleAmbiguous(
    request: k8s.RequestContext,
    method: string,
    response: k8s.ResponseContext,
    started: number,
  ): Promise<k8s.ResponseContext | undefined> {
    if (method === 'DELETE' && response.httpStatusCode === 404) {
      await response.body.text().catch(() => undefined);
      return responseOf(200, JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Success', details: { retried: true } }));
    }
    if (method !== 'POST' || response.httpStatusCode !== 409) return undefined;
    const sent = nameOf(request.getBody());
    if (sent === undefined) return undefined;
    const url = new URL(request.getUrl());
    url.search = '';
    url.pathname = `${url.pathname.replace(/\/$/, '')}/${encodeURIComponent(sent.name)}`;
    const read = new k8s.RequestContext(url.toString(), k8s.HttpMethod.GET);
    for (const [key, value] of Object.entries(request.getHeaders())) if (key.toLowerCase() !== 'content-type') read.setHeaderParam(key, value);
    const agent = request.getAgent();
    if (agent !== undefined) read.setAgent(agent);
    let existing: { metadata?: { labels?: Record<string, string>; creationTimestamp?: string } };
    try {
      const answer = await this.inner.send(read).toPromise();
      if (answer.httpStatusCode !== 200) return undefined;
      existing = JSON.parse(await answer.body.text()) as typeof existing;
    } catch {
      return undefined;
    }
    const labels = existing.metadata?.labels ?? {};
    const created = Date.parse(existing.metadata?.creationTimestamp ?? '');
    const ours = Object.entries(sent.labels).every(([key, value]) => labels[key] === value)
      && !Number.isNaN(created) && created >= Math.floor(started / 1000) * 1000;
    if (!ours) return undefined;
    await response.body.text().catch(() => undefined);
    return responseOf(201, JSON.stringify(existing));
  }
}

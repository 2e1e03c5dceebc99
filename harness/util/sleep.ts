import { systemClock, type Clock } from './clock.js';

/** Resolves after `ms` milliseconds (on `clock`, the system's by default). */
export function sleep(ms: number, clock: Clock = systemClock): Promise<void> {
  return new Promise((done) => { clock.after(ms, done); });
}

/**
 * Calls `probe` every `intervalMs` until it returns a value other than undefined, or throws once `timeoutMs` has
 * passed. `describe` names what was awaited, for the error.
 */
export async function waitFor<T>(
  describe: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${describe}${why}`);
    }
    await sleep(intervalMs);
  }
}

/**
 * What `promise` resolves to if it settles within `ms` on `clock` (0: only if it has settled already), else
 * `otherwise`; the timer is cleared either way, so nothing is left holding the process.
 */
export async function within<T, U>(promise: Promise<T>, ms: number, otherwise: U, clock: Clock = systemClock): Promise<T | U> {
  let cancel: (() => void) | undefined;
  const late = new Promise<U>((resolve) => { cancel = clock.after(Math.max(0, ms), () => resolve(otherwise)); });
  try {
    return await Promise.race([promise, late]);
  } finally {
    cancel?.();
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
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
 * What `promise` resolves to if it settles within `ms` (0: only if it has settled already), else `otherwise`; the
 * timer is cleared either way, so nothing is left holding the process.
 */
export async function within<T, U>(promise: Promise<T>, ms: number, otherwise: U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<U>((resolve) => { timer = setTimeout(() => resolve(otherwise), Math.max(0, ms)); });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

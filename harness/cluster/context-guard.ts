import { UsageError } from '../errors.js';

/** Context names rebound may touch without being told: test clusters by their conventional names. */
export const DEFAULT_CONTEXT_ALLOWLIST = ['kind-*', 'rebound-*', 'kwok-*'] as const;

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

/**
 * Refuses a kube context that is not on the allowlist, before anything is touched: a chaos tool pointed at the
 * wrong cluster by a stale current-context is the accident this prevents. `extra` comes from --allow-context.
 */
export function guardContext(context: string, extra: readonly string[] = []): void {
  const patterns = [...DEFAULT_CONTEXT_ALLOWLIST, ...extra];
  if (patterns.some((pattern) => globToRegExp(pattern).test(context))) return;
  throw new UsageError(
    `refusing kube context "${context}": rebound only touches contexts matching ${patterns.join(', ')}; if this cluster is really meant for chaos tests, add --allow-context '${context}'.`,
  );
}

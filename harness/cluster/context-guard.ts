import { UsageError } from '../errors.js';
import { serverLocality } from './server-locality.js';

/** Context names rebound may touch without being told: test clusters by their conventional names. */
export const DEFAULT_CONTEXT_ALLOWLIST = ['kind-*', 'rebound-*', 'kwok-*'] as const;

/** Contexts allowed explicitly, and by whom: `--allow-context`, or allowContexts in a config file. */
export interface ContextAllowance {
  readonly patterns: readonly string[];
  /** `--allow-context`, or the config file's path. */
  readonly from: string;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

function firstMatch(context: string, patterns: readonly string[]): string | undefined {
  return patterns.find((pattern) => globToRegExp(pattern).test(context));
}

/** What to do about a refusal: allow the context explicitly, where rebound will find it. */
function howToAllow(context: string): string {
  return `if this cluster is really meant for chaos tests, add --allow-context '${context}' (or allowContexts in ~/.rebound/config.yaml or rebound.config.yaml)`;
}

/**
 * Refuses a kube context rebound must not touch, before anything is sent to it: a chaos tool pointed at the wrong
 * cluster by a stale current-context is the accident this prevents. A context allowed explicitly passes. One that
 * only has a test cluster's name (kind-*, rebound-*, kwok-*) passes when its server is on this machine too: a name
 * proves nothing, and a production context renamed `kind-x` still points at production.
 */
export async function guardCluster(context: string, server: string | undefined, allowances: readonly ContextAllowance[]): Promise<void> {
  if (allowances.some((allowance) => firstMatch(context, allowance.patterns) !== undefined)) return;
  const byName = firstMatch(context, DEFAULT_CONTEXT_ALLOWLIST);
  if (byName === undefined) {
    const patterns = [...DEFAULT_CONTEXT_ALLOWLIST, ...allowances.flatMap((allowance) => allowance.patterns)];
    throw new UsageError(`refusing kube context "${context}": rebound only touches contexts matching ${patterns.join(', ')}; ${howToAllow(context)}.`);
  }
  const where = await serverLocality(server);
  if (where.local) return;
  throw new UsageError(`refusing kube context "${context}": its name matches ${byName}, but its server ${server ?? ''} is ${where.detail}, and a test cluster's name is not proof of one; ${howToAllow(context)}.`);
}

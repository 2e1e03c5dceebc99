import { expandBuiltinVariables, type BuiltinVariables } from '../scenario/loader.js';
import type { LoadSpec } from '../scenario/schema.js';
import type { LoadContext, LoadSession } from './session.js';

/**
 * Starts a trial's load, by the driver spec.load names, with the run's built-in variables (`${NODE_PORT_30080}`,
 * `${NAMESPACE}`) expanded in its targets and k6 environment. Throws, naming the variable, when one has no value.
 */
export async function startLoad(spec: LoadSpec, builtins: BuiltinVariables, context: LoadContext): Promise<LoadSession> {
  const expand = (text: string): string => expandBuiltinVariables(text, builtins);
  const { driver } = spec;
  if (driver.kind === 'k6') {
    // The run checked that a k6 binary exists before it began.
    if (context.k6 === undefined) throw new Error('internal: spec.load.k6 without a k6 binary resolved by the run');
    const env = Object.fromEntries(Object.entries(driver.env).map(([name, value]) => [name, expand(value)]));
    const { startK6 } = await import('./k6-session.js');
    return startK6({ k6: context.k6, script: driver.script, env, warmupMs: spec.warmup.toMilliseconds() }, context);
  }
  // Loaded here, at a trial's first load (before its warm-up, so no measured moment waits on it): a run without
  // spec.load never loads the HTTP driver and its client, undici (issue 12: rebound's own memory during a run).
  const { startHttpLoad } = await import('./http-session.js');
  return startHttpLoad({
    ...driver,
    targets: driver.targets.map((target) => ({
      ...target,
      url: expand(target.url),
      headers: Object.fromEntries(Object.entries(target.headers).map(([name, value]) => [name, expand(value)])),
      ...(target.body === undefined ? {} : { body: expand(target.body) }),
    })),
    maxRequests: spec.maxRequests,
    thresholds: spec.thresholds,
  }, context);
}

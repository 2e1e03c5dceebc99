import type { ComparableRun, ComparableScenario, ComparableTrial } from '../../../harness/compare/compare.js';
import { RandomStream } from '../../../harness/util/random.js';
import type { Environment } from '../../../harness/report/result.js';

/** The environment of the local cluster, as `rebound run` records it. */
export const LOCAL_ENVIRONMENT: Environment = {
  provider: 'local',
  cluster: 'local',
  kubernetesVersion: 'v1.34.4',
  reboundVersion: '0.1.0',
  nodeCount: 3,
  timings: { nodeMonitorGracePeriodSeconds: 6, notReadyTolerationSeconds: 2, unreachableTolerationSeconds: 2 },
  machine: { cpus: 2, loadAverage: [0.4, 0.5, 0.5], platform: 'linux' },
};

/** `count` recovery times around `medianMs`, spread uniformly by +-`spread` (a fraction), from a seeded stream. */
export function noisy(seed: number, label: string, count: number, medianMs: number, spread = 0.1): number[] {
  const random = RandomStream.derive(seed, `test/${label}`, 0, 0);
  return Array.from({ length: count }, () => Math.round(medianMs * (1 + spread * (2 * random.below(1_000_001) / 1_000_000 - 1))));
}

/** A trial that broke and recovered in `ms`, or a trial described by its fields. */
export type TrialSpec = number | Partial<ComparableTrial>;

/** A scenario's result with these trials. */
export function scenarioOf(name: string, trials: readonly TrialSpec[], steadyState: readonly string[] = ['podsReady app=web 3']): ComparableScenario {
  return {
    name,
    verdict: 'PASS',
    expect: { recoveryWithinMs: 30_000, settleMs: 2000, maxDisruptionMs: null, mustBreak: true },
    steadyState: [...steadyState],
    trials: trials.map((spec, i) => ({
      trial: i + 1,
      verdict: 'PASS',
      undisrupted: false,
      ...(typeof spec === 'number' ? { recoveryTimeMs: spec } : { recoveryTimeMs: null, ...spec }),
    })),
  };
}

/** A run with these scenarios. */
export function runOf(
  scenarios: readonly ComparableScenario[],
  environment: Environment | null = LOCAL_ENVIRONMENT,
  vars: Record<string,
    string> = {},
): ComparableRun {
  return { startedAt: '2025-01-01T00:00:00.000Z', verdict: 'PASS', environment, vars, scenarios };
}

/** A run as results.json holds it (with the fields a comparison does not read left out). */
export function resultsJson(run: ComparableRun): string {
  return `${JSON.stringify({ schemaVersion: 1, seed: 1, finishedAt: run.startedAt, ...run }, null, 2)}\n`;
}

import { textOf } from '../util/text-of.js';
import type { Environment } from '../report/result.js';

/**
 * A difference in 1-minute load per CPU above this is "noticeably different": half the machine's cores busy with
 * something else in one run and not the other changes how fast the control plane and the controllers react.
 */
const LOAD_PER_CPU_TOLERANCE = 0.5;

/**
 * What differs between the environments of two runs in ways that move recovery times: each difference is one
 * warning in words, because a "regression" between a 3-node and a 5-node cluster, or between two Kubernetes
 * versions, may be nothing but that. The cluster's name is left out: it changes nothing by itself.
 */
export function environmentWarnings(baseline: Environment | null, candidate: Environment | null): string[] {
  if (baseline === null || candidate === null) {
    const which = baseline === null && candidate === null ? 'neither run records' : `the ${baseline === null ? 'baseline' : 'candidate'} does not record`;
    return [`${which} its environment: cannot check that the two runs are comparable`];
  }
  const warnings: string[] = [];
  const differ = (what: string, b: unknown, c: unknown, why: string): void => {
    if (b !== c) warnings.push(`${what} differs: ${show(b)} (baseline) vs ${show(c)} (candidate): ${why}`);
  };
  differ('provider', baseline.provider, candidate.provider, 'different clusters heal at different speeds');
  differ('Kubernetes version', baseline.kubernetesVersion, candidate.kubernetesVersion, 'the controllers themselves changed');
  differ('rebound version', baseline.reboundVersion, candidate.reboundVersion, 'how recovery is measured may have changed');
  differ('node count', baseline.nodeCount, candidate.nodeCount, 'scheduling and eviction depend on it');
  const keys = [...new Set([...Object.keys(baseline.timings), ...Object.keys(candidate.timings)])].sort();
  for (const key of keys) {
    differ(`timing ${key}`, baseline.timings[key] ?? null, candidate.timings[key] ?? null, 'failure detection is tuned differently');
  }
  differ('CPU count', baseline.machine.cpus, candidate.machine.cpus, 'the machines differ');
  differ('platform', baseline.machine.platform, candidate.machine.platform, 'the machines differ');
  const baselineLoad = loadPerCpu(baseline);
  const candidateLoad = loadPerCpu(candidate);
  if (baselineLoad !== null && candidateLoad !== null && Math.abs(baselineLoad - candidateLoad) > LOAD_PER_CPU_TOLERANCE) {
    warnings.push(
      `machine load differs: ${baselineLoad.toFixed(2)} (baseline) vs ${candidateLoad.toFixed(2)} (candidate) per CPU (1-minute load ` +
      'average when the run started): a busy machine heals slower',
    );
  }
  return warnings;
}

/** The 1-minute load average per CPU, or null when the run did not record it. */
function loadPerCpu(environment: Environment): number | null {
  const [oneMinute] = environment.machine.loadAverage;
  if (oneMinute === undefined || environment.machine.cpus <= 0) return null;
  return oneMinute / environment.machine.cpus;
}

function show(value: unknown): string {
  return value === null || value === undefined ? 'unknown' : textOf(value);
}

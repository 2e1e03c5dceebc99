/**
 * Benchmark of the kind provider: time to create a 3-node kind cluster (node image built), and the recovery phases
 * of a worker stopped under a 3-replica Deployment (scenarios/kind/node-stop.yaml), from rebound's own results:
 * detection (stop -> NotReady), taint, eviction (the pods' 2 s tolerations), and the replacement's phases.
 * Prints figures; asserts nothing. Run: `npm run bench:kind [-- trials]` (default 5).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existingKindClusters, kindDown, kindUp } from '../harness/cluster/kind/cluster.js';
import type { RunResult } from '../harness/report/result.js';
import { packageRoot } from '../harness/util/paths.js';

const NAME = 'bench-kind';
const trials = Number(process.argv[2] ?? 5);

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const seconds = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);

async function main(): Promise<void> {
  const quiet = (): void => undefined;
  if (existingKindClusters().includes(NAME)) await kindDown(NAME, quiet);
  const started = performance.now();
  await kindUp({ name: NAME, nodes: 3, failureDetection: 'fast' }, quiet);
  const upMs = performance.now() - started;
  console.log(`cluster up --provider kind --nodes 3 (node image built): ${seconds(upMs)}`);
  try {
    const out = mkdtempSync(join(tmpdir(), 'rebound-bench-kind-'));
    const root = packageRoot();
    try {
      execFileSync(process.execPath, [join(root, 'bin', 'rebound.js'), 'run', join(root, 'scenarios', 'kind', 'node-stop.yaml'),
        '--provider', 'kind', '--cluster', NAME, '--trials', String(trials), '--seed', '1', '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
    } catch {
      // A FAIL still wrote its results; they are shown below.
    }
    const result = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
    const all = result.scenarios[0]?.trials ?? [];
    const pick = (f: (t: (typeof all)[number]) => number | null | undefined): number[] => all.map(f).filter((v): v is number => typeof v === 'number');
    const rows: [string, number[]][] = [
      ['recovery (stop -> steady state back)', pick((t) => t.recoveryTimeMs)],
      ['detection (stop -> node NotReady)', pick((t) => t.nodeLoss?.[0]?.phasesMs.detection)],
      ['taint (NotReady -> tainted NoExecute)', pick((t) => t.nodeLoss?.[0]?.phasesMs.taint)],
      ['eviction (tainted -> first pod evicted)', pick((t) => t.nodeLoss?.[0]?.phasesMs.eviction)],
      ['replacement created', pick((t) => t.replacements[0]?.phasesMs['created'])],
      ['scheduled', pick((t) => t.replacements[0]?.phasesMs['scheduled'])],
      ['running (container started)', pick((t) => t.replacements[0]?.phasesMs['running'])],
      ['ready (readiness probe passed)', pick((t) => t.replacements[0]?.phasesMs['ready'])],
    ];
    console.log(`node stop on kind, ${all.length} trials (verdict ${result.scenarios[0]?.verdict ?? '?'}):`);
    console.log('| phase | median | min | max |');
    console.log('|---|---|---|---|');
    for (const [label, values] of rows) {
      console.log(`| ${label} | ${seconds(median(values))} | ${seconds(values.length ? Math.min(...values) : undefined)} | ${seconds(values.length ? Math.max(...values) : undefined)} |`);
    }
  } finally {
    await kindDown(NAME, quiet);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

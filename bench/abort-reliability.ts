/**
 * Reliability of abort-proof cleanup: N randomized aborts (default 200) of real runs on the embedded cluster:
 * SIGINT, SIGTERM or SIGKILL (then `rebound recover`) at a random moment of a random scenario among those that make
 * every kind of change, and after each the checks of test/support/aborts.ts (nodes Ready and schedulable, no
 * rebound taint, no scenario namespace, no stopped or paused agent, no process, no journal). Prints figures; the
 * last run's are in RELIABILITY.md. Run: `npm run bench:aborts [-- runs [seed]]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { down, up } from '../harness/cluster/local/cluster.js';
import { abortOnce, abortPlan, leftovers } from '../test/support/aborts.js';

const RUNS = Number(process.argv[2] ?? 200);
const SEED = Number(process.argv[3] ?? 7);
const CLUSTER = 'bench-aborts';

async function main(): Promise<void> {
  const quiet = (): void => undefined;
  await up({ name: CLUSTER, nodes: 3 }, quiet);
  const dir = mkdtempSync(join(tmpdir(), 'rebound-bench-aborts-'));
  const rows: { signal: string; clean: boolean; endedFirst: boolean; cleanMs: number }[] = [];
  try {
    const before = await leftovers(CLUSTER);
    if (before.length > 0) throw new Error(`the cluster is not clean before the series: ${before.join('; ')}`);
    for (let index = 0; index < RUNS; index += 1) {
      const plan = abortPlan(SEED, index);
      const outcome = await abortOnce(CLUSTER, join(dir, `run-${index}`), plan);
      const exitOk = outcome.gracefulExit;
      const clean = outcome.problems.length === 0 && exitOk;
      rows.push({ signal: plan.signal, clean, endedFirst: outcome.endedFirst, cleanMs: outcome.cleanMs });
      console.log(`#${index} ${plan.signal} after ${(plan.delayMs / 1000).toFixed(1)} s of ${plan.scenario}: exit ${outcome.code}`
        + `${outcome.endedFirst ? ' (ended first)' : ''}${outcome.recoverCode === null ? '' : `, recover ${outcome.recoverCode}`}: `
        + `${clean ? 'clean' : `NOT CLEAN: ${[...outcome.problems, ...(exitOk ? [] : [`exit ${outcome.code}`])].join('; ')}`} (${(outcome.cleanMs / 1000).toFixed(1)} s)`);
      // A dirty cluster would be blamed on every later run: stop there.
      if (!clean) break;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await down(CLUSTER, quiet);
  }
  const clean = rows.filter((r) => r.clean).length;
  console.log(`\n${rows.length} aborts (seed ${SEED}), ${clean} left the cluster clean, ${rows.length - clean} did not`);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL']) {
    const mine = rows.filter((r) => r.signal === signal);
    const times = mine.map((r) => r.cleanMs).sort((a, b) => a - b);
    const median = times.length > 0 ? (times[Math.floor((times.length - 1) / 2)] ?? 0) / 1000 : 0;
    console.log(`  ${signal}: ${mine.length} runs (${mine.filter((r) => r.endedFirst).length} had ended before the signal), ${mine.filter((r) => r.clean).length} clean, median ${median.toFixed(1)} s from the signal to a clean cluster`);
  }
  if (clean !== rows.length || rows.length < RUNS) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * What the in-cluster ledger costs an injection: the time `Ledger.begin` takes (the change written to the journal
 * on disk, fsynced, and into the run's ConfigMap in rebound-system, awaited) against the journal on disk alone,
 * on the embedded cluster reached as a shared one would be. Prints the median and p95 of N changes each (default
 * 100). Run: `npm run bench:cluster-ledger [-- N]`. Uses a temporary REBOUND_HOME: the user's ledger is untouched.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clientsFor } from '../harness/cluster/kube.js';
import { down, up } from '../harness/cluster/local/cluster.js';
import { contextName } from '../harness/cluster/local/settings.js';
import { ClusterJournal, ClusterLedger, LEDGER_NAMESPACE, recordName } from '../harness/run/cluster-journal.js';
import { Journal } from '../harness/run/journal.js';
import { Ledger } from '../harness/run/ledger.js';

const CHANGES = Number(process.argv[2] ?? 100);
const CLUSTER = 'bench-ledger';

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/**
 * Milliseconds each begin took, for `CHANGES` changes begun, committed and undone. `pause` between changes lets the
 * removal's write land first (faults seconds apart); without it a begin waits for the write before it (faults at
 * the same moment: the writes go out in order).
 */
async function measure(ledger: Ledger, pause: boolean): Promise<number[]> {
  const times: number[] = [];
  for (let index = 0; index < CHANGES; index += 1) {
    if (pause) await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    const change = await ledger.begin('fault', `revert nodeCordon (node-${index})`, [{ op: 'uncordon', node: `node-${index}` }]);
    times.push(performance.now() - started);
    change.commit(async () => undefined);
    await ledger.undo(['fault']);
  }
  return times.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const quiet = (): void => undefined;
  const { state } = await up({ name: CLUSTER, nodes: 1 }, quiet);
  // The journals go to a folder of their own; the cluster's binaries and state stay where they are.
  const userHome = process.env.REBOUND_HOME;
  const home = mkdtempSync(join(tmpdir(), 'rebound-bench-ledger-'));
  process.env.REBOUND_HOME = home;
  const kube = clientsFor(state.kubeconfig, contextName(CLUSTER));
  const identity = { provider: 'kubeconfig' as const, name: contextName(CLUSTER), kubeconfig: state.kubeconfig, context: contextName(CLUSTER) };
  try {
    const diskOnly = new Journal(identity);
    const disk = await measure(new Ledger(diskOnly), true);
    await diskOnly.close();
    const mirrored = new Journal(identity);
    await mirrored.mirrorInto(new ClusterJournal(new ClusterLedger(kube)));
    const ledger = new Ledger(mirrored);
    const apart = await measure(ledger, true);
    const together = await measure(ledger, false);
    const problem = await mirrored.close();
    if (problem !== undefined) throw new Error(problem);
    await kube.core.deleteNamespacedConfigMap({ name: recordName(mirrored.runId), namespace: LEDGER_NAMESPACE });
    const line = (what: string, t: readonly number[]): string => `${what}: median ${quantile(t, 0.5).toFixed(2)} ms, p95 ${quantile(t, 0.95).toFixed(2)} ms`;
    console.log(`Ledger.begin over ${CHANGES} changes each`);
    console.log(line('  journal on disk only                             ', disk));
    console.log(line('  disk + in-cluster ConfigMap                      ', apart));
    console.log(line('  disk + ConfigMap, right after the removal\'s write', together));
  } finally {
    if (userHome === undefined) delete process.env.REBOUND_HOME;
    else process.env.REBOUND_HOME = userHome;
    rmSync(home, { recursive: true, force: true });
    await down(CLUSTER, quiet);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

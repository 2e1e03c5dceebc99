/**
 * Benchmark of the embedded local cluster: time to bring it up (binaries cached), node stop -> NotReady, and
 * NotReady -> replacement pods Ready. Prints figures; it asserts nothing. Run: `npm run bench:cluster [-- rounds]`.
 * Times are taken by polling the API every 50 ms, so each figure is good to about +-50 ms.
 * `npm run bench:cluster -- --startup N`: brings the cluster up and down N times and prints, each time, the line
 * `cluster up` ends with (where the time went, step by step), then the median.
 */
import { clientsFor, isNodeReady } from '../harness/cluster/kube.js';
import { down, up } from '../harness/cluster/local/cluster.js';
import { NodeAgents } from '../harness/cluster/local/node-agents.js';
import { readState } from '../harness/cluster/local/state.js';
import { sleep } from '../harness/util/sleep.js';

// Not `npm run bench`'s cluster ('bench'): this one tears down a cluster of its name left from an earlier run.
const NAME = 'bench-cluster';
const startupOnly = process.argv[2] === '--startup';
const rounds = Number(process.argv[startupOnly ? 3 : 2] ?? 3);

async function until(check: () => Promise<boolean>, timeoutMs = 120_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now();
    if (performance.now() - started > timeoutMs) throw new Error('timed out');
    await sleep(50);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid]) : ((sorted[mid - 1]) + (sorted[mid])) / 2;
}

/** Up and down `rounds` times: cluster up's own account of each start, and the median. */
async function startups(): Promise<void> {
  const took: number[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    const started = performance.now();
    await up({ name: NAME, nodes: 3 }, (line) => { if (line.includes(' is up: ')) process.stdout.write(`round ${round}: ${line}\n`); });
    took.push(performance.now() - started);
    await down(NAME, () => undefined);
  }
  process.stdout.write(`\ncluster up (binaries cached, 3 nodes Ready), median of ${rounds}: ${(median(took) / 1000).toFixed(2)} s (min ${(Math.min(...took) / 1000).toFixed(2)} s, max ${(Math.max(...took) / 1000).toFixed(2)} s)\n`);
}

async function main(): Promise<void> {
  if (readState(NAME)) await down(NAME, () => undefined);
  if (startupOnly) return startups();
  const upStarted = performance.now();
  const { state } = await up({ name: NAME, nodes: 3 }, () => undefined);
  const upMs = performance.now() - upStarted;
  const kube = clientsFor(state.kubeconfig);
  const agents = NodeAgents.of(NAME);
  const namespace = 'bench';
  try {
    await kube.core.createNamespace({ body: { metadata: { name: namespace } } });
    await until(async () => kube.core.readNamespacedServiceAccount({ name: 'default', namespace }).then(() => true, () => false));
    await kube.apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [{ name: 'web', image: 'web:1' }],
              topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }],
            },
          },
        },
      },
    });
    const readyPods = async (excludeNode?: string) => (await kube.core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items
      .filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp && p.spec?.nodeName !== excludeNode
        && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    await until(async () => (await readyPods()).length === 3);

    const notReady: number[] = [];
    const replaced: number[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      const node = (await readyPods())[0]?.spec?.nodeName;
      if (!node) throw new Error('no web pod to take a node from');
      const stoppedAt = performance.now();
      await agents.stop(node, true);
      const notReadyAt = await until(async () => !isNodeReady(await kube.core.readNode({ name: node })));
      const replacedAt = await until(async () => (await readyPods(node)).length === 3);
      notReady.push(notReadyAt - stoppedAt);
      replaced.push(replacedAt - notReadyAt);
      process.stdout.write(`round ${round}: ${node} stop -> NotReady ${(notReadyAt - stoppedAt).toFixed(0)} ms, NotReady -> replacement Ready ${(replacedAt - notReadyAt).toFixed(0)} ms\n`);
      await agents.start(node);
      await until(async () => isNodeReady(await kube.core.readNode({ name: node })));
      await until(async () => (await kube.core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items.length === 3);
    }
    process.stdout.write(`\ncluster up (binaries cached, 3 nodes Ready): ${(upMs / 1000).toFixed(1)} s\n`);
    process.stdout.write(`node stop -> NotReady, median of ${rounds}: ${(median(notReady) / 1000).toFixed(1)} s (max ${(Math.max(...notReady) / 1000).toFixed(1)} s)\n`);
    process.stdout.write(`NotReady -> replacement Ready, median of ${rounds}: ${(median(replaced) / 1000).toFixed(1)} s (max ${(Math.max(...replaced) / 1000).toFixed(1)} s)\n`);
  } finally {
    await down(NAME, () => undefined);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

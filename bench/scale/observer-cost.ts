/**
 * `npm run bench:observer`: what rebound's observer costs per watch event as the watched world grows, without a
 * cluster (issue 12, "Scale": what grows with what). It fills an Observer with P pods of D Deployments (the steady
 * state bench:scale uses: workloadAvailable per Deployment and a podsReady count of all pods), then delivers bursts
 * of B pod updates the way the cluster's watches do (events that arrived together, in one batch), and measures the
 * time from a burst's delivery until the observer has applied it and judged the steady state: the lag the last event
 * of a burst would carry. Prints a table per size and writes reports/bench/observer-<stamp>.json.
 *
 * With --service the pods are behind one Service (EndpointSlices of 100 endpoints, as the controller cuts them) and
 * the steady state adds endpointsReady with every pod's endpoint.
 *
 *   npm run bench:observer -- [--pods 1000,2000,10000] [--burst 1,100,1000] [--deployments 10] [--service]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import pino from 'pino';
import type { WatchEvent, WatchTarget } from '../../harness/cluster/watch.js';
import { all, endpointsReady, podsReady, workloadAvailable } from '../../harness/observe/conditions.js';
import type { EventSource } from '../../harness/run/event-source.js';
import { Observer } from '../../harness/run/observer.js';
import { packageRoot } from '../../harness/util/paths.js';
import { summarize, type SampleSummary } from '../../harness/util/stats.js';

const NAMESPACE = 'scale';

/** Delivers what the bench hands it, as one batch per call. */
class BurstSource implements EventSource {
  private sink: ((events: readonly WatchEvent[]) => void) | undefined;

  start(_targets: readonly WatchTarget[], sink: (events: readonly WatchEvent[]) => void): Promise<void> {
    this.sink = sink;
    return Promise.resolve();
  }

  deliver(events: readonly WatchEvent[]): void {
    this.sink?.(events);
  }

  stop(): void {
    this.sink = undefined;
  }
}

function pod(index: number, deployment: number, version: number, ready: boolean): V1Pod {
  const status = ready ? 'True' : 'False';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `scale-${deployment}-${index}`,
      namespace: NAMESPACE,
      uid: `uid-${index}`,
      resourceVersion: String(version),
      labels: { tier: 'scale', app: `scale-${deployment}` },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `scale-${deployment}-rs`, uid: `rs-${deployment}`, controller: true }],
    },
    spec: { nodeName: `node-${index % 500}`, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status }, { type: 'ContainersReady', status }] },
  };
}

function deployment(index: number, replicas: number): KubernetesObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `scale-${index}`, namespace: NAMESPACE, uid: `deploy-${index}`, resourceVersion: '1', generation: 1 },
    spec: { replicas },
    status: { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas,
      conditions: [{ type: 'Available', status: 'True' }] },
  } as KubernetesObject;
}

/** The EndpointSlices of the Service `scale` over pods 0..pods-1, 100 endpoints a slice, all ready. */
function slices(pods: number): KubernetesObject[] {
  const result: KubernetesObject[] = [];
  for (let first = 0; first < pods; first += 100) {
    const endpoints = [];
    for (let i = first; i < Math.min(pods, first + 100); i += 1) {
      endpoints.push({ addresses: [`10.244.${Math.floor(i / 250)}.${i % 250}`], conditions: { ready: true }, nodeName: `node-${i % 500}`,
        targetRef: { kind: 'Pod', namespace: NAMESPACE, name: `pod-${i}`, uid: `uid-${i}` } });
    }
    result.push({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4', endpoints,
      metadata: { name: `scale-${first / 100}`, namespace: NAMESPACE, uid: `slice-${first / 100}`, resourceVersion: '1',
        labels: { 'kubernetes.io/service-name': 'scale' } } } as KubernetesObject);
  }
  return result;
}

interface Row {
  pods: number;
  service: boolean;
  burst: number;
  /** ms from a burst's delivery until it was applied and judged, over the bursts measured. */
  perBurstMs: SampleSummary;
  /** the same divided by the burst's size. */
  perEventUs: number;
  evaluations: number;
}

async function measure(pods: number, burst: number, deployments: number, service: boolean): Promise<Row> {
  const source = new BurstSource();
  const perDeployment = pods / deployments;
  const condition = all([
    ...Array.from({ length: deployments }, (_, i) => workloadAvailable({ kind: 'Deployment', name: `scale-${i + 1}`, namespace: NAMESPACE, replicas: perDeployment })),
    podsReady({ selector: 'tier=scale', namespace: NAMESPACE, count: pods }),
    ...(service ? [endpointsReady({ service: 'scale', namespace: NAMESPACE, count: pods })] : []),
  ]);
  const observer = new Observer(source, condition, NAMESPACE, pino({ level: 'silent' }));
  await observer.start([NAMESPACE], [], []);
  let evaluations = 0;
  observer.subscribe(() => { evaluations += 1; });
  let version = 10;
  const objects: KubernetesObject[] = Array.from({ length: deployments }, (_, i) => deployment(i + 1, perDeployment));
  for (let i = 0; i < pods; i += 1) objects.push(pod(i, (i % deployments) + 1, (version += 1), true));
  source.deliver([{ at: 0, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace: NAMESPACE, objects: objects.filter((o) => o.kind === 'Pod') }]);
  source.deliver([{ at: 0, type: 'RELIST', apiVersion: 'apps/v1', kind: 'Deployment', namespace: NAMESPACE, objects: objects.filter((o) => o.kind === 'Deployment') }]);
  if (service) source.deliver([{ at: 0, type: 'RELIST', apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', namespace: NAMESPACE, objects: slices(pods) }]);
  evaluations = 0;
  // Enough bursts for a stable figure, bounded so the largest sizes finish in seconds.
  const rounds = Math.max(5, Math.min(200, Math.floor(200_000 / (burst * Math.max(1, pods / 100)))));
  const times: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const events: WatchEvent[] = [];
    for (let k = 0; k < burst; k += 1) {
      const index = (round * burst + k) % pods;
      events.push({ at: performance.now(), type: 'MODIFIED', object: pod(index, (index % deployments) + 1, (version += 1), round % 2 === 1) });
    }
    const started = performance.now();
    source.deliver(events);
    times.push(performance.now() - started);
  }
  observer.stop();
  const perBurstMs = summarize(times);
  if (perBurstMs === null) throw new Error('no burst was measured');
  return { pods, service, burst, perBurstMs, perEventUs: ((perBurstMs.median ?? 0) * 1000) / burst, evaluations };
}

function list(text: string | undefined, fallback: number[]): number[] {
  if (text === undefined) return fallback;
  const values = text.split(',').map(Number);
  if (values.some((v) => !Number.isInteger(v) || v < 1)) throw new Error(`not a list of whole numbers above 0: ${text}`);
  return values;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const service = argv.includes('--service');
  const valued = argv.filter((arg) => arg !== '--service');
  for (let i = 0; i < valued.length; i += 2) {
    if (!['--pods', '--burst', '--deployments'].includes(valued[i] ?? '')) {
      throw new Error(`unknown argument ${valued[i]}; use --pods 1000,2000,10000 --burst 1,100,1000 --deployments 10 --service`);
    }
  }
  const sizes = list(option('--pods'), [1000, 2000, 10_000]);
  const bursts = list(option('--burst'), [1, 100, 1000]);
  const deployments = list(option('--deployments'), [10])[0] ?? 10;
  const rows: Row[] = [];
  console.log(service ? 'pods behind one Service (endpointsReady in the steady state)' : 'no Service');
  console.log('| pods | burst | per burst p50 ms | p95 ms | max ms | per event us | evaluations per burst |');
  console.log('|---|---|---|---|---|---|---|');
  for (const pods of sizes) {
    if (pods % deployments !== 0) throw new Error(`--pods ${pods} is not a multiple of --deployments ${deployments}`);
    for (const burst of bursts) {
      const row = await measure(pods, burst, deployments, service);
      rows.push(row);
      const ms = (value: number | null): string => (value ?? 0).toFixed(2);
      const rounds = row.perBurstMs.count;
      console.log(`| ${pods} | ${burst} | ${ms(row.perBurstMs.median)} | ${ms(row.perBurstMs.p95)} | ${ms(row.perBurstMs.max)} | ${row.perEventUs.toFixed(1)} | ${(row.evaluations / rounds).toFixed(1)} |`);
    }
  }
  const dir = join(packageRoot(), 'reports', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `observer-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ node: process.version, rows }, null, 2)}\n`);
  console.log(`written: ${file}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});

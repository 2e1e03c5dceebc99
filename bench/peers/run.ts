/**
 * One peer's trials on the bench's cluster (`node dist/bench/peers/run.js`, run by bench.ts under the cluster lock
 * like `rebound run`): the fidelity workload (3-replica Deployment fid-web behind its Service, ready at once) in a
 * namespace of its own; per trial the steady state is awaited and held 1 s (as rebound's settle), then the peer kills
 * one pod and measures in its own way. Writes <out>/peer.json; the audit log says afterwards what really happened.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { clientsFor, type KubeClients } from '../../harness/cluster/kube.js';
import { packageRoot } from '../../harness/util/paths.js';
import { APP, REPLICAS, writeScenario } from '../fidelity/scenario.js';
import { chaosExperiment, readJournal } from './chaostoolkit.js';
import { PEERS, type PeerName, type PeerRun, type PeerTrial } from './peer.js';

const SETTLE_MS = 1000;
const STEADY_TIMEOUT_MS = 120_000;
const HERE = join(packageRoot(), 'bench', 'peers');

interface Args {
  readonly peer: PeerName;
  readonly kubeconfig: string;
  readonly kubectl: string;
  readonly venv: string;
  readonly trials: number;
  readonly out: string;
}

function parseArgs(argv: string[]): Args {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < argv.length; i += 2) values.set(argv[i].replace(/^--/, ''), argv[i + 1]);
  const need = (name: string): string => {
    const value = values.get(name);
    if (value === undefined) throw new Error(`--${name} is missing`);
    return value;
  };
  const peer = need('peer');
  if (!(PEERS as readonly string[]).includes(peer)) throw new Error(`--peer ${peer}: one of ${PEERS.join(', ')}`);
  return { peer: peer as PeerName, kubeconfig: need('kubeconfig'), kubectl: need('kubectl'), venv: need('venv'), trials: Number(need('trials')), out: need('out') };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The steady state as the scenario states it (and truth.ts judges it): available, 3 pods ready, 3 ready endpoints. */
async function holds(kube: KubeClients, namespace: string): Promise<boolean> {
  const deployment = await kube.apps.readNamespacedDeployment({ name: APP, namespace });
  const s = deployment.status;
  if ((s?.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 1)) return false;
  if (s?.updatedReplicas !== REPLICAS || s.availableReplicas !== REPLICAS) return false;
  const pods = await kube.core.listNamespacedPod({ namespace, labelSelector: `app=${APP}` });
  const ready = pods.items.filter((p) => p.metadata?.deletionTimestamp == null && p.status?.phase === 'Running'
    && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'));
  if (ready.length !== REPLICAS) return false;
  const slices = await kube.discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${APP}` });
  const endpoints = new Set(slices.items.flatMap((slice) => (slice.endpoints ?? []).filter((e) => e.conditions?.ready !== false).map((e) => e.targetRef?.uid ?? e.addresses.join(','))));
  return endpoints.size >= REPLICAS;
}

/** Waits until the steady state has held for SETTLE_MS. */
async function awaitSteady(kube: KubeClients, namespace: string): Promise<void> {
  const deadline = Date.now() + STEADY_TIMEOUT_MS;
  let since: number | null = null;
  while (Date.now() < deadline) {
    if (await holds(kube, namespace)) {
      since ??= Date.now();
      if (Date.now() - since >= SETTLE_MS) return;
    } else {
      since = null;
    }
    await sleep(100);
  }
  throw new Error(`the steady state of ${namespace} did not hold within ${STEADY_TIMEOUT_MS / 1000} s`);
}

function kubectl(args: Args, rest: string[], input?: string): string {
  const result = spawnSync(args.kubectl, ['--kubeconfig', args.kubeconfig, ...rest], { encoding: 'utf8', input });
  if (result.status !== 0) throw new Error(`kubectl ${rest.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** krkn-lib's driver: one Python process for every trial, a trial per line on its stdin. */
class KrknDriver {
  private readonly lines: AsyncIterator<string>;
  private readonly child;

  constructor(args: Args, namespace: string) {
    this.child = spawn(join(args.venv, 'bin', 'python'), [join(HERE, 'krkn_pod_monitor.py'), args.kubeconfig, namespace, `app=${APP}`, '60'],
      { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  async next(): Promise<Record<string, unknown>> {
    const line = await this.lines.next();
    if (line.done === true) throw new Error('the krkn-lib driver ended early');
    return JSON.parse(line.value) as Record<string, unknown>;
  }

  async trial(): Promise<Record<string, unknown>> {
    this.child.stdin.write('trial\n');
    return this.next();
  }

  close(): void {
    this.child.stdin.end();
  }
}

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** One trial of a one-process-per-trial peer (kubectl's script, `chaos run`). */
function processTrial(args: Args, namespace: string, dir: string, trial: number): Omit<PeerTrial, 'trial' | 'windowStartMs' | 'wallMs'> {
  if (args.peer === 'chaostoolkit') {
    const journal = join(dir, `journal-${trial}.json`);
    const result = spawnSync(join(args.venv, 'bin', 'chaos'), ['--no-version-check', '--log-file', join(dir, `chaos-${trial}.log`), 'run',
      '--journal-path', journal, join(dir, 'experiment.json')], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: args.kubeconfig } });
    const read = readJournal(readFileSync(journal, 'utf8'));
    return { verdict: read.verdict, figures: read.figures, detail: { exitCode: result.status, ...read.detail } };
  }
  const mode = args.peer === 'kubectl-rollout' ? 'rollout' : 'endpoints';
  const result = spawnSync('bash', [join(HERE, 'kubectl-pod-kill.sh'), args.kubectl, namespace, APP, String(REPLICAS), mode],
    { encoding: 'utf8', env: { ...process.env, KUBECONFIG: args.kubeconfig } });
  const line = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { pod?: string; recoveryMs?: number; verdict?: string };
  return { verdict: line.verdict ?? `error: ${result.stderr.trim()}`, figures: { 'script time': num(line.recoveryMs) }, detail: { pod: line.pod } };
}

function krknTrial(result: Record<string, unknown>): Omit<PeerTrial, 'trial' | 'windowStartMs' | 'wallMs'> {
  const recovered = (Array.isArray(result.recovered) ? result.recovered : []) as Record<string, unknown>[];
  const first = recovered[0] ?? {};
  const s = (value: unknown): number | null => (num(value) === null ? null : (num(value) ?? 0) * 1000);
  return {
    verdict: String(result.verdict),
    figures: { total_recovery_time: s(first.totalRecoveryTimeS), pod_readiness_time: s(first.podReadinessTimeS) },
    detail: result,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(args.out, { recursive: true });
  const kube = clientsFor(args.kubeconfig);
  const namespace = `peer-${args.peer}-${Date.now().toString(36)}`;
  writeScenario(join(args.out, 'workload'), 'podKill', 1);
  const manifest = readFileSync(join(args.out, 'workload', `${APP}.yaml`), 'utf8').replace('${READY_DELAY}', '0s');
  kubectl(args, ['create', 'namespace', namespace]);
  kubectl(args, ['apply', '--namespace', namespace, '-f', '-'], manifest);
  if (args.peer === 'chaostoolkit') writeFileSync(join(args.out, 'experiment.json'), `${JSON.stringify(chaosExperiment(namespace), null, 2)}\n`);
  const run: PeerRun = { peer: args.peer, namespace, startedAtMs: Date.now(), startupMs: 0, trials: [] };
  const krkn = args.peer === 'krkn-lib' ? new KrknDriver(args, namespace) : undefined;
  try {
    if (krkn !== undefined) {
      const started = Date.now();
      await krkn.next();
      run.startupMs = Date.now() - started;
    }
    for (let trial = 1; trial <= args.trials; trial += 1) {
      await awaitSteady(kube, namespace);
      const windowStartMs = Date.now();
      const measured = krkn === undefined ? processTrial(args, namespace, args.out, trial) : krknTrial(await krkn.trial());
      const wallMs = Date.now() - windowStartMs;
      run.trials.push({ trial, windowStartMs, wallMs, ...measured });
      process.stderr.write(`${args.peer} trial ${trial}: ${measured.verdict}, ${JSON.stringify(measured.figures)}, wall ${wallMs} ms\n`);
    }
    // The last trial's truth needs its recovery in the log: wait for it as before any trial.
    await awaitSteady(kube, namespace);
    run.finishedAtMs = Date.now();
  } finally {
    krkn?.close();
    writeFileSync(join(args.out, 'peer.json'), `${JSON.stringify(run, null, 2)}\n`);
    kubectl(args, ['delete', 'namespace', namespace, '--wait=false']);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`peer run failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});

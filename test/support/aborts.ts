/**
 * Randomized aborts of real runs on the embedded cluster, and the checks that the cluster is as no run had touched
 * it afterwards. Shared by the abort test (test/integration/aborts.test.ts, 30 runs) and the reliability script
 * (bench/abort-reliability.ts, 200 runs by default).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { clientsFor, isNodeReady } from '../../harness/cluster/kube.js';
import { processState } from '../../harness/cluster/local/process.js';
import { readState } from '../../harness/cluster/local/state.js';
import { RandomStream } from '../../harness/util/random.js';
import { journalIdentity, journalsOf } from '../../harness/run/journal.js';
import { REPO, rebound } from './cli.js';

/** Scenarios whose runs are aborted: between them, every kind of change rebound undoes. */
export const ABORTED_SCENARIOS = [
  'test/fixtures/abort/every-revert.yaml',
  'scenarios/node-stop-spread.yaml',
  'scenarios/load-backend-kill.yaml',
  'scenarios/deployment-pod-kill.yaml',
] as const;

/** Ports the scenarios' processes listen on: nothing may listen there after a run. */
const PROCESS_PORTS = [18480, 18481, 18482, 18495];

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGKILL'] as const;

/** One aborted run. */
export interface AbortOutcome {
  readonly scenario: string;
  readonly signal: (typeof SIGNALS)[number];
  readonly delayMs: number;
  /** The run's exit code (null when a signal ended it), and whether it had ended before the signal came. */
  readonly code: number | null;
  readonly endedFirst: boolean;
  /**
   * A SIGINT or SIGTERM ended the run the way it should: exit 130/143, or it came while Node was still starting,
   * before rebound listened for signals or wrote anything (no run.log), and the signal itself ended the process.
   */
  readonly gracefulExit: boolean;
  /** After SIGKILL: recover's exit code. */
  readonly recoverCode: number | null;
  /** What was not as it should be once the run (and recover) ended; empty when clean. */
  readonly problems: readonly string[];
  /** From the signal until the cluster was found clean (or the checks gave up). */
  readonly cleanMs: number;
}

/** The abort plan of run `index` of a seeded series: which scenario, which signal, how long after the start. */
export function abortPlan(seed: number, index: number): { scenario: string; signal: (typeof SIGNALS)[number]; delayMs: number } {
  const random = RandomStream.derive(seed, 'aborts', index, 0);
  return {
    scenario: ABORTED_SCENARIOS[random.below(ABORTED_SCENARIOS.length)],
    signal: SIGNALS[random.below(SIGNALS.length)],
    // From while the scenario is applied to well into the recovery (every scenario's first fault is at 0 s after T0).
    delayMs: 1000 + random.below(13_000),
  };
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
    socket.on('error', () => resolve(false));
  });
}

/** What is wrong with the cluster now, compared with one no run touched; empty when nothing is. */
export async function leftovers(cluster: string): Promise<string[]> {
  const state = readState(cluster);
  if (!state) return [`cluster ${cluster} has no state`];
  const problems: string[] = [];
  for (const node of state.nodes) {
    const agent = processState(node.agent.pid, node.agent.spec.binary);
    if (agent !== 'running') problems.push(`node ${node.name}: agent ${agent}`);
  }
  const kube = clientsFor(state.kubeconfig);
  for (const node of (await kube.core.listNode()).items) {
    const name = node.metadata?.name ?? '?';
    if (!isNodeReady(node)) problems.push(`node ${name} not Ready`);
    if (node.spec?.unschedulable === true) problems.push(`node ${name} cordoned`);
    for (const taint of node.spec?.taints ?? []) if (taint.key.startsWith('rebound')) problems.push(`node ${name} tainted ${taint.key}`);
  }
  const namespaces = (await kube.core.listNamespace({ labelSelector: 'app.kubernetes.io/managed-by=rebound' })).items;
  for (const namespace of namespaces) problems.push(`namespace ${namespace.metadata?.name ?? '?'} left (${namespace.status?.phase ?? '?'})`);
  for (const port of PROCESS_PORTS) if (await listening(port)) problems.push(`a process listens on ${port}`);
  const identity = journalIdentity({ provider: 'local', name: cluster, kubeconfig: state.kubeconfig, createdAt: state.createdAt });
  for (const journal of journalsOf(identity).found.filter((f) => !f.stale)) problems.push(`journal ${journal.file} left`);
  // The in-cluster ledger (runs through the kubeconfig provider, or with --cluster-ledger): no record still open.
  const records = (await kube.core.listNamespacedConfigMap({ namespace: 'rebound-system', labelSelector: 'app.kubernetes.io/component=ledger' })).items;
  for (const record of records.filter((r) => r.metadata?.labels?.['rebound.dev/state'] !== 'reverted')) {
    problems.push(`in-cluster record rebound-system/${record.metadata?.name ?? '?'} left ${record.metadata?.labels?.['rebound.dev/state'] ?? '?'}`);
  }
  return problems;
}

/** Waits until the cluster is clean (a node started again needs its lease period to be Ready), at most `ms`. */
export async function waitClean(cluster: string, ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const problems = await leftovers(cluster);
    if (problems.length === 0 || Date.now() > deadline) return problems;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Runs a scenario, sends the signal after the delay, runs recover after a SIGKILL, and checks the cluster. */
export async function abortOnce(cluster: string, out: string, plan: ReturnType<typeof abortPlan>): Promise<AbortOutcome> {
  const child = spawn(process.execPath, [join(REPO, 'bin', 'rebound.js'), 'run', plan.scenario, '--cluster', cluster, '--out', out, '--reporter', 'json'],
    { cwd: REPO, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let exitedYet = false;
  void exited.then(() => { exitedYet = true; });
  const timer = new Promise<void>((resolve) => setTimeout(resolve, plan.delayMs));
  await Promise.race([timer, exited]);
  // Whether it had ended by itself, as of now: the exit the signal causes comes later.
  const endedFirst = exitedYet;
  const signalledAt = Date.now();
  if (!endedFirst) child.kill(plan.signal);
  // A run stopped by SIGINT or SIGTERM undoes its changes before it exits; one that ignores the signal is a failure.
  let limit: NodeJS.Timeout | undefined;
  const code = await Promise.race([exited, new Promise<number | null>((resolve) => { limit = setTimeout(() => { child.kill('SIGKILL'); resolve(-1); }, 180_000); })]);
  // A pending limit would keep mocha waiting for it after the last test.
  clearTimeout(limit);
  let recoverCode: number | null = null;
  if (plan.signal === 'SIGKILL' && !endedFirst) recoverCode = (await rebound(['recover', '--cluster', cluster])).code;
  const problems = await waitClean(cluster, 90_000);
  if (code === -1) problems.unshift('the run did not exit within 180 s of the signal');
  if (recoverCode !== null && recoverCode !== 0) problems.unshift(`recover exited ${recoverCode}`);
  const gracefulExit = plan.signal === 'SIGKILL' || endedFirst || code === 130 || code === 143 || (code === null && !existsSync(join(out, 'run.log')));
  return { ...plan, code, endedFirst, gracefulExit, recoverCode, problems, cleanMs: Date.now() - signalledAt };
}

/**
 * `npm run bench:scale`: rebound watching a big embedded cluster while many pods are killed at once (issue 12,
 * "Scale"). Brings up the local cluster `scale` with --nodes N (the first few nodes with agents of their own, the
 * rest sharing one), creates D Deployments holding P pods in all in the namespace `scale` before rebound starts
 * (the controller-manager's client is held to 20 requests a second, so 10,000 pods take about 8 minutes: that
 * limit is Kubernetes' default and is left alone), then runs `rebound run` with one podKill of K pods under
 * `/usr/bin/time -v`, and prints: rebound's peak RSS, CPU and wall time, the recovery, the event lag of every
 * replacement step against the audit log (Metadata level is enough: see scale/lag.ts), the unmatched replacements,
 * the sizes of results.json and the reports, the console's longest line, the control plane's CPU during the run,
 * and how many times any node left Ready (bulk nodes must never). Writes reports/bench/scale-<stamp>.json.
 *
 * Run it under the machine's cluster lock (flock /tmp/rebound-cluster.lock npm run bench:scale -- ...): the cluster
 * is up from start to end. Exits 1 when a target is missed (RSS <= 250 MB, lag p99 <= 100 ms, every replacement
 * matched, no node NotReady).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { RunResult } from '../harness/report/result.js';
import { clientsFor, isNodeReady, statusOf, type KubeClients } from '../harness/cluster/kube.js';
import { clusterDir, readState, type ClusterState } from '../harness/cluster/local/state.js';
import { packageRoot } from '../harness/util/paths.js';
import { sleep } from '../harness/util/sleep.js';
import { parseAudit, readAuditFrom } from './fidelity/audit.js';
import { parseTime } from './fidelity/report.js';
import { firstWrites, LAG_PHASES, lagsOf, lagSummary } from './scale/lag.js';

interface Options {
  cluster: string;
  nodes: number;
  pods: number;
  kill: number;
  deployments: number;
  keepCluster: boolean;
  /** `cluster up --failure-detection`: what hundreds of shared nodes need on 2 cores (BENCHMARKS.md). */
  failureDetection: 'fast' | 'kubernetes';
}

const USAGE = 'use --nodes N (500), --pods P (10000), --kill K (1000), --deployments D (10), --cluster NAME (scale), --keep-cluster, --failure-detection fast|kubernetes (fast)';

function parseOptions(argv: string[]): Options {
  const options: Options = { cluster: 'scale', nodes: 500, pods: 10_000, kill: 1000, deployments: 10, keepCluster: false, failureDetection: 'fast' };
  const number = (arg: string, text: string | undefined): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${arg} ${text ?? ''} is not a whole number above 0; ${USAGE}`);
    return value;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--keep-cluster') options.keepCluster = true;
    else if (arg === '--cluster' && argv[i + 1] !== undefined) options.cluster = argv[(i += 1)];
    else if (arg === '--nodes') options.nodes = number(arg, argv[(i += 1)]);
    else if (arg === '--pods') options.pods = number(arg, argv[(i += 1)]);
    else if (arg === '--kill') options.kill = number(arg, argv[(i += 1)]);
    else if (arg === '--deployments') options.deployments = number(arg, argv[(i += 1)]);
    else if (arg === '--failure-detection' && (argv[i + 1] === 'fast' || argv[i + 1] === 'kubernetes')) options.failureDetection = argv[(i += 1)] as 'fast' | 'kubernetes';
    else throw new Error(`unknown argument ${arg}; ${USAGE}`);
  }
  if (options.pods % options.deployments !== 0) throw new Error(`--pods ${options.pods} is not a multiple of --deployments ${options.deployments}`);
  if (options.kill > options.pods) throw new Error(`--kill ${options.kill} is more than --pods ${options.pods}`);
  return options;
}

const REPO = packageRoot();
const TIME = '/usr/bin/time';
const NAMESPACE = 'scale';
const TIER = 'scale';

function say(line: string): void {
  process.stderr.write(`bench:scale: ${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

function rebound(args: string[], ok: readonly number[] = [0]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/rebound.js', ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const code = result.status ?? -1;
  if (result.error !== undefined || !ok.includes(code)) {
    throw new Error(`rebound ${args.join(' ')} failed (${result.error?.message ?? `exit code ${code}`}):\n${result.stderr}`);
  }
  return { code, stdout: result.stdout, stderr: result.stderr };
}

/** The Deployments of the workload: D of them, P / D replicas each, all labelled tier=scale. */
function manifests(options: Options): string {
  const replicas = options.pods / options.deployments;
  return Array.from({ length: options.deployments }, (_, i) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: scale-${i + 1}
  namespace: ${NAMESPACE}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: { app: scale-${i + 1} }
  template:
    metadata:
      labels: { app: scale-${i + 1}, tier: ${TIER} }
    spec:
      containers:
        - name: app
          image: registry.example/app:1
`).join('---\n');
}

function scenario(options: Options): string {
  const available = Array.from({ length: options.deployments }, (_, i) => `    - workloadAvailable: { kind: Deployment, name: scale-${i + 1} }`);
  return `# scale: generated by npm run bench:scale; ${options.kill} of ${options.pods} pods killed at once on ${options.nodes} nodes.
# Expected: PASS.
apiVersion: rebound.dev/v1alpha1
kind: Scenario
metadata:
  name: scale-pod-kill
  description: ${options.kill} of ${options.pods} pods are killed at once; their Deployments replace them.
spec:
  namespace: ${NAMESPACE}
  desiredState:
    - file: workload.yaml
  steadyState:
${available.join('\n')}
    - podsReady: { selector: tier=${TIER}, count: ${options.pods} }
  faults:
    - podKill: { selector: tier=${TIER}, count: ${options.kill} }
  expect:
    recoveryWithin: 15m
    settle: 5s
    mustBreak: true
  trials: 1
  timeout: 60m
`;
}

/** Creates the namespace and Deployments, and waits until every pod is Ready; returns how long that took (s). */
async function createWorkload(kube: KubeClients, options: Options, file: string): Promise<number> {
  const started = Date.now();
  try {
    await kube.core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
  }
  for (const text of readFileSync(file, 'utf8').split('---\n')) {
    const replicas = options.pods / options.deployments;
    const name = /name: (scale-\d+)/.exec(text)?.[1] ?? '';
    try {
      await kube.apps.createNamespacedDeployment({
        namespace: NAMESPACE,
        body: {
          metadata: { name, namespace: NAMESPACE },
          spec: {
            replicas,
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name, tier: TIER } }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] } },
          },
        },
      });
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
    }
  }
  let last = -1;
  for (;;) {
    const list = await kube.apps.listNamespacedDeployment({ namespace: NAMESPACE });
    const ready = list.items.reduce((sum, d) => sum + (d.status?.readyReplicas ?? 0), 0);
    if (ready !== last) say(`workload: ${ready} of ${options.pods} pods Ready after ${((Date.now() - started) / 1000).toFixed(0)} s`);
    last = ready;
    if (ready >= options.pods) return (Date.now() - started) / 1000;
    if (Date.now() - started > 45 * 60_000) throw new Error(`only ${ready} of ${options.pods} pods Ready after 45 minutes`);
    await sleep(10_000);
  }
}

/** Counts every time a node's Ready condition stops being True, from now until stop(). */
async function watchNodeReadiness(kube: KubeClients): Promise<{ stop: () => { lost: number; nodes: string[] } }> {
  const ready = new Map<string, boolean>();
  const lostNodes: string[] = [];
  const request = await new k8s.Watch(kube.config).watch('/api/v1/nodes', {}, (_type: string, node: k8s.V1Node) => {
    const name = node.metadata?.name ?? '';
    const now = isNodeReady(node);
    if (ready.get(name) === true && !now) lostNodes.push(name);
    ready.set(name, now);
  }, (error: unknown) => {
    if (error instanceof Error) say(`node watch ended: ${error.message}`);
  });
  return { stop: () => { request.abort(); return { lost: lostNodes.length, nodes: lostNodes }; } };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSecondsOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** CPU seconds of each cluster process so far: the control plane, the dedicated agents together, the shared agent. */
function clusterCpu(state: ClusterState): Record<string, number> {
  const out: Record<string, number> = {};
  for (const component of state.components) out[component.name] = cpuSecondsOf(component.pid) ?? 0;
  out['node agents (own)'] = state.nodes.reduce((sum, node) => sum + (cpuSecondsOf(node.agent.pid) ?? 0), 0);
  if (state.bulk) out['node agent (shared)'] = cpuSecondsOf(state.bulk.agent.pid) ?? 0;
  return out;
}

function size(file: string): number | null {
  return existsSync(file) ? statSync(file).size : null;
}

function fmt(value: number | null, digits = 0): string {
  return value === null ? '-' : value.toFixed(digits);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync(TIME)) throw new Error(`${TIME} is missing: the bench needs GNU time (apt-get install time)`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = join(REPO, 'reports', 'bench', `scale-${stamp}`);
  mkdirSync(outDir, { recursive: true });
  const started = Date.now();
  const loadBefore = loadavg();
  say(`cluster ${options.cluster}: ${options.nodes} nodes; then ${options.deployments} Deployments, ${options.pods} pods; then ${options.kill} killed`);
  const up = rebound(['cluster', 'up', '--name', options.cluster, '--nodes', String(options.nodes), '--failure-detection', options.failureDetection]);
  say(up.stderr.trim().split('\n').at(-1) ?? '');
  const state = readState(options.cluster);
  if (state === undefined) throw new Error(`cluster ${options.cluster} has no state after up`);
  const kube = clientsFor(state.kubeconfig);
  const readiness = await watchNodeReadiness(kube);
  try {
    writeFileSync(join(outDir, 'workload.yaml'), manifests(options));
    const scenarioFile = join(outDir, 'scale.yaml');
    writeFileSync(scenarioFile, scenario(options));
    const workloadSeconds = await createWorkload(kube, options, join(outDir, 'workload.yaml'));
    say(`workload Ready in ${workloadSeconds.toFixed(0)} s; running rebound`);
    const auditFile = join(clusterDir(options.cluster), 'logs', 'audit.log');
    const offset = statSync(auditFile).size;
    const cpuBefore = clusterCpu(state);
    const loadAtRun = loadavg();
    const runStarted = Date.now();
    const timeFile = join(outDir, 'time.txt');
    const report = join(outDir, 'report');
    const run = spawnSync(TIME, ['-v', '-o', timeFile, process.execPath, 'bin/rebound.js', 'run', scenarioFile, '--cluster', options.cluster,
      '--out', report], { cwd: REPO, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    const runSeconds = (Date.now() - runStarted) / 1000;
    const cpuAfter = clusterCpu(state);
    writeFileSync(join(outDir, 'console.txt'), `${run.stdout}${run.stderr}`);
    say(`rebound run exited ${String(run.status)} after ${runSeconds.toFixed(0)} s`);
    const resultFile = join(report, 'results.json');
    if (!existsSync(resultFile)) throw new Error(`rebound run wrote no results.json:\n${run.stderr.slice(-4000)}`);
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as RunResult;
    const usage = parseTime(readFileSync(timeFile, 'utf8'));
    const auditText = readAuditFrom(auditFile, offset);
    // Kept with the run, so its figures can be checked after the cluster is gone.
    writeFileSync(join(outDir, 'audit.log'), auditText);
    const events = parseAudit(auditText);
    const outcome = lagsOf(result, firstWrites(events, NAMESPACE));
    const podWrites = events.filter((e) => e.namespace === NAMESPACE && e.resource === 'pods');
    const trial = result.scenarios[0]?.trials[0];
    const lines = `${run.stdout}${run.stderr}`.split('\n');
    const longest = Math.max(...lines.map((line) => line.length));
    const readinessOutcome = readiness.stop();
    const all = LAG_PHASES.flatMap((phase) => outcome.lags[phase]);
    const lag: Record<string, ReturnType<typeof lagSummary>> = Object.fromEntries(
      LAG_PHASES.map((phase) => [phase, lagSummary(outcome.lags[phase])]));
    lag.all = lagSummary(all);
    const summary = {
      startedAt: new Date(started).toISOString(),
      options,
      machine: { cpus: cpus().length, loadBefore, loadAtRun, loadAfter: loadavg() },
      workloadSeconds,
      verdict: result.scenarios[0]?.verdict ?? null,
      exitCode: run.status,
      rebound: { ...usage, runSeconds },
      recoveryMs: trial?.recoveryTimeMs ?? null,
      lag,
      replacements: outcome.replacements,
      unmatched: { withoutReplacement: outcome.withoutReplacement.length, notInAudit: outcome.notInAudit.length, unlisted: outcome.unlisted.length,
        examples: [...outcome.withoutReplacement, ...outcome.notInAudit, ...outcome.unlisted].slice(0, 10) },
      podWritesInRun: podWrites.length,
      podWritesPerSecond: podWrites.length / runSeconds,
      bytes: {
        resultsJson: size(resultFile), reportHtml: size(join(report, 'report.html')), summaryMd: size(join(report, 'summary.md')),
        junit: size(join(report, 'junit.xml')), runLog: size(join(report, 'run.log')),
      },
      console: { lines: lines.length, longestLine: longest },
      clusterCpuSeconds: Object.fromEntries(Object.keys(cpuAfter).map((key) => [key, (cpuAfter[key] ?? 0) - (cpuBefore[key] ?? 0)])),
      nodesLeftReady: readinessOutcome,
    };
    writeFileSync(join(REPO, 'reports', 'bench', `scale-${stamp}.json`), `${JSON.stringify(summary, null, 2)}\n`);
    const out = process.stdout;
    out.write(`\n## Scale: ${options.nodes} nodes, ${options.pods} pods, ${options.kill} killed at once (failure detection ${options.failureDetection}, ${cpus().length} CPUs, load ${loadAtRun.map((l) => l.toFixed(2)).join(' ')})\n\n`);
    out.write(`workload Ready in ${workloadSeconds.toFixed(0)} s; verdict ${summary.verdict ?? '-'} (exit ${String(run.status)})\n`);
    out.write(`rebound: peak RSS ${usage.peakRssMb.toFixed(0)} MB, CPU ${usage.cpuSeconds.toFixed(1)} s, wall ${usage.wallSeconds.toFixed(1)} s; recovery ${fmt(summary.recoveryMs)} ms\n`);
    out.write(`pod writes during the run: ${podWrites.length} (${summary.podWritesPerSecond.toFixed(0)}/s on average)\n\n`);
    out.write('| step | n | lag p50 (ms) | p99 | max |\n|---|---|---|---|---|\n');
    for (const [phase, s] of Object.entries(summary.lag)) out.write(`| ${phase} | ${s.n} | ${fmt(s.p50, 1)} | ${fmt(s.p99, 1)} | ${fmt(s.max, 1)} |\n`);
    out.write(`\nreplacements: ${outcome.replacements}; unmatched: ${outcome.withoutReplacement.length} without a replacement, `
      + `${outcome.notInAudit.length} not in the audit log, ${outcome.unlisted.length} created but not listed\n`);
    out.write(`sizes: results.json ${fmt(summary.bytes.resultsJson)} B, report.html ${fmt(summary.bytes.reportHtml)} B, summary.md ${fmt(summary.bytes.summaryMd)} B; `
      + `console ${lines.length} lines, the longest ${longest} characters\n`);
    out.write(`cluster CPU during the run (s): ${Object.entries(summary.clusterCpuSeconds).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}\n`);
    out.write(`nodes that left Ready during the bench: ${readinessOutcome.lost}${readinessOutcome.lost > 0 ? ` (${readinessOutcome.nodes.slice(0, 10).join(', ')})` : ''}\n`);
    out.write(`written: reports/bench/scale-${stamp}.json (run in ${outDir}); ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    const failures = [
      usage.peakRssMb > 250 ? `peak RSS ${usage.peakRssMb.toFixed(0)} MB > 250 MB` : '',
      (lag.all.p99 ?? 0) > 100 ? `lag p99 ${fmt(lag.all.p99, 1)} ms > 100 ms` : '',
      outcome.withoutReplacement.length + outcome.notInAudit.length + outcome.unlisted.length > 0 ? 'unmatched replacements' : '',
      readinessOutcome.lost > 0 ? `${readinessOutcome.lost} times a node left Ready` : '',
      summary.verdict !== 'PASS' ? `verdict ${summary.verdict ?? 'none'}` : '',
    ].filter((f) => f !== '');
    for (const failure of failures) out.write(`MISSED: ${failure}\n`);
    return failures.length === 0 ? 0 : 1;
  } finally {
    readiness.stop();
    if (!options.keepCluster) rebound(['cluster', 'down', '--name', options.cluster]);
  }
}

main().then((code) => { process.exitCode = code; }, (error: unknown) => {
  process.stderr.write(`bench:scale failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});

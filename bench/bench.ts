/**
 * `npm run bench` (quick, for every change) and `npm run bench -- --full`: rebound's times against the API server's
 * audit log (fidelity), and what rebound costs beyond the system under test (overhead). Brings up the local cluster
 * `bench` with --audit-detail, runs rebound on generated scenarios as a user would (`node bin/rebound.js run`),
 * prints tables and writes reports/bench/<stamp>.json. Exits 1 when the recovery's fidelity p99 is worse than 50 ms
 * or a replacement goes unmatched. With --lock FILE every cluster command holds that flock (the machine's shared
 * cluster lock), one run at a time, so others' jobs can run in between. Then the peers (bench/peers/) kill pods of the
 * same workload on the same cluster and are judged against the same truth; --no-peers leaves them out.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../harness/report/result.js';
import { clusterDir } from '../harness/cluster/local/state.js';
import { packageRoot } from '../harness/util/paths.js';
import { parseAudit, readAuditFrom } from './fidelity/audit.js';
import { compareRun, type TrialComparison } from './fidelity/compare.js';
import { ClusterPin, pinAway } from './fidelity/cpu-pin.js';
import { fidelityTable, gateFailures, overheadOf, overheadTable, parseTime, type RunOverhead } from './fidelity/report.js';
import { APP, REPLICAS, writeScenario, type FaultKind } from './fidelity/scenario.js';
import { lateTable, profileRun, type ProfiledRun } from './fidelity/profile.js';
import { peersTable, reboundRow, runPeers, type PeersOutcome } from './peers/bench-peers.js';

interface Options {
  full: boolean;
  cluster: string;
  lock: string | undefined;
  keepCluster: boolean;
  peers: boolean;
  /** V8 CPU profiles of each `rebound run` (sampling every 250 us), written beside its results. */
  cpuProfile: boolean;
  /** rebound's runs on this CPU alone, and the cluster's processes on the others (taskset; fidelity/cpu-pin.ts). */
  reboundCpu: number | undefined;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { full: false, cluster: 'bench', lock: process.env.REBOUND_CLUSTER_LOCK, keepCluster: false, peers: true, cpuProfile: false, reboundCpu: undefined };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--full') options.full = true;
    else if (arg === '--keep-cluster') options.keepCluster = true;
    else if (arg === '--no-peers') options.peers = false;
    else if (arg === '--cpu-prof') options.cpuProfile = true;
    else if (arg === '--rebound-cpu' && /^\d+$/.test(argv[i + 1] ?? '') && Number(argv[i + 1]) < cpus().length) options.reboundCpu = Number(argv[(i += 1)]);
    else if (arg === '--cluster' && argv[i + 1] !== undefined) options.cluster = argv[(i += 1)];
    else if (arg === '--lock' && argv[i + 1] !== undefined) options.lock = argv[(i += 1)];
    else throw new Error(`unknown argument ${arg}; use --full, --cluster NAME, --lock FILE, --keep-cluster, --no-peers, --cpu-prof, --rebound-cpu N (0 to ${String(cpus().length - 1)})`);
  }
  return options;
}

/**
 * With --rebound-cpu: moves every process of the local cluster off that CPU, and the bench itself (which re-pins the
 * cluster while a run goes on), so that rebound has that core alone.
 */
function pinCluster(options: Options): ClusterPin | undefined {
  if (options.reboundCpu === undefined) return undefined;
  const pin = new ClusterPin(options.cluster, options.reboundCpu);
  pinAway([process.pid], pin.cpu, pin.others);
  const { pids } = pin.pin();
  say(`cluster ${pin.cluster}: ${String(pids.length)} processes on CPU ${pin.others}; rebound's runs on CPU ${String(pin.cpu)}`);
  return pin;
}

/** Runs one `rebound run`; with a pin, the cluster is pinned before it, every PIN_EVERY_MS while it runs, and after it. */
async function reboundRun(options: Options, pin: ClusterPin | undefined, label: string, args: string[]): Promise<Outcome> {
  if (pin === undefined) return commandAsync(options, args, [0, 1]);
  const before = pin.pin().moved;
  const stop = pin.watch();
  try {
    return await commandAsync(options, ['taskset', '-c', String(pin.cpu), ...args], [0, 1]);
  } finally {
    const during = stop();
    const after = pin.pin().moved;
    const moved = (pids: number[]): string => (pids.length === 0 ? 'none' : pids.join(' '));
    say(`${label}: cluster processes moved off CPU ${String(pin.cpu)}: before the run ${moved(before)}, during it ${moved(during)}, after it ${moved(after)}`);
  }
}

/** One rebound run of the plan. */
interface RunPlan {
  readonly label: string;
  readonly fault: FaultKind;
  readonly readyDelay: string;
  readonly trials: number;
}

function plan(full: boolean): RunPlan[] {
  if (!full) return [{ label: 'pod-kill ready 0s', fault: 'podKill', readyDelay: '0s', trials: 20 }];
  return [
    { label: 'pod-kill ready 0s', fault: 'podKill', readyDelay: '0s', trials: 20 },
    { label: 'pod-kill ready 100ms', fault: 'podKill', readyDelay: '100ms', trials: 20 },
    { label: 'pod-kill ready 1s', fault: 'podKill', readyDelay: '1s', trials: 20 },
    { label: 'node-stop ready 0s', fault: 'nodeStop', readyDelay: '0s', trials: 10 },
  ];
}

const REPO = packageRoot();
const TIME = '/usr/bin/time';

function say(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The outcome of a command; throws with its output when it failed to start or exited with another code than `ok`. */
function checked(args: string[], ok: readonly number[], code: number | null, error: Error | undefined, stdout: string, stderr: string): Outcome {
  if (error !== undefined || code === null || !ok.includes(code)) {
    throw new Error(`${args.join(' ')} failed (${error?.message ?? `exit code ${String(code ?? -1)}`}):\n${stderr}`);
  }
  return { code, stdout, stderr };
}

/** Runs a command (under the lock when one is given); throws with its output when it fails with another code than `ok`. */
function command(options: Options, args: string[], ok: readonly number[] = [0]): Outcome {
  const [program, ...rest] = options.lock === undefined ? args : ['flock', options.lock, ...args];
  const result = spawnSync(program, rest, { cwd: REPO, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return checked(args, ok, result.status, result.error, result.stdout, result.stderr);
}

/** `command` without blocking the bench's event loop (which re-pins the cluster meanwhile). */
async function commandAsync(options: Options, args: string[], ok: readonly number[]): Promise<Outcome> {
  const [program, ...rest] = options.lock === undefined ? args : ['flock', options.lock, ...args];
  const child = spawn(program, rest, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const { code, error } = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.on('error', (spawnError) => { resolve({ code: null, error: spawnError }); });
    child.on('close', (exitCode) => { resolve({ code: exitCode }); });
  });
  return checked(args, ok, code, error, Buffer.concat(stdout).toString('utf8'), Buffer.concat(stderr).toString('utf8'));
}

/** What /usr/bin/time -v says about a process: CPU seconds, peak RSS, wall seconds. */
async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync(TIME)) throw new Error(`${TIME} is missing: the overhead section needs GNU time (apt-get install time)`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = join(REPO, 'reports', 'bench', stamp);
  mkdirSync(outDir, { recursive: true });
  const started = Date.now();
  say(`cluster ${options.cluster} with --audit-detail${options.lock === undefined ? '' : ` (holding ${options.lock} per command)`}`);
  command(options, [process.execPath, 'bin/rebound.js', 'cluster', 'up', '--name', options.cluster, '--nodes', '3', '--audit-detail']);
  const auditFile = join(clusterDir(options.cluster), 'logs', 'audit.log');
  const pin = pinCluster(options);
  const comparisons: TrialComparison[] = [];
  const overheads: RunOverhead[] = [];
  const profiled: ProfiledRun[] = [];
  const runs = plan(options.full);
  const results = new Map<string, RunResult>();
  try {
    for (const run of runs) {
      const dir = join(outDir, run.label.replace(/[^a-z0-9]+/g, '-'));
      const scenario = writeScenario(join(dir, 'scenario'), run.fault, run.trials);
      const offset = statSync(auditFile).size;
      const timeFile = join(dir, 'time.txt');
      say(`${run.label}: ${run.trials} trials`);
      const profileDir = join(dir, 'cpu-profile');
      const profiling = options.cpuProfile
        ? ['--require', join(REPO, 'bench', 'fidelity', 'clock-mark.cjs'), '--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=250']
        : [];
      const outcome = await reboundRun(options, pin, run.label, [TIME, '-v', '-o', timeFile, process.execPath, ...profiling, 'bin/rebound.js', 'run',
        scenario.file, '--cluster', options.cluster, '--out', join(dir, 'report'), '--reporter', 'json', '--var', `READY_DELAY=${run.readyDelay}`,
        '--trials', String(run.trials)]);
      const result = JSON.parse(readFileSync(join(dir, 'report', 'results.json'), 'utf8')) as RunResult;
      results.set(run.label, result);
      const namespace = result.scenarios[0]?.namespace;
      if (namespace === null || namespace === undefined) throw new Error(`${run.label}: results.json names no namespace:\n${outcome.stderr}`);
      const auditText = readAuditFrom(auditFile, offset);
      // Kept with the run, so its figures can be checked after the cluster is gone.
      writeFileSync(join(dir, 'audit.log'), auditText);
      const events = parseAudit(auditText);
      const workload = { namespace, app: APP, replicas: REPLICAS };
      const compared = compareRun(run.label, result, events, workload);
      comparisons.push(...compared.trials);
      const profile = options.cpuProfile ? profileRun(run.label, profileDir, compared) : undefined;
      if (options.cpuProfile && profile === undefined) say(`${run.label}: no CPU profile with its clock mark in ${profileDir}`);
      if (profile !== undefined) profiled.push(profile);
      overheads.push(overheadOf(run.label, result, parseTime(readFileSync(timeFile, 'utf8'))));
      say(`${run.label}: verdict ${result.scenarios[0].verdict}, ${compared.trials.filter((c) => c.errors.recovery !== undefined).length} trials compared`);
    }
    const peers = options.peers ? runPeers({
      full: options.full, kubeconfig: join(clusterDir(options.cluster), 'kubeconfig'), auditFile, outDir, say,
      command: (args, ok) => command(options, args, ok),
    }) : undefined;
    const first = results.get(runs[0].label);
    const sideBySide = peers === undefined || first === undefined ? undefined
      : { outcome: peers, rebound: reboundRow(runs[0].label, first, comparisons) };
    return report(options, runs, { comparisons, overheads, profiled }, { started, stamp, outDir }, sideBySide);
  } finally {
    // After the figures are written: a down that waits on the lock (or fails) does not hold them back.
    if (!options.keepCluster) command(options, [process.execPath, 'bin/rebound.js', 'cluster', 'down', '--name', options.cluster]);
  }
}

/** What the runs measured. */
interface Measured {
  readonly comparisons: readonly TrialComparison[];
  readonly overheads: readonly RunOverhead[];
  /** With --cpu-prof: where the time went when rebound heard of a write late. */
  readonly profiled: readonly ProfiledRun[];
}

interface Where {
  readonly started: number;
  readonly stamp: string;
  readonly outDir: string;
}

/** Prints the tables, writes reports/bench/<stamp>.json, and gives the exit code. */
function report(options: Options, runs: RunPlan[], measured: Measured, where: Where,
  peers?: { outcome: PeersOutcome; rebound: ReturnType<typeof reboundRow> }): number {
  const { started, stamp, outDir } = where;
  const { comparisons, overheads, profiled } = measured;
  const fidelity = fidelityTable(comparisons, runs.map((r) => r.label));
  const unmatched = comparisons.flatMap((c) => c.unmatched.map((u) => `${c.run} trial ${c.trial}: ${u}`));
  const notes = comparisons.filter((c) => c.note !== null).map((c) => `${c.run} trial ${c.trial}: ${c.note ?? ''}`);
  const out = process.stdout;
  out.write(`\n## Fidelity: rebound minus the audit log (ms; recovery = recoveredAt - injectedAt against the truth's duration)\n\n${fidelity.text}\n`);
  out.write(`\nunmatched replacements: ${unmatched.length}${unmatched.map((u) => `\n  ${u}`).join('')}\n`);
  if (notes.length > 0) out.write(`trials without a truth: ${notes.length}${notes.map((n) => `\n  ${n}`).join('')}\n`);
  out.write(`\n## Overhead (rebound's own time, CPU and memory; /usr/bin/time -v of \`rebound run\`)\n\n${overheadTable(overheads)}\n`);

  if (profiled.length > 0) {
    out.write(`\n## Late stamps: what rebound's thread did between a write and its stamp of it (--cpu-prof; bench/fidelity/profile.ts)\n\n`);
    out.write(`${lateTable(profiled)}\n`);
  }
  if (peers !== undefined) {
    out.write(`\n## Peers: the same pod kill, the same audit-log truth (ms; error = the peer's figure minus the truth's recovery)\n\n`);
    out.write(`${peersTable([peers.rebound, ...peers.outcome.rows])}\n`);
    for (const problem of peers.outcome.problems) out.write(`PEERS: ${problem}\n`);
    const noTruth = peers.outcome.trials.filter((t) => t.note !== null);
    if (noTruth.length > 0) out.write(`peer trials without a truth: ${noTruth.map((t) => `${t.peer} ${t.trial}: ${t.note ?? ''}`).join('; ')}\n`);
  }
  // The peers' figures are reported, never gated: the exit code is rebound's own fidelity.
  const failures = gateFailures(fidelity.summaries, unmatched.length);
  const report = {
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    mode: options.full ? 'full' : 'quick',
    machine: { cpus: cpus().length, loadAverage: loadavg() },
    runs,
    fidelity: fidelity.summaries,
    trials: comparisons,
    unmatched,
    overhead: overheads,
    lateStamps: profiled,
    peers: peers === undefined ? null : {
      pins: peers.outcome.pins, problems: peers.outcome.problems, rows: [peers.rebound, ...peers.outcome.rows], trials: peers.outcome.trials,
    },
    failures,
  };
  const jsonFile = join(REPO, 'reports', 'bench', `${stamp}.json`);
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  out.write(`\nwritten: ${jsonFile} (runs in ${outDir}); ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  for (const failure of failures) out.write(`FAIL: ${failure}\n`);
  return failures.length === 0 ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});

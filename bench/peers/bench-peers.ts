/**
 * The peers' part of `npm run bench`: on the bench's cluster, after rebound's runs, each peer kills pods of the same
 * workload in its own namespace (bench/peers/run.ts, one command under the cluster lock) and is judged against the
 * same audit-log truth as rebound. The peers' venv is built in rebound's cache on first use; when it cannot be, the
 * bench says so and runs rebound alone. A peer that fails is reported and does not stop the others.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../../harness/report/result.js';
import { reboundHome } from '../../harness/util/paths.js';
import { percentile } from '../../harness/util/stats.js';
import { parseAudit, readAuditFrom } from '../fidelity/audit.js';
import type { TrialComparison } from '../fidelity/compare.js';
import { f1, summarizeErrors, table } from '../fidelity/report.js';
import { APP, REPLICAS } from '../fidelity/scenario.js';
import { comparePeer, peerRows, type PeerRow, type PeerTrialComparison } from './compare.js';
import type { PeerName, PeerRun } from './peer.js';
import { ensurePeersVenv, PeersSetupError, PINS } from './setup.js';

export interface PeersContext {
  readonly full: boolean;
  readonly kubeconfig: string;
  readonly auditFile: string;
  readonly outDir: string;
  readonly say: (line: string) => void;
  /** bench.ts's command runner (under the lock when one is given). */
  readonly command: (args: string[], ok?: readonly number[]) => { code: number; stdout: string; stderr: string };
}

export interface PeersOutcome {
  readonly pins: typeof PINS;
  /** Why the peers, or some of them, did not run. */
  readonly problems: string[];
  readonly trials: PeerTrialComparison[];
  readonly rows: PeerRow[];
}

/** Trials per peer: the issue's >= 20 in --full; Chaos Toolkit's `chaos run` costs a Python start-up per trial. */
function trialsOf(peer: PeerName, full: boolean): number {
  if (!full) return peer === 'chaostoolkit' ? 3 : 5;
  return 20;
}

/** The cluster's kubectl: the one rebound downloaded with the kubernetes binaries, else PATH's. */
function findKubectl(): string {
  const bin = join(reboundHome(), 'bin');
  const dirs = existsSync(bin) ? readdirSync(bin).filter((d) => /^kubernetes-v/.test(d)).sort().reverse() : [];
  const found = dirs.map((d) => join(bin, d, 'kubectl')).find((file) => existsSync(file));
  return found ?? 'kubectl';
}

export function runPeers(context: PeersContext): PeersOutcome {
  const { say } = context;
  const problems: string[] = [];
  const trials: PeerTrialComparison[] = [];
  let venv;
  try {
    venv = ensurePeersVenv(say);
  } catch (error) {
    if (!(error instanceof PeersSetupError)) throw error;
    const problem = `THE PEERS DID NOT RUN: their venv could not be built: ${error.message}`;
    say(problem);
    return { pins: PINS, problems: [problem], trials, rows: [] };
  }
  const peers: PeerName[] = ['krkn-lib', 'chaostoolkit', 'kubectl-rollout', 'kubectl-endpoints'];
  for (const peer of peers) {
    const dir = join(context.outDir, `peer-${peer}`);
    const count = trialsOf(peer, context.full);
    say(`peer ${peer}: ${count} trials`);
    const offset = statSync(context.auditFile).size;
    try {
      context.command([process.execPath, 'dist/bench/peers/run.js', '--peer', peer, '--kubeconfig', context.kubeconfig,
        '--kubectl', findKubectl(), '--venv', venv.dir, '--trials', String(count), '--out', dir]);
      const run = JSON.parse(readFileSync(join(dir, 'peer.json'), 'utf8')) as PeerRun;
      const auditText = readAuditFrom(context.auditFile, offset);
      writeFileSync(join(dir, 'audit.log'), auditText);
      const compared = comparePeer(run, parseAudit(auditText), { app: APP, replicas: REPLICAS });
      trials.push(...compared);
      say(`peer ${peer}: ${compared.filter((c) => c.truthMs !== null).length} of ${compared.length} trials with a truth`);
    } catch (error) {
      const problem = `peer ${peer} failed: ${error instanceof Error ? error.message : String(error)}`;
      say(problem);
      problems.push(problem);
    }
  }
  return { pins: PINS, problems, trials, rows: peerRows(trials) };
}

/**
 * rebound's row beside the peers': its recovery error over the pod-kill ready 0s run, and its wall per trial as the
 * peers' is taken: from t0 to the next t0 less the 1 s steady hold before each t0 (the peers get the same hold outside
 * their wall) and less the 1 s settle rebound holds after the recovery to confirm it (a peer confirms nothing).
 */
export function reboundRow(label: string, result: RunResult, comparisons: readonly TrialComparison[]): PeerRow {
  const scenario = result.scenarios[0];
  const settle = scenario.expect.settleMs;
  const walls: number[] = [];
  scenario.trials.forEach((trial, i) => {
    const next = scenario.trials[i + 1];
    if (next?.t0 != null && trial.t0 !== null) walls.push(Date.parse(next.t0) - Date.parse(trial.t0) - 2 * settle);
  });
  walls.sort((a, b) => a - b);
  const errors = comparisons.filter((c) => c.run === label).flatMap((c) => (c.errors.recovery === undefined ? [] : [c.errors.recovery]));
  const verdicts: Record<string, number> = {};
  for (const trial of scenario.trials) verdicts[trial.verdict] = (verdicts[trial.verdict] ?? 0) + 1;
  return {
    who: 'rebound', figure: 'recoveryTimeMs', trials: scenario.trials.length, error: summarizeErrors(errors),
    wallP50Ms: walls.length === 0 ? null : percentile(walls, 0.5), wallMaxMs: walls.length === 0 ? null : walls[walls.length - 1], verdicts,
  };
}

/** The side-by-side table, with each peer's p50 and p99 errors over rebound's (the target: >= 10x). */
export function peersTable(rows: readonly PeerRow[]): string {
  const mine = rows.find((r) => r.who === 'rebound')?.error;
  const ratio = (row: PeerRow, which: 'p50' | 'p99'): string => {
    if (row.who === 'rebound' || row.error === null || mine === undefined || mine === null || mine[which] === 0) return '-';
    return `${(row.error[which] / mine[which]).toFixed(1)}x`;
  };
  const n = (value: number | null | undefined): string => (value === null || value === undefined ? '-' : f1(value));
  return table(['who', 'figure (its own)', 'trials', 'n', 'p50 |err|', 'p99 |err|', 'max |err|', 'bias', 'p50 / rebound\'s', 'p99 / rebound\'s', 'wall/trial p50',
    'wall/trial max', 'verdicts'], rows.map((row) => [
    row.who, row.figure, String(row.trials), String(row.error?.n ?? 0), n(row.error?.p50), n(row.error?.p99), n(row.error?.max), n(row.error?.bias),
    ratio(row, 'p50'), ratio(row, 'p99'), n(row.wallP50Ms), n(row.wallMaxMs), Object.entries(row.verdicts).map(([v, c]) => `${v} ${c}`).join('; '),
  ]));
}

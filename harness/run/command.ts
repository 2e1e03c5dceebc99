import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import type { RunArgs } from './args.js';
import { progress } from '../util/output.js';
import type { ContextAllowance } from '../cluster/context-guard.js';
import { allowancesOf, loadUserConfig, withClusterChoice, type UserConfig } from '../config/user-config.js';
import type { ClusterHandle } from '../cluster/provider.js';
import { chosenProvider, PROVIDERS } from '../cluster/registry.js';
import { UsageError, type ExitCode } from '../errors.js';
import { createReporters, DEFAULT_REPORTERS } from '../report/registry.js';
import { exitCodeOf, type RunResult } from '../report/result.js';
import { formatIssue, ScenarioInvalidError } from '../scenario/issues.js';
import { expandScenarioArgs, loadScenarioFile, parseVarAssignments } from '../scenario/loader.js';
import { LabelSelector } from '../util/label-selector.js';
import type { Scenario } from '../scenario/schema.js';
import { packageRoot } from '../util/paths.js';
import { findK6 } from '../load/k6-binary.js';
import { printPlan } from './plan.js';
import { runScenarios, type Variant } from './runner.js';
import { compareSettings, compareVariants, gateOnBaseline, parseMatrix, readResults } from './gates.js';
import { writeAtomic } from '../report/write-atomic.js';
import { RunInterrupt, RunInterruptedError } from './interrupt.js';
import type { Operator } from './operator.js';
import { Journal, journalIdentity, journalsOf, rewriteJournal, type JournalCluster } from './journal.js';
import { ClusterJournal, ClusterLedger, LEDGER_NAMESPACE, LedgerError } from './cluster-journal.js';
import { blockingRuns, describeRun, openRuns } from './open-runs.js';
import { clientsFor } from '../cluster/kube.js';

/** Loads every scenario named, or throws one error listing every problem in every file (exit 2, nothing touched). */
export async function loadScenarios(paths: readonly string[], vars: Record<string, string>, selector?: string): Promise<Scenario[]> {
  const { files, errors } = await expandScenarioArgs(paths);
  const invalid: { file: string; errors: typeof errors }[] = errors.length > 0 ? [{ file: errors[0]?.file ?? '', errors }] : [];
  const scenarios: Scenario[] = [];
  for (const file of files) {
    const loaded = await loadScenarioFile(file, { vars });
    for (const warning of loaded.warnings) progress(`warning: ${formatIssue(warning)}`);
    if (loaded.scenario) scenarios.push(loaded.scenario);
    else invalid.push({ file, errors: [...loaded.errors] });
  }
  if (invalid.length > 0) throw new ScenarioInvalidError(invalid);
  let chosen = scenarios;
  if (selector !== undefined) {
    let parsed: LabelSelector;
    try {
      parsed = LabelSelector.parse(selector);
    } catch (error) {
      throw new UsageError(`--selector ${selector}: ${error instanceof Error ? error.message : String(error)}`);
    }
    chosen = scenarios.filter((s) => parsed.matches(s.metadata.labels));
    if (chosen.length === 0) throw new UsageError(`no scenario has labels matching --selector ${selector}`);
  }
  const names = new Map<string, string>();
  for (const scenario of chosen) {
    const other = names.get(scenario.metadata.name);
    if (other) throw new UsageError(`two scenarios are named ${scenario.metadata.name}: ${other} and ${scenario.file}; names must be unique in a run`);
    names.set(scenario.metadata.name, scenario.file);
  }
  return chosen;
}

/** reports/runs/<timestamp>-<id>/ under the package. */
export function defaultOut(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return join(packageRoot(), 'reports', 'runs', `${stamp}-${randomBytes(3).toString('hex')}`);
}

/** The command line over the config files' defaults; the cluster is one choice (see withClusterChoice). */
function withDefaults(args: RunArgs, config: UserConfig): RunArgs {
  const { out, reporter, k6 } = config.defaults;
  return {
    ...withClusterChoice(args, config),
    out: args.out ?? out,
    reporter: args.reporter && args.reporter.length > 0 ? args.reporter : reporter ? [...reporter] : args.reporter,
    k6: args.k6 ?? k6,
  };
}

/** The run's cluster, from the provider the command line chose (which refuses the flags of another first). */
function acquire(args: RunArgs, allowances: readonly ContextAllowance[]): Promise<ClusterHandle> {
  return chosenProvider(args).acquire({ ...args, allowances }, progress);
}

/**
 * The k6 binary the run's k6 scripts need, checked before anything is touched; undefined when no scenario runs one.
 * --k6 without such a scenario is refused: a flag that does nothing is a mistake to point out.
 */
function resolveK6(named: string | undefined, scenarios: readonly Scenario[], dryRun: boolean): string | undefined {
  const user = scenarios.find((s) => s.spec.load?.driver.kind === 'k6');
  if (user === undefined) {
    if (named !== undefined) throw new UsageError(`--k6 ${named}: no scenario of this run has spec.load.k6, so no k6 script would run.`);
    return undefined;
  }
  const k6 = findK6(named);
  if (k6 === undefined && !dryRun) {
    const missing = named === undefined ? 'no k6 is on PATH' : `--k6 ${named} is not an executable file`;
    throw new UsageError(`${user.file}: spec.load.k6 runs a k6 script, but ${missing}. Install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/; rebound does not ship it) or pass --k6 PATH; \`rebound doctor\` checks.`);
  }
  return k6;
}

/**
 * A cluster with changes a run that ended without undoing them left is not one to measure on: the run refuses it,
 * naming the changes and the command that undoes them. With `ledger`, the records in the cluster count too (any
 * machine's, a run still going elsewhere included: two runs breaking one cluster measure each other).
 */
async function refuseUnrecovered(cluster: JournalCluster, ledger: ClusterLedger | undefined): Promise<void> {
  const { found } = journalsOf(cluster);
  const records = ledger ? (await ledger.records()).records : [];
  if (ledger) await ledger.forgetReverted(records, Date.now());
  const runs = openRuns(found, records, ledger?.host ?? '');
  // An earlier cluster of the same name took its changes along when it was deleted; a run a recover undid
  // (elsewhere) left nothing.
  for (const run of runs) if (run.disk && !run.disk.running && (run.stale || run.reverted)) rewriteJournal(run.disk, []);
  const left = blockingRuns(runs);
  if (left.length === 0) return;
  const changes = left.flatMap((r) => r.journal.entries.map((e) => `${e.label} (${describeRun(r)})`));
  const where = PROVIDERS[cluster.provider].recoverFlags(cluster);
  const elsewhere = left.some((r) => r.liveness === 'elsewhere') ? ' (a run on another machine may still be going: then wait for it to end)' : '';
  throw new UsageError(`the ${cluster.provider} cluster ${cluster.name} has ${changes.length} change${changes.length === 1 ? '' : 's'} that a run which ended without undoing them left behind${elsewhere}; undo them first: rebound recover ${where}`, changes);
}

/**
 * The in-cluster ledger is kept for clusters other machines share (the kubeconfig provider) unless
 * --no-cluster-ledger; a local or kind cluster is this machine's own, its journal on disk enough, unless
 * --cluster-ledger asks for it.
 */
function keepsClusterLedger(args: RunArgs, provider: ClusterHandle['provider']): boolean {
  return args.clusterLedger ?? PROVIDERS[provider].shared;
}

/** `rebound run`: validates everything first, then runs; the exit code follows the verdicts. */
export async function executeRun(args: RunArgs, interrupt?: RunInterrupt, operator?: Operator): Promise<ExitCode> {
  const outcome = await performRun(args, interrupt, operator);
  if (typeof outcome === 'number') return outcome;
  const code = exitCodeOf(outcome.result.verdict, outcome.result.abortedBy);
  // A regression in recovery time fails the run like a failing test, unless something worse happened.
  return code === 0 && outcome.regressed ? 1 : code;
}

/** Runs (or, with --dry-run, plans) and returns the run's result and folder; a number is a dry run's exit code. */
export async function performRun(
  args: RunArgs,
  given?: RunInterrupt,
  operator?: Operator,
): Promise<{ result: RunResult; out: string; regressed: boolean } | ExitCode> {
  // From the start a signal stops the run gracefully: before anything is touched it just ends the run; after,
  // what the run did is undone and the reports are written.
  const interrupt = given ?? new RunInterrupt(progress);
  try {
    return await interruptibleRun(args, interrupt, operator);
  } finally {
    interrupt.uninstall();
  }
}

async function interruptibleRun(
  given: RunArgs,
  interrupt: RunInterrupt,
  operator?: Operator,
): Promise<{ result: RunResult; out: string; regressed: boolean } | ExitCode> {
  const config = loadUserConfig(given.paths);
  for (const file of config.files) progress(`config: ${file}`);
  const args = withDefaults(given, config);
  const allowances = allowancesOf(args.allowContext, config);
  if (args.updateBaseline && args.baseline === undefined) throw new UsageError('--update-baseline needs --baseline FILE: the file to write.');
  const vars = parseVarAssignments(args.var);
  if (args.trials !== undefined && (!Number.isInteger(args.trials) || args.trials < 1)) {
    throw new UsageError(`--trials ${args.trials} is not valid: give a whole number of 1 or more.`);
  }
  if (args.seed !== undefined && (!Number.isSafeInteger(args.seed) || args.seed < 0)) {
    throw new UsageError(`--seed ${args.seed} is not valid: give a whole number of 0 or more.`);
  }
  const matrix = parseMatrix(args.matrix ?? []);
  const seed = args.seed ?? randomInt(0, 2 ** 31);
  // Each --matrix value loads the scenarios again with that value, so a variable may change anything in them.
  const loaded = matrix
    ? await Promise.all(matrix.values.map(async (value) => ({
      label: `${matrix.name}=${value}`,
      scenarios: await loadScenarios(args.paths, { ...vars, [matrix.name]: value }, args.selector),
    })))
    : [{ label: null, scenarios: await loadScenarios(args.paths, vars, args.selector) }];
  // --trials overrides spec.trials everywhere, the reports' "trial 3/8" included.
  const withTrials = (scenario: Scenario): Scenario =>
    (args.trials === undefined ? scenario : { ...scenario, spec: { ...scenario.spec, trials: args.trials } });
  const groups: Variant[][] = (loaded[0]?.scenarios ?? []).map((_, i) =>
    loaded.map(({ label, scenarios }) => ({ label, scenario: withTrials(scenarios[i]) })));
  const k6 = resolveK6(args.k6, groups.flatMap((g) => g.map((v) => v.scenario)), args.dryRun);
  if (args.dryRun) return printPlan(args, groups.map((g) => g[0].scenario), seed, allowances);
  const baseline = args.baseline !== undefined && !args.updateBaseline ? readResults(args.baseline) : undefined;
  const settings = compareSettings(args.maxRegression, args.alpha, seed);

  const out = resolve(args.out ?? defaultOut());
  mkdirSync(out, { recursive: true });
  const log = pino({ level: args.logLevel, base: { seed } }, pino.destination({ dest: join(out, 'run.log'), sync: true }));
  // The live view of --interactive has the terminal's bottom lines: the console reporter only appends.
  const reporters = await createReporters(
    args.reporter && args.reporter.length > 0 ? args.reporter : [...DEFAULT_REPORTERS],
    out,
    { liveLine: operator === undefined },
  );
  if (interrupt.by) throw new RunInterruptedError(interrupt.by);
  let cluster: ClusterHandle | undefined;
  let journal: Journal | undefined;
  try {
    cluster = await acquire(args, allowances);
    const identity = journalIdentity(cluster);
    const inCluster = keepsClusterLedger(args, cluster.provider);
    // Read whenever the cluster is shared, kept or not: another machine's changes are there.
    const ledger = inCluster || PROVIDERS[cluster.provider].shared ? new ClusterLedger(clientsFor(cluster.kubeconfig, cluster.context)) : undefined;
    try {
      await refuseUnrecovered(identity, ledger);
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
      if (inCluster) throw new LedgerError(`${error.message}; pass --no-cluster-ledger to run with the journal on this machine only (then another machine's recover cannot see this run's changes).`);
      progress(`warning: ${error.message}; changes other machines left are not known`);
    }
    journal = new Journal(identity);
    if (inCluster && ledger) {
      try {
        await journal.mirrorInto(new ClusterJournal(ledger));
      } catch (error) {
        if (!(error instanceof LedgerError)) throw error;
        throw new LedgerError(`${error.message}; nothing was changed. rebound records its changes in the cluster before it makes them (create and update of ConfigMaps in namespace ${LEDGER_NAMESPACE}, and its creation if it is missing); pass --no-cluster-ledger to run with the journal on this machine only (then another machine's recover cannot see this run's changes).`);
      }
    }
    const result = await runScenarios({
      groups,
      seed,
      out,
      trials: args.trials,
      cluster,
      log,
      vars,
      reporters,
      interrupt,
      journal,
      ...(k6 === undefined ? {} : { k6 }),
      ...(operator === undefined ? {} : { operator }),
    });
    // An aborted run is not compared: its trials are not the ones asked for.
    if (result.abortedBy) return { result, out, regressed: false };
    let regressed = false;
    if (matrix) regressed = compareVariants(result, matrix, out, settings);
    if (baseline && args.baseline) regressed = gateOnBaseline(baseline, args.baseline, result, out, settings) || regressed;
    if (args.updateBaseline && args.baseline) {
      writeAtomic(resolve(args.baseline), `${JSON.stringify(result, null, 2)}\n`);
      progress(`baseline written: ${args.baseline}`);
    }
    return { result, out, regressed };
  } finally {
    const problem = await journal?.close();
    if (problem !== undefined) progress(`warning: ${problem}`);
    await cluster?.release();
    log.flush();
  }
}

import type { Scenario } from '../scenario/schema.js';
import { formatSeconds as seconds, loadLines, scenarioFigures, trialsPassed, verdictCounts } from './figures.js';
import type { LiveCounts, Phase, Reporter } from './reporter.js';
import type { FaultResult, RunResult, ScenarioResult, TrialResult } from './result.js';

/**
 * Live output for people: one line per scenario phase and trial (rewritten in place on a terminal, appended
 * otherwise, so CI logs stay readable), then a summary table and where the reports are.
 */
export class ConsoleReporter implements Reporter {
  private readonly tty: boolean;
  private live = false;
  private started = Date.now();

  /**
   * @param liveLine false when something else owns the terminal's bottom lines (the live view of `run --interactive`):
   *   lines are then only appended.
   */
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, private readonly out?: string, liveLine = true) {
    this.tty = liveLine && stream.isTTY === true && process.env.CI !== 'true';
  }

  private line(text: string): void {
    if (this.live) this.stream.write('\r\x1b[2K');
    this.live = false;
    this.stream.write(`${text}\n`);
  }

  private status(text: string): void {
    if (!this.tty) return;
    this.stream.write(`\r\x1b[2K${text.slice(0, (this.stream.columns ?? 120) - 1)}`);
    this.live = true;
  }

  onRunStart(info: { seed: number; scenarios: readonly Scenario[]; out: string }): void {
    this.line(`rebound: ${info.scenarios.length} scenario${info.scenarios.length === 1 ? '' : 's'}, seed ${info.seed}, reports in ${info.out}`);
  }

  onScenarioStart(scenario: Scenario): void {
    this.started = Date.now();
    this.line(`\n${scenario.metadata.name} (${scenario.file}): ${scenario.spec.trials} trial${scenario.spec.trials === 1 ? '' : 's'}, recovery within ${scenario.spec.expect.recoveryWithin.toString()}`);
  }

  onPhase(scenario: Scenario, trial: number | null, phase: Phase, detail: string, counts?: LiveCounts): void {
    const elapsed = ((Date.now() - this.started) / 1000).toFixed(1);
    const where = trial === null ? '' : ` trial ${trial}/${scenario.spec.trials}`;
    const ready = counts ? ` | pods ${counts.readyPods} endpoints ${counts.readyEndpoints} nodes ${counts.readyNodes} | ${counts.holds ? 'steady' : 'BROKEN'}` : '';
    const text = `  [${elapsed.padStart(6)}s]${where} ${phase}: ${detail}${ready}`;
    // Counts change often: on a terminal they rewrite the live line, in a log only phase changes are written.
    if (counts) this.status(text);
    else this.line(text);
  }

  onFaultInjected(_scenario: Scenario, trial: number, fault: FaultResult): void {
    this.line(`    trial ${trial}: ${fault.kind} at +${seconds(fault.atMs)}: ${fault.error ? `could not inject: ${fault.error}` : fault.summary}`);
  }

  onTrialEnd(_scenario: Scenario, trial: TrialResult): void {
    const how = trial.verdict === 'SKIPPED' ? `would have: ${trial.faults.map((f) => f.summary).join('; ')}`
      : trial.injectedAt === null ? 'no fault injected'
      : trial.undisrupted ? 'never broke'
      : `recovery ${seconds(trial.recoveryTimeMs)}, disruption ${seconds(trial.disruptionMs)}`;
    this.line(`    trial ${trial.trial}: ${trial.verdict} (${how})${trial.reason ? `: ${trial.reason}` : ''}`);
    const phase = (label: string, ms: number | null, first: boolean): string => (ms === null ? `${label} not seen` : `${label} ${first ? 'after ' : '+'}${seconds(ms)}`);
    for (const loss of trial.nodeLoss ?? []) {
      this.line(`      node ${loss.node}: ${phase('NotReady', loss.phasesMs.detection, true)}, ${phase('tainted', loss.phasesMs.taint, false)}, ${phase('pods evicted', loss.phasesMs.eviction, false)} (${loss.evictedPods} pod${loss.evictedPods === 1 ? '' : 's'})`);
    }
    for (const restart of trial.restarts ?? []) {
      const counts = `restartCount ${restart.restartCountBefore} -> ${restart.restartCountAfter ?? '?'}`;
      this.line(`      container ${restart.container} of ${restart.pod.name}: ${phase('restarted', restart.phasesMs.restarted, true)} (${counts}), ${phase('ready', restart.phasesMs.ready, false)}`);
    }
    if (trial.load) for (const line of loadLines(trial.load)) this.line(`      ${line}`);
  }

  onScenarioEnd(result: ScenarioResult): void {
    this.line(`  => ${result.verdict}${result.reason ? `: ${result.reason}` : ''}`);
  }

  onRunEnd(result: RunResult): void {
    const rows = result.scenarios.map((s) => [
      s.name,
      s.verdict,
      trialsPassed(scenarioFigures(s)),
      seconds(s.stats.recoveryTimeMs?.median),
      seconds(s.stats.recoveryTimeMs?.p95),
      seconds(s.stats.recoveryTimeMs?.max),
      s.reason ?? '',
    ]);
    const header = ['SCENARIO', 'VERDICT', 'TRIALS', 'MEDIAN', 'P95', 'MAX', 'REASON'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const format = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
    this.line('');
    this.line(format(header));
    for (const row of rows) this.line(format(row));
    const counts = verdictCounts(result.scenarios);
    this.line(`\n${result.verdict}: ${counts} (recovery times are over the trials that broke)`);
    if (this.out) this.line(`reports: ${this.out}`);
  }
}

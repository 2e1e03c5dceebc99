import { hostname } from 'node:os';
import { join } from 'node:path';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import {
  formatPhase, formatSeconds, loadLines, millisBetween, operatorLines, reasonsOf, REPLACEMENT_PHASES, scenarioFigures, thresholdLine, trialsPassed,
} from './figures.js';
import type { Reporter } from './reporter.js';
import type { RunResult, ScenarioResult, TrialResult } from './result.js';
import { writeAtomic } from './write-atomic.js';

/** JUnit wants seconds; three decimals keep the milliseconds rebound measures. */
const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

/** Ant's schema allows no time zone and no fraction in a timestamp; rebound's are UTC. */
const antTimestamp = (iso: string): string => iso.replace(/\.\d+/, '').replace(/Z$|[+-]\d\d:\d\d$/, '');

/** An attribute value on one line: CI tools show names and messages on one line, and some parsers keep newlines. */
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();

/** `scenarios/web/pod-kill.yaml` -> `scenarios.web.pod-kill`: CI tools split a classname into package and class at dots. */
function classnameOf(file: string): string {
  const withoutExtension = oneLine(file).replace(/\.ya?ml$/i, '');
  const parts = withoutExtension.split(/[\\/]+/).filter((part) => part !== '' && part !== '.').map((part) => part.replace(/\./g, '_'));
  return parts.length > 0 ? parts.join('.') : 'scenario';
}

function trialLines(trial: TrialResult): string[] {
  const how = trial.injectedAt === null ? 'no fault injected'
    : trial.undisrupted ? 'never broke'
    : trial.recoveryTimeMs === null ? 'did not recover'
    : `recovery ${formatSeconds(trial.recoveryTimeMs)}, disruption ${formatSeconds(trial.disruptionMs)}`;
  const lines = [`trial ${trial.trial}: ${trial.verdict} (${how})${trial.reason ? `: ${trial.reason}` : ''}`];
  for (const fault of trial.faults) {
    lines.push(`  ${fault.kind} at +${formatSeconds(fault.atMs)}: ${fault.error ? `could not inject: ${fault.error}` : fault.summary}${fault.injectedAt === null && fault.error === null ? ' (not injected)' : ''}`);
  }
  for (const r of trial.replacements) {
    const phases = REPLACEMENT_PHASES.map((p) => `${p} ${typeof r.phasesMs[p] === 'number' ? formatPhase(r.phasesMs[p]) : '-'}`).join(', ');
    lines.push(`  replaced ${r.pod.name} -> ${r.replacement?.name ?? '(none)'}: ${phases}`);
  }
  if (trial.load) lines.push(...loadLines(trial.load).map((line) => `  ${line}`));
  lines.push(...operatorLines(trial).map((line) => `  ${line}`));
  return lines;
}

function systemOut(scenario: ScenarioResult): string {
  const figures = scenarioFigures(scenario);
  const lines = [
    `${scenario.name} (${scenario.file}): ${scenario.verdict}, ${trialsPassed(figures)} trials passed, `
      + `recovery within ${formatSeconds(scenario.expect.recoveryWithinMs)}`,
    ...scenario.trials.flatMap(trialLines),
  ];
  const stats = scenario.stats.recoveryTimeMs;
  if (stats) {
    lines.push(`recovery over ${stats.count} broken trial${stats.count === 1 ? '' : 's'}: min ${formatSeconds(stats.min)}, `
      + `median ${formatSeconds(stats.median)}, p95 ${formatSeconds(stats.p95)}, max ${formatSeconds(stats.max)}`);
  }
  if (figures.worstPhase) lines.push(`slowest replacement phase: ${figures.worstPhase.phase} (median ${formatPhase(figures.worstPhase.medianMs)})`);
  for (const problem of scenario.cleanup) lines.push(`cleanup: ${problem}`);
  return `${lines.join('\n')}\n`;
}

function addProperties(parent: XMLBuilder, properties: readonly [string, string | number | boolean | null | undefined][]): void {
  const element = parent.ele('properties');
  for (const [name, value] of properties) {
    if (value === null || value === undefined) continue;
    // Percentiles interpolate: 917.3999999999999 ms says nothing 917.4 does not.
    const text = typeof value === 'number' && !Number.isInteger(value) ? String(Number(value.toFixed(3))) : String(value);
    element.ele('property', { name, value: oneLine(text) });
  }
}

function addTestcase(suite: XMLBuilder, scenario: ScenarioResult): void {
  const duration = millisBetween(scenario.startedAt, scenario.finishedAt) ?? 0;
  const testcase = suite.ele('testcase', { name: oneLine(scenario.name), classname: classnameOf(scenario.file), time: seconds(duration) });
  const stats = scenario.stats.recoveryTimeMs;
  addProperties(testcase, [
    ['verdict', scenario.verdict],
    ['variant', scenario.variant],
    ['namespace', scenario.namespace],
    ['expect.recoveryWithinMs', scenario.expect.recoveryWithinMs],
    ['recoveryTimeMs.median', stats?.median],
    ['recoveryTimeMs.p95', stats?.p95],
    ['recoveryTimeMs.max', stats?.max],
    ...scenario.trials.flatMap((t): [string, string | number | null][] => [
      [`trial.${t.trial}.verdict`, t.verdict],
      [`trial.${t.trial}.recoveryTimeMs`, t.recoveryTimeMs],
      [`trial.${t.trial}.disruptionMs`, t.disruptionMs],
      [`trial.${t.trial}.replacedPods`, t.replacements.length],
      [`trial.${t.trial}.reason`, t.reason],
      ...(t.load?.thresholds ?? []).map((th): [string, string] => [`trial.${t.trial}.threshold.${th.metric}.${th.expression}`, `${th.ok ? 'ok' : 'crossed'} ${th.value ?? ''}`.trim()]),
    ]),
  ]);
  if (scenario.verdict !== 'PASS') {
    // Every crossed threshold is named in the failure, with its value, even when the trial also failed to recover.
    const crossed = scenario.trials.flatMap((t) => (t.load?.thresholds ?? []).filter((th) => !th.ok).map((th) => `trial ${t.trial}: load threshold ${thresholdLine(th)}`));
    const reasons = [...reasonsOf(scenario), ...crossed];
    const element = scenario.verdict === 'FAIL' ? 'failure' : 'error';
    testcase.ele(element, { message: oneLine(reasons[0] ?? scenario.verdict), type: scenario.verdict }).txt(reasons.join('\n'));
  }
  testcase.ele('system-out').txt(systemOut(scenario));
}

/**
 * The run as JUnit XML, in the shape Jenkins, GitLab, GitHub test reporters and Ant's schema agree on: one
 * <testsuite> per scenario file, one <testcase> per scenario (variant), FAIL as <failure>, ERROR as <error>.
 */
export function renderJUnit(result: RunResult): string {
  const byFile = new Map<string, ScenarioResult[]>();
  for (const scenario of result.scenarios) byFile.set(scenario.file, [...(byFile.get(scenario.file) ?? []), scenario]);
  const count = (scenarios: readonly ScenarioResult[], verdict: string): number => scenarios.filter((s) => s.verdict === verdict).length;

  const document = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '\uFFFD' });
  const root = document.ele('testsuites', {
    name: 'rebound',
    tests: result.scenarios.length,
    failures: count(result.scenarios, 'FAIL'),
    // An ABORTED scenario did not complete: an <error>, as rebound's own ERRORs are.
    errors: count(result.scenarios, 'ERROR') + count(result.scenarios, 'ABORTED'),
    skipped: 0,
    time: seconds(millisBetween(result.startedAt, result.finishedAt) ?? 0),
    timestamp: antTimestamp(result.startedAt),
  });
  const host = hostname();
  let id = 0;
  for (const [file, scenarios] of byFile) {
    const first = scenarios[0];
    const time = scenarios.reduce((sum, s) => sum + (millisBetween(s.startedAt, s.finishedAt) ?? 0), 0);
    const suite = root.ele('testsuite', {
      name: oneLine(file),
      tests: scenarios.length,
      failures: count(scenarios, 'FAIL'),
      errors: count(scenarios, 'ERROR') + count(scenarios, 'ABORTED'),
      skipped: 0,
      time: seconds(time),
      timestamp: antTimestamp(first?.startedAt ?? result.startedAt),
      hostname: host,
      id: id++,
      package: classnameOf(file),
    });
    const environment = result.environment;
    addProperties(suite, [
      ['seed', result.seed],
      ['mode', result.mode ?? 'run'],
      ['provider', environment?.provider],
      ['cluster', environment?.cluster],
      ['kubernetesVersion', environment?.kubernetesVersion],
      ['reboundVersion', environment?.reboundVersion],
      ['nodeCount', environment?.nodeCount],
      ...Object.entries(result.vars).map(([key, value]): [string, string] => [`var.${key}`, value]),
    ]);
    for (const scenario of scenarios) addTestcase(suite, scenario);
  }
  return document.end({ prettyPrint: true });
}

/** Writes `<out>/junit.xml`, for CI test-report views and gates. */
export class JUnitReporter implements Reporter {
  constructor(private readonly out: string) {}

  /** Where the file goes. */
  get file(): string {
    return join(this.out, 'junit.xml');
  }

  onRunEnd(result: RunResult): void {
    writeAtomic(this.file, `${renderJUnit(result)}\n`);
  }
}

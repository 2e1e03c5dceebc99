import { join } from 'node:path';
import { writeAtomic } from '../report/write-atomic.js';
import type { Comparison, ScenarioComparison, SideSummary } from './compare.js';
import { formatSeconds as seconds } from '../report/figures.js';
import { bracket, percentText, pText, times } from './format.js';

/** Where a comparison was written. */
export interface ComparisonFiles {
  readonly markdown: string;
  readonly json: string;
}

/** Writes compare.md and compare.json into `dir`, each whole or not at all. */
export function writeComparison(dir: string, comparison: Comparison): ComparisonFiles {
  const files = { markdown: join(dir, 'compare.md'), json: join(dir, 'compare.json') };
  writeAtomic(files.json, `${JSON.stringify(comparison, null, 2)}\n`);
  writeAtomic(files.markdown, renderMarkdown(comparison));
  return files;
}

/** Every warning of a comparison, the run's first, then each scenario's prefixed with its name. */
export function warningsOf(comparison: Comparison): string[] {
  return [...comparison.warnings, ...comparison.scenarios.flatMap((s) => s.warnings.map((w) => `${s.name}: ${w}`))];
}

const HEADER = ['SCENARIO', 'BASE MEDIAN', 'BASE P95', 'CAND MEDIAN', 'CAND P95', 'RATIO [CI]', 'P', 'N (B/C)', 'VERDICT'];

/** The comparison for a terminal: an aligned table, one line of reasons per scenario, and the overall verdict. */
export function renderTable(comparison: Comparison): string[] {
  const rows = comparison.scenarios.map(cellsOf);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  const lines = [format(HEADER), ...rows.map(format), ''];
  for (const scenario of comparison.scenarios) {
    lines.push(`${scenario.name}: ${scenario.verdict}: ${scenario.reason}`);
    for (const load of scenario.load) lines.push(`  under load: ${load.verdict}: ${load.reason}`);
  }
  lines.push('', verdictLine(comparison));
  return lines;
}

/** compare.md: the warnings on top, a table with a row per scenario, then why each verdict was given. */
export function renderMarkdown(comparison: Comparison): string {
  const { options } = comparison;
  const out: string[] = ['# rebound compare', ''];
  out.push(`- Baseline: ${runText(comparison.baseline)}`);
  out.push(`- Candidate: ${runText(comparison.candidate)}`);
  out.push(
    `- Regression allowed: +${percentText(options.maxRegression)}; significance: p < ${options.alpha} (two-sided Mann-Whitney U); ` +
    `ratio of medians with a ${percentText(1 - options.alpha)} percentile bootstrap interval (${options.resamples} resamples, seed ${options.seed})`,
  );
  if (comparison.varsChanged.length > 0) {
    out.push(`- Vars that differ: ${comparison.varsChanged.map((v) => `\`${v.name}\` ${v.baseline ?? '(unset)'} -> ${v.candidate ?? '(unset)'}`).join(', ')}`);
  }
  out.push('');
  const warnings = warningsOf(comparison);
  if (warnings.length > 0) {
    out.push('> [!WARNING]', `> **The two runs may not be comparable (${warnings.length} warning${warnings.length === 1 ? '' : 's'}):**`);
    for (const warning of warnings) out.push(`> - ${escape(warning)}`);
    out.push('');
  }
  out.push(`**${verdictLine(comparison)}**`, '');
  if (comparison.scenarios.length > 0) {
    out.push(`| ${['Scenario', 'Baseline median', 'Baseline p95', 'Candidate median', 'Candidate p95', `Ratio [${percentText(1 - options.alpha)} CI]`, 'p', 'n (baseline/candidate)', 'Verdict'].join(' | ')} |`);
    out.push(`|${' --- |'.repeat(HEADER.length)}`);
    for (const scenario of comparison.scenarios) {
      const cells = cellsOf(scenario).map(escape);
      if (scenario.verdict === 'regressed') cells[cells.length - 1] = `**${cells[cells.length - 1] ?? ''}**`;
      out.push(`| ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  for (const scenario of comparison.scenarios) {
    out.push(`## ${escape(scenario.name)}: ${scenario.verdict}`, '', escape(scenario.reason), '');
    out.push(`- Baseline: ${sideText(scenario.baseline)}`, `- Candidate: ${sideText(scenario.candidate)}`);
    for (const load of scenario.load) out.push(`- Under load: ${load.verdict}: ${escape(load.reason)} (per trial: ${load.baseline.join(', ')} -> ${load.candidate.join(', ')})`);
    for (const warning of scenario.warnings) out.push(`- **Warning**: ${escape(warning)}`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function cellsOf(scenario: ScenarioComparison): string[] {
  const ratio = scenario.ratio === null ? '-' : `${times(scenario.ratio.estimate)} ${bracket(scenario.ratio.lower, scenario.ratio.upper)}`;
  const p = scenario.test === null ? '-' : `${pText(scenario.test.p)} (${scenario.test.method})`;
  return [
    scenario.name,
    seconds(scenario.baseline.medianMs),
    seconds(scenario.baseline.p95Ms),
    seconds(scenario.candidate.medianMs),
    seconds(scenario.candidate.p95Ms),
    ratio,
    p,
    `${scenario.baseline.recoveryTimesMs.length}/${scenario.candidate.recoveryTimesMs.length}`,
    scenario.verdict === 'inconclusive' && scenario.neededPerSide !== null ? `inconclusive (need ${scenario.neededPerSide}+ per side)` : scenario.verdict,
  ];
}

function verdictLine(comparison: Comparison): string {
  const count = (verdict: string): number => comparison.scenarios.filter((s) => s.verdict === verdict).length;
  const counts = (['regressed', 'improved', 'unchanged', 'inconclusive'] as const).map((v) => `${count(v)} ${v}`).join(', ');
  const compared = comparison.scenarios.length;
  return `${comparison.verdict.toUpperCase()}: ${compared} scenario${compared === 1 ? '' : 's'} compared (${counts})`;
}

function runText(run: Comparison['baseline']): string {
  const file = run.file === null ? '' : `\`${run.file}\`, `;
  const environment = run.environment === null ? 'environment unknown'
    : `${run.environment.provider}, Kubernetes ${run.environment.kubernetesVersion ?? 'unknown'}, ${run.environment.nodeCount ?? '?'} nodes, rebound ${run.environment.reboundVersion}`;
  return `${file}started ${run.startedAt}, ${run.verdict}; ${environment}`;
}

function sideText(side: SideSummary): string {
  const left = [
    side.undisrupted > 0 ? `${side.undisrupted} never broke` : '',
    side.unrecovered > 0 ? `${side.unrecovered} did not recover in time` : '',
    side.errors > 0 ? `${side.errors} ERROR` : '',
  ].filter((s) => s !== '');
  const times = side.recoveryTimesMs.map((ms) => seconds(ms)).join(', ');
  return `${side.trials} trial${side.trials === 1 ? '' : 's'}, ${side.recoveryTimesMs.length} measured` +
    `${left.length > 0 ? ` (left out: ${left.join(', ')})` : ''}${times === '' ? '' : `: ${times}`}`;
}

/** Keeps a cell's text from ending the cell or being read as Markdown. */
function escape(text: string): string {
  return text.replace(/([|\\*_`<>[\]])/g, '\\$1');
}

import { join } from 'node:path';
import {
  driftLines, environmentLine, formatDuration, formatPhase, formatSeconds, loadLines, millisBetween, operatorLines, reasonsOf, rolloutLines,
  scenarioFigures,
  trialsPassed, verdictCounts,
} from './figures.js';
import type { Reporter } from './reporter.js';
import type { RunResult, Verdict } from './result.js';
import { writeAtomic } from './write-atomic.js';

const ICONS: Readonly<Record<Verdict, string>> = { PASS: '✅', FAIL: '❌', ERROR: '⚠️', ABORTED: '⏹️' };

/**
 * Text from results as one table cell: GitHub renders HTML and Markdown inside cells, so a scenario name or a
 * reason must not open a tag, a link or emphasis, end the cell with `|`, or break the row with a newline.
 */
function cell(text: string): string {
  return text
    // Control characters (a terminal bell from a log line) have no place in a summary page.
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~#])/g, '\\$1')
    .replace(/\r?\n/g, '<br>')
    .trim();
}

/** The run as Markdown: a heading with the verdict and one table row per scenario, for a CI step summary. */
export function renderMarkdown(result: RunResult): string {
  const lines = [
    `## ${ICONS[result.verdict]} rebound: ${result.verdict}`,
    '',
    `${result.scenarios.length} scenario${result.scenarios.length === 1 ? '' : 's'}: ${verdictCounts(result.scenarios)} · `
      + `${result.mode === 'observe' ? 'observed (rebound observe: nothing injected)' : `seed ${result.seed}`} · ${cell(environmentLine(result.environment))} · took ${formatDuration(millisBetween(result.startedAt, result.finishedAt))}`,
    '',
    '| Scenario | Verdict | Trials passed | Median recovery | p95 recovery | Worst phase | Reasons |',
    '| --- | --- | --- | ---: | ---: | --- | --- |',
  ];
  for (const scenario of result.scenarios) {
    const figures = scenarioFigures(scenario);
    const worst = figures.worstPhase ? `${figures.worstPhase.phase} (${formatPhase(figures.worstPhase.medianMs)})` : '-';
    lines.push(`| ${[
      cell(scenario.name),
      `${ICONS[scenario.verdict]} ${scenario.verdict}`,
      trialsPassed(figures),
      formatSeconds(figures.medianRecoveryMs),
      formatSeconds(figures.p95RecoveryMs),
      worst,
      reasonsOf(scenario).map(cell).join('<br>'),
    ].join(' | ')} |`);
  }
  lines.push('', 'Recovery times are over the trials that broke. Worst phase: the pod replacement phase with the largest '
    + 'median duration over every replaced pod of every trial.');
  // Traffic under load and its k6 thresholds, trial by trial, for the scenarios that have spec.load.
  for (const scenario of result.scenarios.filter((s) => s.trials.some((t) => t.load))) {
    lines.push('', `### Load: ${cell(scenario.name)}`, '');
    for (const trial of scenario.trials) {
      if (!trial.load) continue;
      const [first, ...rest] = loadLines(trial.load);
      lines.push(`- trial ${trial.trial} (${trial.verdict}): ${cell(first ?? '')}`, ...rest.map((line) => `  - ${cell(line)}`));
    }
  }
  // Fields of the desired state that drifted, and who won them back.
  for (const scenario of result.scenarios.filter((s) => s.trials.some((t) => driftLines(t).length > 0))) {
    lines.push('', `### Drift: ${cell(scenario.name)}`, '');
    for (const trial of scenario.trials) {
      for (const line of driftLines(trial)) lines.push(`- trial ${trial.trial} (${trial.verdict}), ${cell(line)}`);
    }
  }
  // What the rollout faults did, trial by trial: revisions, stall, rollback time, lowest availability.
  for (const scenario of result.scenarios.filter((s) => s.trials.some((t) => (t.rollouts ?? []).length > 0))) {
    lines.push('', `### Rollouts: ${cell(scenario.name)}`, '');
    for (const trial of scenario.trials) {
      for (const rollout of trial.rollouts ?? []) {
        const [first, ...rest] = rolloutLines(rollout);
        lines.push(`- trial ${trial.trial} (${trial.verdict}): ${cell(first ?? '')}`, ...rest.map((line) => `  - ${cell(line)}`));
      }
    }
  }
  // What the people running `run --interactive` decided and typed, trial by trial.
  for (const scenario of result.scenarios.filter((s) => s.trials.some((t) => operatorLines(t).length > 0))) {
    lines.push('', `### From the room: ${cell(scenario.name)}`, '');
    for (const trial of scenario.trials) {
      for (const line of operatorLines(trial)) lines.push(`- trial ${trial.trial} (${trial.verdict}), ${cell(line)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `<out>/summary.md`, for a CI step summary (`cat summary.md >> "$GITHUB_STEP_SUMMARY"`) or a PR comment. */
export class MarkdownReporter implements Reporter {
  constructor(private readonly out: string) {}

  /** Where the file goes. */
  get file(): string {
    return join(this.out, 'summary.md');
  }

  onRunEnd(result: RunResult): void {
    writeAtomic(this.file, renderMarkdown(result));
  }
}

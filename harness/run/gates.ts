import { progress } from '../util/output.js';
import { gate, type ComparableRun } from '../compare/compare.js';
import { readComparableRun } from '../compare/load.js';
import { parseAlpha, parseMaxRegression } from '../compare/options.js';
import { renderTable, warningsOf, writeComparison } from '../compare/render.js';
import { UsageError } from '../errors.js';
import type { RunResult, ScenarioResult } from '../report/result.js';

/** A --matrix variable and its values. */
export interface Matrix {
  readonly name: string;
  readonly values: readonly string[];
}

/** Parses `--matrix VAR=a,b` (one variable, at least two distinct values). */
export function parseMatrix(options: readonly string[]): Matrix | undefined {
  if (options.length === 0) return undefined;
  if (options.length > 1) throw new UsageError('--matrix takes one variable (VAR=a,b); run once per variable to compare several.');
  const [option] = options as [string];
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(option);
  const values = match?.[2]?.split(',').map((v) => v.trim()) ?? [];
  if (!match?.[1] || values.length < 2 || values.some((v) => v === '') || new Set(values).size !== values.length) {
    throw new UsageError(`--matrix ${option}: write --matrix VAR=a,b with two or more different values`);
  }
  return { name: match[1], values };
}

/** Settings of the comparisons a run makes, from --max-regression and --alpha. */
export function compareSettings(
  maxRegression: string | undefined,
  alpha: number | undefined,
  seed: number,
): { maxRegression: number; alpha: number; seed: number } {
  return {
    maxRegression: parseMaxRegression(maxRegression ?? '10%'),
    alpha: parseAlpha(String(alpha ?? 0.05)),
    seed,
  };
}

/** Reads a results.json given to --baseline (exit 2 with one line when it is missing or invalid). */
export function readResults(file: string): ComparableRun {
  return readComparableRun(file, 'baseline').run;
}

function show(title: string, lines: readonly string[], warnings: readonly string[]): void {
  progress(`\n${title}`);
  for (const warning of warnings) progress(`WARNING: ${warning}`);
  for (const line of lines) progress(line);
}

/** The scenarios of one variant, named as in the variant-less run so the two sides match up. */
function variantRun(result: RunResult, label: string): RunResult {
  const scenarios: ScenarioResult[] = result.scenarios
    .filter((s) => s.variant === label)
    .map((s) => ({ ...s, name: s.name.replace(` [${label}]`, '') }));
  return { ...result, scenarios, vars: { ...result.vars, [label.split('=')[0] ?? '']: label.split('=').slice(1).join('=') } };
}

/**
 * After a --matrix run: compares every variant with the first (the baseline), writes compare.md and compare.json
 * (compare-<VAR>=<value>.* past the second variant) into the run's folder; true when a variant regressed.
 */
export function compareVariants(result: RunResult, matrix: Matrix, out: string, settings: ReturnType<typeof compareSettings>): boolean {
  const [first, ...others] = matrix.values.map((value) => `${matrix.name}=${value}`);
  if (!first) return false;
  const baseline = variantRun(result, first);
  let regressed = false;
  for (const [index, label] of others.entries()) {
    const { regressed: worse, comparison } = gate(baseline, variantRun(result, label), settings);
    regressed ||= worse;
    const dir = index === 0 ? out : `${out}/compare-${label.replace(/[^\w.=-]/g, '_')}`;
    const files = writeComparison(dir, comparison);
    show(`${label} against ${first} (interleaved trials):`, renderTable(comparison), warningsOf(comparison));
    progress(`comparison: ${files.markdown}`);
  }
  return regressed;
}

/** `run --baseline FILE`: compares this run with a committed baseline; true when recovery regressed. */
export function gateOnBaseline(
  baseline: ComparableRun,
  file: string,
  result: RunResult,
  out: string,
  settings: ReturnType<typeof compareSettings>,
): boolean {
  const { regressed, comparison } = gate(baseline, result, { ...settings, files: { baseline: file } });
  const files = writeComparison(out, comparison);
  show(`against the baseline ${file}:`, renderTable(comparison), warningsOf(comparison));
  progress(`comparison: ${files.markdown}`);
  return regressed;
}

import { dirname } from 'node:path';
import type { Command } from './command.js';
import { print, progress } from '../util/output.js';

interface CompareArgs {
  baseline: string;
  candidate: string;
  maxRegression: string;
  alpha: string;
  out?: string;
  seed?: string;
}

/**
 * `rebound compare <baseline> <candidate>`: is the candidate slower to heal than the baseline, or is it noise?
 * Exit 1 when a scenario regressed, 0 otherwise, 2 on bad input, so a regression gates like a failing test.
 */
export const compareCommand: Command<CompareArgs> = {
  command: 'compare <baseline> <candidate>',
  describe: 'compare the recovery times of two runs (results.json) and fail when the candidate regressed',
  builder: (yargs) => yargs
    .positional('baseline', { type: 'string', demandOption: true, describe: 'results.json of the reference run (or its folder)' })
    .positional('candidate', { type: 'string', demandOption: true, describe: 'results.json of the run under test (or its folder)' })
    .option('max-regression', { type: 'string', default: '10%', describe: 'slowdown of the median allowed before it is a regression' })
    .option('alpha', { type: 'string', default: '0.05', describe: 'significance level of the Mann-Whitney U test (the confidence interval is at 1 - alpha)' })
    .option('out', { type: 'string', describe: "folder for compare.md and compare.json (default: the candidate's folder)" })
    .option('seed', { type: 'string', describe: 'seed of the bootstrap resampling (default 0: the same inputs give the same intervals)' })
    .example('$0 compare reports/baselines/echo-v1/results.json reports/runs/latest/results.json', 'gate v2 of an operator on v1')
    .example('$0 compare base.json cand.json --max-regression 5% --alpha 0.01', 'a stricter gate'),
  run: async (args) => {
    const { UsageError } = await import('../errors.js');
    const { compareRuns } = await import('../compare/compare.js');
    const { readComparableRun } = await import('../compare/load.js');
    const { parseAlpha, parseMaxRegression } = await import('../compare/options.js');
    const { renderTable, warningsOf, writeComparison } = await import('../compare/render.js');
    const maxRegression = parseMaxRegression(args.maxRegression);
    const alpha = parseAlpha(args.alpha);
    const seed = args.seed === undefined ? undefined : Number(args.seed);
    if (seed !== undefined && !(/^\d+$/.test(args.seed ?? '') && Number.isSafeInteger(seed))) {
      throw new UsageError(`--seed ${args.seed ?? ''}: must be a whole number of 0 or more`);
    }
    const baseline = readComparableRun(args.baseline, 'baseline');
    const candidate = readComparableRun(args.candidate, 'candidate');
    const comparison = compareRuns(baseline.run, candidate.run, {
      maxRegression,
      alpha,
      seed,
      files: { baseline: baseline.file, candidate: candidate.file },
    });
    if (comparison.scenarios.length === 0) {
      throw new UsageError(
        `the two runs have no scenario in common (baseline: ${names(baseline.run.scenarios)}; candidate: ${names(candidate.run.scenarios)}): check the files`,
      );
    }
    for (const warning of warningsOf(comparison)) progress(`WARNING: ${warning}`);
    for (const line of renderTable(comparison)) print(line);
    const files = writeComparison(args.out ?? dirname(candidate.file), comparison);
    progress(`wrote ${files.markdown} and ${files.json}`);
    return comparison.verdict === 'regressed' ? 1 : 0;
  },
};

function names(scenarios: readonly { name: string }[]): string {
  return scenarios.length === 0 ? 'none' : scenarios.map((s) => s.name).join(', ');
}

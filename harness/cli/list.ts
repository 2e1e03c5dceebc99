import { UsageError } from '../errors.js';
import type { LabelSelector } from '../util/label-selector.js';
import type { ValidationIssue } from '../scenario/issues.js';
import type { Command } from './command.js';
import { print, progress } from '../util/output.js';

interface ListArgs {
  paths: string[];
  selector?: string;
  var: string[];
}

/** `rebound list <files|dirs...>`: the scenarios found, as a table, optionally filtered by their labels. */
export const listCommand: Command<ListArgs> = {
  command: 'list <paths..>',
  describe: 'list scenarios (name, file, trials, faults, labels)',
  builder: (yargs) => yargs
    .positional('paths', { type: 'string', array: true, describe: 'scenario files, or directories searched for *.yaml/*.yml of kind Scenario' })
    .option('selector', { alias: 'l', type: 'string', describe: 'only scenarios whose metadata.labels match, e.g. suite=smoke,tier!=slow' })
    .option('var', { type: 'string', array: true, default: [], describe: 'a value for ${NAME} in manifests and processes: NAME=value (repeatable)' })
    .example('$0 list scenarios/ --selector suite=smoke', 'the smoke suite'),
  run: async (args) => {
    const { expandScenarioArgs, loadScenarioFile, parseVarAssignments } = await import('../scenario/loader.js');
    const { ScenarioInvalidError } = await import('../scenario/issues.js');
    const rules = await import('../scenario/rules.js');
    let selector: LabelSelector | undefined;
    try {
      selector = args.selector === undefined ? undefined : rules.LabelSelector.parse(args.selector);
    } catch (error) {
      throw new UsageError(`--selector: ${error instanceof Error ? error.message : String(error)}`);
    }
    const vars = parseVarAssignments(args.var);
    const { files, errors } = await expandScenarioArgs(args.paths);
    const invalid: { file: string; errors: readonly ValidationIssue[] }[] = errors.map((error) => ({ file: error.file, errors: [error] }));
    const rows: string[][] = [];
    for (const file of files) {
      const result = await loadScenarioFile(file, { vars });
      if (result.scenario === undefined) {
        invalid.push({ file, errors: result.errors });
        continue;
      }
      const { metadata, spec } = result.scenario;
      if (selector !== undefined && !selector.matches(metadata.labels)) continue;
      rows.push([
        metadata.name,
        file,
        String(spec.trials),
        spec.faults.map((fault) => fault.kind).join(','),
        Object.entries(metadata.labels).map(([key, value]) => `${key}=${value}`).join(',') || '-',
      ]);
    }
    if (rows.length > 0) {
      const table = [['NAME', 'FILE', 'TRIALS', 'FAULTS', 'LABELS'], ...rows];
      const widths = table[0]?.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length))) ?? [];
      for (const row of table) print(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
    } else if (invalid.length === 0) {
      progress(selector === undefined ? 'no scenarios found' : `no scenario matches --selector ${args.selector ?? ''}`);
    }
    if (invalid.length > 0) throw new ScenarioInvalidError(invalid);
    return 0;
  },
};

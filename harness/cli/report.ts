import { dirname, join, resolve } from 'node:path';
import type { Command } from './command.js';

/** The options of `rebound report`. */
export interface ReportArgs {
  results: string;
  reporter: string[];
  out?: string;
}

/** `rebound report <results.json>`: renders a stored run again, with any reporters, without a cluster. */
export const reportCommand: Command<ReportArgs> = {
  command: 'report <results>',
  describe: 'render the reports (HTML, JUnit, Markdown) of a stored run from its results.json',
  builder: (yargs) => yargs
    .positional('results', { type: 'string', demandOption: true, describe: 'the results.json of a run, or its folder' })
    .option('reporter', {
      type: 'string', array: true, default: ['junit', 'markdown', 'html'],
      describe: 'reporter to run (repeatable, or comma-separated): console, json, junit, markdown, html',
    })
    .option('out', { type: 'string', describe: 'folder to write into (default: the folder of the results.json)' })
    .example('$0 report reports/runs/20260101-120000-abc123/results.json --reporter html --out /tmp/r', 'the HTML report of a stored run'),
  run: async (args) => {
    const { ReboundError } = await import('../errors.js');
    const { readRunResultFile } = await import('../report/load.js');
    const { createReporters } = await import('../report/registry.js');
    const { report } = await import('../report/reporter.js');
    const { progress } = await import('../util/output.js');
    const { statSync } = await import('node:fs');
    // A run's folder means its results.json, as for compare.
    const file = (() => { try { return statSync(args.results).isDirectory() ? join(args.results, 'results.json') : args.results; } catch { return args.results; } })();
    const out = resolve(args.out ?? dirname(file));
    // Names are checked before the file is read: a typo in --reporter is the cheaper mistake to report.
    const reporters = await createReporters(args.reporter, out);
    const result = await readRunResultFile(file);
    const failures = await report(reporters, 'onRunEnd', result);
    if (failures.length > 0) throw new ReboundError(`could not write every report into ${out}`, failures);
    progress(`reports of ${file} written to ${out}`);
    return 0;
  },
};

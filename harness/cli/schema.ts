import { UsageError } from '../errors.js';
import type { Command } from './command.js';
import { print, progress } from '../util/output.js';

interface SchemaArgs {
  out?: string;
  results: boolean;
}

/**
 * `rebound schema`: the JSON Schema of the scenario format, for editors (yaml-language-server) and other tools;
 * with --results, the JSON Schema of results.json, for tools that read runs.
 */
export const schemaCommand: Command<SchemaArgs> = {
  command: 'schema',
  describe: 'print the JSON Schema of the scenario format (or, with --results, of results.json)',
  builder: (yargs) => yargs
    .option('out', { type: 'string', describe: 'write it to this file instead of stdout' })
    .option('results', { type: 'boolean', default: false, describe: 'the schema of results.json instead of the scenario format' })
    .example('$0 schema --out docs/scenario.schema.json', 'regenerate the committed schema')
    .example('$0 schema --results --out docs/results.schema.json', 'regenerate the committed results schema'),
  run: async (args) => {
    const schema = args.results
      ? (await import('../report/result.js')).resultsJsonSchema()
      : (await import('../scenario/schema.js')).scenarioJsonSchema();
    const text = JSON.stringify(schema, null, 2);
    if (args.out === undefined) {
      print(text);
      return 0;
    }
    const { writeFile } = await import('node:fs/promises');
    try {
      await writeFile(args.out, `${text}\n`);
    } catch (error) {
      throw new UsageError(`cannot write ${args.out}: ${error instanceof Error ? error.message : String(error)}`);
    }
    progress(`wrote ${args.out}`);
    return 0;
  },
};

import { UsageError } from '../errors.js';
import type { Command } from './command.js';
import { print, progress } from './output.js';

interface SchemaArgs {
  out?: string;
}

/** `rebound schema`: the JSON Schema of the scenario format, for editors (yaml-language-server) and other tools. */
export const schemaCommand: Command<SchemaArgs> = {
  command: 'schema',
  describe: 'print the JSON Schema of the scenario format',
  builder: (yargs) => yargs
    .option('out', { type: 'string', describe: 'write it to this file instead of stdout' })
    .example('$0 schema --out docs/scenario.schema.json', 'regenerate the committed schema'),
  run: async (args) => {
    const { scenarioJsonSchema } = await import('../scenario/schema.js');
    const text = JSON.stringify(scenarioJsonSchema(), null, 2);
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

import type { Argv } from 'yargs';
import type { ExitCode } from '../errors.js';

/**
 * One CLI command. Its file stays light: `builder` only declares options, and `run` imports the heavy modules it
 * needs when it is called, so `rebound --help` or `rebound validate` never loads the Kubernetes client.
 */
export interface Command<A = Record<string, unknown>> {
  readonly command: string | readonly string[];
  readonly describe: string;
  readonly builder: (yargs: Argv) => Argv;
  readonly run: (args: A) => Promise<ExitCode>;
}

/** A command as the dispatcher holds it: yargs checked the options against its builder, so they are its own. */
export function anyCommand<A>(command: Command<A>): Command<unknown> {
  return { ...command, run: (args) => command.run(args as A) };
}

import yargs from 'yargs';
import { isReboundError, UsageError, type ExitCode } from '../errors.js';
import { oneLine } from '../util/one-line.js';
import { anyCommand, type Command } from './command.js';
import { clusterCommand } from './cluster.js';
import { compareCommand } from './compare.js';
import { demoCommand } from './demo.js';
import { doctorCommand } from './doctor.js';
import { listCommand } from './list.js';
import { observeCommand } from './observe.js';
import { recoverCommand } from './recover.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { schemaCommand } from './schema.js';
import { validateCommand } from './validate.js';

const COMMANDS: readonly Command<unknown>[] = [
  anyCommand(runCommand), anyCommand(observeCommand), anyCommand(recoverCommand), anyCommand(clusterCommand), anyCommand(doctorCommand),
  anyCommand(demoCommand), anyCommand(validateCommand), anyCommand(listCommand), anyCommand(schemaCommand), anyCommand(compareCommand),
  anyCommand(reportCommand),
];

/** The one place that ends the process: every error below is typed and turns into an exit code here. */
export async function main(argv: readonly string[]): Promise<void> {
  process.exit(await runCli(argv));
}

/** One command line, start to end, as the exit code it ends with (tests call it in process; main() exits with it). */
export async function runCli(argv: readonly string[]): Promise<ExitCode> {
  try {
    return await dispatch(argv);
  } catch (error) {
    return explain(error);
  }
}

async function dispatch(argv: readonly string[]): Promise<ExitCode> {
  let code: ExitCode = 0;
  let parser = yargs([...argv])
    .scriptName('rebound')
    .usage('$0 <command> [options]\n\nChaos testing that measures how fast Kubernetes heals itself.')
    .strict()
    .demandCommand(1, 'name a command; `rebound --help` lists them.')
    .recommendCommands()
    .exitProcess(false)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((message, error) => {
      if (error) throw error;
      throw new UsageError(message);
    });
  for (const command of COMMANDS) {
    parser = parser.command({
      command: command.command,
      describe: command.describe,
      builder: command.builder,
      handler: async (args) => {
        code = await command.run(args);
      },
    });
  }
  await parser.help().version().parseAsync();
  return code;
}

function explain(error: unknown): ExitCode {
  if (isReboundError(error)) {
    // Messages quote what users typed; one line each, whatever they typed.
    process.stderr.write(`rebound: ${oneLine(error.message)}\n`);
    for (const line of error.details) process.stderr.write(`  ${oneLine(line)}\n`);
    return error.exitCode;
  }
  process.stderr.write(`rebound: internal error (please report it): ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  return 2;
}

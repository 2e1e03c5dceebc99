import type { ValidationIssue } from '../scenario/issues.js';
import type { Command } from './command.js';
import { print, progress } from '../util/output.js';

interface ValidateArgs {
  paths: string[];
  var: string[];
}

/** `rebound validate <files|dirs...>`: every problem of every scenario, one `file:line:col: path: message` per line. */
export const validateCommand: Command<ValidateArgs> = {
  command: 'validate <paths..>',
  describe: 'check scenario files (and the manifests they use) without touching a cluster',
  builder: (yargs) => yargs
    .positional('paths', { type: 'string', array: true, describe: 'scenario files, or directories searched for *.yaml/*.yml of kind Scenario' })
    .option('var', { type: 'string', array: true, default: [], describe: 'a value for ${NAME} in manifests and processes: NAME=value (repeatable)' })
    .example('$0 validate scenarios/', 'check every scenario under scenarios/')
    .example('$0 validate web.yaml --var IMAGE=nginx:1.27', 'check one scenario whose manifests use ${IMAGE}'),
  run: async (args) => {
    const { expandScenarioArgs, loadScenarioFile, parseVarAssignments } = await import('../scenario/loader.js');
    const { ScenarioInvalidError, formatIssue } = await import('../scenario/issues.js');
    const vars = parseVarAssignments(args.var);
    const { files, errors } = await expandScenarioArgs(args.paths);
    const invalid: { file: string; errors: readonly ValidationIssue[] }[] = errors.map((error) => ({ file: error.file, errors: [error] }));
    for (const file of files) {
      const result = await loadScenarioFile(file, { vars });
      for (const warning of result.warnings) progress(`warning: ${formatIssue(warning)}`);
      if (result.scenario === undefined) {
        invalid.push({ file, errors: result.errors });
        continue;
      }
      const { metadata, spec } = result.scenario;
      const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
      const checks = spec.steadyState === undefined ? 'steady state derived' : count(spec.steadyState.length, 'check');
      const warned = result.warnings.length === 0 ? '' : `, ${count(result.warnings.length, 'warning')}`;
      print(`ok ${file}: ${metadata.name} (${count(spec.faults.length, 'fault')}, ${checks}, ${count(spec.desiredState.length, 'manifest')}, ${count(spec.trials, 'trial')}${warned})`);
    }
    if (invalid.length > 0) throw new ScenarioInvalidError(invalid);
    return 0;
  },
};

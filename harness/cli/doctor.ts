import type { Command } from './command.js';
import { print } from '../util/output.js';

interface DoctorArgs {
  json: boolean;
  k6?: string;
}

/** `rebound doctor`: which providers can work on this machine, and what to do about those that cannot. */
export const doctorCommand: Command<DoctorArgs> = {
  command: 'doctor',
  describe: 'check which cluster providers can work here and what each needs',
  builder: (yargs) => yargs
    .option('json', { type: 'boolean', default: false, describe: 'print the findings as JSON' })
    .option('k6', { type: 'string', describe: 'check this k6 binary instead of the k6 on PATH' }),
  run: async (args) => {
    const { diagnose, diagnoseTools } = await import('../cluster/doctor.js');
    const findings = await diagnose();
    const tools = await diagnoseTools(args.k6);
    if (args.json) {
      print(JSON.stringify({ providers: findings, tools }, null, 2));
    } else {
      for (const provider of findings) {
        print(`${provider.usable ? 'ok  ' : 'no  '} ${provider.provider.padEnd(11)} ${provider.summary}`);
        for (const check of provider.checks) {
          print(`       ${check.ok ? '+' : '-'} ${check.what}: ${check.detail}`);
          if (!check.ok && check.fix) print(`         fix: ${check.fix}`);
        }
      }
      print('tools (optional)');
      for (const check of tools) {
        print(`       ${check.ok ? '+' : '-'} ${check.what}: ${check.detail}`);
        if (!check.ok && check.fix) print(`         fix: ${check.fix}`);
      }
    }
    return findings.some((p) => p.usable) ? 0 : 2;
  },
};

import type { Command } from './command.js';
import { print } from './output.js';

interface DoctorArgs {
  json: boolean;
}

/** `rebound doctor`: which providers can work on this machine, and what to do about those that cannot. */
export const doctorCommand: Command<DoctorArgs> = {
  command: 'doctor',
  describe: 'check which cluster providers can work here and what each needs',
  builder: (yargs) => yargs.option('json', { type: 'boolean', default: false, describe: 'print the findings as JSON' }),
  run: async (args) => {
    const { diagnose } = await import('../cluster/doctor.js');
    const findings = await diagnose();
    if (args.json) {
      print(JSON.stringify(findings, null, 2));
    } else {
      for (const provider of findings) {
        print(`${provider.usable ? 'ok  ' : 'no  '} ${provider.provider.padEnd(11)} ${provider.summary}`);
        for (const check of provider.checks) {
          print(`       ${check.ok ? '+' : '-'} ${check.what}: ${check.detail}`);
          if (!check.ok && check.fix) print(`         fix: ${check.fix}`);
        }
      }
    }
    return findings.some((p) => p.usable) ? 0 : 2;
  },
};

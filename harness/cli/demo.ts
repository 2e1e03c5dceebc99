import { join, relative } from 'node:path';
import type { Command } from './command.js';
import { print } from '../util/output.js';

interface DemoArgs {
  keepCluster: boolean;
  trials?: number;
}

/**
 * `rebound demo` (what `npm run demo` runs): runs every example of scenarios/ on the embedded cluster (started for
 * it and stopped after, unless it was already up). The examples named fail-* are meant to FAIL, so the demo
 * succeeds when every example got the verdict it was written for.
 */
export const demoCommand: Command<DemoArgs> = {
  command: 'demo',
  describe: 'run the example scenarios on the embedded cluster',
  builder: (yargs) => yargs
    .option('keep-cluster', { type: 'boolean', default: false, describe: 'leave the cluster running afterwards' })
    .option('trials', { type: 'number', describe: "override the examples' trial counts" }),
  run: async (args) => {
    const { performRun } = await import('../run/command.js');
    const { packageRoot } = await import('../util/paths.js');
    const outcome = await performRun({
      // Relative to where the demo runs (the package root under npm), so reports name files as users know them.
      paths: [relative(process.cwd(), join(packageRoot(), 'scenarios')) || '.'],
      cluster: 'local',
      nodes: 3,
      allowContext: [],
      // The examples that compare settings take them as variables; these are the demo's choices.
      var: ['RECONCILE_DELAY=0s', 'READY_DELAY=3s'],
      // scenarios/kind/ needs real containers (--provider kind); the demo runs on the embedded cluster.
      selector: 'suite notin (kind,k6)',
      dryRun: false,
      keepCluster: args.keepCluster,
      logLevel: 'debug',
      ...(args.trials === undefined ? {} : { trials: args.trials }),
    });
    if (typeof outcome === 'number') return outcome;
    const surprises = outcome.result.scenarios.filter((s) => {
      const expected = /(^|\/)fail-[^/]*$/.test(s.file) ? 'FAIL' : 'PASS';
      return s.verdict !== expected;
    });
    print('');
    if (surprises.length === 0) {
      print(`demo: every example got the verdict it was written for (the fail-* examples are meant to FAIL). Report: ${join(outcome.out, 'results.json')}`);
      return 0;
    }
    for (const s of surprises) print(`demo: ${s.name} (${s.file}) was ${s.verdict}, not what it was written for: ${s.reason ?? ''}`);
    print(`Report: ${join(outcome.out, 'results.json')}`);
    return 2;
  },
};

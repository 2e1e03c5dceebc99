import type { ObserveArgs } from '../run/args.js';
import type { Command } from './command.js';

/** `rebound observe <scenario>`: measure breaks someone else causes, by the same rules as run. */
export const observeCommand: Command<ObserveArgs> = {
  command: 'observe <scenario>',
  describe: 'watch workloads already deployed while people (or another chaos tool) break things; measure each break and recovery like run',
  builder: (yargs) => yargs
    .positional('scenario', { type: 'string', describe: 'the scenario file: its steady state, expect, and the faults whose targets to watch' })
    .option('namespace', { type: 'string', describe: 'namespace the workloads run in (default: spec.namespace)' })
    .option('cluster', { type: 'string', describe: 'name of a local cluster that is up (default "local"); observe never starts one' })
    .option('kubeconfig', { type: 'string', describe: 'kubeconfig of an existing cluster (a kind cluster: --context kind-<name>)' })
    .option('context', { type: 'string', describe: 'kube context to use' })
    .option('allow-context', { type: 'string', array: true, default: [], describe: 'allow a kube context (glob) besides kind-*, rebound-*, kwok-* on this machine (also: allowContexts in a config file)' })
    .option('out', { type: 'string', describe: 'report folder (default reports/runs/<timestamp>-<id>/)' })
    .option('trials', { type: 'number', describe: 'end after this many breaks and recoveries (default spec.trials)' })
    .option('duration', { type: 'string', describe: 'watch for breaks this long, e.g. 30m (default spec.timeout); a trial under way is measured to its end' })
    .option('var', { type: 'string', array: true, default: [], describe: 'KEY=VALUE for ${KEY} in the scenario (repeatable)' })
    .option('reporter', { type: 'string', array: true, describe: 'reporters (repeatable or comma-separated): console, json, junit, markdown, html (default: all)' })
    .option('log-level', { choices: ['debug', 'info', 'warn'] as const, default: 'debug', describe: 'level of <out>/run.log' })
    .example('$0 observe scenarios/deployment-pod-kill.yaml --namespace shop --duration 1h', 'measure a game day: every pod someone deletes')
    .epilogue('observe applies nothing and injects nothing: the desired state must be deployed already. Each break (a target of '
      + "the scenario's faults deleted, restarted, NotReady, cordoned..., or the steady state ceasing to hold) and its recovery "
      + 'is one trial, judged as run judges it; faults appear in the reports with kind `observed`. Ctrl-C ends the observation: '
      + 'a trial under way is ABORTED, otherwise the trials measured give the verdict. Nothing broken at all: ERROR (exit 2).'),
  run: async (args) => {
    // As run: listening for Ctrl-C before the engine's modules load, so a signal is never lost.
    const { RunInterrupt } = await import('../run/interrupt.js');
    const { progress } = await import('../util/output.js');
    const interrupt = new RunInterrupt(progress, 'ending the observation: a trial under way is ABORTED; writing the reports');
    const { executeObserve } = await import('../run/observe-command.js');
    return executeObserve(args, interrupt);
  },
};

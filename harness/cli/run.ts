import { UsageError } from '../errors.js';
import type { RunArgs } from '../run/args.js';
import type { Command } from './command.js';
import { PROVIDER_KINDS } from '../cluster/provider.js';

/** `rebound run <files|dirs...>`: apply, break, measure recovery, undo, and give verdicts. */
export const runCommand: Command<RunArgs> = {
  command: 'run <paths..>',
  describe: 'run scenarios: apply the desired state, inject faults, measure recovery, give verdicts',
  builder: (yargs) => yargs
    .positional('paths', { type: 'string', array: true, describe: 'scenario files, or folders to search for them' })
    .option('provider', { choices: PROVIDER_KINDS, describe: 'cluster to run against (default: kubeconfig when --kubeconfig/--context is given, else local)' })
    .option('cluster', { type: 'string', describe: 'name of the local or kind cluster (started for the run if it is not up, and stopped after; default "local", or "rebound" for kind)' })
    .option('nodes', { type: 'number', describe: 'nodes of a cluster the run starts (default 3; kind: 1 control plane + workers); one already up is used at its size' })
    .option('failure-detection', { choices: ['fast', 'kubernetes'] as const, describe: 'local, kind: how fast a cluster the run creates notices a lost node (default fast: 6 s grace, 2 s tolerations; kubernetes: 50 s, 300 s); a cluster already up must have been started with it' })
    .option('container-runtime', { choices: ['docker', 'podman'] as const, describe: 'kind: the container engine (default: the one that answers)' })
    .option('kubeconfig', { type: 'string', describe: 'kubeconfig of an existing cluster (provider kubeconfig)' })
    .option('context', { type: 'string', describe: 'kube context to use (provider kubeconfig)' })
    .option('allow-context', { type: 'string', array: true, default: [], describe: 'allow a kube context (glob) besides kind-*, rebound-*, kwok-* on this machine (also: allowContexts in a config file)' })
    .option('out', { type: 'string', describe: 'report folder (default reports/runs/<timestamp>-<id>/)' })
    .option('trials', { type: 'number', describe: "override every scenario's spec.trials" })
    .option('seed', { type: 'number', describe: 'seed of the target choice (default: random; recorded in the report)' })
    .option('var', { type: 'string', array: true, default: [], describe: 'KEY=VALUE for ${KEY} in manifests (repeatable)' })
    .option('selector', { type: 'string', describe: 'run only scenarios whose labels match (k=v,...)' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'print the plan and touch nothing' })
    .option('keep-cluster', { type: 'boolean', default: false, describe: 'leave a local or kind cluster this run started running' })
    .option('matrix', { type: 'string', array: true, describe: 'VAR=a,b: run each scenario once per value, interleaved trial by trial, and compare them' })
    .option('baseline', { type: 'string', describe: 'results.json of a baseline run: exit 1 when recovery regressed against it' })
    .option('update-baseline', { type: 'boolean', default: false, describe: 'write this run as the --baseline file instead of gating' })
    .option('max-regression', { type: 'string', default: '10%', describe: 'allowed slowdown of median recovery for --baseline and --matrix' })
    .option('alpha', { type: 'number', default: 0.05, describe: 'significance level for --baseline and --matrix' })
    .option('reporter', { type: 'string', array: true, describe: 'reporters (repeatable or comma-separated): console, json, junit, markdown, html (default: all)' })
    .option('k6', { type: 'string', describe: 'the k6 binary for scenarios whose spec.load runs a k6 script (default: k6 on PATH; rebound does not ship k6)' })
    .option('cluster-ledger', { type: 'boolean', describe: 'record each change in the cluster too (ConfigMaps in namespace rebound-system) before it is made, for `rebound recover` on any machine; default: on for --provider kubeconfig (a cluster other machines share), off for local and kind (--no-cluster-ledger turns it off)' })
    .option('interactive', { type: 'boolean', default: false, describe: 'game day: before each trial\'s first fault show what it will hit and wait for g (go), s (skip the trial) or a (abort); show the recovery live; lines typed are notes in the reports. Needs a terminal on stdin' })
    .option('log-level', { choices: ['debug', 'info', 'warn'] as const, default: 'debug', describe: 'level of <out>/run.log' })
    .example('$0 run scenarios/', 'run every example on the embedded cluster')
    .example('$0 run scenarios/operator-echo.yaml --var RECONCILE_DELAY=2s --trials 5', 'measure a slower operator'),
  run: async (args) => {
    // Listening for Ctrl-C before the engine's modules load (they take a moment): a signal is never lost.
    const { RunInterrupt } = await import('../run/interrupt.js');
    const { progress } = await import('../util/output.js');
    const interrupt = new RunInterrupt(progress);
    if (!args.interactive) {
      const { executeRun } = await import('../run/command.js');
      return executeRun(args, interrupt);
    }
    // Nobody could answer a prompt read from a pipe, a file or a CI runner's empty stdin: refused, never waited on.
    if (process.stdin.isTTY !== true) {
      interrupt.uninstall();
      throw new UsageError('--interactive needs a person at a terminal, and stdin is not one (a pipe, a file, or CI): nobody could answer its prompts. Run without --interactive for an unattended run.');
    }
    if (args.dryRun) {
      interrupt.uninstall();
      throw new UsageError('--interactive and --dry-run: a dry run injects nothing, so there is nothing to confirm; drop one of them.');
    }
    const { TerminalOperator } = await import('./interactive/terminal-operator.js');
    const operator = new TerminalOperator({
      input: process.stdin,
      output: process.stderr,
      // Drawn in place on a terminal; appended lines when stderr goes to a file or a pipe (tee), or under CI.
      live: process.stderr.isTTY === true && process.env.CI !== 'true',
      onAbort: () => interrupt.abortByOperator(),
      // In raw mode the terminal no longer turns Ctrl-C into SIGINT: it is sent on, so it takes the signal path.
      onInterrupt: () => { process.kill(process.pid, 'SIGINT'); },
    });
    try {
      const { executeRun } = await import('../run/command.js');
      return await executeRun(args, interrupt, operator);
    } finally {
      operator.close();
    }
  },
};

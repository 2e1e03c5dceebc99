import { UsageError } from '../errors.js';
import type { Command } from './command.js';
import { print, progress } from '../util/output.js';
import { PROVIDER_KINDS, type ProviderKind } from '../cluster/provider.js';

interface RecoverArgs {
  provider?: ProviderKind;
  cluster?: string;
  kubeconfig?: string;
  context?: string;
  force: boolean;
}

/**
 * `rebound recover`: undoes what runs that were killed (or otherwise ended without cleaning up) left in a cluster,
 * from their journals in ~/.rebound/ledger/ and the cluster's own ledger (ConfigMaps in namespace rebound-system,
 * written by runs on any machine). `rebound run` refuses a cluster until this has run.
 */
export const recoverCommand: Command<RecoverArgs> = {
  command: 'recover',
  describe: 'undo what killed runs left in a cluster (stopped nodes, cordons, taints, scaled workloads, processes, objects, namespaces)',
  builder: (yargs) => yargs
    .option('provider', { choices: PROVIDER_KINDS, describe: 'the cluster\'s provider (default: kubeconfig when --kubeconfig/--context is given, else local)' })
    .option('cluster', { type: 'string', describe: 'name of the local or kind cluster (default "local", or "rebound" for kind)' })
    .option('kubeconfig', { type: 'string', describe: 'kubeconfig of the cluster (provider kubeconfig)' })
    .option('context', { type: 'string', describe: 'kube context (provider kubeconfig)' })
    .option('force', { type: 'boolean', default: false, describe: 'also undo what runs on other machines recorded in the cluster while their heartbeat still ticks (they then change nothing more)' })
    .example('$0 recover', 'undo what a killed `rebound run` left in the local cluster')
    .example('$0 recover --provider kind --cluster rebound', 'the same for a kind cluster')
    .example('$0 recover --kubeconfig ~/.kube/config --context staging', 'a shared cluster: also what runs on other machines left'),
  run: async (given) => {
    // The cluster of the config files (as `run` takes it from the folder it runs in) when none is named here.
    const { loadUserConfig, namesCluster, withClusterChoice } = await import('../config/user-config.js');
    const config = loadUserConfig([process.cwd()]);
    const args = withClusterChoice(given, config);
    if (!namesCluster(given)) for (const file of config.files) progress(`config: ${file}`);
    const { journalIdentity } = await import('../run/journal.js');
    const { chosenProvider } = await import('../cluster/registry.js');
    const { recover } = await import('../run/recover.js');
    // The provider refuses another's flags, then finds its cluster and the machinery to undo changes with.
    const provider = chosenProvider(args);
    const target = await provider.recoveryTarget(args);
    const identity = journalIdentity(target.identity);
    const { ClusterLedger } = await import('../run/cluster-journal.js');
    // The records in the cluster too: what runs on other machines (or with --cluster-ledger) left.
    const outcome = await recover(identity, target, progress, { ledger: new ClusterLedger(target.kube), force: args.force });
    for (const line of outcome.running) print(`left alone: ${line}`);
    for (const file of outcome.unreadable) print(`cannot read ${file}: not a rebound journal; left as it is`);
    if (outcome.running.length > 0 && outcome.problems.length === 0 && outcome.undone.length === 0) {
      // Nothing undone because a run is going: not "nothing to undo".
      print(`nothing undone: ${outcome.running.length} run${outcome.running.length === 1 ? ' is' : 's are'} still going`);
      return 0;
    }
    if (outcome.problems.length > 0) {
      throw new UsageError(`recover undid ${outcome.undone.length} step${outcome.undone.length === 1 ? '' : 's'} but not these (they stay in the journal; run recover again once the cause is fixed):`, outcome.problems);
    }
    print(outcome.undone.length === 0 ? `nothing to undo in the ${provider.kind} cluster ${identity.name}` : `undone: ${outcome.undone.length} step${outcome.undone.length === 1 ? '' : 's'}; the cluster is as the runs found it`);
    return 0;
  },
};

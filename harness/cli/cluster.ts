import type { Command } from './command.js';
import { print, progress } from './output.js';

type Action = 'up' | 'down' | 'status' | 'kubeconfig' | 'build';

interface ClusterArgs {
  action: Action;
  name: string;
  nodes: number;
  apiPort?: number;
  json: boolean;
}

/** `rebound cluster up|down|status|kubeconfig|build`: the embedded local cluster (real control plane, kwok nodes). */
export const clusterCommand: Command<ClusterArgs> = {
  command: 'cluster <action>',
  describe: 'manage the embedded local cluster (real control plane, kwok nodes)',
  builder: (yargs) => yargs
    .positional('action', {
      choices: ['up', 'down', 'status', 'kubeconfig', 'build'] as const,
      describe: 'up: start (idempotent) | down: stop everything and remove its state | status | kubeconfig: print the kubeconfig path | build: build the binaries only',
    })
    .option('name', { type: 'string', default: 'local', describe: 'cluster name (a folder under $REBOUND_HOME/clusters)' })
    .option('nodes', { type: 'number', default: 3, describe: 'number of nodes (up)' })
    .option('api-port', { type: 'number', describe: 'API server port on 127.0.0.1 (up; default: a free port)' })
    .option('json', { type: 'boolean', default: false, describe: 'status as JSON' })
    .example('$0 cluster up --nodes 3', 'start the cluster "local" with 3 Ready nodes')
    .example('kubectl --kubeconfig "$($0 cluster kubeconfig)" get nodes', 'use it with kubectl'),
  run: async (args) => {
    const local = await import('../cluster/local/cluster.js');
    switch (args.action) {
      case 'up': {
        const { state } = await local.up({ name: args.name, nodes: args.nodes, apiPort: args.apiPort }, progress);
        print(`kubeconfig: ${state.kubeconfig}`);
        return 0;
      }
      case 'down':
        await local.down(args.name, progress);
        return 0;
      case 'kubeconfig':
        print(local.requireState(args.name).kubeconfig);
        return 0;
      case 'build': {
        const { ensureBinaries } = await import('../cluster/local/binaries.js');
        const binaries = await ensureBinaries(progress);
        for (const [family, version] of Object.entries(binaries.versions)) print(`${family} ${version}`);
        return 0;
      }
      case 'status': {
        const status = await local.status(args.name);
        if (args.json) {
          print(JSON.stringify(status, null, 2));
        } else {
          print(`cluster ${status.name}: ${status.healthy ? 'up' : 'DEGRADED'} at ${status.apiServer}`);
          print(`kubeconfig: ${status.kubeconfig}`);
          print(`versions: ${Object.entries(status.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
          for (const c of status.components) print(`  ${c.name.padEnd(26)} ${c.state.padEnd(8)} pid ${c.pid ?? '-'}`);
          for (const n of status.nodes) {
            const ready = n.ready === undefined ? 'unknown' : n.ready ? 'Ready' : 'NotReady';
            print(`  node ${n.name.padEnd(21)} ${n.agent.state.padEnd(8)} pid ${String(n.agent.pid ?? '-').padEnd(8)} ${ready}`);
          }
        }
        return status.healthy ? 0 : 1;
      }
    }
  },
};

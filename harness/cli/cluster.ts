import { UsageError } from '../errors.js';
import type { Command } from './command.js';
import { print, progress } from '../util/output.js';
import { MANAGED_PROVIDERS, type ManagedProvider } from '../cluster/provider.js';

type Action = 'up' | 'down' | 'status' | 'kubeconfig' | 'build' | 'image' | 'load';

interface ClusterArgs {
  action: Action;
  provider: ManagedProvider;
  name?: string;
  nodes?: number;
  dedicatedNodes?: number;
  apiPort?: number;
  auditDetail?: boolean;
  failureDetection?: 'fast' | 'kubernetes';
  containerRuntime?: 'docker' | 'podman';
  nodeImage?: string;
  image?: string[];
  json: boolean;
}

/** A cluster that is gone takes the changes killed runs left in it along: their journals are of no use any more. */
async function forgetChanges(provider: ManagedProvider, name: string): Promise<void> {
  const { forgetJournals } = await import('../run/journal.js');
  const forgotten = forgetJournals(provider, name);
  if (forgotten > 0) progress(`forgot ${forgotten} change${forgotten === 1 ? '' : 's'} that killed runs had left in it (the cluster is gone)`);
}

/** `rebound cluster up|down|status|kubeconfig|build|image`: the embedded local cluster, or a kind cluster. */
export const clusterCommand: Command<ClusterArgs> = {
  command: 'cluster <action>',
  describe: 'manage a test cluster: the embedded local one (real control plane, kwok nodes) or kind (real containers)',
  builder: (yargs) => yargs
    .positional('action', {
      choices: ['up', 'down', 'status', 'kubeconfig', 'build', 'image', 'load'] as const,
      describe: 'up: start (idempotent) | down: stop everything and remove its state | status | kubeconfig: print the kubeconfig path | build: build the local cluster\'s binaries only | image: build the kind node image only | load: copy --image images into every kind node',
    })
    .option('provider', { choices: MANAGED_PROVIDERS, default: 'local' as const, describe: 'local: the embedded cluster | kind: nodes in containers, from rebound\'s offline node image' })
    .option('name', { type: 'string', describe: 'cluster name (default "local"; "rebound" for kind)' })
    .option('nodes', { type: 'number', describe: 'number of nodes (up; default 3; local: up to 1000; kind: 1 control plane + workers)' })
    .option('dedicated-nodes', { type: 'number', describe: 'local (up): how many nodes (the first ones) get an agent of their own, the ones node faults can stop; the others share one agent with slower leases (label rebound.dev/node-agent=bulk). Default: every node up to 50 nodes, else 5' })
    .option('api-port', { type: 'number', describe: 'API server port on 127.0.0.1 (up; default: a free port)' })
    .option('audit-detail', { type: 'boolean', describe: 'local (up): the audit log also keeps the bodies of pod, pod status and EndpointSlice writes (RequestResponse level), as the fidelity benchmark needs; off when the cluster is created without it. A cluster already up with the other level is refused.' })
    .option('failure-detection', { choices: ['fast', 'kubernetes'] as const, describe: 'up: how fast the cluster notices a lost node; fast (default): 6 s grace period and 2 s tolerations; kubernetes: its defaults, 50 s and 300 s (what a local cluster of hundreds of nodes needs: its shared node agent cannot renew leases within 6 s under pod churn on a small machine)' })
    .option('container-runtime', { choices: ['docker', 'podman'] as const, describe: 'kind: the container engine (default: the one that answers)' })
    .option('node-image', { type: 'string', describe: 'kind (up): a node image of your own (e.g. kindest/node:v1.34.0, pulled by kind) instead of the one rebound builds offline' })
    .option('image', { type: 'string', array: true, describe: 'kind (load): images of the local image store to load into every node' })
    .option('json', { type: 'boolean', default: false, describe: 'status as JSON' })
    .example('$0 cluster up --nodes 3', 'start the cluster "local" with 3 Ready nodes')
    .example('$0 cluster up --nodes 500 --dedicated-nodes 5', '500 nodes: node-1..node-5 with agents of their own (node faults can stop them), 495 sharing one')
    .example('$0 cluster up --provider kind --nodes 3', 'create kind cluster "rebound": 1 control plane + 2 workers')
    .example('$0 cluster load --provider kind --image my-operator:ci', 'make an image built here available to the kind nodes')
    .example('kubectl --kubeconfig "$($0 cluster kubeconfig)" get nodes', 'use it with kubectl'),
  run: (args) => ACTIONS[args.provider](args),
};

/** `cluster ACTION` on the embedded local cluster. */
async function localAction(args: ClusterArgs): Promise<0 | 1> {
  if (args.containerRuntime !== undefined) throw new UsageError('--container-runtime goes with --provider kind; the local cluster has no containers.');
  if (args.failureDetection !== undefined && args.action !== 'up') throw new UsageError('--failure-detection goes with `cluster up`.');
  if (args.action === 'image' || args.action === 'load') throw new UsageError(`\`cluster ${args.action}\` works on kind clusters: add --provider kind.`);
  if (args.nodeImage !== undefined || args.image !== undefined) throw new UsageError('--node-image and --image go with --provider kind.');
  if (args.auditDetail !== undefined && args.action !== 'up') throw new UsageError('--audit-detail goes with `cluster up`.');
  if (args.dedicatedNodes !== undefined && args.action !== 'up') throw new UsageError('--dedicated-nodes goes with `cluster up`.');
  const local = await import('../cluster/local/cluster.js');
  const name = args.name ?? 'local';
  switch (args.action) {
    case 'up': {
      const { state } = await local.up({
        name, nodes: args.nodes, dedicatedNodes: args.dedicatedNodes, apiPort: args.apiPort, auditDetail: args.auditDetail,
        failureDetection: args.failureDetection,
      }, progress);
      print(`kubeconfig: ${state.kubeconfig}`);
      return 0;
    }
    case 'down':
      await local.down(name, progress);
      await forgetChanges('local', name);
      return 0;
    case 'kubeconfig':
      print(local.requireState(name).kubeconfig);
      return 0;
    case 'build': {
      const { ensureBinaries } = await import('../cluster/local/binaries.js');
      const binaries = await ensureBinaries(progress);
      for (const [family, version] of Object.entries(binaries.versions)) print(`${family} ${version}`);
      return 0;
    }
    case 'status': {
      const status = await local.status(name);
      if (args.json) {
        print(JSON.stringify(status, null, 2));
      } else {
        print(`cluster ${status.name}: ${status.healthy ? 'up' : 'DEGRADED'} at ${status.apiServer}; failure detection: ${status.failureDetection}`);
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
}

async function kindAction(args: ClusterArgs): Promise<0 | 1> {
  const kind = await import('../cluster/kind/cluster.js');
  const { DEFAULT_KIND_CLUSTER } = await import('../cluster/kind/settings.js');
  const name = args.name ?? DEFAULT_KIND_CLUSTER;
  if (args.action !== 'up' && (args.failureDetection !== undefined || args.apiPort !== undefined || args.nodeImage !== undefined)) {
    throw new UsageError('--failure-detection, --api-port and --node-image go with `cluster up`.');
  }
  if (args.action !== 'load' && args.image !== undefined) throw new UsageError('--image goes with `cluster load`.');
  if (args.auditDetail !== undefined) throw new UsageError('--audit-detail goes with the local cluster; a kind cluster keeps its own audit settings.');
  if (args.dedicatedNodes !== undefined) throw new UsageError('--dedicated-nodes goes with the local cluster; every kind node is a container of its own.');
  switch (args.action) {
    case 'up': {
      const { state } = await kind.kindUp({
        name, nodes: args.nodes, apiPort: args.apiPort, failureDetection: args.failureDetection, containerRuntime: args.containerRuntime,
        ...(args.nodeImage === undefined ? {} : { nodeImage: args.nodeImage }),
      }, progress);
      print(`kubeconfig: ${state.kubeconfig}`);
      return 0;
    }
    case 'down':
      await kind.kindDown(name, progress, args.containerRuntime);
      await forgetChanges('kind', name);
      return 0;
    case 'kubeconfig':
      print(kind.requireKindState(name).kubeconfig);
      return 0;
    case 'load':
      if (!args.image || args.image.length === 0) throw new UsageError('`cluster load` needs at least one --image NAME.');
      await kind.kindLoadImages(name, args.image, progress);
      return 0;
    case 'build': {
      throw new UsageError('`cluster build` builds the local cluster\'s binaries; for kind use `rebound cluster image --provider kind` (the node image and the kind binary).');
    }
    case 'image': {
      const { ContainerEngine } = await import('../cluster/kind/engine.js');
      const { ensureKindBinary, ensureNodeImage } = await import('../cluster/kind/image.js');
      const engine = await ContainerEngine.detect(args.containerRuntime);
      print(await ensureNodeImage(engine, progress));
      print(await ensureKindBinary(progress));
      return 0;
    }
    case 'status': {
      const status = await kind.kindStatus(name);
      if (args.json) {
        print(JSON.stringify(status, null, 2));
      } else {
        print(`kind cluster ${status.name}: ${status.healthy ? 'up' : 'DEGRADED'} at ${status.apiServer}`);
        print(`kubeconfig: ${status.kubeconfig}`);
        print(`image: ${status.image}; failure detection: ${status.failureDetection}`);
        for (const n of status.nodes) {
          const ready = n.ready === undefined ? 'unknown' : n.ready ? 'Ready' : 'NotReady';
          print(`  node ${n.name.padEnd(30)} container ${n.container.padEnd(8)} ${ready}`);
        }
        const ports = Object.entries(status.publishedPorts).map(([nodePort, hostPort]) => `${nodePort} -> 127.0.0.1:${hostPort}`);
        if (ports.length > 0) print(`NodePorts published: ${ports.join(', ')}`);
      }
      return status.healthy ? 0 : 1;
    }
  }
}

/** What each action means for each provider whose clusters rebound makes. */
const ACTIONS: Readonly<Record<ManagedProvider, (args: ClusterArgs) => Promise<0 | 1>>> = { local: localAction, kind: kindAction };

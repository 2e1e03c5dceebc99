import { down, runningState, up } from '../local/cluster.js';
import { NodeAgents } from '../local/node-agents.js';
import { NodePortResponder } from '../local/node-ports.js';
import { contextName } from '../local/settings.js';
import { failureDetectionOf } from '../local/state.js';
import { timingsOf, type FailureDetection } from '../failure-detection.js';
import type { ProgressSink } from '../local/binaries.js';
import type { ClusterHandle, NodeControl } from '../provider.js';

/** Options of the local provider. */
export interface LocalOptions {
  readonly cluster: string;
  readonly nodes?: number;
  /** Leave a cluster this run started running afterwards. */
  readonly keepCluster: boolean;
  /** Use the cluster only if it is up already; never start, rebuild or stop it (observe touches nothing). */
  readonly attachOnly?: boolean;
  /** How fast a cluster this run starts notices a lost node; one already up must have been started with it. */
  readonly failureDetection?: FailureDetection;
}

/** Node faults on the local cluster act on the node's agent process (kwok), which plays its kubelet. */
export function localNodeControl(cluster: string): NodeControl {
  const agents = NodeAgents.of(cluster);
  return {
    // kill: SIGKILL at once; graceful: SIGTERM, then SIGKILL after 5 s if the agent is still there.
    stop: (node, options) => agents.stop(node, !options?.graceful),
    start: (node) => agents.start(node),
    restart: async (node) => {
      await agents.stop(node, true);
      await agents.start(node);
    },
    pause: async (node) => agents.pause(node),
    resume: async (node) => agents.resume(node),
  };
}

/**
 * The embedded cluster: used as it is when already up, else brought up for this run and brought down after it
 * (unless keepCluster).
 */
export async function acquireLocal(options: LocalOptions, progress: ProgressSink): Promise<ClusterHandle> {
  const { state, reused } = options.attachOnly ? { state: runningState(options.cluster), reused: true } : await up(
    { name: options.cluster, nodes: options.nodes, failureDetection: options.failureDetection },
    progress,
  );
  const startedHere = !reused;
  // For this run only: NodePorts answered on behalf of the simulated pods (node-ports.ts).
  const nodePorts = await NodePortResponder.start(state.kubeconfig, contextName(options.cluster));
  return {
    provider: 'local',
    name: options.cluster,
    kubeconfig: state.kubeconfig,
    context: contextName(options.cluster),
    createdAt: state.createdAt,
    nodeControl: localNodeControl(options.cluster),
    timings: timingsOf(failureDetectionOf(state)),
    variables: nodePorts.variables,
    release: async () => {
      await nodePorts.stop();
      if (startedHere && !options.keepCluster) await down(options.cluster, progress);
    },
  };
}

import { kindDown, kindUp } from '../kind/cluster.js';
import { ContainerEngine, type ContainerRuntime } from '../kind/engine.js';
import { kindContainerControl } from '../kind/container-control.js';
import { kindNetworkControl } from '../kind/network-control.js';
import { kindNodeControl } from '../kind/node-control.js';
import type { FailureDetection } from '../kind/settings.js';
import type { ProgressSink } from '../local/binaries.js';
import { nodePortVariable, type ClusterHandle } from '../provider.js';

/** Options of the kind provider. */
export interface KindOptions {
  readonly cluster: string;
  readonly nodes?: number;
  readonly keepCluster: boolean;
  readonly failureDetection?: FailureDetection;
  readonly containerRuntime?: ContainerRuntime;
}

/**
 * A kind cluster built from rebound's node image: used as it is when already up, else created for this run and
 * deleted after it (unless keepCluster).
 */
export async function acquireKind(options: KindOptions, progress: ProgressSink): Promise<ClusterHandle> {
  const { state, reused } = await kindUp({
    name: options.cluster,
    nodes: options.nodes,
    failureDetection: options.failureDetection,
    containerRuntime: options.containerRuntime,
  }, progress);
  const engine = await ContainerEngine.detect(state.runtime);
  return {
    provider: 'kind',
    name: state.name,
    kubeconfig: state.kubeconfig,
    context: state.context,
    createdAt: state.createdAt,
    nodeControl: kindNodeControl(engine),
    containerControl: kindContainerControl(engine),
    networkControl: kindNetworkControl(engine, state.network),
    timings: state.timings,
    variables: Object.fromEntries(Object.entries(state.publishedPorts)
      .map(([nodePort, hostPort]) => [nodePortVariable(Number(nodePort)), `127.0.0.1:${hostPort}`])),
    release: async () => {
      if (!reused && !options.keepCluster) await kindDown(state.name, progress);
    },
  };
}

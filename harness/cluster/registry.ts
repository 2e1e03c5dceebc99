/**
 * The cluster providers, one entry each: how a run acquires its cluster, how observe attaches to one, what a dry run
 * finds without starting anything, what `rebound recover` reaches, what faults can count on, and how fast a lost
 * node can heal there. Commands look the provider up here instead of asking for its name; a new provider is one
 * more entry (and its name in PROVIDER_KINDS), checked by the compiler to have every part.
 */
import { UsageError } from '../errors.js';
import type { ContextAllowance } from './context-guard.js';
import { existingKindClusters, requireKindState } from './kind/cluster.js';
import { ContainerEngine, type ContainerRuntime } from './kind/engine.js';
import { kindNetworkControl } from './kind/network-control.js';
import { kindNodeControl } from './kind/node-control.js';
import { DEFAULT_KIND_CLUSTER } from './kind/settings.js';
import { leastNodeRecoverySeconds, type FailureDetection } from './failure-detection.js';
import { clientsFor, loadKubeconfig, type KubeClients } from './kube.js';
import type { ProgressSink } from './local/binaries.js';
import { contextName, DEFAULT_CLUSTER_NAME } from './local/settings.js';
import { failureDetectionOf, readState } from './local/state.js';
import {
  PROVIDER_KINDS, providerOf, type ClusterCapabilities, type ClusterHandle, type NetworkControl, type NodeControl, type ProviderKind,
} from './provider.js';
import { acquireKind } from './providers/kind.js';
import { acquireKubeconfig, guardedContext, kubeconfigFile } from './providers/kubeconfig.js';
import { acquireLocal, localNodeControl } from './providers/local.js';

/** What a command line (and the config files under it) says about the cluster; each provider reads its part. */
export interface ClusterRequest {
  readonly provider?: ProviderKind;
  /** A local or kind cluster's name. */
  readonly cluster?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  /** Nodes of a cluster the run starts. */
  readonly nodes?: number;
  /** Leave a cluster the run started running afterwards. */
  readonly keepCluster?: boolean;
  readonly failureDetection?: FailureDetection;
  readonly containerRuntime?: ContainerRuntime;
  /** Contexts allowed explicitly (--allow-context, config files). */
  readonly allowances?: readonly ContextAllowance[];
}

/** The cluster a dry run would use, when it is already there (a dry run starts nothing), and how to say which. */
export interface FoundCluster {
  readonly kube?: KubeClients;
  readonly name: string;
  /** One line for people: which cluster, and whether it is up. */
  readonly line: string;
}

/** What `rebound recover` reaches in a cluster: which cluster it is (as journals name it), and its machinery. */
export interface RecoveryTarget {
  readonly identity: {
    readonly provider: ProviderKind;
    readonly name: string;
    readonly kubeconfig: string;
    readonly context?: string;
    readonly createdAt?: string;
  };
  readonly kube: KubeClients;
  readonly nodeControl?: NodeControl;
  readonly networkControl?: NetworkControl;
}

/** One provider of clusters. */
export interface Provider {
  readonly kind: ProviderKind;
  /** What the handles `acquire` gives can do beyond the Kubernetes API (what a dry run plans with). */
  readonly capabilities: ClusterCapabilities;
  /**
   * Its clusters may be shared with other machines: a run keeps its changes in the in-cluster ledger by default, and
   * always reads what others left there.
   */
  readonly shared: boolean;
  /**
   * The cluster for a run, after refusing the flags of another provider (nothing is touched before): started (and
   * stopped by release) when the provider makes clusters and it is not up.
   */
  acquire(request: ClusterRequest, progress: ProgressSink): Promise<ClusterHandle>;
  /**
   * `rebound observe`: a cluster that is up, never started nor stopped; absent when observe reaches this provider's
   * clusters another way (kind: through its kube context).
   */
  readonly attach?: (request: ClusterRequest, progress: ProgressSink) => Promise<ClusterHandle>;
  /** `run --dry-run`: the cluster the run would use, read only if it is up (past the guard for a shared one). */
  find(request: ClusterRequest): Promise<FoundCluster>;
  /** `rebound recover`: the cluster and the machinery to undo what killed runs left, after refusing foreign flags. */
  recoveryTarget(request: ClusterRequest): Promise<RecoveryTarget>;
  /** The flags of `rebound recover` that name this cluster, for the hint of a run that refuses it. */
  recoverFlags(cluster: { readonly name: string; readonly kubeconfig: string; readonly context?: string }): string;
  /** The least time a node fault can take to heal (detection + toleration), when the provider knows its settings. */
  leastNodeRecoverySeconds(request: ClusterRequest): number | undefined;
}

/** Run's flags that only kind takes. */
function refuseKindOnlyFlags(request: ClusterRequest): void {
  if (request.containerRuntime !== undefined) throw new UsageError('--container-runtime goes with --provider kind.');
}

/** Run's flags that only clusters rebound starts (local, kind) take. */
function refuseManagedOnlyFlags(request: ClusterRequest): void {
  refuseKindOnlyFlags(request);
  if (request.failureDetection !== undefined) throw new UsageError('--failure-detection goes with --provider local or kind: clusters rebound starts.');
}

/** recover's flags of an existing cluster, on a provider whose clusters are named with --cluster. */
function refuseContextFlagsInRecover(kind: ProviderKind, request: ClusterRequest): void {
  if (request.kubeconfig !== undefined || request.context !== undefined) {
    throw new UsageError(`--kubeconfig and --context go with --provider kubeconfig; a ${kind} cluster is named with --cluster.`);
  }
}

const byName = (cluster: { readonly name: string }, kind: ProviderKind): string => `--provider ${kind} --cluster ${cluster.name}`;

/** The embedded cluster: a real control plane, KWOK nodes whose agents rebound stops and starts. */
const local: Provider = {
  kind: 'local',
  capabilities: { nodes: true, containers: false, networks: false },
  shared: false,
  acquire: (request, progress) => {
    refuseKindOnlyFlags(request);
    if (request.kubeconfig !== undefined || request.context !== undefined) {
      throw new UsageError('--kubeconfig and --context go with --provider kubeconfig, not local.');
    }
    const keepCluster = request.keepCluster ?? false;
    const { failureDetection } = request;
    return acquireLocal({ cluster: request.cluster ?? DEFAULT_CLUSTER_NAME, nodes: request.nodes, keepCluster, failureDetection }, progress);
  },
  attach: (request, progress) => acquireLocal({ cluster: request.cluster ?? DEFAULT_CLUSTER_NAME, keepCluster: true, attachOnly: true }, progress),
  find: async (request) => {
    const name = request.cluster ?? DEFAULT_CLUSTER_NAME;
    const state = readState(name);
    if (!state) return { name, line: `local cluster "${name}": not up (the run would start it, and stop it after)` };
    return { kube: clientsFor(state.kubeconfig, contextName(name)), name, line: `local cluster "${name}" (up)` };
  },
  recoveryTarget: async (request) => {
    refuseContextFlagsInRecover('local', request);
    const name = request.cluster ?? DEFAULT_CLUSTER_NAME;
    const state = readState(name);
    if (!state) throw new UsageError(`no local cluster named "${name}" is up; start it (rebound cluster up --name ${name}) and run recover again, or remove its journals from ~/.rebound/ledger/ if it is gone for good.`);
    return {
      identity: { provider: 'local', name, kubeconfig: state.kubeconfig, context: contextName(name), createdAt: state.createdAt },
      kube: clientsFor(state.kubeconfig, contextName(name)),
      nodeControl: localNodeControl(name),
    };
  },
  recoverFlags: (cluster) => byName(cluster, 'local'),
  leastNodeRecoverySeconds: (request) => {
    // The settings the run asks for, else those of the cluster already up, else those `up` would give it.
    const state = readState(request.cluster ?? DEFAULT_CLUSTER_NAME);
    return leastNodeRecoverySeconds(request.failureDetection ?? (state === undefined ? 'fast' : failureDetectionOf(state)));
  },
};

/** kind: nodes in containers, from rebound's offline node image; real kubelets, containers and networks. */
const kind: Provider = {
  kind: 'kind',
  capabilities: { nodes: true, containers: true, networks: true },
  shared: false,
  acquire: (request, progress) => {
    if (request.kubeconfig !== undefined || request.context !== undefined) {
      throw new UsageError('--kubeconfig and --context go with --provider kubeconfig, not kind (rebound creates the kind cluster and its kubeconfig).');
    }
    return acquireKind({
      cluster: request.cluster ?? DEFAULT_KIND_CLUSTER,
      nodes: request.nodes,
      keepCluster: request.keepCluster ?? false,
      failureDetection: request.failureDetection,
      containerRuntime: request.containerRuntime,
    }, progress);
  },
  find: async (request) => {
    const name = request.cluster ?? DEFAULT_KIND_CLUSTER;
    const state = existingKindClusters().includes(name) ? requireKindState(name) : undefined;
    if (!state) return { name, line: `kind cluster "${name}": not up (the run would create it, and delete it after)` };
    return { kube: clientsFor(state.kubeconfig, state.context), name, line: `kind cluster "${name}" (up)` };
  },
  recoveryTarget: async (request) => {
    refuseContextFlagsInRecover('kind', request);
    const name = request.cluster ?? DEFAULT_KIND_CLUSTER;
    if (!existingKindClusters().includes(name)) throw new UsageError(`no kind cluster named "${name}" is up; nothing of it to recover.`);
    const state = requireKindState(name);
    const engine = await ContainerEngine.detect(state.runtime);
    return {
      identity: { provider: 'kind', name, kubeconfig: state.kubeconfig, context: state.context, createdAt: state.createdAt },
      kube: clientsFor(state.kubeconfig, state.context),
      nodeControl: kindNodeControl(engine),
      networkControl: kindNetworkControl(engine, state.network),
    };
  },
  recoverFlags: (cluster) => byName(cluster, 'kind'),
  leastNodeRecoverySeconds: (request) => leastNodeRecoverySeconds(request.failureDetection ?? 'fast'),
};

/** An existing cluster, reached through a kubeconfig file and context that must pass the guard; no node machinery. */
const kubeconfig: Provider = {
  kind: 'kubeconfig',
  capabilities: { nodes: false, containers: false, networks: false },
  shared: true,
  acquire: (request) => {
    refuseManagedOnlyFlags(request);
    return acquireKubeconfig({ kubeconfig: request.kubeconfig, context: request.context, allowances: request.allowances ?? [] });
  },
  attach: (request) => {
    if (request.cluster !== undefined) throw new UsageError('--cluster names a local cluster; with --kubeconfig/--context leave it out.');
    return acquireKubeconfig({ kubeconfig: request.kubeconfig, context: request.context, allowances: request.allowances ?? [] });
  },
  find: async (request) => {
    // The guard first: a dry run reads the cluster, and a context the run would refuse is not one to read either.
    const { file, context, server } = await guardedContext({
      kubeconfig: request.kubeconfig, context: request.context, allowances: request.allowances ?? [],
    });
    return { kube: clientsFor(file, context), name: context, line: `kube context "${context}" of ${file}, server ${server ?? '(none)'}` };
  },
  recoveryTarget: async (request) => {
    if (request.cluster !== undefined) {
      throw new UsageError('--cluster names a local or kind cluster; an existing cluster is named with --kubeconfig and --context.');
    }
    const file = kubeconfigFile(request.kubeconfig);
    const config = loadKubeconfig(file);
    // The context the run used: the one named, or the file's current one, as `run` chose it.
    const context = request.context ?? config.getCurrentContext();
    return { identity: { provider: 'kubeconfig', name: context, kubeconfig: file, context }, kube: clientsFor(file, context) };
  },
  recoverFlags: (cluster) => `--kubeconfig ${cluster.kubeconfig}${cluster.context ? ` --context ${cluster.context}` : ''}`,
  leastNodeRecoverySeconds: () => undefined,
};

/** Every provider by its name. */
export const PROVIDERS: Readonly<Record<ProviderKind, Provider>> = { local, kind, kubeconfig };

/** The provider a command line means (providerOf: the one named, else kubeconfig or local). */
export function chosenProvider(request: Pick<ClusterRequest, 'provider' | 'kubeconfig' | 'context'>): Provider {
  return PROVIDERS[providerOf(request)];
}

function isProviderKind(name: string): name is ProviderKind {
  return (PROVIDER_KINDS as readonly string[]).includes(name);
}

/** The provider of this name (read from a journal or a result file, say); any other name is refused. */
export function providerNamed(name: string): Provider {
  if (!isProviderKind(name)) throw new UsageError(`provider "${name}": must be one of ${PROVIDER_KINDS.join(', ')}`);
  return PROVIDERS[name];
}

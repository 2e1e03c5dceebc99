import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterError, UsageError } from '../../errors.js';
import { lastLines, runCommand } from '../../util/command.js';
import { reboundHome } from '../../util/paths.js';
import { freePort, portInUse } from '../../util/ports.js';
import { sleep } from '../../util/sleep.js';
import { clientsFor, isNodeReady, statusOf, type KubeClients } from '../kube.js';
import { pinnedKindVersion, pinnedVersions, readVersion, type ProgressSink } from '../local/binaries.js';
import { checkClusterName } from '../local/cluster.js';
import { PUBLISHED_NODE_PORTS, type ClusterTimings } from '../provider.js';
import { kindConfig } from './config.js';
import { ContainerEngine, type ContainerRuntime } from './engine.js';
import { ensureKindBinary, ensureNodeImage } from './image.js';
import {
  controlPlaneNode, kindContextName, kindNetworkName, workerNodes, type FailureDetection,
} from './settings.js';
import { timingsOf } from '../failure-detection.js';

/** Nodes of a kind cluster created without --nodes: 1 control plane + 2 workers. */
export const DEFAULT_KIND_NODES = 3;

/** What `cluster up --provider kind` is asked for. */
export interface KindUpOptions {
  readonly name: string;
  /** Nodes in all: one control plane and nodes - 1 workers (default 3); absent: one already up at its size. */
  readonly nodes?: number;
  readonly apiPort?: number;
  /** Default fast; absent: one already up as it is. */
  readonly failureDetection?: FailureDetection;
  readonly containerRuntime?: ContainerRuntime;
  /** A node image of the user's (kindest/node:..., pulled by kind) instead of rebound's offline one. */
  readonly nodeImage?: string;
}

/** Everything rebound wrote down about a kind cluster it created: $REBOUND_HOME/kind/<name>/cluster.json. */
export interface KindClusterState {
  readonly name: string;
  readonly createdAt: string;
  readonly image: string;
  readonly kindVersion: string;
  readonly runtime: ContainerRuntime;
  readonly network: string;
  readonly kubeconfig: string;
  readonly context: string;
  readonly apiServer: string;
  readonly controlPlane: string;
  readonly workers: readonly string[];
  readonly failureDetection: FailureDetection;
  readonly timings: Required<ClusterTimings>;
  /** NodePorts of the control-plane node published on 127.0.0.1: node port -> host port. */
  readonly publishedPorts: Readonly<Record<string, number>>;
}

/** The label kind puts on every node container of a cluster. */
const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster';
const CREATE_TIMEOUT_MS = 15 * 60_000;
const READY_TIMEOUT_MS = 5 * 60_000;

function kindDir(name: string): string {
  return join(reboundHome(), 'kind', name);
}

function readKindState(name: string): KindClusterState | undefined {
  const file = join(kindDir(name), 'cluster.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as KindClusterState;
  } catch (error) {
    throw new ClusterError(`${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}); run \`rebound cluster down --provider kind --name ${name}\` to clean it away.`);
  }
}

function writeKindState(state: KindClusterState): void {
  const file = join(kindDir(state.name), 'cluster.json');
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Names of the kind clusters rebound created on this machine. */
export function existingKindClusters(): string[] {
  const dir = join(reboundHome(), 'kind');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => existsSync(join(dir, name, 'cluster.json'))).sort();
}

/** The state of a kind cluster that must exist; a clear error otherwise. */
export function requireKindState(name: string): KindClusterState {
  checkClusterName(name);
  const state = readKindState(name);
  if (!state) {
    const known = existingKindClusters();
    const hint = known.length > 0 ? ` Known kind clusters: ${known.join(', ')}.` : ' rebound has created no kind cluster yet.';
    throw new UsageError(`no kind cluster named "${name}" created by rebound.${hint} Create one with \`rebound cluster up --provider kind --name ${name}\`.`);
  }
  return state;
}

/** Every node of a cluster, control plane first. */
export function nodesOf(state: KindClusterState): string[] {
  return [state.controlPlane, ...state.workers];
}

/**
 * Creates a kind cluster of 1 control plane + (nodes - 1) workers from rebound's node image, and waits until every
 * node is Ready, CoreDNS and the pod network run. Idempotent like the local provider: a healthy cluster of that
 * name is reused, a broken one is deleted first. On failure the cluster's logs are exported and it is deleted.
 */
export async function kindUp(options: KindUpOptions, progress: ProgressSink): Promise<{ state: KindClusterState; reused: boolean }> {
  checkClusterName(options.name);
  if (options.nodes !== undefined && (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > 10)) {
    throw new UsageError(`--nodes ${options.nodes} is not valid for kind: give a whole number from 1 to 10 (1 control plane + workers).`);
  }
  if (options.apiPort !== undefined) {
    if (!Number.isInteger(options.apiPort) || options.apiPort < 1 || options.apiPort > 65535) {
      throw new UsageError(`--api-port ${options.apiPort} is not a port number (1-65535).`);
    }
  }
  const engine = await ContainerEngine.detect(options.containerRuntime);
  const existing = readKindState(options.name);
  if (existing) {
    if (await isHealthy(engine, existing)) {
      // Only what the user asked for can disagree with the cluster that is there.
      if (options.nodes !== undefined && nodesOf(existing).length !== options.nodes) {
        throw new UsageError(`kind cluster "${options.name}" is already up with ${nodesOf(existing).length} nodes, not ${options.nodes}; run \`rebound cluster down --provider kind --name ${options.name}\` first to change its size.`);
      }
      if (options.failureDetection !== undefined && existing.failureDetection !== options.failureDetection) {
        throw new UsageError(`kind cluster "${options.name}" is already up with --failure-detection ${existing.failureDetection}; run \`rebound cluster down --provider kind --name ${options.name}\` first to change it.`);
      }
      progress(`kind cluster "${options.name}" is already up`);
      return { state: existing, reused: true };
    }
    progress(`kind cluster "${options.name}" has stale state from an earlier run; deleting it`);
    await removeKindCluster(engine, options.name, progress);
  } else {
    const foreign = await engine.containersLabelled(`${KIND_CLUSTER_LABEL}=${options.name}`);
    if (foreign.length > 0) {
      throw new UsageError(`a kind cluster named "${options.name}" exists that rebound did not create (containers ${foreign.join(', ')}); delete it with \`kind delete cluster --name ${options.name}\` or pick another --name.`);
    }
  }
  if (options.apiPort !== undefined && await portInUse(options.apiPort)) {
    throw new UsageError(`port ${options.apiPort} on 127.0.0.1 is already in use; pick another with --api-port, or leave the option out to use a free port.`);
  }

  const image = options.nodeImage ?? await ensureNodeImage(engine, progress);
  const nodeCount = options.nodes ?? DEFAULT_KIND_NODES;
  const failureDetection = options.failureDetection ?? 'fast';
  const kind = await ensureKindBinary(progress);
  const versions = readVersionsFile();
  const dir = kindDir(options.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const apiPort = options.apiPort ?? await freePort();
  const publishedPorts: Record<string, number> = {};
  for (const nodePort of PUBLISHED_NODE_PORTS) publishedPorts[String(nodePort)] = await freePort();
  const configFile = join(dir, 'kind-config.yaml');
  writeFileSync(configFile, kindConfig({
    name: options.name,
    nodes: nodeCount,
    image,
    failureDetection,
    apiPort,
    publishedPorts,
    ...(options.nodeImage === undefined ? { ownImage: { etcdTag: versions.etcd, corednsTag: versions.coredns } } : {}),
  }));
  const kubeconfig = join(dir, 'kubeconfig');
  const network = kindNetworkName(options.name);
  const env = { ...process.env, KIND_EXPERIMENTAL_DOCKER_NETWORK: network, KIND_EXPERIMENTAL_PROVIDER: engine.runtime };
  const started = Date.now();
  const state: KindClusterState = {
    name: options.name,
    createdAt: new Date().toISOString(),
    image,
    kindVersion: versions.kind,
    runtime: engine.runtime,
    network,
    kubeconfig,
    context: kindContextName(options.name),
    apiServer: `https://127.0.0.1:${apiPort}`,
    controlPlane: controlPlaneNode(options.name),
    workers: workerNodes(options.name, nodeCount - 1),
    failureDetection,
    timings: timingsOf(failureDetection),
    publishedPorts,
  };
  // Written before kind runs, so that `cluster down` (or the next `up`) can clean up whatever happens next, even
  // an interrupted create.
  writeKindState(state);
  try {
    const subnet = await createNetwork(engine, network, options.name);
    progress(`creating kind cluster "${options.name}": 1 control plane + ${nodeCount - 1} worker${nodeCount === 2 ? '' : 's'} from ${image} on network ${network} (${subnet})`);
    const created = await runCommand(kind, ['create', 'cluster', '--name', options.name, '--config', configFile, '--kubeconfig', kubeconfig, '--retain'], {
      env,
      timeoutMs: CREATE_TIMEOUT_MS,
      onLine: (line) => {
        const text = line.trim();
        if (text.startsWith('✓') || text.startsWith('✗') || text.startsWith('ERROR')) progress(`  ${text}`);
      },
    });
    if (created.code !== 0) {
      throw new ClusterError(`kind could not create cluster "${options.name}" (exit code ${created.code}); its last lines:`, lastLines(`${created.stdout}\n${created.stderr}`));
    }
    await waitUntilServing(clientsFor(kubeconfig, state.context), nodesOf(state), progress);
    await loadExampleImages(engine, kind, env, options.name, progress);
  } catch (error) {
    const logs = join(reboundHome(), 'kind-logs', `${options.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    progress(`start-up failed; exporting the cluster's logs to ${logs} and deleting it`);
    await runCommand(kind, ['export', 'logs', logs, '--name', options.name], { env, timeoutMs: 120_000 }).catch(() => undefined);
    await removeKindCluster(engine, options.name, progress);
    throw error;
  }
  progress(`kind cluster "${options.name}" is up: ${nodeCount} Ready node${nodeCount === 1 ? '' : 's'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { state, reused: false };
}

function readVersionsFile(): { etcd: string; coredns: string; kind: string } {
  return { etcd: pinnedVersions().etcd, coredns: readVersion('COREDNS_VERSION'), kind: pinnedKindVersion() };
}

/**
 * The cluster's own network, made before kind runs (kind uses a network that exists). Its IPv4 subnet is set by
 * rebound rather than left to the engine, because only then can a node cut off by networkPartition be connected
 * again with the address it had. Tries /24s of 172.28.0.0/16, starting from one derived from the name.
 */
async function createNetwork(engine: ContainerEngine, network: string, cluster: string): Promise<string> {
  if (await engine.networkExists(network)) await engine.run(['network', 'rm', network]);
  const start = [...cluster].reduce((sum, c) => (sum * 31 + c.charCodeAt(0)) % 256, 7);
  let last = '';
  for (let i = 0; i < 256; i++) {
    const subnet = `172.28.${(start + i) % 256}.0/24`;
    const created = await engine.run(['network', 'create', '--driver', 'bridge', '--subnet', subnet,
      '--label', `rebound.dev/kind-cluster=${cluster}`, network], { allowFailure: true });
    if (created.code === 0) return subnet;
    last = created.stderr.trim();
    // Another network has that range: try the next one. Anything else is a real failure.
    if (!/overlap/i.test(last)) break;
  }
  throw new ClusterError(`could not create the Docker network ${network}: ${last}`);
}

async function waitUntilServing(clients: KubeClients, nodes: string[], progress: ProgressSink): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const wait = async (what: string, done: () => Promise<string | true>): Promise<void> => {
    for (;;) {
      const outcome = await done().catch((error: unknown) => `the API server answered ${statusOf(error) ?? (error instanceof Error ? error.message : String(error))}`);
      if (outcome === true) return;
      if (Date.now() > deadline) throw new ClusterError(`${what} within ${READY_TIMEOUT_MS / 1000} s: ${outcome}.`);
      await sleep(1000);
    }
  };
  await wait('the nodes did not all become Ready', async () => {
    const list = await clients.core.listNode();
    const ready = list.items.filter(isNodeReady).map((n) => n.metadata?.name ?? '');
    const missing = nodes.filter((n) => !ready.includes(n));
    return missing.length === 0 ? true : `not Ready: ${missing.join(', ')}`;
  });
  progress(`  ✓ ${nodes.length} node${nodes.length === 1 ? '' : 's'} Ready`);
  // The pod network (rebound-net, or kindnet in a node image of the user's) and kube-proxy run as DaemonSets.
  await wait('the kube-system DaemonSets (pod network, kube-proxy) did not become ready', async () => {
    const list = await clients.apps.listNamespacedDaemonSet({ namespace: 'kube-system' });
    const short = list.items.filter((ds) => (ds.status?.numberReady ?? 0) < (ds.status?.desiredNumberScheduled ?? 1)
      || ds.status?.desiredNumberScheduled === 0);
    return list.items.length > 0 && short.length === 0 ? true
      : `not ready: ${short.map((ds) => `${ds.metadata?.name ?? '?'} ${ds.status?.numberReady ?? 0}/${ds.status?.desiredNumberScheduled ?? '?'}`).join(', ') || 'none yet'}`;
  });
  await wait('CoreDNS (Deployment kube-system/coredns) did not become available', async () => {
    const deployment = await clients.apps.readNamespacedDeployment({ name: 'coredns', namespace: 'kube-system' });
    const want = deployment.spec?.replicas ?? 1;
    const available = deployment.status?.availableReplicas ?? 0;
    return available >= want ? true : `${available} of ${want} replicas available`;
  });
  progress('  ✓ CoreDNS and the pod network are running');
  await wait('the default ServiceAccount did not appear', async () => {
    await clients.core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
    return true;
  });
}

async function isHealthy(engine: ContainerEngine, state: KindClusterState): Promise<boolean> {
  for (const node of nodesOf(state)) {
    if (await engine.containerState(node) !== 'running') return false;
  }
  try {
    const list = await clientsFor(state.kubeconfig, state.context).core.listNode();
    return list.items.filter(isNodeReady).length === nodesOf(state).length;
  } catch {
    return false;
  }
}

/** Deletes the cluster's containers, its network and rebound's state of it; tolerant of any of them missing. */
async function removeKindCluster(engine: ContainerEngine, name: string, progress: ProgressSink): Promise<void> {
  const kind = await ensureKindBinary(progress);
  const network = kindNetworkName(name);
  const env = { ...process.env, KIND_EXPERIMENTAL_DOCKER_NETWORK: network, KIND_EXPERIMENTAL_PROVIDER: engine.runtime };
  const deleted = await runCommand(kind, ['delete', 'cluster', '--name', name], { env, timeoutMs: 180_000 });
  if (deleted.code !== 0) {
    throw new ClusterError(`kind could not delete cluster "${name}" (exit code ${deleted.code}):`, lastLines(`${deleted.stdout}\n${deleted.stderr}`));
  }
  // kind leaves its network behind for other clusters; this one is the cluster's own.
  if (await engine.networkExists(network)) await engine.run(['network', 'rm', network]);
  rmSync(kindDir(name), { recursive: true, force: true });
}

/** Deletes a kind cluster rebound created, and checks that no container or network of it is left. */
export async function kindDown(name: string, progress: ProgressSink, runtime?: ContainerRuntime): Promise<void> {
  const state = requireKindState(name);
  const engine = await ContainerEngine.detect(runtime ?? state.runtime);
  progress(`deleting kind cluster "${name}" (${nodesOf(state).length} node containers, network ${state.network})`);
  await removeKindCluster(engine, name, progress);
  const left = await engine.containersLabelled(`${KIND_CLUSTER_LABEL}=${name}`);
  if (left.length > 0) throw new ClusterError(`containers of kind cluster "${name}" are still there: ${left.join(', ')}; remove them with \`docker rm -f\`.`);
  if (await engine.networkExists(state.network)) throw new ClusterError(`network ${state.network} is still there; remove it with \`docker network rm ${state.network}\`.`);
  progress(`kind cluster "${name}" is down; no container or network of it is left`);
}

/**
 * The example operator's images (tools/operator-image.sh, run by setup:kind) go into every new cluster when they are
 * in the engine's store, so that scenarios/kind/ runs as it is. Other images are loaded with `cluster load`.
 */
const EXAMPLE_IMAGES = 'registry.rebound.local/echo-operator';

async function loadExampleImages(engine: ContainerEngine, kind: string, env: NodeJS.ProcessEnv, name: string, progress: ProgressSink): Promise<void> {
  const { stdout } = await engine.run(['images', EXAMPLE_IMAGES, '--format', '{{.Repository}}:{{.Tag}}']);
  const images = stdout.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.endsWith(':<none>')).sort();
  if (images.length === 0) return;
  progress(`  loading the example operator's images: ${images.join(', ')}`);
  const loaded = await runCommand(kind, ['load', 'docker-image', ...images, '--name', name], { env, timeoutMs: 10 * 60_000 });
  if (loaded.code !== 0) throw new ClusterError(`kind could not load ${images.join(', ')} (exit code ${loaded.code}):`, lastLines(`${loaded.stdout}\n${loaded.stderr}`));
}

/** Copies images from the engine's image store into every node of the cluster (kind load docker-image). */
export async function kindLoadImages(name: string, images: readonly string[], progress: ProgressSink): Promise<void> {
  const state = requireKindState(name);
  const engine = await ContainerEngine.detect(state.runtime);
  for (const image of images) {
    if (!await engine.imageExists(image)) throw new UsageError(`image ${image} is not in the ${state.runtime} image store; build or pull it first.`);
  }
  const kind = await ensureKindBinary(progress);
  const env = { ...process.env, KIND_EXPERIMENTAL_DOCKER_NETWORK: state.network, KIND_EXPERIMENTAL_PROVIDER: state.runtime };
  for (const image of images) {
    progress(`loading ${image} into the ${nodesOf(state).length} nodes of kind cluster "${name}"`);
    const loaded = await runCommand(kind, ['load', 'docker-image', image, '--name', name], { env, timeoutMs: 10 * 60_000 });
    if (loaded.code !== 0) throw new ClusterError(`kind could not load ${image} (exit code ${loaded.code}):`, lastLines(`${loaded.stdout}\n${loaded.stderr}`));
  }
}

/** What `cluster status --provider kind` reports: containers as the engine sees them, nodes as the API sees them. */
export interface KindClusterStatus {
  readonly name: string;
  readonly apiServer: string;
  readonly kubeconfig: string;
  readonly image: string;
  readonly failureDetection: FailureDetection;
  readonly healthy: boolean;
  readonly nodes: { name: string; container: string; ready: boolean | undefined }[];
  readonly publishedPorts: Readonly<Record<string, number>>;
}

export async function kindStatus(name: string): Promise<KindClusterStatus> {
  const state = requireKindState(name);
  const engine = await ContainerEngine.detect(state.runtime);
  const readiness = new Map<string, boolean>();
  try {
    const list = await clientsFor(state.kubeconfig, state.context).core.listNode();
    for (const node of list.items) if (node.metadata?.name) readiness.set(node.metadata.name, isNodeReady(node));
  } catch {
    // Reported as unknown readiness below.
  }
  const nodes = [];
  for (const node of nodesOf(state)) {
    nodes.push({ name: node, container: await engine.containerState(node) ?? 'absent', ready: readiness.get(node) });
  }
  return {
    name: state.name,
    apiServer: state.apiServer,
    kubeconfig: state.kubeconfig,
    image: state.image,
    failureDetection: state.failureDetection,
    healthy: nodes.every((n) => n.container === 'running' && n.ready === true),
    nodes,
    publishedPorts: state.publishedPorts,
  };
}

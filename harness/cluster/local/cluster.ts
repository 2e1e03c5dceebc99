import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { ClusterError, ComponentError, UsageError } from '../../errors.js';
import { packageRoot } from '../../util/paths.js';
import { freePort, portInUse } from '../../util/ports.js';
import { sleep } from '../../util/sleep.js';
import { clientsFor, isNodeReady, statusOf, type KubeClients } from '../kube.js';
import { ensureBinaries, type ProgressSink } from './binaries.js';
import {
  apiServerSpec, bulkAgentSpec, controllerManagerSpec, etcdSpec, nodeAgentSpec, schedulerSpec, type Layout,
} from './components.js';
import { writeKubeconfig } from './kubeconfig.js';
import { createPki, createTokens } from './pki.js';
import { logTail } from '../../util/log-tail.js';
import {
  processesMentioning, processState, startDetached, stopProcess, type ProcessSpec, type ProcessState,
} from './process.js';
import {
  AGENT_LABEL, contextName, CONTROLLER_SERVICE_ACCOUNTS, defaultDedicatedNodes, MAX_NODES, NETWORK, NODE_IP_ANNOTATION,
} from './settings.js';
import { SHARED_NODE_AGENT } from '../provider.js';
import { FAILURE_DETECTION_SETTINGS, type FailureDetection } from '../failure-detection.js';
import {
  auditLevelOf, clusterDir, clustersDir, failureDetectionOf, nodeCountOf, readState, writeState, type AuditLevel, type ClusterState,
  type ComponentName, type ComponentRecord, type NodeAddress,
} from './state.js';

/** Nodes of a cluster created without --nodes. */
export const DEFAULT_NODES = 3;

/** What `cluster up` is asked for. */
export interface UpOptions {
  readonly name: string;
  /** Nodes of a cluster that `up` creates (default 3); when absent, one already up is taken at its size. */
  readonly nodes?: number;
  /**
   * How many of them (the first ones) get an agent of their own, the nodes node faults can stop; the others share one
   * agent with slower leases. Default: every node up to 50 nodes, else 5 (settings.ts).
   */
  readonly dedicatedNodes?: number;
  /** Port of the API server on 127.0.0.1; a free one when absent. */
  readonly apiPort?: number;
  /**
   * Log the bodies of pod, pod status and EndpointSlice writes in the audit log (the `detail` level). When absent, a
   * cluster that `up` creates logs `metadata` and one already up is taken with its level, which `up` says.
   */
  readonly auditDetail?: boolean;
  /**
   * How fast the cluster notices a lost node: `fast` (rebound's test settings) or `kubernetes` (its defaults, which a
   * big cluster's shared node agent needs: its leases cannot be renewed in time for a 6 s grace period on 2 cores under
   * pod churn). When absent, a cluster that `up` creates is `fast` and one already up is taken as it is.
   */
  readonly failureDetection?: FailureDetection;
}

/** How long each component may take to become healthy before `up` gives up and shows its log. */
const STARTUP_TIMEOUT_MS = 60_000;
/** What each node adds to the wait for all of them to be Ready (one agent initializes hundreds of nodes in turn). */
const READY_MS_PER_NODE = 100;
const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;

/** Rejects names that cannot be a folder and a context name. */
export function checkClusterName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new UsageError(`cluster name "${name}" is not valid: use 1-32 lower-case letters, digits and '-', starting and ending with a letter or digit.`);
  }
}

/** The state of a cluster that must exist; a clear error otherwise. */
export function requireState(name: string): ClusterState {
  checkClusterName(name);
  const state = readState(name);
  if (!state) {
    const known = existingClusters();
    const hint = known.length > 0 ? ` Known clusters: ${known.join(', ')}.` : ' No local cluster exists yet.';
    throw new UsageError(`no local cluster named "${name}".${hint} Start one with \`rebound cluster up --name ${name}\`.`);
  }
  return state;
}

/** Names of the local clusters that have state on this machine. */
export function existingClusters(): string[] {
  const dir = clustersDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => existsSync(join(dir, name, 'cluster.json'))).sort();
}

/** Node names of a cluster of `count` nodes. */
export function nodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `node-${i + 1}`);
}

function componentState(record: ComponentRecord): ProcessState {
  return processState(record.pid, record.spec.binary);
}

/** Every process of the cluster, node agents first: the order to stop them in. */
function allProcesses(state: ClusterState): ComponentRecord[] {
  return [...state.nodes.map((node) => node.agent), ...(state.bulk ? [state.bulk.agent] : []), ...[...state.components].reverse()];
}

/** True when every component runs and every node agent that should run does (the shared one is never stopped). */
function isHealthy(state: ClusterState): boolean {
  return state.components.every((c) => componentState(c) === 'running')
    && state.nodes.every((n) => n.agent.pid === undefined || componentState(n.agent) !== 'absent')
    && (state.bulk === undefined || componentState(state.bulk.agent) === 'running');
}

/** The nodes with an agent of their own and the ones sharing one: the first `dedicated` of `count` and the rest. */
export function layoutNodes(count: number, dedicated: number): { dedicated: NodeAddress[]; bulk: NodeAddress[] } {
  const nodes = nodeNames(count).map((name, i) => ({ name, podCidr: NETWORK.podCidrOf(i + 1), ip: NETWORK.nodeIpOf(i + 1) }));
  return { dedicated: nodes.slice(0, dedicated), bulk: nodes.slice(dedicated) };
}

/** Refuses a --nodes or --dedicated-nodes the cluster cannot have. */
export function checkNodeCounts(nodes: number | undefined, dedicatedNodes: number | undefined): void {
  if (nodes !== undefined && (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NODES)) {
    throw new UsageError(`--nodes ${nodes} is not valid: give a whole number from 1 to ${MAX_NODES}.`);
  }
  if (dedicatedNodes === undefined) return;
  const count = nodes ?? DEFAULT_NODES;
  if (!Number.isInteger(dedicatedNodes) || dedicatedNodes < 0 || dedicatedNodes > count) {
    throw new UsageError(`--dedicated-nodes ${dedicatedNodes} is not valid: give a whole number from 0 to the number of nodes (${count}).`);
  }
}

/**
 * A local cluster that must be up already, for commands that touch nothing (observe): its state, or a clear error.
 * Its node agents are not checked: one a person stopped is what is being observed.
 */
export function runningState(name: string): ClusterState {
  const state = requireState(name);
  if (!state.components.every((c) => componentState(c) === 'running')) {
    throw new UsageError(`local cluster "${name}" is not running; start it with \`rebound cluster up --name ${name}\` and deploy the workloads first.`);
  }
  return state;
}

/**
 * Brings a local cluster up: etcd, API server, controller-manager, scheduler and one kwok per node, all on
 * 127.0.0.1. Idempotent: a healthy cluster of that name is left as it is; a broken one is cleaned away first.
 * On any failure every process started so far is stopped.
 */
export async function up(options: UpOptions, progress: ProgressSink): Promise<{ state: ClusterState; reused: boolean }> {
  checkClusterName(options.name);
  checkNodeCounts(options.nodes, options.dedicatedNodes);
  const existing = readState(options.name);
  if (existing) {
    if (isHealthy(existing)) {
      // Only a size the user asked for can disagree with the cluster that is there.
      if (options.nodes !== undefined && nodeCountOf(existing) !== options.nodes) {
        throw new UsageError(`cluster "${options.name}" is already up with ${nodeCountOf(existing)} nodes, not ${options.nodes}; run \`rebound cluster down --name ${options.name}\` first to change its size.`);
      }
      if (options.dedicatedNodes !== undefined && existing.nodes.length !== options.dedicatedNodes) {
        throw new UsageError(`cluster "${options.name}" is already up with ${existing.nodes.length} nodes with agents of their own, not ${options.dedicatedNodes}; run \`rebound cluster down --name ${options.name}\` first to change that.`);
      }
      // A bench reading bodies from the audit log must not get a cluster that does not write them, nor the reverse.
      const level = auditLevelOf(existing);
      if (options.auditDetail !== undefined && level !== auditLevelFor(options.auditDetail)) {
        throw new UsageError(`cluster "${options.name}" is already up with audit level ${level}, not ${auditLevelFor(options.auditDetail)}; run \`rebound cluster down --name ${options.name}\` first to change it.`);
      }
      const detection = failureDetectionOf(existing);
      if (options.failureDetection !== undefined && detection !== options.failureDetection) {
        throw new UsageError(`cluster "${options.name}" is already up with failure detection ${detection}, not ${options.failureDetection}; run \`rebound cluster down --name ${options.name}\` first to change it.`);
      }
      progress(`cluster "${options.name}" is already up (audit level ${level}, failure detection ${detection})`);
      return { state: existing, reused: true };
    }
    progress(`cluster "${options.name}" has stale state from an earlier run; cleaning it up`);
  }
  await removeCluster(options.name);

  if (options.apiPort !== undefined) {
    if (!Number.isInteger(options.apiPort) || options.apiPort < 1 || options.apiPort > 65535) {
      throw new UsageError(`--api-port ${options.apiPort} is not a port number (1-65535).`);
    }
    if (await portInUse(options.apiPort)) {
      throw new UsageError(`port ${options.apiPort} on 127.0.0.1 is already in use; pick another with --api-port, or leave the option out to use a free port.`);
    }
  }

  const binaries = await ensureBinaries(progress);
  const dir = clusterDir(options.name);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(dir, 'pki'), { recursive: true });
  const started: ComponentRecord[] = [];
  try {
    return { state: await start(options, dir, binaries, started, progress), reused: false };
  } catch (error) {
    progress('start-up failed; stopping what was started');
    await Promise.all(started.map((record) => stopRecorded(record)));
    await killStragglers(dir);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function start(
  options: UpOptions,
  dir: string,
  binaries: Awaited<ReturnType<typeof ensureBinaries>>,
  started: ComponentRecord[],
  progress: ProgressSink,
): Promise<ClusterState> {
  const startedAt = Date.now();
  const pki = createPki(join(dir, 'pki'), NETWORK.kubernetesServiceIp);
  const tokenFile = join(dir, 'pki', 'tokens.csv');
  const tokens = createTokens(tokenFile);
  const ports = {
    etcdClient: await freePort(),
    etcdPeer: await freePort(),
    apiServer: options.apiPort ?? await freePort(),
    controllerManager: await freePort(),
    scheduler: await freePort(),
  };
  const server = `https://127.0.0.1:${ports.apiServer}`;
  const kubeconfigs = {
    admin: join(dir, 'kubeconfig'),
    controllerManager: join(dir, 'pki', 'kube-controller-manager.kubeconfig'),
    scheduler: join(dir, 'pki', 'kube-scheduler.kubeconfig'),
    nodeAgent: join(dir, 'pki', 'node-agent.kubeconfig'),
  };
  const context = contextName(options.name);
  writeKubeconfig(kubeconfigs.admin, { context, server, caFile: pki.caCert, token: tokens.admin, user: `${context}-admin` });
  writeKubeconfig(kubeconfigs.controllerManager, { context, server, caFile: pki.caCert, token: tokens['kube-controller-manager'], user: 'kube-controller-manager' });
  writeKubeconfig(kubeconfigs.scheduler, { context, server, caFile: pki.caCert, token: tokens['kube-scheduler'], user: 'kube-scheduler' });
  writeKubeconfig(kubeconfigs.nodeAgent, { context, server, caFile: pki.caCert, token: tokens['node-agent'], user: 'node-agent' });
  const assets = join(packageRoot(), 'harness', 'cluster', 'local', 'assets');
  const auditPolicy = join(dir, 'audit-policy.yaml');
  const kwokStages = join(dir, 'kwok-stages.yaml');
  const kwokBulkConfig = join(dir, 'kwok-bulk.yaml');
  const audit = auditLevelFor(options.auditDetail ?? false);
  copyFileSync(join(assets, audit === 'detail' ? 'audit-policy-detail.yaml' : 'audit-policy.yaml'), auditPolicy);
  copyFileSync(join(assets, 'kwok-stages.yaml'), kwokStages);
  copyFileSync(join(assets, 'kwok-bulk.yaml'), kwokBulkConfig);
  const failureDetection = options.failureDetection ?? 'fast';
  const detection = FAILURE_DETECTION_SETTINGS[failureDetection];
  const layout: Layout = { dir, binaries, pki, ports, kubeconfigs, tokenFile, auditPolicy, kwokStages, kwokBulkConfig, detection };

  const launch = (name: string, spec: ProcessSpec): ComponentRecord => {
    const record: ComponentRecord = { name, spec, pid: startDetached(spec) };
    started.push(record);
    return record;
  };

  // Each component starts as soon as what it needs can answer, and the waits overlap: the API server retries etcd
  // until it answers, the controllers and node agents need only the API server. Every step's time goes into the
  // last line, so a slow start-up says where it went (BENCHMARKS.md).
  const phases: string[] = [];
  const timed = async <T>(what: string, work: Promise<T>): Promise<T> => {
    const from = Date.now();
    const value = await work;
    phases.push(`${what} ${((Date.now() - from) / 1000).toFixed(1)} s`);
    return value;
  };
  progress(`starting etcd and kube-apiserver ${binaries.versions.kubernetes} on ${server}`);
  const etcd = launch('etcd', etcdSpec(layout));
  const apiServer = launch('kube-apiserver', apiServerSpec(layout));
  await timed('etcd', waitHealthy(etcd, () => httpGet(`http://127.0.0.1:${ports.etcdClient}/health`)));
  await timed('kube-apiserver', waitHealthy(apiServer, () => httpsGet(`${server}/readyz`, { ca: readFileSync(pki.caCert), token: tokens.admin })));

  const clients = clientsFor(kubeconfigs.admin);
  const count = options.nodes ?? DEFAULT_NODES;
  const { dedicated, bulk } = layoutNodes(count, options.dedicatedNodes ?? defaultDedicatedNodes(count));
  const agents = `${dedicated.length} node agent${dedicated.length === 1 ? '' : 's'}${bulk.length > 0 ? ` and one agent for ${bulk.length} more nodes` : ''}`;
  progress(`starting kube-controller-manager, kube-scheduler and ${agents} (kwok ${binaries.versions.kwok})`);
  const controllerManager = launch('kube-controller-manager', controllerManagerSpec(layout));
  const scheduler = launch('kube-scheduler', schedulerSpec(layout));
  const controllersHealthy = timed('controllers', Promise.all([
    waitHealthy(controllerManager, () => httpsGet(`https://127.0.0.1:${ports.controllerManager}/healthz`, {})),
    waitHealthy(scheduler, () => httpsGet(`https://127.0.0.1:${ports.scheduler}/healthz`, {})),
  ]));
  // The nodes exist (with their pod CIDRs) before their agents start, so no agent registers one of its own.
  await timed('node objects', bootstrapObjects(clients, [...dedicated.map((node) => ({ ...node, agent: node.name })),
    ...bulk.map((node) => ({ ...node, agent: SHARED_NODE_AGENT }))]));
  const nodeRecords = dedicated.map((node) => ({ ...node, agent: launch(`node-agent ${node.name}`, nodeAgentSpec(layout, node.name, node.ip)) }));
  const bulkRecord = bulk.length > 0 ? { agent: launch('node-agent bulk', bulkAgentSpec(layout)), nodes: bulk } : undefined;
  const agentRecords = [...nodeRecords.map((n) => n.agent), ...(bulkRecord ? [bulkRecord.agent] : [])];

  const state: ClusterState = {
    name: options.name,
    createdAt: new Date().toISOString(),
    kubeconfig: kubeconfigs.admin,
    apiServer: server,
    ports,
    versions: binaries.versions,
    components: [etcd, apiServer, controllerManager, scheduler],
    nodes: nodeRecords,
    ...(bulkRecord ? { bulk: bulkRecord } : {}),
    audit,
    failureDetection,
  };
  writeState(state);
  await Promise.all([
    controllersHealthy,
    timed('nodes Ready', waitForNodesReady(clients, agentRecords, count)),
    timed('default service account', waitForDefaultServiceAccount(clients)),
  ]);
  const took = ((Date.now() - startedAt) / 1000).toFixed(1);
  progress(`cluster "${options.name}" is up: ${count} Ready node${count === 1 ? '' : 's'} in ${took} s (${phases.join(', ')})`);
  if (failureDetection !== 'fast') {
    progress(`failure detection ${failureDetection}: a lost node is NotReady after ${detection.nodeMonitorGracePeriodSeconds} s and its pods evicted ${detection.unreachableTolerationSeconds} s later`);
  }
  return state;
}

function auditLevelFor(detail: boolean): AuditLevel {
  return detail ? 'detail' : 'metadata';
}

/** A node to create: its addresses and the value of its agent label (its own name, or the shared agent's). */
type NodeToCreate = NodeAddress & { readonly agent: string };

/** Objects the cluster needs before its nodes start: the Node objects (with their pod CIDRs) and a StorageClass. */
async function bootstrapObjects(clients: KubeClients, nodes: NodeToCreate[]): Promise<void> {
  await Promise.all([createNodes(clients, nodes), createStorageClass(clients), createControllerAccounts(clients)]);
}

/**
 * The controllers' ServiceAccounts (settings.ts), and the `default` account of the `default` namespace: pods cannot
 * be created in a namespace before it has one, and the controller-manager's ServiceAccount controller, which makes it,
 * starts 1.5-2 s after the API server is ready: the longest wait of `cluster up` (BENCHMARKS.md, start-up). The
 * controller keeps it as it finds it, as it does for every namespace created later, whose account it makes itself.
 */
async function createControllerAccounts(clients: KubeClients): Promise<void> {
  const accounts = [...CONTROLLER_SERVICE_ACCOUNTS.map((name) => ({ name, namespace: 'kube-system' })), { name: 'default', namespace: 'default' }];
  await Promise.all(accounts.map(async ({ name, namespace }) => {
    try {
      await clients.core.createNamespacedServiceAccount({ namespace, body: { metadata: { name, namespace } } });
    } catch (error) {
      // The controller-manager made it first: what it would have done anyway.
      if (statusOf(error) !== 409) throw error;
    }
  }));
}

/** The Node object of one simulated node. */
export function nodeObject(node: NodeToCreate): k8s.V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      labels: {
        [AGENT_LABEL]: node.agent,
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': 'kwok',
        type: 'kwok',
      },
      // The address is the node's own even when an agent plays many nodes (its --node-ip would give them all one).
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake', [NODE_IP_ANNOTATION]: node.ip },
    },
    // Set here rather than left to the IPAM controller, so kwok never hands out an address before the node has
    // its range (it would fall back to a range shared by all nodes).
    spec: { podCIDR: node.podCidr, podCIDRs: [node.podCidr] },
  };
}

/** Creates the nodes, a few at a time (500 one after another would take seconds). */
async function createNodes(clients: KubeClients, nodes: NodeToCreate[]): Promise<void> {
  for (let i = 0; i < nodes.length; i += 20) {
    await Promise.all(nodes.slice(i, i + 20).map((node) => clients.core.createNode({ body: nodeObject(node) })));
  }
}

async function createStorageClass(clients: KubeClients): Promise<void> {
  await clients.storage.createStorageClass({
    body: {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'kubernetes.io/host-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
    },
  });
}

async function waitForNodesReady(clients: KubeClients, agents: ComponentRecord[], count: number): Promise<void> {
  const timeoutMs = STARTUP_TIMEOUT_MS + count * READY_MS_PER_NODE;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const agent of agents) assertAlive(agent);
    const list = await clients.core.listNode({ labelSelector: AGENT_LABEL });
    const ready = list.items.filter(isNodeReady).length;
    if (ready === count) return;
    if (Date.now() > deadline) {
      throw new ClusterError(`only ${ready} of ${count} nodes became Ready within ${timeoutMs / 1000} s; see the node-agent logs in ${join(clusterDirOf(agents), 'logs')}.`);
    }
    await sleep(count > 50 ? 1000 : 100);
  }
}

function clusterDirOf(agents: ComponentRecord[]): string {
  const log = agents[0]?.spec.log ?? '';
  return join(log, '..', '..');
}

async function waitForDefaultServiceAccount(clients: KubeClients): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    try {
      await clients.core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
      return;
    } catch (error) {
      if (statusOf(error) !== 404 || Date.now() > deadline) throw error;
    }
    await sleep(100);
  }
}

function assertAlive(record: ComponentRecord): void {
  if (componentState(record) === 'absent') {
    throw new ComponentError(record.name, `${record.name} exited during start-up; the end of its log (${record.spec.log}):`, logTail(record.spec.log));
  }
}

async function waitHealthy(record: ComponentRecord, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    assertAlive(record);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new ComponentError(record.name, `${record.name} did not become healthy within ${STARTUP_TIMEOUT_MS / 1000} s; the end of its log (${record.spec.log}):`, logTail(record.spec.log));
    }
    await sleep(100);
  }
}

async function httpGet(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return response.ok;
}

function httpsGet(url: string, auth: { ca?: Buffer; token?: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, {
      method: 'GET',
      timeout: 2000,
      ...(auth.ca ? { ca: auth.ca } : { rejectUnauthorized: false }),
      headers: auth.token ? { authorization: `Bearer ${auth.token}` } : {},
    }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.end();
  });
}

async function stopRecorded(record: ComponentRecord): Promise<void> {
  if (record.pid !== undefined) await stopProcess(record.pid, record.spec.binary);
}

/** Kills any process that still mentions the cluster's folder: pids get lost when a run is killed mid-way. */
async function killStragglers(dir: string): Promise<number> {
  const stragglers = processesMentioning(`${dir}/`);
  await Promise.all(stragglers.map(({ pid, binary }) => stopProcess(pid, binary, 2000)));
  return stragglers.length;
}

async function removeCluster(name: string): Promise<void> {
  const dir = clusterDir(name);
  const state = readState(name);
  if (state) {
    for (const record of allProcesses(state)) await stopRecorded(record);
  }
  await killStragglers(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** Stops every process of a cluster and removes its state. Unknown names are an error. */
export async function down(name: string, progress: ProgressSink): Promise<void> {
  const state = requireState(name);
  const bulk = state.bulk ? ` and one for ${state.bulk.nodes.length} more nodes` : '';
  progress(`stopping cluster "${name}" (${state.nodes.length} node agents${bulk}, 4 control-plane components)`);
  await removeCluster(name);
  const left = processesMentioning(`${clusterDir(name)}/`);
  if (left.length > 0) {
    throw new ClusterError(`processes of cluster "${name}" are still running: ${left.map((p) => p.pid).join(', ')}; kill them by hand.`);
  }
  progress(`cluster "${name}" is down; nothing of it is running`);
}

/** One line of `cluster status`. */
export interface ComponentStatus {
  readonly name: string;
  readonly pid: number | undefined;
  readonly state: ProcessState;
  readonly log: string;
}

/** What `cluster status` reports: processes as the kernel sees them, nodes as the API server sees them. */
export interface ClusterStatus {
  readonly name: string;
  readonly apiServer: string;
  readonly kubeconfig: string;
  readonly versions: Readonly<Record<string, string>>;
  readonly healthy: boolean;
  readonly failureDetection: FailureDetection;
  readonly components: ComponentStatus[];
  readonly nodes: { name: string; agent: ComponentStatus; ready: boolean | undefined; podCidr: string }[];
}

export async function status(name: string): Promise<ClusterStatus> {
  const state = requireState(name);
  const describe = (record: ComponentRecord): ComponentStatus => ({
    name: record.name, pid: record.pid, state: componentState(record), log: record.spec.log,
  });
  const readiness = new Map<string, boolean>();
  const apiUp = state.components.every((c) => componentState(c) === 'running');
  if (apiUp) {
    try {
      const list = await clientsFor(state.kubeconfig).core.listNode({ labelSelector: AGENT_LABEL });
      for (const node of list.items) if (node.metadata?.name) readiness.set(node.metadata.name, isNodeReady(node));
    } catch {
      // Reported as unknown readiness below.
    }
  }
  const bulkAgent = state.bulk?.agent;
  const shared = bulkAgent === undefined ? [] : (state.bulk?.nodes ?? []).map((node) => ({ ...node, agent: bulkAgent }));
  return {
    name: state.name,
    apiServer: state.apiServer,
    kubeconfig: state.kubeconfig,
    versions: state.versions,
    healthy: isHealthy(state),
    failureDetection: failureDetectionOf(state),
    components: state.components.map(describe),
    nodes: [...state.nodes, ...shared].map((node) => ({
      name: node.name,
      agent: describe(node.agent),
      ready: readiness.get(node.name),
      podCidr: node.podCidr,
    })),
  };
}

/** How to tell that a restarted component serves again. */
function healthProbe(state: ClusterState, component: ComponentName): () => Promise<boolean> {
  const port = (key: string): number => {
    const value = state.ports[key];
    if (value === undefined) throw new ClusterError(`cluster "${state.name}" has no ${key} port in its state; bring it up again.`);
    return value;
  };
  switch (component) {
    case 'etcd':
      return () => httpGet(`http://127.0.0.1:${port('etcdClient')}/health`);
    case 'kube-apiserver': {
      const config = clientsFor(state.kubeconfig).config;
      const caFile = config.getCurrentCluster()?.caFile;
      const token = config.getCurrentUser()?.token;
      return () => httpsGet(`${state.apiServer}/readyz`, { ...(caFile ? { ca: readFileSync(caFile) } : {}), ...(token ? { token } : {}) });
    }
    case 'kube-controller-manager':
      return () => httpsGet(`https://127.0.0.1:${port('controllerManager')}/healthz`, {});
    case 'kube-scheduler':
      return () => httpsGet(`https://127.0.0.1:${port('scheduler')}/healthz`, {});
  }
}

function componentOf(state: ClusterState, component: ComponentName): ComponentRecord {
  const record = state.components.find((c) => c.name === component);
  if (!record) throw new ClusterError(`cluster "${state.name}" has no ${component} in its state; bring it up again.`);
  return record;
}

/**
 * Stops one control-plane component of a running local cluster (SIGTERM, SIGKILL after `graceMs`; 0 kills at
 * once), as a crash or a restart would. The cluster's state forgets its pid until startComponent.
 */
export async function stopComponent(name: string, component: ComponentName, graceMs = 5000): Promise<void> {
  const state = requireState(name);
  const record = componentOf(state, component);
  if (record.pid !== undefined) await stopProcess(record.pid, record.spec.binary, graceMs);
  record.pid = undefined;
  writeState(state);
}

/** Starts a component stopComponent stopped, with its recorded command line; resolves once it serves again. */
export async function startComponent(name: string, component: ComponentName): Promise<void> {
  const state = requireState(name);
  const record = componentOf(state, component);
  if (componentState(record) === 'absent') {
    record.pid = startDetached(record.spec);
    writeState(state);
  }
  await waitHealthy(record, healthProbe(state, component));
}

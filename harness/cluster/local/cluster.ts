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
  apiServerSpec, controllerManagerSpec, etcdSpec, nodeAgentSpec, schedulerSpec, type Layout,
} from './components.js';
import { writeKubeconfig } from './kubeconfig.js';
import { createPki, createTokens } from './pki.js';
import { logTail } from '../../util/log-tail.js';
import {
  processesMentioning, processState, startDetached, stopProcess, type ProcessSpec, type ProcessState,
} from './process.js';
import { AGENT_LABEL, contextName, CONTROLLER_SERVICE_ACCOUNTS, NETWORK } from './settings.js';
import {
  auditLevelOf, clusterDir, clustersDir, readState, writeState, type AuditLevel, type ClusterState, type ComponentName, type ComponentRecord,
} from './state.js';

/** Nodes of a cluster created without --nodes. */
export const DEFAULT_NODES = 3;

/** What `cluster up` is asked for. */
export interface UpOptions {
  readonly name: string;
  /** Nodes of a cluster that `up` creates (default 3); when absent, one already up is taken at its size. */
  readonly nodes?: number;
  /** Port of the API server on 127.0.0.1; a free one when absent. */
  readonly apiPort?: number;
  /**
   * Log the bodies of pod, pod status and EndpointSlice writes in the audit log (the `detail` level). When absent, a
   * cluster that `up` creates logs `metadata` and one already up is taken with its level, which `up` says.
   */
  readonly auditDetail?: boolean;
}

/** How long each component may take to become healthy before `up` gives up and shows its log. */
const STARTUP_TIMEOUT_MS = 60_000;
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
  return [...state.nodes.map((node) => node.agent), ...[...state.components].reverse()];
}

/** True when every component runs and every node agent that should run does. */
function isHealthy(state: ClusterState): boolean {
  return state.components.every((c) => componentState(c) === 'running')
    && state.nodes.every((n) => n.agent.pid === undefined || componentState(n.agent) !== 'absent');
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
  if (options.nodes !== undefined && (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > 50)) {
    throw new UsageError(`--nodes ${options.nodes} is not valid: give a whole number from 1 to 50.`);
  }
  const existing = readState(options.name);
  if (existing) {
    if (isHealthy(existing)) {
      // Only a size the user asked for can disagree with the cluster that is there.
      if (options.nodes !== undefined && existing.nodes.length !== options.nodes) {
        throw new UsageError(`cluster "${options.name}" is already up with ${existing.nodes.length} nodes, not ${options.nodes}; run \`rebound cluster down --name ${options.name}\` first to change its size.`);
      }
      // A bench reading bodies from the audit log must not get a cluster that does not write them, nor the reverse.
      const level = auditLevelOf(existing);
      if (options.auditDetail !== undefined && level !== auditLevelFor(options.auditDetail)) {
        throw new UsageError(`cluster "${options.name}" is already up with audit level ${level}, not ${auditLevelFor(options.auditDetail)}; run \`rebound cluster down --name ${options.name}\` first to change it.`);
      }
      progress(`cluster "${options.name}" is already up (audit level ${level})`);
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
  const audit = auditLevelFor(options.auditDetail ?? false);
  copyFileSync(join(assets, audit === 'detail' ? 'audit-policy-detail.yaml' : 'audit-policy.yaml'), auditPolicy);
  copyFileSync(join(assets, 'kwok-stages.yaml'), kwokStages);
  const layout: Layout = { dir, binaries, pki, ports, kubeconfigs, tokenFile, auditPolicy, kwokStages };

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
  const nodes = nodeNames(options.nodes ?? DEFAULT_NODES).map((name, i) => ({
    name,
    podCidr: NETWORK.podCidrOf(i + 1),
    ip: NETWORK.nodeIpOf(i + 1),
  }));
  progress(`starting kube-controller-manager, kube-scheduler and ${nodes.length} node agent${nodes.length === 1 ? '' : 's'} (kwok ${binaries.versions.kwok})`);
  const controllerManager = launch('kube-controller-manager', controllerManagerSpec(layout));
  const scheduler = launch('kube-scheduler', schedulerSpec(layout));
  const controllersHealthy = timed('controllers', Promise.all([
    waitHealthy(controllerManager, () => httpsGet(`https://127.0.0.1:${ports.controllerManager}/healthz`, {})),
    waitHealthy(scheduler, () => httpsGet(`https://127.0.0.1:${ports.scheduler}/healthz`, {})),
  ]));
  // The nodes exist (with their pod CIDRs) before their agents start, so no agent registers one of its own.
  await timed('node objects', bootstrapObjects(clients, nodes));
  const nodeRecords = nodes.map((node) => ({ ...node, agent: launch(`node-agent ${node.name}`, nodeAgentSpec(layout, node.name, node.ip)) }));

  const state: ClusterState = {
    name: options.name,
    createdAt: new Date().toISOString(),
    kubeconfig: kubeconfigs.admin,
    apiServer: server,
    ports,
    versions: binaries.versions,
    components: [etcd, apiServer, controllerManager, scheduler],
    nodes: nodeRecords,
    audit,
  };
  writeState(state);
  await Promise.all([
    controllersHealthy,
    timed('nodes Ready', waitForNodesReady(clients, nodeRecords.map((n) => n.agent), nodes.length)),
    timed('default service account', waitForDefaultServiceAccount(clients)),
  ]);
  const took = ((Date.now() - startedAt) / 1000).toFixed(1);
  progress(`cluster "${options.name}" is up: ${nodes.length} Ready node${nodes.length === 1 ? '' : 's'} in ${took} s (${phases.join(', ')})`);
  return state;
}

function auditLevelFor(detail: boolean): AuditLevel {
  return detail ? 'detail' : 'metadata';
}

/** Objects the cluster needs before its nodes start: the Node objects (with their pod CIDRs) and a StorageClass. */
async function bootstrapObjects(clients: KubeClients, nodes: { name: string; podCidr: string }[]): Promise<void> {
  await Promise.all([createNodes(clients, nodes), createStorageClass(clients), createControllerAccounts(clients)]);
}

async function createControllerAccounts(clients: KubeClients): Promise<void> {
  await Promise.all(CONTROLLER_SERVICE_ACCOUNTS.map(async (name) => {
    try {
      await clients.core.createNamespacedServiceAccount({ namespace: 'kube-system', body: { metadata: { name, namespace: 'kube-system' } } });
    } catch (error) {
      // The controller-manager made it first: what it would have done anyway.
      if (statusOf(error) !== 409) throw error;
    }
  }));
}

async function createNodes(clients: KubeClients, nodes: { name: string; podCidr: string }[]): Promise<void> {
  for (const node of nodes) {
    const body: k8s.V1Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: node.name,
        labels: {
          [AGENT_LABEL]: node.name,
          'kubernetes.io/hostname': node.name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'node.kubernetes.io/instance-type': 'kwok',
          type: 'kwok',
        },
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
      },
      // Set here rather than left to the IPAM controller, so kwok never hands out an address before the node has
      // its range (it would fall back to a range shared by all nodes).
      spec: { podCIDR: node.podCidr, podCIDRs: [node.podCidr] },
    };
    await clients.core.createNode({ body });
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
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    for (const agent of agents) assertAlive(agent);
    const list = await clients.core.listNode({ labelSelector: AGENT_LABEL });
    const ready = list.items.filter(isNodeReady).length;
    if (ready === count) return;
    if (Date.now() > deadline) {
      throw new ClusterError(`only ${ready} of ${count} nodes became Ready within ${STARTUP_TIMEOUT_MS / 1000} s; see the node-agent logs in ${join(clusterDirOf(agents), 'logs')}.`);
    }
    await sleep(100);
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
  progress(`stopping cluster "${name}" (${state.nodes.length} node agents, 4 control-plane components)`);
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
  return {
    name: state.name,
    apiServer: state.apiServer,
    kubeconfig: state.kubeconfig,
    versions: state.versions,
    healthy: isHealthy(state),
    components: state.components.map(describe),
    nodes: state.nodes.map((node) => ({
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

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterError } from '../../errors.js';
import { reboundHome } from '../../util/paths.js';
import type { ProcessSpec } from './process.js';
import type { FailureDetection } from '../failure-detection.js';

/** A control-plane component of the local cluster. */
export type ComponentName = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler';

/** A process the cluster started, with what is needed to start it again. */
export interface ComponentRecord {
  readonly name: string;
  readonly spec: ProcessSpec;
  /** Undefined while deliberately stopped (a node stopped by a fault). */
  pid: number | undefined;
}

/**
 * What the API server's audit log records: `metadata` (who changed what) or `detail` (also the request and response
 * bodies of writes to pods, pods/status and EndpointSlices; `cluster up --audit-detail`).
 */
export type AuditLevel = 'metadata' | 'detail';

/** One simulated node: its name and addresses. */
export interface NodeAddress {
  readonly name: string;
  readonly podCidr: string;
  readonly ip: string;
}

/** One simulated node with an agent of its own (the nodes node faults can stop). */
export interface NodeRecord extends NodeAddress {
  readonly agent: ComponentRecord;
}

/** The nodes that share one agent (`cluster up` with more than 50 nodes, or --dedicated-nodes). */
export interface BulkRecord {
  readonly agent: ComponentRecord;
  readonly nodes: NodeAddress[];
}

/** Everything `cluster up` wrote down about a running local cluster: its state folder's cluster.json. */
export interface ClusterState {
  readonly name: string;
  readonly createdAt: string;
  readonly kubeconfig: string;
  readonly apiServer: string;
  readonly ports: Readonly<Record<string, number>>;
  readonly versions: Readonly<Record<string, string>>;
  readonly components: ComponentRecord[];
  /** The nodes with an agent of their own. */
  readonly nodes: NodeRecord[];
  /** The nodes that share one agent; absent when every node has its own (every cluster of up to 50 nodes by default). */
  readonly bulk?: BulkRecord;
  /** Absent in the state of clusters brought up before the option existed: those log `metadata`. */
  readonly audit?: AuditLevel;
  /** How fast it notices a lost node; absent in states written before the option existed: those are `fast`. */
  readonly failureDetection?: FailureDetection;
}

/** How fast a cluster notices a lost node, older states included. */
export function failureDetectionOf(state: ClusterState): FailureDetection {
  return state.failureDetection ?? 'fast';
}

/** The audit level of a cluster, older states included. */
export function auditLevelOf(state: ClusterState): AuditLevel {
  return state.audit ?? 'metadata';
}

/** How many nodes the cluster has, with or without an agent of their own. */
export function nodeCountOf(state: ClusterState): number {
  return state.nodes.length + (state.bulk?.nodes.length ?? 0);
}

/** The folder of all local clusters' state. */
export function clustersDir(): string {
  return join(reboundHome(), 'clusters');
}

/** The state folder of one local cluster. */
export function clusterDir(name: string): string {
  return join(clustersDir(), name);
}

function stateFile(name: string): string {
  return join(clusterDir(name), 'cluster.json');
}

/** Reads a cluster's state, or undefined when no cluster of that name was brought up. */
export function readState(name: string): ClusterState | undefined {
  const file = stateFile(name);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
  } catch (error) {
    throw new ClusterError(`${file} is unreadable (${(error as Error).message}); run \`rebound cluster down --name ${name}\` and bring it up again.`);
  }
}

/** Writes a cluster's state atomically (write, then rename), so a crash never leaves half a file. */
export function writeState(state: ClusterState): void {
  const file = stateFile(state.name);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, file);
}

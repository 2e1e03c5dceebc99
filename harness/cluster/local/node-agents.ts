import { UsageError } from '../../errors.js';
import { pause, processState, resume, startDetached, stopProcess, type ProcessState } from './process.js';
import { requireState } from './cluster.js';
import { writeState, type ClusterState, type NodeRecord } from './state.js';
import { AGENT_LABEL } from './settings.js';
import { SHARED_NODE_AGENT } from '../provider.js';
import { summarizeNames } from '../../util/names.js';

/** A node of the local cluster and the state of the process that plays its kubelet. */
export interface NodeAgent {
  readonly node: string;
  readonly pid: number | undefined;
  readonly state: ProcessState;
}

/**
 * The node primitives the fault library uses on the local cluster: a node "stops" when its agent (kwok) stops
 * renewing the node's lease and updating its pods, exactly as when a kubelet dies.
 */
export class NodeAgents {
  private constructor(private readonly cluster: string) {}

  /** The agents of the named local cluster (which must be up). */
  static of(cluster: string): NodeAgents {
    requireState(cluster);
    return new NodeAgents(cluster);
  }

  /** The nodes with an agent of their own (the ones this class can stop); nodes sharing one are not listed. */
  list(): NodeAgent[] {
    return requireState(this.cluster).nodes.map((node) => ({
      node: node.name,
      pid: node.agent.pid,
      state: processState(node.agent.pid, node.agent.spec.binary),
    }));
  }

  /** Stops a node's agent (SIGTERM, then SIGKILL); `kill` sends SIGKILL at once, as a crashed machine. */
  async stop(node: string, kill = false): Promise<void> {
    const { state, record } = this.find(node);
    if (record.agent.pid !== undefined) await stopProcess(record.agent.pid, record.agent.spec.binary, kill ? 0 : 5000);
    record.agent.pid = undefined;
    writeState(state);
  }

  /** Starts a stopped node's agent again; a running one is left alone. */
  async start(node: string): Promise<void> {
    const { state, record } = this.find(node);
    const current = processState(record.agent.pid, record.agent.spec.binary);
    if (current === 'paused') resume(record.agent.pid as number);
    if (current !== 'absent') return;
    record.agent.pid = startDetached(record.agent.spec);
    writeState(state);
  }

  /** Freezes a node's agent (SIGSTOP): the node goes silent without its process ending. */
  pause(node: string): void {
    const { record } = this.find(node);
    if (record.agent.pid === undefined) throw new UsageError(`node ${node} is stopped; it cannot be paused.`);
    pause(record.agent.pid);
  }

  resume(node: string): void {
    const { record } = this.find(node);
    if (record.agent.pid !== undefined) resume(record.agent.pid);
  }

  private find(node: string): { state: ClusterState; record: NodeRecord } {
    const state = requireState(this.cluster);
    const record = state.nodes.find((n) => n.name === node);
    if (!record) {
      if (state.bulk?.nodes.some((n) => n.name === node)) throw sharedAgentError(this.cluster, [node], state);
      const all = [...state.nodes, ...(state.bulk?.nodes ?? [])].map((n) => n.name);
      throw new UsageError(`cluster "${this.cluster}" has no node "${node}"; its nodes: ${summarizeNames(all)}.`);
    }
    return { state, record };
  }
}

/**
 * Node faults cannot stop, pause or restart a node that shares its agent: the agent plays all of them. One error,
 * naming the nodes that can be (those with an agent of their own) and how to select them.
 */
export function sharedAgentError(cluster: string, nodes: readonly string[], state: ClusterState): UsageError {
  const which = nodes.length === 1 ? `node ${nodes[0]} shares` : `nodes ${summarizeNames(nodes)} share`;
  const own = state.nodes.map((n) => n.name);
  const can = own.length === 0 ? `no node of cluster "${cluster}" has one (bring it up with --dedicated-nodes N)`
    : `the nodes that can be: ${summarizeNames(own)} (selector ${AGENT_LABEL}!=${SHARED_NODE_AGENT})`;
  return new UsageError(`${which} one node agent with ${state.bulk?.nodes.length ?? 0} nodes of cluster "${cluster}" and cannot be stopped, paused or restarted alone; ${can}.`);
}

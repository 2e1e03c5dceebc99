/**
 * `npm run bench -- --rebound-cpu N`: each `rebound run` alone on CPU N, the local cluster's processes on the others.
 *
 * A process inherits its parent's CPU affinity, and a node agent that a node-stop trial stopped is started again by
 * rebound itself (NodeAgents.start in harness/cluster/local/node-agents.ts: a detached child of `rebound run`). Pinned
 * to N as its parent is, it would share rebound's core for the rest of the bench. So the bench pins the cluster before
 * and after each run, and while a run goes on re-pins every PIN_EVERY_MS whatever process of the cluster may run on
 * N: an agent started again shares rebound's core for at most that long (plus one taskset).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { readState } from '../../harness/cluster/local/state.js';

/** How often the cluster is re-pinned while a run goes on. */
export const PIN_EVERY_MS = 100;

/** The CPUs of a list as the kernel writes one (`0-2,4`). */
export function parseCpuList(list: string): number[] {
  const all: number[] = [];
  for (const part of list.trim().split(',').filter((p) => p !== '')) {
    const [from, to = from] = part.split('-').map(Number);
    if (!Number.isInteger(from) || !Number.isInteger(to) || to < from) throw new Error(`not a CPU list: ${list}`);
    for (let cpu = from; cpu <= to; cpu += 1) all.push(cpu);
  }
  return all;
}

/** The CPUs the main thread of `pid` may run on; undefined when there is no such process. */
export function allowedCpus(pid: number): number[] | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const list = /^Cpus_allowed_list:\s*(\S+)$/m.exec(status)?.[1];
  return list === undefined ? undefined : parseCpuList(list);
}

/**
 * Moves every thread of each of `pids` that may run on `cpu` to the CPUs `others` (a taskset list); gives the pids
 * it moved. A process that is gone is passed over (a trial may stop an agent at any time).
 */
export function pinAway(pids: readonly number[], cpu: number, others: string): number[] {
  const moved: number[] = [];
  for (const pid of pids) {
    // Threads a process starts later inherit the affinity of the thread that starts them: the main one tells.
    if (!(allowedCpus(pid)?.includes(cpu) ?? false)) continue;
    const result = spawnSync('taskset', ['-a', '-p', '-c', others, String(pid)], { encoding: 'utf8' });
    if (result.status !== 0 && allowedCpus(pid) !== undefined) {
      throw new Error(`taskset of pid ${String(pid)} failed: ${result.stderr || String(result.error)}`);
    }
    if (result.status === 0) moved.push(pid);
  }
  return moved;
}

/** The processes of a local cluster as its state lists them: control plane, node agents, the shared agent. */
export function clusterPids(cluster: string): number[] {
  const state = readState(cluster);
  if (state === undefined) throw new Error(`cluster ${cluster} has no state to pin`);
  const records = [...state.components, ...state.nodes.map((n) => n.agent), ...(state.bulk === undefined ? [] : [state.bulk.agent])];
  return records.map((r) => r.pid).filter((pid) => pid !== undefined);
}

/** Keeps the processes of one local cluster off one CPU. */
export class ClusterPin {
  /** The other CPUs, as taskset takes them. */
  readonly others: string;

  constructor(readonly cluster: string, readonly cpu: number) {
    this.others = cpus().map((_, i) => i).filter((i) => i !== cpu).join(',');
    if (this.others === '') throw new Error('--rebound-cpu needs a machine with more than one CPU');
  }

  /** Pins the cluster now: its processes, and those of them this call moved. */
  pin(): { pids: number[]; moved: number[] } {
    const pids = clusterPids(this.cluster);
    return { pids, moved: pinAway(pids, this.cpu, this.others) };
  }

  /**
   * Re-pins the cluster every PIN_EVERY_MS until the function it returns is called, which gives the pids moved
   * meanwhile (or throws the first error met).
   */
  watch(): () => number[] {
    const moved: number[] = [];
    let failure: Error | undefined;
    const timer = setInterval(() => {
      if (failure !== undefined) return;
      try {
        moved.push(...this.pin().moved);
      } catch (error) {
        failure = error instanceof Error ? error : new Error(`re-pinning cluster ${this.cluster} failed`);
      }
    }, PIN_EVERY_MS);
    return () => {
      clearInterval(timer);
      if (failure !== undefined) throw failure;
      return moved;
    };
  }
}

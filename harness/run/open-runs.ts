/**
 * The runs that left changes in a cluster, from both places they are written: the journals on this machine's disk
 * and the records of the in-cluster ledger (any machine's). One run found in both is one run: its changes are
 * the union of both lists, by entry id, the disk's version first (the disk is written first, and a record behind
 * by a removal only makes recover repeat an undo step, which is safe).
 */
import type { ClusterRecord } from './cluster-journal.js';
import type { FoundJournal, JournalEntry, JournalFile } from './journal.js';

/**
 * Whether a run is still going: `here` its process runs on this machine; `elsewhere` it ran on another machine,
 * which only a heartbeat can tell; `ended` its process is gone.
 */
export type RunLiveness = 'here' | 'elsewhere' | 'ended';

/** A run with changes on record, merged from its journal on disk and its record in the cluster. */
export interface OpenRun {
  readonly runId: string;
  /** The run's journal, its entries merged from both places. */
  readonly journal: JournalFile;
  readonly disk: FoundJournal | undefined;
  readonly record: ClusterRecord | undefined;
  readonly liveness: RunLiveness;
  /** Written for an earlier cluster of the same name (a local or kind cluster deleted since). */
  readonly stale: boolean;
  /** Its record says everything was undone (by a recover, possibly on another machine). */
  readonly reverted: boolean;
}

function mergeEntries(disk: readonly JournalEntry[], cluster: readonly JournalEntry[]): JournalEntry[] {
  const byId = new Map<number, JournalEntry>();
  for (const entry of cluster) byId.set(entry.id, entry);
  for (const entry of disk) byId.set(entry.id, entry);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** Merges the journals on disk and the records in the cluster into one list of runs, by run id, oldest first. */
export function openRuns(disk: readonly FoundJournal[], records: readonly ClusterRecord[], host: string): OpenRun[] {
  const runIds = [...new Set([...disk.map((d) => d.journal.runId), ...records.map((r) => r.journal.runId)])].sort();
  return runIds.map((runId) => {
    const file = disk.find((d) => d.journal.runId === runId);
    const record = records.find((r) => r.journal.runId === runId);
    const reverted = record?.state === 'reverted';
    // Everything undone, by whoever: a journal left on this disk lists changes that are gone.
    const entries = reverted ? [] : mergeEntries(file?.journal.entries ?? [], record?.journal.entries ?? []);
    const header = file?.journal ?? record?.journal;
    if (header === undefined) throw new Error(`run ${runId} found nowhere`);
    let liveness: RunLiveness = 'ended';
    if (file?.running === true || record?.runningHere === true) liveness = 'here';
    else if (record !== undefined && !reverted && record.host !== host) liveness = 'elsewhere';
    return {
      runId,
      journal: { ...header, entries },
      disk: file,
      record,
      liveness,
      // A record lives in the cluster it describes: never stale.
      stale: record === undefined && file?.stale === true,
      reverted,
    };
  });
}

/**
 * The runs a new run must not start beside: every run with changes on record, unless it is going on this machine
 * (as a journal on disk alone, a run here may share its cluster with another run here) or was for an earlier cluster.
 * A run elsewhere counts whether or not it still goes: two runs breaking one shared cluster measure each other.
 */
export function blockingRuns(runs: readonly OpenRun[]): OpenRun[] {
  return runs.filter((r) => !r.reverted && !r.stale && r.liveness !== 'here' && r.journal.entries.length > 0);
}

/** One line naming a run for people: its id, machine, pid, start, and last heartbeat when it ran elsewhere. */
export function describeRun(run: OpenRun): string {
  const where = run.record !== undefined && run.liveness === 'elsewhere' ? ` on ${run.record.host}` : '';
  const heartbeat = run.liveness === 'elsewhere' && run.record?.heartbeat !== undefined ? `, last heartbeat ${run.record.heartbeat}` : '';
  return `run ${run.runId}${where} (pid ${run.journal.pid}, started ${run.journal.startedAt}${heartbeat})`;
}

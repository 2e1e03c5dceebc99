/**
 * `rebound recover`: undoes what runs that ended without undoing it left in a cluster (a SIGKILL, a CI runner's hard
 * limit, a crash, a third Ctrl-C), from their journals on disk and, when it is read, the in-cluster ledger (what
 * runs on other machines left in a shared cluster): faults first (nodes started, resumed, reconnected, uncordoned,
 * untainted; workloads scaled back; stopped processes continued), then processes, objects and namespaces, each
 * newest first, as a run's own cleanup does. A run still going is left alone: on this machine, its process is
 * there; on another, its record's heartbeat still ticks (unless `force`).
 */
import { sleep } from '../util/sleep.js';
import { UNDO_ORDER } from './ledger.js';
import { isConflict, LIVENESS_WAIT_MS, type ClusterLedger, type ClusterRecord, type RecordMarks } from './cluster-journal.js';
import { journalsOf, rewriteJournal, type JournalCluster, type JournalEntry } from './journal.js';
import { describeRun, openRuns, type OpenRun } from './open-runs.js';
import { describeStep, performStep, type StepTarget } from './revert-steps.js';

/** What recover did. */
export interface RecoverOutcome {
  /** One line per step performed. */
  readonly undone: readonly string[];
  /** Steps that failed, with why; their changes stay in the journal for another try. */
  readonly problems: readonly string[];
  /** Runs still going: their journals were left alone. */
  readonly running: readonly string[];
  /** Journal files (and in-cluster records) that could not be read. */
  readonly unreadable: readonly string[];
}

/** Where recover looks besides the disk, and how far it goes. */
export interface RecoverOptions {
  /** The cluster's in-cluster ledger: its records are undone too, and marked reverted. */
  readonly ledger?: ClusterLedger;
  /** Undo the changes of runs on other machines whose heartbeat still ticks (they then inject nothing more). */
  readonly force?: boolean;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Which runs of other machines are alive: their records change (the heartbeat) within LIVENESS_WAIT_MS. No clock is
 * compared, so machines whose clocks disagree do not fool it. Returns the records as they are after the wait.
 */
async function watchHeartbeats(
  ledger: ClusterLedger,
  runs: readonly OpenRun[],
  say: (line: string) => void,
): Promise<Map<string, { alive: boolean; now: ClusterRecord | undefined }>> {
  const seen = new Map<string, { alive: boolean; now: ClusterRecord | undefined }>();
  const watched = runs.filter((r): r is OpenRun & { record: ClusterRecord } => r.record !== undefined);
  if (watched.length === 0) return seen;
  say(`${watched.length} run${watched.length === 1 ? '' : 's'} of other machines on record; watching ${LIVENESS_WAIT_MS / 1000} s for a heartbeat (--force does not wait):`);
  for (const run of watched) say(`  ${describeRun(run)}`);
  await sleep(LIVENESS_WAIT_MS);
  for (const run of watched) {
    const now = await ledger.read(run.record.name);
    seen.set(run.runId, { alive: now !== undefined && now.resourceVersion !== run.record.resourceVersion && now.state !== 'reverted', now });
  }
  return seen;
}

/**
 * Marks a record as taken by this recover, if nobody changed it since it was read; with `force`, a run that still
 * writes its heartbeat is overtaken (read again, claimed again, with the changes it wrote meanwhile). Returns the
 * record as written and the changes to undo, 'conflict', or why not.
 */
async function claim(
  ledger: ClusterLedger,
  record: ClusterRecord,
  run: OpenRun,
  marks: RecordMarks,
  force: boolean,
): Promise<{ record: ClusterRecord; entries: JournalEntry[] } | string> {
  let current: ClusterRecord | undefined = record;
  let entries = [...run.journal.entries];
  for (let attempt = 0; attempt < (force ? 3 : 1); attempt += 1) {
    if (current === undefined) return 'conflict';
    const empty = entries.length === 0;
    try {
      const written = await ledger.replace(current, { ...run.journal, entries }, empty ? 'reverted' : 'recovering', { ...marks, ...(empty ? { revertedAt: new Date().toISOString() } : {}) });
      return { record: written, entries };
    } catch (error) {
      if (!isConflict(error)) return message(error);
      current = await ledger.read(record.name);
      // Reverted meanwhile by another recover: nothing more to claim.
      if (current === undefined || current.state === 'reverted') return 'conflict';
      const known = new Set(entries.map((e) => e.id));
      entries = [...entries, ...current.journal.entries.filter((e) => !known.has(e.id))].sort((a, b) => a.id - b.id);
    }
  }
  return 'conflict';
}

/** Undoes every open change of the cluster's ended runs; `say` gets a line per step as it goes. */
export async function recover(
  cluster: JournalCluster,
  target: StepTarget,
  say: (line: string) => void,
  options: RecoverOptions = {},
): Promise<RecoverOutcome> {
  const { found, unreadable } = journalsOf(cluster);
  const undone: string[] = [];
  const problems: string[] = [];
  const running: string[] = [];
  const { ledger } = options;
  let records: ClusterRecord[] = [];
  if (ledger) {
    try {
      const read = await ledger.records();
      records = read.records;
      unreadable.push(...read.unreadable);
      await ledger.forgetReverted(records, Date.now());
    } catch (error) {
      problems.push(`${message(error)}; only this machine's journals were undone`);
    }
  }
  const host = ledger?.host ?? '';
  const runs = openRuns(found, records, host);
  const heartbeats = ledger && !options.force
    ? await watchHeartbeats(ledger, runs.filter((r) => r.liveness === 'elsewhere'), say)
    : new Map<string, { alive: boolean; now: ClusterRecord | undefined }>();

  for (const run of runs) {
    const { disk } = run;
    let record = run.record;
    if (run.reverted) {
      if (disk) {
        say(`${describeRun(run)} was undone already${record?.recoveredBy ? ` by the recover of ${record.recoveredBy}` : ''}${record?.revertedAt ? ` at ${record.revertedAt}` : ''}; its journal here is gone now`);
        rewriteJournal(disk, []);
      }
      continue;
    }
    if (run.liveness === 'here') {
      running.push(`${describeRun(run)} is still running; its changes are its own to undo`);
      continue;
    }
    const heartbeat = heartbeats.get(run.runId);
    if (heartbeat !== undefined) {
      if (heartbeat.alive) {
        running.push(`${describeRun(run)} is still running: its record in the cluster changed within ${LIVENESS_WAIT_MS / 1000} s; --force undoes its changes anyway (it then injects nothing more)`);
        continue;
      }
      if (heartbeat.now === undefined) continue;
      record = heartbeat.now;
    }
    if (run.stale && disk) {
      say(`run ${run.runId} (started ${run.journal.startedAt}) worked on an earlier cluster of this name, deleted since: nothing of it to undo`);
      rewriteJournal(disk, []);
      continue;
    }
    let open: JournalEntry[] = [...run.journal.entries];
    const recoveredBy = `${host} pid ${process.pid}`;
    const marks = { ...(record?.heartbeat === undefined ? {} : { heartbeat: record.heartbeat }), recoveredBy };
    // Taken over before anything is undone: a run still writing its record fails its next write and stops.
    if (record && ledger) {
      const claimed = await claim(ledger, record, run, marks, options.force === true);
      if (typeof claimed === 'string') {
        if (claimed === 'conflict') running.push(`${describeRun(run)} changed its record while recover looked at it (it runs, or another recover took it): left alone; run recover again`);
        else problems.push(claimed);
        continue;
      }
      record = claimed.record;
      open = claimed.entries;
    }
    if (open.length > 0) say(`${describeRun(run)} left ${open.length} change${open.length === 1 ? '' : 's'}:`);
    let recordBroken: string | undefined;
    for (const stage of UNDO_ORDER) {
      const entries = open.filter((e) => e.stage === stage).sort((a, b) => b.id - a.id);
      for (const entry of entries) {
        let failed = false;
        for (const step of entry.steps) {
          try {
            await performStep(step, target);
            undone.push(describeStep(step));
            say(`  ${describeStep(step)}`);
          } catch (error) {
            failed = true;
            problems.push(`${describeStep(step)}: ${message(error)}`);
          }
        }
        if (failed) continue;
        open = open.filter((e) => e !== entry);
        if (disk) rewriteJournal(disk, open);
        if (record && ledger && recordBroken === undefined && open.length > 0) {
          try {
            record = await ledger.replace(record, { ...run.journal, entries: open }, 'recovering', marks);
          } catch (error) {
            // The undo goes on (the steps are safe to repeat); the record is brought up to date at the end, or says
            // more than is left, which a later recover undoes again harmlessly.
            recordBroken = message(error);
          }
        }
      }
    }
    // A run killed before it changed anything leaves an empty journal: gone now too.
    if (disk) rewriteJournal(disk, open);
    if (record && ledger && record.state !== 'reverted') {
      try {
        const fresh = recordBroken !== undefined ? await ledger.read(record.name) : record;
        if (fresh !== undefined) {
          await ledger.replace(fresh, { ...run.journal, entries: open }, open.length === 0 ? 'reverted' : 'open',
            { ...marks, ...(open.length === 0 ? { revertedAt: new Date().toISOString() } : {}) });
        }
      } catch (error) {
        problems.push(recordBroken ?? message(error));
      }
    }
  }
  return { undone, problems, running, unreadable };
}

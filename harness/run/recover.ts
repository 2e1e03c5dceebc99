/**
 * `rebound recover`: undoes what runs that ended without undoing it left in a cluster (a SIGKILL, a CI runner's hard
 * limit, a crash, a third Ctrl-C), from their journals on disk: faults first (nodes started, resumed, reconnected,
 * uncordoned, untainted; workloads scaled back; stopped processes continued), then processes, objects and namespaces,
 * each newest first, as a run's own cleanup does. A journal whose run still runs is left alone.
 */
import { UNDO_ORDER } from './ledger.js';
import { journalsOf, rewriteJournal, type JournalCluster, type JournalEntry } from './journal.js';
import { describeStep, performStep, type StepTarget } from './revert-steps.js';

/** What recover did. */
export interface RecoverOutcome {
  /** One line per step performed. */
  readonly undone: readonly string[];
  /** Steps that failed, with why; their changes stay in the journal for another try. */
  readonly problems: readonly string[];
  /** Runs still going: their journals were left alone. */
  readonly running: readonly string[];
  /** Journal files that could not be read. */
  readonly unreadable: readonly string[];
}

/** Undoes every open change of the cluster's finished runs; `say` gets a line per step as it goes. */
export async function recover(cluster: JournalCluster, target: StepTarget, say: (line: string) => void): Promise<RecoverOutcome> {
  const { found, unreadable } = journalsOf(cluster);
  const undone: string[] = [];
  const problems: string[] = [];
  const running: string[] = [];
  for (const journal of found) {
    const { runId, pid, startedAt } = journal.journal;
    if (journal.running) {
      running.push(`run ${runId} (pid ${pid}, started ${startedAt}) is still running; its changes are its own to undo`);
      continue;
    }
    if (journal.stale) {
      say(`run ${runId} (started ${startedAt}) worked on an earlier cluster of this name, deleted since: nothing of it to undo`);
      rewriteJournal(journal, []);
      continue;
    }
    let open: JournalEntry[] = [...journal.journal.entries];
    if (open.length > 0) say(`run ${runId} (pid ${pid}, started ${startedAt}) left ${open.length} change${open.length === 1 ? '' : 's'}:`);
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
            problems.push(`${describeStep(step)}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
        if (!failed) {
          open = open.filter((e) => e !== entry);
          rewriteJournal(journal, open);
        }
      }
    }
    // A run killed before it changed anything leaves an empty journal: gone now too.
    rewriteJournal(journal, open);
  }
  return { undone, problems, running, unreadable };
}

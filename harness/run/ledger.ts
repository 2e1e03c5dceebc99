import type { RevertStep } from '../faults/revert-step.js';
import type { Journal } from './journal.js';

/** What an undo action undoes; cleanup runs them in this order, so nodes are back before namespaces go. */
export type { UndoStage } from './journal.js';
import type { UndoStage } from './journal.js';

/** The cleanup order of the stages. */
export const UNDO_ORDER: readonly UndoStage[] = ['fault', 'process', 'object', 'namespace'];

interface Entry {
  readonly stage: UndoStage;
  readonly label: string;
  readonly undo: () => Promise<void>;
  /** Its entry in the journal on disk, when it has steps a later `rebound recover` could perform. */
  readonly journalId: number | undefined;
}

/** A change written down before it is made, not yet known to have happened. */
export interface PendingChange {
  /** It happened: undo it with `undo`; `steps`, when given, say more exactly than before what it changed. */
  commit(undo: () => Promise<void>, steps?: readonly RevertStep[]): void;
  /** It did not happen (or undid itself): nothing to undo. */
  drop(): void;
}

/** A recorded change whose steps may still change (a supervised process restarted with a new pid). */
export interface RecordedChange {
  updateSteps(steps: readonly RevertStep[]): void;
}

/**
 * Everything rebound changed in a cluster, with how to undo it. Cleanup always runs, after PASS, FAIL, ERROR and
 * ABORTED: faults first (a stopped node's pods would hang a namespace deletion), then processes, created objects and
 * namespaces, each stage newest first. An undo that fails is reported, and the rest still run. With a journal,
 * each change that has steps is on disk before it is made and leaves the disk once undone, so that a killed run's
 * changes can be undone by `rebound recover`.
 */
export class Ledger {
  private entries: Entry[] = [];

  constructor(private readonly journal?: Journal) {}

  /** The run's id (its journal's), as labels of what it creates carry it; `local` without a journal. */
  get runId(): string {
    return this.journal?.runId ?? 'local';
  }

  /**
   * Records a change made; with `steps` (even none yet) it is in the journal too. The change is made already: it
   * stays recorded (and on disk) for this run's cleanup even when the journal's mirror could not be written, which
   * is then thrown.
   */
  async record(stage: UndoStage, label: string, undo: () => Promise<void>, steps?: readonly RevertStep[]): Promise<RecordedChange> {
    const written = this.journal && steps !== undefined ? this.journal.add(stage, label, steps) : undefined;
    const journalId = written?.id;
    this.entries.push({ stage, label, undo, journalId });
    await written?.mirrored;
    return { updateSteps: (next) => { if (journalId !== undefined) this.journal?.update(journalId, next); } };
  }

  /**
   * Writes a change down before making it (for the journal); commit or drop it once it is made or not. Resolves
   * once the journal holds it; rejects, and the change must not be made, when the journal could not be written
   * (the in-cluster ledger of a shared cluster unreachable or forbidden).
   */
  async begin(stage: UndoStage, label: string, steps: readonly RevertStep[] | undefined): Promise<PendingChange> {
    const written = this.journal && steps !== undefined ? this.journal.add(stage, label, steps) : undefined;
    const journalId = written?.id;
    try {
      await written?.mirrored;
    } catch (error) {
      // Not made, so not on the journal either.
      if (journalId !== undefined) this.journal?.remove(journalId);
      throw error;
    }
    return {
      commit: (undo, exact) => {
        if (journalId !== undefined && exact !== undefined) this.journal?.update(journalId, exact);
        this.entries.push({ stage, label, undo, journalId });
      },
      drop: () => { if (journalId !== undefined) this.journal?.remove(journalId); },
    };
  }

  /** Undoes the entries of some stages now (between trials: only faults); returns the problems. */
  async undo(stages: readonly UndoStage[] = UNDO_ORDER): Promise<string[]> {
    const problems: string[] = [];
    for (const stage of UNDO_ORDER.filter((s) => stages.includes(s))) {
      const mine = this.entries.filter((e) => e.stage === stage).reverse();
      for (const entry of mine) {
        try {
          await entry.undo();
          // Undone: off the disk. One that failed stays there, for `rebound recover`.
          if (entry.journalId !== undefined) this.journal?.remove(entry.journalId);
        } catch (error) {
          problems.push(`${entry.label}: ${error instanceof Error ? error.message : String(error)}`);
        }
        // Gone once tried: pending() says what is still to be undone.
        this.entries = this.entries.filter((e) => e !== entry);
      }
    }
    return problems;
  }

  /** What is still to be undone, in the order undo() takes it. */
  pending(): string[] {
    return UNDO_ORDER.flatMap((stage) => this.entries.filter((e) => e.stage === stage).reverse().map((e) => e.label));
  }
}

/** What an undo action undoes; cleanup runs them in this order, so nodes are back before namespaces go. */
export type UndoStage = 'fault' | 'process' | 'object' | 'namespace';

const ORDER: readonly UndoStage[] = ['fault', 'process', 'object', 'namespace'];

interface Entry {
  readonly stage: UndoStage;
  readonly label: string;
  readonly undo: () => Promise<void>;
}

/**
 * Everything rebound changed in a cluster, with how to undo it. Cleanup always runs, after PASS, FAIL and ERROR:
 * faults first (a stopped node's pods would hang a namespace deletion), then processes, created objects and
 * namespaces, each stage newest first. An undo that fails is reported, and the rest still run.
 */
export class Ledger {
  private entries: Entry[] = [];

  record(stage: UndoStage, label: string, undo: () => Promise<void>): void {
    this.entries.push({ stage, label, undo });
  }

  /** Undoes the entries of some stages now (between trials: only faults); returns the problems. */
  async undo(stages: readonly UndoStage[] = ORDER): Promise<string[]> {
    const problems: string[] = [];
    for (const stage of ORDER.filter((s) => stages.includes(s))) {
      const mine = this.entries.filter((e) => e.stage === stage).reverse();
      for (const entry of mine) {
        try {
          await entry.undo();
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
    return ORDER.flatMap((stage) => this.entries.filter((e) => e.stage === stage).reverse().map((e) => e.label));
  }
}

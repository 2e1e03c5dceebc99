import type { DeletionWait } from './namespace.js';

interface Waiting {
  readonly owner: number;
  readonly gone: Promise<string | undefined>;
}

/**
 * The namespaces a run's scenarios deleted and did not wait for (harness/run/namespace.ts): each scenario goes on to
 * the next while its namespace goes away, and the run waits for all of them before its end. One that does not go is
 * a cleanup problem of the scenario that deleted it, found late, which turns that scenario into an ERROR as if it
 * had been found at once.
 */
export class BackgroundDeletions {
  private readonly waiting: Waiting[] = [];

  /** Where scenario number `owner` hands its waits. */
  handTo(owner: number): DeletionWait {
    return (namespace, gone) => {
      this.waiting.push({
        owner,
        // Handled at once, so a namespace that fails before the run's end is not an unhandled rejection.
        gone: gone.then(() => undefined, (error: unknown) => `delete namespace ${namespace}: ${error instanceof Error ? error.message : String(error)}`),
      });
    };
  }

  /** How many namespaces are still being waited for. */
  get size(): number {
    return this.waiting.length;
  }

  /** Waits for every namespace; the problems by the scenario that deleted them. */
  async settle(): Promise<Map<number, string[]>> {
    const problems = new Map<number, string[]>();
    const outcomes = await Promise.all(this.waiting.map(async ({ owner, gone }) => ({ owner, problem: await gone })));
    for (const { owner, problem } of outcomes) {
      if (problem !== undefined) problems.set(owner, [...problems.get(owner) ?? [], problem]);
    }
    return problems;
  }
}

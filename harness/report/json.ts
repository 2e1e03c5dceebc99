import { join } from 'node:path';
import type { Reporter } from './reporter.js';
import type { RunResult } from './result.js';
import { writeAtomic } from './write-atomic.js';

/** Writes `<out>/results.json`, the run's machine-readable record. */
export class JsonReporter implements Reporter {
  constructor(private readonly out: string) {}

  /** Where the file goes. */
  get file(): string {
    return join(this.out, 'results.json');
  }

  onRunEnd(result: RunResult): void {
    writeAtomic(this.file, `${JSON.stringify(result, null, 2)}\n`);
  }
}

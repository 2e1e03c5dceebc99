import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../../harness/report/result.js';

/** The repository's root (tests run from dist/test/support/). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** What a CLI invocation gave back. */
export interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the compiled CLI as a user would (node bin/rebound.js ...), from the repository's root. */
export function rebound(args: readonly string[], options: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): Promise<Outcome> {
  return new Promise((done) => {
    execFile(process.execPath, [join(REPO, 'bin', 'rebound.js'), ...args], {
      cwd: options.cwd ?? REPO,
      env: { ...process.env, ...options.env },
      timeout: options.timeoutMs ?? 600_000,
      maxBuffer: 64 * 1024 * 1024,
    }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** The results.json a run wrote into `dir`. */
export function readResults(dir: string): RunResult {
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as RunResult;
}

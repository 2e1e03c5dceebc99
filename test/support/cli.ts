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

let queue: Promise<unknown> = Promise.resolve();

/**
 * The same command line run inside the test process (`runCli`, what `main` exits with): no Node start-up and module
 * loading per call, which made the CLI's refusal tests most of the unit suite's time. Output written through
 * process.stdout/process.stderr is captured; `cwd` and `env` are set for the call and restored after it. Calls run
 * one at a time. test/unit/cli/process.test.ts keeps a few checks of the real process (bin/rebound.js, exit codes).
 */
export function reboundInProcess(args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<Outcome> {
  const call = queue.then(() => runInProcess(args, options));
  queue = call.catch(() => undefined);
  return call;
}

async function runInProcess(args: readonly string[], options: { env?: Record<string, string>; cwd?: string }): Promise<Outcome> {
  const { runCli } = await import('../../harness/cli/main.js');
  const captured = { stdout: '', stderr: '' };
  const writers = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };
  const capture = (stream: 'stdout' | 'stderr') => (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    captured[stream] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const callback = rest.find((value): value is () => void => typeof value === 'function');
    callback?.();
    return true;
  };
  const savedEnv = new Map(Object.keys(options.env ?? {}).map((key) => [key, process.env[key]]));
  const savedCwd = process.cwd();
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  try {
    Object.assign(process.env, options.env);
    process.chdir(options.cwd ?? REPO);
    const code = await runCli(args);
    return { code, ...captured };
  } finally {
    process.stdout.write = writers.stdout;
    process.stderr.write = writers.stderr;
    process.chdir(savedCwd);
    for (const [key, value] of savedEnv) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  }
}

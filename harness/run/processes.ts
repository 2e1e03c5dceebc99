import type { RevertStep } from '../faults/revert-step.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { ReboundError } from '../errors.js';
import type { ProcessTable } from '../faults/fault.js';
import type { ProcessSpec } from '../scenario/schema.js';
import { sleep } from '../util/sleep.js';

/** How long a process may take to show it is ready. */
const READY_TIMEOUT_MS = 60_000;

/** A spec.processes entry could not be started or never became ready: an ERROR. */
export class ProcessStartError extends ReboundError {}

interface Supervised {
  readonly spec: ProcessSpec;
  readonly log: string;
  readonly output: WriteStream;
  child: ChildProcess | undefined;
  /** The command line it was started with, as /proc shows it. */
  command?: readonly string[];
  starts: number;
  /** Recent output, for error messages and the log readiness check. */
  tail: string[];
}

/** Replaces `${KUBECONFIG}` and `${NAMESPACE}` (the built-in variables of spec.processes); `$${` stays a literal `${`. */
export type Expand = (text: string) => string;

/**
 * Runs the programs of spec.processes on the harness's host for one scenario: started after the desired state is
 * applied, restarted when `restart: always` and they exit (as a Deployment would), stopped at cleanup. Output goes
 * to one log file per process in the run's folder.
 */
export class ProcessSupervisor implements ProcessTable {
  private readonly running = new Map<string, Supervised>();
  private stopping = false;
  /** Called after every start and restart: the journal keeps the pids a later `rebound recover` must stop. */
  onLaunch: (() => void) | undefined;

  constructor(private readonly expand: Expand, private readonly logDir: string, private readonly log: Logger) {}

  /** Starts every process and waits until each is ready (its log line, or its URL answering). */
  async startAll(specs: readonly ProcessSpec[]): Promise<void> {
    for (const spec of specs) {
      const file = `${this.logDir}/${spec.name}.log`;
      mkdirSync(dirname(file), { recursive: true });
      const entry: Supervised = { spec, log: file, output: createWriteStream(file, { flags: 'a' }), child: undefined, starts: 0, tail: [] };
      this.running.set(spec.name, entry);
      this.launch(entry);
      await this.waitReady(entry);
    }
  }

  /** Log files and start counts, for the report. */
  summary(): { name: string; log: string; starts: number }[] {
    return [...this.running.values()].map((e) => ({ name: e.spec.name, log: e.log, starts: e.starts }));
  }

  /** How to stop every process running now, as revert steps (pid and command line, so a reused pid is spared). */
  stopSteps(): RevertStep[] {
    return [...this.running.values()].flatMap((entry) => {
      const pid = entry.child && entry.child.exitCode === null && entry.child.signalCode === null ? entry.child.pid : undefined;
      return pid === undefined || entry.command === undefined ? [] : [{ op: 'stopProcess' as const, pid, command: entry.command }];
    });
  }

  pidOf(name: string): number | undefined {
    const child = this.running.get(name)?.child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  noteKill(name: string, signal: string): void {
    this.log.info({ process: name, signal }, 'process killed by a fault');
  }

  private launch(entry: Supervised): void {
    const [program, ...args] = entry.spec.command.map(this.expand);
    if (!program) throw new ProcessStartError(`process ${entry.spec.name} has an empty command`);
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(entry.spec.env)) env[key] = this.expand(value);
    entry.starts += 1;
    entry.output.write(`--- start ${entry.starts} at ${new Date().toISOString()}: ${[program, ...args].join(' ')}\n`);
    const child = spawn(program, args, { cwd: entry.spec.workingDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    entry.child = child;
    entry.command = [program, ...args];
    this.onLaunch?.();
    const collect = (chunk: Buffer): void => {
      entry.output.write(chunk);
      entry.tail.push(...chunk.toString('utf8').split('\n').filter((l) => l.trim() !== ''));
      if (entry.tail.length > 200) entry.tail.splice(0, entry.tail.length - 200);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('error', (error) => {
      entry.output.write(`--- could not start: ${error.message}\n`);
    });
    child.on('exit', (code, signal) => {
      entry.output.write(`--- exited at ${new Date().toISOString()} (code ${code}, signal ${signal})\n`);
      this.log.info({ process: entry.spec.name, code, signal }, 'process exited');
      if (this.stopping || entry.spec.restart !== 'always') return;
      // Back off a little, as a kubelet would, so a crash-looping program does not spin.
      const delay = Math.min(5000, 200 * 2 ** Math.min(entry.starts - 1, 5));
      setTimeout(() => {
        if (!this.stopping) this.launch(entry);
      }, delay);
    });
  }

  private async waitReady(entry: Supervised): Promise<void> {
    const ready = entry.spec.ready;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const failure = (why: string): ProcessStartError =>
      new ProcessStartError(`process ${entry.spec.name} ${why}; the end of its log (${entry.log}):`, entry.tail.slice(-15));
    for (;;) {
      const child = entry.child;
      if (child && child.exitCode !== null && entry.spec.restart !== 'always') throw failure(`exited with code ${child.exitCode} before it was ready`);
      if (!ready) {
        if (child?.pid !== undefined) return;
      } else if (ready.log !== undefined) {
        const pattern = new RegExp(ready.log);
        if (entry.tail.some((line) => pattern.test(line))) return;
      } else if (ready.http !== undefined) {
        const ok = await fetch(this.expand(ready.http), { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
        if (ok) return;
      }
      if (Date.now() > deadline) throw failure(`was not ready within ${READY_TIMEOUT_MS / 1000} s`);
      await sleep(100);
    }
  }

  /** Stops every process (SIGTERM, then SIGKILL after 5 s) and closes the logs. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.running.values()].map(async (entry) => {
      const child = entry.child;
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const killed = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
        if (!killed) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      await new Promise<void>((resolve) => entry.output.end(resolve));
    }));
    this.running.clear();
  }
}

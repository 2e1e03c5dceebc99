import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { commandLine } from '../../util/command-line.js';
import { sleep } from '../../util/sleep.js';

/** How one of the local cluster's processes is started, kept in the cluster's state so it can be started again. */
export interface ProcessSpec {
  readonly binary: string;
  readonly args: readonly string[];
  readonly log: string;
}

/** What the kernel says of a pid: gone, running, or stopped by SIGSTOP (a paused node). */
export type ProcessState = 'absent' | 'running' | 'paused';

/** Starts a detached process that outlives rebound, its output appended to its log file; returns its pid. */
export function startDetached(spec: ProcessSpec): number {
  const out = openSync(spec.log, 'a');
  try {
    const child = spawn(spec.binary, [...spec.args], {
      detached: true,
      stdio: ['ignore', out, out],
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${spec.binary}`);
    return child.pid;
  } finally {
    closeSync(out);
  }
}

/**
 * The state of `pid`, counting it only when it still runs `binary` (a pid may have been reused since we started
 * it). Zombies count as absent.
 */
export function processState(pid: number | undefined, binary: string): ProcessState {
  if (pid === undefined) return 'absent';
  const argv = commandLine(pid);
  // A script started through its #! line shows as `<interpreter> <script>`.
  if (!argv || (argv[0] !== binary && argv[1] !== binary)) return 'absent';
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 'absent';
  }
  // The state letter follows the command name, which is in parentheses and may itself hold spaces.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  if (state === 'Z' || state === 'X') return 'absent';
  return state === 'T' || state === 't' ? 'paused' : 'running';
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Freezes a process (SIGSTOP): it holds its sockets but answers nothing, as a hung machine would. */
export function pause(pid: number): void {
  signal(pid, 'SIGSTOP');
}

/** Thaws a paused process. */
export function resume(pid: number): void {
  signal(pid, 'SIGCONT');
}

/**
 * Stops a process: SIGTERM (after SIGCONT, since a stopped process cannot act on it), then SIGKILL after
 * `graceMs`. Resolves once the process is gone. `graceMs` 0 kills at once.
 */
export async function stopProcess(pid: number, binary: string, graceMs = 5000): Promise<void> {
  if (processState(pid, binary) === 'absent') return;
  if (graceMs > 0) {
    signal(pid, 'SIGCONT');
    signal(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      if (processState(pid, binary) === 'absent') return;
      await sleep(50);
    }
  }
  signal(pid, 'SIGKILL');
  signal(pid, 'SIGCONT');
  const deadline = Date.now() + 5000;
  while (processState(pid, binary) !== 'absent') {
    if (Date.now() > deadline) throw new Error(`process ${pid} (${binary}) did not exit after SIGKILL`);
    await sleep(20);
  }
}

/**
 * Every live process whose command line mentions `marker` (a cluster's state folder): the last line of defence
 * against leaving a process behind when the recorded pids are lost or stale.
 */
export function processesMentioning(marker: string): { pid: number; binary: string }[] {
  const found: { pid: number; binary: string }[] = [];
  if (!existsSync('/proc')) return found;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const argv = commandLine(pid);
    const binary = argv?.[0];
    if (binary && argv.some((part) => part.includes(marker))) found.push({ pid, binary });
  }
  return found;
}

import { spawn } from 'node:child_process';

/** What a finished command left: its exit code and output. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of `runCommand`. */
export interface CommandOptions {
  /** Written to the command's standard input, which is then closed. */
  readonly input?: string;
  /** Killed (SIGKILL) after this long; the result then has code 124, as timeout(1) does. */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Called with each non-empty line of stdout and stderr as it arrives (both are still collected). */
  readonly onLine?: (line: string) => void;
}

/**
 * Runs a command to its end without a shell and collects its output. Never throws for a non-zero exit: callers
 * decide what a failure means and which typed error says so. A command that cannot start rejects.
 */
export function runCommand(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    const out: string[] = [];
    const err: string[] = [];
    const follow = (stream: NodeJS.ReadableStream, into: string[]): void => {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        into.push(chunk);
        if (!options.onLine) return;
        partial += chunk;
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') options.onLine(line);
      });
      stream.on('end', () => {
        if (options.onLine && partial.trim() !== '') options.onLine(partial);
      });
    };
    follow(child.stdout, out);
    follow(child.stderr, err);
    let timedOut = false;
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status) => {
      if (timer) clearTimeout(timer);
      resolve({ code: timedOut ? 124 : status ?? 1, stdout: out.join(''), stderr: err.join('') });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** The last `count` non-empty lines of a command's output, for an error's details. */
export function lastLines(text: string, count = 15): string[] {
  return text.split('\n').filter((line) => line.trim() !== '').slice(-count);
}

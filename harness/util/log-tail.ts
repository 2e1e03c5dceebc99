import { readFileSync } from 'node:fs';

/** The last `count` lines of a log file, for error messages. */
export function logTail(path: string, count = 20): string[] {
  try {
    const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '');
    return lines.slice(-count);
  } catch {
    return [];
  }
}

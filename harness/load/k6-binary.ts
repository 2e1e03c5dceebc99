import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * The k6 executable: the one named (--k6 PATH), or `k6` on PATH; undefined when there is none. rebound never builds,
 * vendors or downloads k6 (its Go module is AGPL, not ours to ship): it runs the one the user installed.
 */
export function findK6(named?: string): string | undefined {
  if (named !== undefined) {
    const path = isAbsolute(named) || named.includes('/') ? resolve(named) : searchPath(named);
    return path !== undefined && isExecutable(path) ? path : undefined;
  }
  return searchPath('k6');
}

function searchPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

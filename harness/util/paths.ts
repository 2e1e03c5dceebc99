import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder that holds rebound's caches and cluster state: $REBOUND_HOME, default ~/.rebound. */
export function reboundHome(): string {
  const fromEnv = process.env.REBOUND_HOME;
  return fromEnv && fromEnv.trim() !== '' ? resolve(fromEnv) : join(homedir(), '.rebound');
}

/** The root of the rebound package (where package.json is), from either harness/ or dist/harness/. */
export function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // here is <root>/dist/harness/util once compiled.
  return resolve(here, '..', '..', '..');
}

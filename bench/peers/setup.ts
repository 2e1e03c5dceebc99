/**
 * The peers' Python venv: built by the bench itself in rebound's cache, keyed by the pinned versions, from PyPI with
 * pip. Never a dependency of rebound and nothing of theirs in the repository. chaostoolkit 1.21 needs Python >= 3.12;
 * krkn-lib imports pkg_resources, hence setuptools.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { reboundHome } from '../../harness/util/paths.js';

/** The peers as the issue pins them. */
export const PINS = { 'krkn-lib': '7.0.3', chaostoolkit: '1.21.4', 'chaostoolkit-kubernetes': '0.39.0' } as const;
const PYTHON_MINOR = '3.12';

export interface PeersVenv {
  readonly dir: string;
  readonly python: string;
  readonly chaos: string;
}

/** The venv's folder: its name carries every pin, so a new pin builds a new venv. */
export function venvDir(): string {
  const key = Object.entries(PINS).map(([name, version]) => `${name}-${version}`).join('-');
  return join(reboundHome(), 'cache', `peers-venv-py${PYTHON_MINOR}-${key}`);
}

/** A python3.12: $REBOUND_PEERS_PYTHON, then PATH, then pyenv's versions. */
function findPython(): string | undefined {
  const given = process.env.REBOUND_PEERS_PYTHON;
  if (given !== undefined && given !== '') return given;
  const onPath = spawnSync('python3.12', ['--version'], { encoding: 'utf8' });
  if (onPath.status === 0) return 'python3.12';
  const pyenv = join(homedir(), '.pyenv', 'versions');
  if (!existsSync(pyenv)) return undefined;
  const version = readdirSync(pyenv).filter((v) => v.startsWith(`${PYTHON_MINOR}.`)).sort().pop();
  return version === undefined ? undefined : join(pyenv, version, 'bin', `python${PYTHON_MINOR}`);
}

export class PeersSetupError extends Error {}

function run(program: string, args: string[]): void {
  const result = spawnSync(program, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    // On a spawn error (no such program) both are null.
    const tail = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n');
    throw new PeersSetupError(`${program} ${args.join(' ')} failed (${result.error?.message ?? `exit code ${result.status}`})${tail === '' ? '' : `:\n${tail}`}`);
  }
}

/** The venv, built on first use (pip from PyPI, a few minutes); a PeersSetupError when it cannot be. */
export function ensurePeersVenv(say: (line: string) => void): PeersVenv {
  const dir = venvDir();
  const venv = { dir, python: join(dir, 'bin', 'python'), chaos: join(dir, 'bin', 'chaos') };
  // Written last: a venv whose pip install was interrupted is built again.
  const complete = join(dir, '.rebound-complete');
  if (existsSync(complete)) return venv;
  const python = findPython();
  if (python === undefined) throw new PeersSetupError(`no python${PYTHON_MINOR} (set REBOUND_PEERS_PYTHON): chaostoolkit ${PINS.chaostoolkit} needs it`);
  say(`building the peers' venv ${dir} (pip install from PyPI)`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(reboundHome(), 'cache'), { recursive: true });
  run(python, ['-m', 'venv', dir]);
  run(venv.python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', 'setuptools',
    ...Object.entries(PINS).map(([name, version]) => `${name}==${version}`)]);
  writeFileSync(complete, `${JSON.stringify(PINS)}\n`);
  return venv;
}

import { join } from 'node:path';
import { BuildError } from '../../errors.js';
import { lastLines, runCommand } from '../../util/command.js';
import { packageRoot } from '../../util/paths.js';
import { buildFamily, familyDir, isBuilt, pinnedKindVersion, type ProgressSink } from '../local/binaries.js';
import type { ContainerEngine } from './engine.js';

const SCRIPT = (): string => join(packageRoot(), 'tools', 'node-image', 'build.sh');

/** The name of the node image this version of rebound builds (it changes with the recipe and the versions). */
export async function nodeImageName(): Promise<string> {
  const result = await runCommand('bash', [SCRIPT(), '--name']);
  const name = result.stdout.trim();
  if (result.code !== 0 || name === '') throw new BuildError('could not work out the node image name:', lastLines(result.stderr));
  return name;
}

/**
 * The kind node image, built offline when missing (once per machine: Docker's image store and $REBOUND_HOME keep
 * what it is made of). The recipe is tools/node-image/build.sh; a cold build takes tens of minutes on two cores.
 */
export async function ensureNodeImage(engine: ContainerEngine, progress: ProgressSink): Promise<string> {
  const name = await nodeImageName();
  if (await engine.imageExists(name)) return name;
  progress(`building the kind node image ${name} (once per machine; see BENCHMARKS.md for how long it takes)`);
  const started = Date.now();
  let packages = 0;
  let lastShown = 0;
  const result = await runCommand('bash', [SCRIPT()], {
    onLine: (line) => {
      // Nested `go build -v` lines are package paths; count them instead of printing hundreds of lines.
      if (/^[\w.\-/]+$/.test(line.trim())) {
        packages += 1;
        if (Date.now() - lastShown >= 5000) {
          lastShown = Date.now();
          progress(`  ${packages} packages compiled, ${Math.round((Date.now() - started) / 1000)} s`);
        }
        return;
      }
      if (line.trim() !== name) progress(`  ${line.replace(/^rebound: /, '')}`);
    },
  });
  if (result.code !== 0) {
    throw new BuildError(`building the kind node image failed (exit code ${result.code}); the last lines of its output:`, lastLines(`${result.stdout}\n${result.stderr}`));
  }
  return name;
}

/** The kind binary, built from its Go module when missing. */
export async function ensureKindBinary(progress: ProgressSink): Promise<string> {
  const version = pinnedKindVersion();
  if (!isBuilt('kind', version)) await buildFamily('kind', version, progress);
  return join(familyDir('kind', version), 'kind');
}

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuildError } from '../../errors.js';
import { runCommand } from '../../util/command.js';
import { packageRoot, reboundHome } from '../../util/paths.js';

/** A family of binaries of the local cluster, built from one go.mod under tools/. */
export type BinaryFamily = 'kubernetes' | 'etcd' | 'kwok';

/**
 * A family of binaries built for other purposes: the kind binary (the node image's own are built by its recipe)
 * and actionlint (the tests lint the nightly CI recipe with it).
 */
export type ToolFamily = 'kind' | 'actionlint';

/** The executables of the local cluster. */
export interface LocalBinaries {
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kubectl: string;
  readonly etcd: string;
  readonly kwok: string;
  readonly versions: Readonly<Record<BinaryFamily, string>>;
}

const FAMILIES: readonly BinaryFamily[] = ['kubernetes', 'etcd', 'kwok'];

/** Versions pinned in tools/versions.env (the cache is keyed by them). */
export function pinnedVersions(): Record<BinaryFamily, string> {
  return { kubernetes: readVersion('KUBERNETES_VERSION'), etcd: readVersion('ETCD_VERSION'), kwok: readVersion('KWOK_VERSION') };
}

/** One version pinned in tools/versions.env, by its key (KIND_VERSION, COREDNS_VERSION, ...). */
export function readVersion(key: string): string {
  const text = readFileSync(join(packageRoot(), 'tools', 'versions.env'), 'utf8');
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(\S+)/.exec(line.trim());
    if (match?.[1] && match[2]) values.set(match[1], match[2]);
  }
  const value = values.get(key);
  if (!value) throw new BuildError(`tools/versions.env has no ${key}; restore it from git.`);
  return value;
}

/** The version of the kind binary pinned in tools/versions.env. */
export function pinnedKindVersion(): string {
  return readVersion('KIND_VERSION');
}

/** The cache folder of one family at its pinned version. */
export function familyDir(family: BinaryFamily | ToolFamily, version: string): string {
  return join(reboundHome(), 'bin', `${family}-${version}`);
}

/** True when the family was built completely (BUILD-INFO is written last). */
export function isBuilt(family: BinaryFamily | ToolFamily, version: string): boolean {
  return existsSync(join(familyDir(family, version), 'BUILD-INFO'));
}

/** Paths of the binaries, without building anything; undefined when any family is missing. */
export function cachedBinaries(): LocalBinaries | undefined {
  const versions = pinnedVersions();
  if (!FAMILIES.every((family) => isBuilt(family, versions[family]))) return undefined;
  return binariesAt(versions);
}

function binariesAt(versions: Record<BinaryFamily, string>): LocalBinaries {
  const k8s = familyDir('kubernetes', versions.kubernetes);
  return {
    kubeApiserver: join(k8s, 'kube-apiserver'),
    kubeControllerManager: join(k8s, 'kube-controller-manager'),
    kubeScheduler: join(k8s, 'kube-scheduler'),
    kubectl: join(k8s, 'kubectl'),
    etcd: join(familyDir('etcd', versions.etcd), 'etcd'),
    kwok: join(familyDir('kwok', versions.kwok), 'kwok'),
    versions,
  };
}

/** Receives a line of build progress. */
export type ProgressSink = (line: string) => void;

/**
 * Returns the cluster's binaries, building the missing families first (once per machine: every clone, test and CI
 * run shares $REBOUND_HOME/bin). A cold build of all three takes tens of minutes on two cores; see BENCHMARKS.md.
 */
export async function ensureBinaries(progress: ProgressSink): Promise<LocalBinaries> {
  const versions = pinnedVersions();
  for (const family of FAMILIES) {
    if (!isBuilt(family, versions[family])) await buildFamily(family, versions[family], progress);
  }
  return binariesAt(versions);
}

/** Builds one family with tools/build.sh, turning `go build -v`'s package lines into progress. */
export async function buildFamily(family: BinaryFamily | ToolFamily, version: string, progress: ProgressSink): Promise<void> {
  const script = join(packageRoot(), 'tools', 'build.sh');
  progress(`building ${family} ${version} from the Go module proxy (once per machine; cached in ${familyDir(family, version)})`);
  const started = Date.now();
  let compiled = 0;
  let lastShown = 0;
  const tail: string[] = [];
  const onLine = (line: string): void => {
    tail.push(line);
    if (tail.length > 30) tail.shift();
    // `go build -v` prints one package path per compiled package; everything else is a message worth showing.
    if (/^[\w.\-/]+$/.test(line)) {
      compiled += 1;
      const now = Date.now();
      if (now - lastShown >= 5000) {
        lastShown = now;
        progress(`  ${family}: ${compiled} packages compiled, ${Math.round((now - started) / 1000)} s`);
      }
    } else {
      progress(`  ${line}`);
    }
  };
  const { code } = await runCommand('bash', [script, family], { onLine }).catch((error: Error) => {
    throw new BuildError(`could not run ${script}: ${error.message}`);
  });
  if (code === 3) {
    // build.sh exits 3 when there is no Go toolchain and has said so in one sentence.
    throw new BuildError(tail.at(-1)?.replace(/^rebound: /, '') ?? 'the Go toolchain is missing.');
  }
  if (code !== 0) {
    throw new BuildError(`building ${family} ${version} failed (exit code ${code}); the last lines of its output:`, tail.slice(-15));
  }
}

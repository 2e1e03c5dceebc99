import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { cachedBinaries, familyDir, isBuilt, pinnedKindVersion, pinnedVersions } from './local/binaries.js';

/** One thing a provider needs, found or not. */
export interface Check {
  readonly what: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix?: string;
}

/** Whether a provider can work here, and why. */
export interface ProviderFinding {
  readonly provider: 'local' | 'kind' | 'kubeconfig';
  readonly usable: boolean;
  readonly summary: string;
  readonly checks: Check[];
}

function version(command: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) resolve(undefined);
      else resolve(`${stdout}${stderr}`.trim().split('\n')[0] ?? '');
    });
  });
}

async function local(): Promise<ProviderFinding> {
  const versions = pinnedVersions();
  const checks: Check[] = [];
  const go = await version('go', ['version']);
  for (const family of ['kubernetes', 'etcd', 'kwok'] as const) {
    const built = isBuilt(family, versions[family]);
    checks.push({
      what: `${family} ${versions[family]} binaries`,
      ok: built,
      detail: built ? `built in ${familyDir(family, versions[family])}` : 'not built yet',
      fix: go ? '`rebound cluster build` (or the first `rebound cluster up`) builds them from the Go module proxy'
      : 'install Go 1.24 or newer, then run `rebound cluster build`',
    });
  }
  checks.push({ what: 'go toolchain', ok: go !== undefined, detail: go ?? 'not found', fix: 'install Go 1.24 or newer (needed once, to build the binaries)' });
  const openssl = await version('openssl', ['version']);
  checks.push({ what: 'openssl', ok: openssl !== undefined, detail: openssl ?? 'not found', fix: 'apt-get install openssl' });
  const binaries = cachedBinaries() !== undefined;
  const usable = (binaries || go !== undefined) && openssl !== undefined;
  return {
    provider: 'local',
    usable,
    summary: !usable ? 'cannot start: see below'
    : binaries ? 'ready: `rebound cluster up` starts it in seconds'
    : 'can work: the first `rebound cluster up` builds the binaries once (several minutes)',
    checks,
  };
}

async function kind(): Promise<ProviderFinding> {
  const docker = await version('docker', ['info', '--format', '{{.ServerVersion}}']);
  const podman = docker ? undefined : await version('podman', ['info', '--format', '{{.Version.Version}}']);
  const kindVersion = pinnedKindVersion();
  const kindBuilt = isBuilt('kind', kindVersion);
  const go = await version('go', ['version']);
  const debootstrap = await version('debootstrap', ['--version']);
  const checks: Check[] = [
    {
      what: 'Docker engine', ok: docker !== undefined,
      detail: docker ? `docker engine ${docker}` : podman ? `only podman ${podman} answers (not supported yet)` : 'no Docker engine answers',
      fix: '`npm run setup:kind` installs and starts one (a docker client alone is not enough)',
    },
    {
      what: `kind ${kindVersion}`, ok: kindBuilt || go !== undefined,
      detail: kindBuilt ? `built in ${familyDir('kind', kindVersion)}` : 'not built yet',
      fix: '`rebound cluster image --provider kind` builds it from its Go module (needs Go)',
    },
    {
      what: 'debootstrap (the node image\'s root filesystem)', ok: debootstrap !== undefined, detail: debootstrap ?? 'not found',
      fix: '`npm run setup:kind` installs it (or: apt-get install debootstrap); not needed once the node image is built',
    },
  ];
  const usable = docker !== undefined && (kindBuilt || go !== undefined);
  return {
    provider: 'kind',
    usable,
    summary: usable ? 'can work: `rebound cluster up --provider kind` builds the node image once if it is missing' : 'cannot work here: see below',
    checks,
  };
}

async function kubeconfig(): Promise<ProviderFinding> {
  const file = process.env.KUBECONFIG?.split(':')[0] || join(homedir(), '.kube', 'config');
  const present = existsSync(file);
  const checks: Check[] = [{
    what: 'kubeconfig', ok: present, detail: present ? file : `${file} does not exist`,
    fix: 'point --kubeconfig (or KUBECONFIG) at an existing cluster whose context rebound may use (kind-*, rebound-*, kwok-*, or --allow-context)',
  }];
  return { provider: 'kubeconfig', usable: present, summary: present ? `uses ${file}` : 'no kubeconfig found', checks };
}

/** Checks every provider. */
export async function diagnose(): Promise<ProviderFinding[]> {
  return Promise.all([local(), kind(), kubeconfig()]);
}

/** Tools some scenarios need besides a cluster: k6, for spec.load.k6 (rebound never ships it). */
export async function diagnoseTools(k6Path?: string): Promise<Check[]> {
  const { findK6 } = await import('../load/k6-binary.js');
  const k6 = findK6(k6Path);
  const k6Version = k6 === undefined ? undefined : await version(k6, ['version']);
  return [{
    what: 'k6 (for spec.load.k6 scripts)',
    ok: k6Version !== undefined,
    detail: k6 === undefined ? (k6Path === undefined ? 'not on PATH' : `${k6Path} is not an executable file`)
    : k6Version === undefined ? `${k6} does not answer \`k6 version\`` : `${k6Version} (${k6})`,
    fix: 'install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/) or pass --k6 PATH to run; spec.load.http, the built-in driver, needs nothing',
  }];
}

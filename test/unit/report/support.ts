import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRunResultFile } from '../../../harness/report/load.js';
import type { RunResult } from '../../../harness/report/result.js';

/** The repository root, from dist/test/unit/report once compiled. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** The recorded runs under test/fixtures/results/ (see the README there). */
export const FIXTURES = {
  /** Every example scenario in one run: 9 PASS, 2 FAIL, 11 files. */
  allExamples: join(REPO_ROOT, 'test', 'fixtures', 'results', 'all-examples.json'),
  /** deployment-pod-kill alone: 1 PASS with evidence and events. */
  deploymentPodKill: join(REPO_ROOT, 'test', 'fixtures', 'results', 'deployment-pod-kill.json'),
  /** fail-load-front-kill, 1 trial: FAIL on a crossed load threshold, recovered in time. */
  loadFrontKill: join(REPO_ROOT, 'test', 'fixtures', 'results', 'load-front-kill.json'),
  /** fail-drift-replicas: 1 FAIL, spec.replicas drifted and restored by nobody. */
  driftReplicas: join(REPO_ROOT, 'test', 'fixtures', 'results', 'drift-replicas.json'),
  /** drift-pod-relabel: 2 PASS, each with an orphaned pod. */
  driftPodRelabel: join(REPO_ROOT, 'test', 'fixtures', 'results', 'drift-pod-relabel.json'),
  /** fail-rollout-unavailable, 1 trial: FAIL, a bad version stalled and rolled back, availability below its floor. */
  rolloutUnavailable: join(REPO_ROOT, 'test', 'fixtures', 'results', 'rollout-unavailable.json'),
} as const;

/** A recorded run, read through the same validation `rebound report` uses. */
export function loadFixture(file: string): Promise<RunResult> {
  return readRunResultFile(file);
}

type Mutable<T> = T extends readonly (infer E)[] ? Mutable<E>[] : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;

/** A deep, writable copy of a result, for a test to change one thing in. */
export function editable(result: RunResult): Mutable<RunResult> {
  return structuredClone(result) as Mutable<RunResult>;
}

const made: string[] = [];

/** A fresh temporary folder; removed by `removeTemporaryFolders`. */
export async function temporaryFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'rebound-report-test-'));
  made.push(folder);
  return folder;
}

/** Removes every folder `temporaryFolder` made. */
export async function removeTemporaryFolders(): Promise<void> {
  await Promise.all(made.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
}

/** A scenario name, reason and label that would break a report that did not escape them. */
export const HOSTILE = '<script>alert(1)</script> | *bold* & "quoted" \n second line ]]> \u0007';

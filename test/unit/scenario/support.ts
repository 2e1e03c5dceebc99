import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { loadScenarioFile, type LoadResult } from '../../../harness/scenario/loader.js';
import { formatIssue, type ValidationIssue } from '../../../harness/scenario/issues.js';

/** The repository root, from dist/test/unit/scenario once compiled. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** A valid scenario as plain data; tests change one thing and expect one issue. */
export function baseScenario(): { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: Record<string, unknown> } {
  return {
    apiVersion: 'rebound.dev/v1alpha1',
    kind: 'Scenario',
    metadata: { name: 'web-pod-kill' },
    spec: {
      namespace: 'web',
      steadyState: [{ podsReady: { selector: 'app=web', count: 3 } }],
      faults: [{ podKill: { selector: 'app=web' } }],
      expect: { recoveryWithin: '30s' },
    },
  };
}

const made: string[] = [];

/** A fresh temporary folder holding `files` (path -> text); removed by `removeTemporaryFolders`. */
export async function folderWith(files: Readonly<Record<string, string>>): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'rebound-scenario-test-'));
  made.push(folder);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(folder, name)), { recursive: true });
    await writeFile(join(folder, name), text);
  }
  return folder;
}

export async function removeTemporaryFolders(): Promise<void> {
  await Promise.all(made.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
}

/** Loads `text` as scenario.yaml in a temporary folder next to `files`. */
export async function loadText(
  text: string,
  options: { vars?: Record<string, string>; files?: Record<string, string> } = {},
): Promise<LoadResult & { folder: string }> {
  const folder = await folderWith({ ...options.files, 'scenario.yaml': text });
  const result = await loadScenarioFile(join(folder, 'scenario.yaml'), options.vars === undefined ? {} : { vars: options.vars });
  return { ...result, folder };
}

/** Loads a scenario given as data (written out as YAML). */
export function loadData(
  data: unknown,
  options: { vars?: Record<string, string>; files?: Record<string, string> } = {},
): Promise<LoadResult & { folder: string }> {
  return loadText(stringify(data), options);
}

/** Issues as `path: message` lines, which read well in assertion failures. */
export function lines(issues: readonly ValidationIssue[]): string[] {
  return issues.map((issue) => `${issue.path}: ${issue.message}${issue.hint === undefined ? '' : ` (hint: ${issue.hint})`}`);
}

/** Issues formatted in full, for failure messages. */
export function show(issues: readonly ValidationIssue[]): string {
  return issues.map(formatIssue).join('\n') || '(no issues)';
}

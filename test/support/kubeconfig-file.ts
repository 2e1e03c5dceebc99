import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes `<dir>/<context>.kubeconfig`: one context named `context` for a server on 127.0.0.1:1 (nothing listens
 * there), for tests of what is refused before a cluster is ever contacted. Returns its path.
 */
export function kubeconfigWith(dir: string, context: string): string {
  const file = join(dir, `${context}.kubeconfig`);
  writeFileSync(file, [
    'apiVersion: v1', 'kind: Config',
    'clusters: [ { name: c, cluster: { server: "https://127.0.0.1:1" } } ]',
    'users: [ { name: u, user: { token: t } } ]',
    `contexts: [ { name: ${context}, context: { cluster: c, user: u } } ]`,
    `current-context: ${context}`, '',
  ].join('\n'));
  return file;
}

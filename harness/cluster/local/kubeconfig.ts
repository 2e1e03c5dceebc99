import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

/** What one kubeconfig file says: where the API server is, which CA to trust, which token to present. */
export interface KubeconfigSpec {
  readonly context: string;
  readonly server: string;
  readonly caFile: string;
  readonly token: string;
  readonly user: string;
}

/** Writes a single-context kubeconfig with the CA embedded, so the file works when copied elsewhere. */
export function writeKubeconfig(file: string, spec: KubeconfigSpec): void {
  const document = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{
      name: spec.context,
      cluster: { server: spec.server, 'certificate-authority-data': readFileSync(spec.caFile).toString('base64') },
    }],
    users: [{ name: spec.user, user: { token: spec.token } }],
    contexts: [{ name: spec.context, context: { cluster: spec.context, user: spec.user } }],
    'current-context': spec.context,
    preferences: {},
  };
  writeFileSync(file, stringify(document), { mode: 0o600 });
}

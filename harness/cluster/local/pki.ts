import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterError } from '../../errors.js';

/** Files of the cluster's certificate authority, API server certificate and service-account keys. */
export interface Pki {
  readonly caCert: string;
  readonly caKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

/** The identities that talk to the API server, each with its own bearer token. */
export type Identity = 'admin' | 'kube-controller-manager' | 'kube-scheduler' | 'node-agent';

/** User name and groups of each identity: RBAC's bootstrap roles cover the two control-plane components. */
const USERS: Record<Identity, { user: string; groups: string[] }> = {
  admin: { user: 'rebound-admin', groups: ['system:masters'] },
  'kube-controller-manager': { user: 'system:kube-controller-manager', groups: [] },
  'kube-scheduler': { user: 'system:kube-scheduler', groups: [] },
  // kwok writes node and pod status, leases and events for its node; a Node-authorizer identity per node would
  // need a kubelet-style client certificate per node for no gain in a test cluster.
  'node-agent': { user: 'rebound:node-agent', groups: ['system:masters'] },
};

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? '';
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ClusterError(
      missing
        ? 'openssl is needed to make the local cluster\'s certificates; install it (Debian: apt-get install openssl).'
        : `openssl ${args[0]} failed: ${stderr.split('\n').at(-1) ?? ''}`,
    );
  }
}

/**
 * Makes a CA, a serving certificate for the API server (valid for 127.0.0.1, localhost and the in-cluster names)
 * and a service-account signing key pair, in `dir`.
 */
export function createPki(dir: string, serviceIp: string): Pki {
  const pki: Pki = {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'apiserver.crt'),
    serverKey: join(dir, 'apiserver.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', pki.caKey, '-out', pki.caCert, '-days', '3650', '-subj', '/CN=rebound-local-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  const csr = join(dir, 'apiserver.csr');
  openssl(['req', '-new', ...ec, '-keyout', pki.serverKey, '-out', csr, '-subj', '/CN=kube-apiserver'], dir);
  const names = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local'];
  const extensions = join(dir, 'apiserver.ext');
  writeFileSync(extensions, [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    `subjectAltName=${[...names.map((n) => `DNS:${n}`), 'IP:127.0.0.1', `IP:${serviceIp}`].join(',')}`,
    '',
  ].join('\n'));
  openssl(['x509', '-req', '-in', csr, '-CA', pki.caCert, '-CAkey', pki.caKey, '-CAcreateserial', '-out', pki.serverCert,
    '-days', '3650', '-extfile', extensions], dir);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(pki.serviceAccountKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(pki.serviceAccountPub, publicKey.export({ type: 'spki', format: 'pem' }));
  return pki;
}

/** Makes a token per identity and writes the API server's static token file; returns the tokens. */
export function createTokens(file: string): Record<Identity, string> {
  const tokens = {} as Record<Identity, string>;
  const lines: string[] = [];
  for (const identity of Object.keys(USERS) as Identity[]) {
    const token = randomBytes(24).toString('hex');
    tokens[identity] = token;
    const { user, groups } = USERS[identity];
    lines.push(`${token},${user},${user}${groups.length > 0 ? `,"${groups.join(',')}"` : ''}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return tokens;
}

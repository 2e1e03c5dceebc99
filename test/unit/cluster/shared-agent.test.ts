/**
 * API calls share one https agent per set of TLS options (shared-agent.ts): checked where it lands, on a TLS server
 * on 127.0.0.1 that counts the handshakes it does in full and the sessions it resumes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { apiClient, loadKubeconfig } from '../../../harness/cluster/kube.js';
import { createPki } from '../../../harness/cluster/local/pki.js';

describe('cluster: one https agent per set of TLS options', function () {
  this.timeout(30_000);
  let dir: string;
  let server: Server;
  let config: k8s.KubeConfig;
  const handshakes = { full: 0, resumed: 0 };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rebound-agent-'));
    const pki = createPki(dir, '10.96.0.1');
    server = createServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) }, (_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [] }));
    });
    server.on('secureConnection', (socket: TLSSocket) => {
      if (socket.isSessionReused()) handshakes.resumed += 1;
      else handshakes.full += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const file = join(dir, 'kubeconfig');
    writeFileSync(file, `apiVersion: v1
kind: Config
clusters: [ { name: c, cluster: { server: "https://127.0.0.1:${port}", certificate-authority: ${pki.caCert} } } ]
users: [ { name: u, user: { token: t } } ]
contexts: [ { name: x, context: { cluster: c, user: u } } ]
current-context: x
`);
    config = loadKubeconfig(file);
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes the TLS session of earlier calls instead of a full handshake each, across clients', async () => {
    const first = apiClient(config, k8s.CoreV1Api);
    const second = apiClient(config, k8s.CoreV1Api);
    for (let i = 0; i < 5; i += 1) {
      await first.listNamespace();
      await second.listNamespace();
    }
    // Ten calls, ten connections (none kept alive): one full handshake, the rest resumed (the first call may race
    // its session ticket, so allow two full ones).
    expect(handshakes.full + handshakes.resumed).to.equal(10);
    expect(handshakes.full).to.be.at.most(2);
    expect(handshakes.resumed).to.be.at.least(8);
  });
});

/**
 * `cluster up --audit-detail` as the fidelity benchmark relies on it: the API server itself writes the bodies of
 * pod status and EndpointSlice writes into its audit log, and a cluster already up with the other level is refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { readState, clusterDir } from '../../harness/cluster/local/state.js';
import { rebound } from '../support/cli.js';
import { TEST_CLUSTER } from '../support/cluster.js';
import { deployment, isPodReady, until, withNamespace } from '../support/kube.js';

/** A cluster of its own: the shared test cluster logs the default level. */
const CLUSTER = `${TEST_CLUSTER}-audit`.slice(0, 32);

interface AuditEvent {
  verb?: string;
  stage?: string;
  level?: string;
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  requestObject?: { status?: { conditions?: { type?: string; status?: string }[] } };
  responseObject?: { metadata?: { resourceVersion?: string } };
}

function auditEvents(): AuditEvent[] {
  return readFileSync(join(clusterDir(CLUSTER), 'logs', 'audit.log'), 'utf8').split('\n').filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent);
}

describe('cluster up --audit-detail (integration)', function () {
  this.timeout(10 * 60_000);

  after(async () => {
    if (readState(CLUSTER)) await rebound(['cluster', 'down', '--name', CLUSTER]);
  });

  it('logs the bodies of pod status and EndpointSlice writes, and refuses to reuse the cluster at the other level', async () => {
    const started = await rebound(['cluster', 'up', '--name', CLUSTER, '--nodes', '1', '--audit-detail']);
    expect(started.code, started.stderr).to.equal(0);
    const state = readState(CLUSTER);
    if (!state) throw new Error(`cluster ${CLUSTER} has no state after cluster up`);
    expect(state.audit).to.equal('detail');

    const kube = await withNamespace(state, 'audit');
    await kube.apps.createNamespacedDeployment({ namespace: kube.namespace, body: deployment('web', 1) });
    await kube.core.createNamespacedService({
      namespace: kube.namespace,
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    });
    await until('the pod is Ready', async () => {
      const pods = (await kube.core.listNamespacedPod({ namespace: kube.namespace, labelSelector: 'app=web' })).items;
      return pods.length === 1 && pods.every(isPodReady);
    }, 60_000);
    let events: AuditEvent[] = [];
    await until('the audit log shows the Ready status write and an EndpointSlice write', () => {
      events = auditEvents().filter((event) => event.objectRef?.namespace === kube.namespace && event.stage === 'ResponseComplete');
      const ready = events.some((event) => event.objectRef?.resource === 'pods' && event.objectRef.subresource === 'status'
        && event.requestObject?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true);
      const slice = events.some((event) => event.objectRef?.resource === 'endpointslices' && event.responseObject !== undefined);
      return Promise.resolve(ready && slice);
    }, 30_000);
    const statusWrite = events.find((event) => event.objectRef?.resource === 'pods' && event.objectRef.subresource === 'status');
    expect(statusWrite?.level).to.equal('RequestResponse');
    expect(statusWrite?.responseObject?.metadata?.resourceVersion).to.be.a('string');

    const refused = await rebound(['cluster', 'up', '--name', CLUSTER, '--no-audit-detail']);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.match(/already up with audit level detail, not metadata/);
    const reused = await rebound(['cluster', 'up', '--name', CLUSTER]);
    expect(reused.code, reused.stderr).to.equal(0);
    expect(reused.stderr + reused.stdout).to.match(/already up \(audit level detail, failure detection fast\)/);
  });

  it('keeps the default cluster at the metadata level: no bodies', async () => {
    const down = await rebound(['cluster', 'down', '--name', CLUSTER]);
    expect(down.code, down.stderr).to.equal(0);
    const started = await rebound(['cluster', 'up', '--name', CLUSTER, '--nodes', '1']);
    expect(started.code, started.stderr).to.equal(0);
    const state = readState(CLUSTER);
    if (!state) throw new Error(`cluster ${CLUSTER} has no state after cluster up`);
    const kube = await withNamespace(state, 'audit');
    await kube.apps.createNamespacedDeployment({ namespace: kube.namespace, body: deployment('web', 1) });
    let statusWrites: AuditEvent[] = [];
    await until('the audit log shows a pod status write', () => {
      statusWrites = auditEvents().filter((event) => event.objectRef?.namespace === kube.namespace
        && event.objectRef.resource === 'pods' && event.objectRef.subresource === 'status');
      return Promise.resolve(statusWrites.length > 0);
    }, 60_000);
    expect(statusWrites.every((event) => event.level === 'Metadata' && event.requestObject === undefined)).to.equal(true);
  });
});

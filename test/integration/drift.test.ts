/**
 * Drift, timed against the API server's own record: the audit log of the test cluster (its writes, with the
 * field manager in each request's URI and the moment each was done, stageTimestamp) says when the patch landed and
 * when the restoring write of the operator did; results.json must say the same within 20 ms. And desiredStateHolds
 * reads only the fields rebound applied: fields it did not apply may change without breaking the steady state.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { clusterDir } from '../../harness/cluster/local/state.js';
import { REPO, rebound, readResults } from '../support/cli.js';
import { TEST_CLUSTER, testCluster } from '../support/cluster.js';
import { until, withNamespace } from '../support/kube.js';

/** One write of the audit log, as its Metadata level records it. */
interface AuditEvent {
  readonly verb: string;
  readonly requestURI: string;
  readonly stage: string;
  readonly stageTimestamp: string;
  readonly objectRef?: { resource?: string; namespace?: string; name?: string };
  readonly responseStatus?: { code?: number };
}

function auditLog(): string {
  return join(clusterDir(TEST_CLUSTER), 'logs', 'audit.log');
}

/** The completed writes after `offset` bytes of the audit log. */
function writesSince(offset: number): AuditEvent[] {
  return readFileSync(auditLog(), 'utf8').slice(offset).split('\n').filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent)
    .filter((event) => event.stage === 'ResponseComplete' && event.verb !== 'get' && event.verb !== 'list' && event.verb !== 'watch');
}

/** The successful PATCHes of one object by one field manager, in the order they were done; dry runs left out. */
function patchesBy(events: readonly AuditEvent[], resource: string, namespace: string, name: string, manager: string): AuditEvent[] {
  return events.filter((event) => {
    const query = new URL(event.requestURI, 'https://x').searchParams;
    return event.verb === 'patch' && query.get('fieldManager') === manager && !query.has('dryRun')
      && event.objectRef?.resource === resource && event.objectRef.namespace === namespace && event.objectRef.name === name
      && (event.responseStatus?.code ?? 0) < 300;
  });
}

const ms = (iso: string | null | undefined): number => {
  expect(iso, 'a timestamp').to.be.a('string');
  return Date.parse(iso as string);
};
/** Audit timestamps have microseconds; Date.parse keeps the milliseconds. */
const auditMs = (event: AuditEvent | undefined): number => {
  expect(event, 'an audit event').to.not.equal(undefined);
  return Date.parse((event as AuditEvent).stageTimestamp);
};

describe('drift against the audit log (local cluster)', function () {
  this.timeout(300_000);
  let dir: string;

  before(async () => {
    await testCluster();
    dir = mkdtempSync(join(tmpdir(), 'rebound-drift-'));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('times the patch and the operator\'s restoring write as the API server did, within 20 ms', async () => {
    const namespace = `drift-echo-${process.pid}`;
    const file = join(dir, 'echo-drift.yaml');
    const echo = join(REPO, 'scenarios', 'operators', 'echo');
    writeFileSync(file, [
      'apiVersion: rebound.dev/v1alpha1',
      'kind: Scenario',
      'metadata: { name: echo-drift }',
      'spec:',
      `  namespace: ${namespace}`,
      '  desiredState:',
      `    - file: ${join(echo, 'crd.yaml')}`,
      `    - file: ${join(echo, 'echo.yaml')}`,
      // The ConfigMap the operator owns, declared as it makes it: rebound applies data.message too.
      '    - inline:',
      '        apiVersion: v1',
      '        kind: ConfigMap',
      '        metadata: { name: echo-greeter, labels: { app.kubernetes.io/managed-by: echo-operator } }',
      '        data: { message: hello from rebound }',
      '  processes:',
      '    - name: echo-operator',
      `      command: [ node, ${join(REPO, 'dist', 'scenarios', 'operators', 'echo', 'controller.js')}, --kubeconfig, "\${KUBECONFIG}", --namespace, "\${NAMESPACE}", --reconcile-delay, 0s ]`,
      '      restart: always',
      '      ready: { log: "echo-operator ready" }',
      '  faults:',
      '    - patch: { apiVersion: v1, kind: ConfigMap, name: echo-greeter, patch: { data: { message: drifted } } }',
      '  expect: { recoveryWithin: 15s, settle: 1s, mustBreak: true }',
      '  trials: 1',
      '',
    ].join('\n'));
    const out = join(dir, 'out-echo');
    const offset = statSync(auditLog()).size;
    const outcome = await rebound(['run', file, '--cluster', TEST_CLUSTER, '--out', out, '--reporter', 'json']);
    expect(outcome.code, outcome.stderr).to.equal(0);
    const trial = readResults(out).scenarios[0]?.trials[0];
    expect(trial.verdict).to.equal('PASS');
    const [field, ...more] = trial.drift?.fields ?? [];
    expect(more, JSON.stringify(trial.drift)).to.deep.equal([]);
    expect(field).to.deep.include({ field: 'data.message', object: { apiVersion: 'v1', kind: 'ConfigMap', name: 'echo-greeter', namespace } });
    expect(field?.driftedBy).to.include({ manager: 'rebound-patch', operation: 'Update' });
    expect(field?.restoredBy).to.include({ manager: 'echo-operator', operation: 'Apply' });

    const writes = writesSince(offset);
    const patch = patchesBy(writes, 'configmaps', namespace, 'echo-greeter', 'rebound-patch')[0];
    const patchAt = auditMs(patch);
    const restoring = patchesBy(writes, 'configmaps', namespace, 'echo-greeter', 'echo-operator').find((event) => auditMs(event) > patchAt);
    const restoringAt = auditMs(restoring);
    const shown = JSON.stringify({
      patch: patch?.stageTimestamp, restoring: restoring?.stageTimestamp, field, brokenAt: trial.brokenAt, recoveredAt: trial.recoveredAt,
    });
    // Watch arrival comes after the write is done, a few milliseconds at most on this machine.
    expect(Math.abs(ms(field?.driftedAt) - patchAt), shown).to.be.at.most(20);
    expect(Math.abs(ms(trial.brokenAt) - patchAt), shown).to.be.at.most(20);
    expect(Math.abs(ms(field?.restoredAt) - restoringAt), shown).to.be.at.most(20);
    expect(Math.abs(ms(trial.recoveredAt) - restoringAt), shown).to.be.at.most(20);
    // The operator won back: rebound's revert wrote nothing.
    expect(patchesBy(writesSince(offset), 'configmaps', namespace, 'echo-greeter', 'rebound-revert')).to.deep.equal([]);
  });

  it('reads only the fields rebound applied: others may change, a field it applied breaks it and is reverted', async () => {
    const scenario = (name: string, patch: string, extra: string[]): string => {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, [
        'apiVersion: rebound.dev/v1alpha1',
        'kind: Scenario',
        `metadata: { name: ${name} }`,
        'spec:',
        `  namespace: ${name}-${process.pid}`,
        '  desiredState:',
        `    - file: ${join(REPO, 'scenarios', 'manifests', 'web.yaml')}`,
        '  faults:',
        `    - patch: { apiVersion: apps/v1, kind: Deployment, name: web, patch: ${patch} }`,
        ...extra,
        '  trials: 1',
        '',
      ].join('\n'));
      return file;
    };
    // revisionHistoryLimit and progressDeadlineSeconds are server defaults; the annotation is nobody's in the manifest.
    // Only desiredStateHolds judges here: workloadAvailable would see the new generation's status lag for a moment.
    const others = scenario('drift-others', '{ spec: { revisionHistoryLimit: 4, progressDeadlineSeconds: 300 }, metadata: { annotations: { example.com/note: edited } } }',
      ['  steadyState: [ { desiredStateHolds: {} } ]', '  expect: { recoveryWithin: 5s, settle: 1s }']);
    const outOthers = join(dir, 'out-others');
    const first = await rebound(['run', others, '--cluster', TEST_CLUSTER, '--out', outOthers, '--reporter', 'json']);
    expect(first.code, first.stderr).to.equal(0);
    const untouched = readResults(outOthers).scenarios[0]?.trials[0];
    expect(untouched.verdict).to.equal('PASS');
    expect(untouched.undisrupted, JSON.stringify(untouched.timeline.markers)).to.equal(true);
    expect(untouched.drift).to.equal(undefined);
    expect(untouched.faults[0]?.summary).to.contain('/spec/revisionHistoryLimit');

    const replicas = scenario('drift-replicas', '{ spec: { replicas: 1 } }', ['  expect: { recoveryWithin: 3s, settle: 1s }']);
    const outReplicas = join(dir, 'out-replicas');
    const offset = statSync(auditLog()).size;
    const second = await rebound(['run', replicas, '--cluster', TEST_CLUSTER, '--out', outReplicas, '--reporter', 'json']);
    expect(second.code, second.stderr).to.equal(1);
    const trial = readResults(outReplicas).scenarios[0]?.trials[0];
    expect(trial.verdict).to.equal('FAIL');
    expect(trial.reason).to.contain('desiredStateHolds: spec.replicas of Deployment/web is 1, applied 3');
    const field = trial.drift?.fields[0];
    expect(field).to.deep.include({ field: 'spec.replicas', restoredAt: null, restoredBy: null });
    const writes = writesSince(offset);
    const namespace = `drift-replicas-${process.pid}`;
    const patchAt = auditMs(patchesBy(writes, 'deployments', namespace, 'web', 'rebound-patch')[0]);
    expect(Math.abs(ms(field?.driftedAt) - patchAt)).to.be.at.most(20);
    // Nobody restored it, so rebound's revert wrote it back, after the trial.
    const revert = patchesBy(writes, 'deployments', namespace, 'web', 'rebound-revert');
    expect(revert, 'the revert\'s write').to.have.length(1);
    expect(auditMs(revert[0])).to.be.greaterThan(patchAt);
  });

  it('leaves `rebound recover` what to write back when the run is killed after the patch', async () => {
    const kube = await withNamespace(await testCluster(), 'drift-recover');
    try {
      // Made by the test, so neither the run's cleanup nor recover deletes it: only the patch's revert changes it.
      await kube.core.createNamespacedConfigMap({ namespace: kube.namespace, body: { metadata: { name: 'settings' }, data: { mode: 'safe' } } });
      const file = join(dir, 'recover.yaml');
      writeFileSync(file, [
        'apiVersion: rebound.dev/v1alpha1',
        'kind: Scenario',
        'metadata: { name: drift-recover }',
        'spec:',
        `  namespace: ${kube.namespace}`,
        '  desiredState:',
        '    - inline: { apiVersion: v1, kind: ConfigMap, metadata: { name: settings }, data: { mode: safe } }',
        '  steadyState: [ { desiredStateHolds: {} } ]',
        '  faults:',
        '    - patch: { apiVersion: v1, kind: ConfigMap, name: settings, patch: { data: { mode: unsafe } } }',
        '  expect: { recoveryWithin: 60s, settle: 1s }',
        '  trials: 1',
        '',
      ].join('\n'));
      const mode = async (): Promise<string | undefined> => (await kube.core.readNamespacedConfigMap({ name: 'settings', namespace: kube.namespace })).data?.['mode'];
      const run = spawn(process.execPath, [join(REPO, 'bin', 'rebound.js'), 'run', file, '--cluster', TEST_CLUSTER, '--out', join(dir, 'out-recover')], { cwd: REPO, stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => run.on('exit', () => resolve()));
      try {
        await until('the patch to land', async () => (await mode()) === 'unsafe', 60_000);
      } finally {
        run.kill('SIGKILL');
        await exited;
      }
      expect(await mode()).to.equal('unsafe');
      const recovered = await rebound(['recover', '--cluster', TEST_CLUSTER]);
      expect(recovered.code, recovered.stderr).to.equal(0);
      expect(`${recovered.stdout}${recovered.stderr}`).to.contain(`write back /data/mode of ConfigMap ${kube.namespace}/settings where the system did not`);
      expect(await mode()).to.equal('safe');
    } finally {
      await kube.cleanup();
    }
  });

  it('says that a custom resource takes no strategic merge patch, as the API server answers (ERROR)', async () => {
    const echo = join(REPO, 'scenarios', 'operators', 'echo');
    const file = join(dir, 'strategic.yaml');
    writeFileSync(file, [
      'apiVersion: rebound.dev/v1alpha1',
      'kind: Scenario',
      'metadata: { name: drift-strategic }',
      'spec:',
      '  desiredState:',
      `    - file: ${join(echo, 'crd.yaml')}`,
      `    - file: ${join(echo, 'echo.yaml')}`,
      '  steadyState: [ { desiredStateHolds: {} } ]',
      '  faults:',
      '    - patch: { apiVersion: demo.rebound.dev/v1alpha1, kind: Echo, name: greeter, type: strategic, patch: { spec: { replicas: 1 } } }',
      '  expect: { recoveryWithin: 5s, settle: 1s }',
      '',
    ].join('\n'));
    const out = join(dir, 'out-strategic');
    const outcome = await rebound(['run', file, '--cluster', TEST_CLUSTER, '--out', out, '--reporter', 'json']);
    expect(outcome.code, outcome.stderr).to.equal(2);
    const trial = readResults(out).scenarios[0]?.trials[0];
    expect(trial.verdict).to.equal('ERROR');
    expect(trial.faults[0]?.error).to.equal('the API server refuses a strategic merge patch of Echo greeter (415): custom resources take type: merge or type: json');
  });
});

/**
 * Rollouts on the embedded cluster: a good version rolled out without crossing the availability floor, a bad version
 * (pods that never become ready) contained at its progress deadline and rolled back, and the same bad version with
 * maxUnavailable 100% taking availability down. The rollback is checked against the API server's audit log: rebound's
 * re-declaration of the previous version, and the removal of the new revision's pods that it caused.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { clientsFor, statusOf } from '../../harness/cluster/kube.js';
import { clusterDir, readState } from '../../harness/cluster/local/state.js';
import type { RolloutResult, ScenarioResult } from '../../harness/report/result.js';
import { readResults, REPO, rebound } from '../support/cli.js';
import { TEST_CLUSTER, testCluster } from '../support/cluster.js';

/** The user of the local cluster's admin kubeconfig, which rebound uses here (pki.ts). */
const ADMIN = 'rebound-admin';

interface AuditEvent {
  readonly user?: { username?: string };
  readonly verb?: string;
  readonly requestURI?: string;
  readonly objectRef?: { resource?: string; subresource?: string; name?: string; namespace?: string };
  readonly stageTimestamp?: string;
  readonly responseStatus?: { code?: number };
}

function auditLog(): string {
  return join(clusterDir(TEST_CLUSTER), 'logs', 'audit.log');
}

/** The audit events (writes) after `offset` bytes of the log. */
function auditSince(offset: number): AuditEvent[] {
  return readFileSync(auditLog(), 'utf8').slice(offset).split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEvent);
}

describe('rollouts on the local cluster (integration)', function () {
  this.timeout(10 * 60_000);
  let out: string;

  before(async () => {
    await testCluster();
    out = mkdtempSync(join(tmpdir(), 'rebound-rollout-'));
  });

  after(() => rmSync(out, { recursive: true, force: true }));

  /** Runs an example; returns its scenario result and the audit events of the run. */
  async function runExample(name: string): Promise<{ scenario: ScenarioResult; audit: AuditEvent[]; code: number; why: string }> {
    const offset = statSync(auditLog()).size;
    const dir = join(out, name);
    const result = await rebound(['run', join('scenarios', `${name}.yaml`), '--cluster', TEST_CLUSTER, '--out', dir, '--seed', '7']);
    const scenario = readResults(dir).scenarios[0];
    return { scenario, audit: auditSince(offset), code: result.code, why: `${scenario.verdict}: ${scenario.reason ?? ''}\n${result.stderr.slice(-3000)}` };
  }

  const rolloutOf = (scenario: ScenarioResult, trial = 0): RolloutResult => {
    const rollout = scenario.trials[trial]?.rollouts?.[0];
    expect(rollout, `trial ${trial + 1} reports its rollout`).to.not.equal(undefined);
    return rollout as RolloutResult;
  };

  it('a good version rolls out without the availability floor ever crossed: PASS', async () => {
    const { scenario, audit, code, why } = await runExample('rollout-good');
    expect(scenario.verdict, why).to.equal('PASS');
    expect(code, why).to.equal(0);
    expect(scenario.steadyState.join('\n'), 'derived: availableAtLeast for the rolled-out Deployment').to.contain('availableAtLeast Deployment/rollout-web');
    expect(scenario.steadyState.join('\n')).to.not.contain('workloadAvailable Deployment/rollout-web');
    for (const [index, trial] of scenario.trials.entries()) {
      const rollout = rolloutOf(scenario, index);
      expect(trial.undisrupted, `trial ${trial.trial} never broke`).to.equal(true);
      expect(rollout.floor, 'floor: 4 replicas - maxUnavailable 25%').to.equal(3);
      expect(rollout.lowestAvailable ?? -1, 'never below the floor').to.be.at.least(3);
      expect(rollout.oldRevision).to.be.a('string');
      expect(rollout.newRevision).to.be.a('string').and.not.equal(rollout.oldRevision);
      expect(rollout.newReplicaSet).to.equal(`rollout-web-${rollout.newRevision ?? ''}`);
      expect(rollout.completedAt, 'completed').to.be.a('string');
      expect(rollout.rolloutTimeMs ?? 0).to.be.above(0).and.below(15_000);
      expect(rollout.rollback, 'rollback: never').to.equal(null);
      expect(rollout.stalledAt).to.equal(null);
      const last = rollout.revisions.at(-1);
      expect([last?.old, last?.new], 'all on the new revision at the end').to.deep.equal([0, 4]);
    }
    // rebound applied the new version once per trial and the previous one once per revert (between trials, cleanup).
    const applies = audit.filter((e) => e.user?.username === ADMIN && e.verb === 'patch' && e.objectRef?.resource === 'deployments' && e.objectRef.name === 'rollout-web');
    expect(applies.length, 'desired state + 2 x (rollout + revert)').to.equal(5);
  });

  it('a bad version is contained at its progress deadline and rolled back, timed from the rollback write: PASS', async () => {
    const { scenario, audit, code, why } = await runExample('rollout-bad-rollback');
    expect(scenario.verdict, why).to.equal('PASS');
    expect(code, why).to.equal(0);
    const trial = scenario.trials[0];
    const rollout = rolloutOf(scenario);
    expect(trial?.undisrupted, 'availability held: the steady state never broke').to.equal(true);
    expect(rollout.lowestAvailable ?? -1, 'never below the floor').to.be.at.least(3);
    expect(rollout.revisions.every((r) => r.new === 0), 'the new version never had a ready pod').to.equal(true);
    expect(rollout.completedAt, 'the bad version never completed').to.equal(null);
    const started = Date.parse(rollout.startedAt);
    expect(rollout.stalledAt, 'stalled').to.be.a('string');
    expect(Date.parse(rollout.stalledAt as string) - started, 'not before progressDeadlineSeconds').to.be.at.least(5000);
    const rollback = rollout.rollback;
    expect(rollback?.timeMs ?? 0, 'rollback time').to.be.above(0);
    expect(Date.parse(rollback?.startedAt ?? '')).to.be.at.least(Date.parse(rollout.stalledAt as string));
    // The audit log: rebound's writes of the Deployment were the desired state, the bad version, the rollback and the
    // cleanup's revert; the rollback's write is when the report says the rollback started.
    const applies = audit.filter((e) => e.user?.username === ADMIN && e.verb === 'patch' && e.objectRef?.resource === 'deployments' && e.objectRef.name === 'rollout-web');
    expect(applies.length, applies.map((e) => e.stageTimestamp).join(', ')).to.equal(4);
    const rollbackWrite = Date.parse(applies[2]?.stageTimestamp ?? '');
    expect(Date.parse(rollback?.startedAt ?? '') - rollbackWrite, 'rollback write vs audit log (ms)').to.be.within(-5, 100);
    expect(Date.parse(applies[1]?.stageTimestamp ?? '') - started, 'rollout write vs audit log (ms)').to.be.within(-100, 5);
    // Every replica back on the old revision means the new revision's pods were deleted by the controllers, after
    // the rollback write and before the report says the rollback completed.
    const newPodDeletes = audit.filter((e) => e.verb === 'delete' && e.objectRef?.resource === 'pods'
      && (e.objectRef.name ?? '').startsWith(`rollout-web-${rollout.newRevision ?? '?'}-`) && e.user?.username !== ADMIN);
    expect(newPodDeletes.length, 'the new revision\'s pods deleted').to.be.above(0);
    const firstDelete = Math.min(...newPodDeletes.map((e) => Date.parse(e.stageTimestamp ?? '')));
    expect(firstDelete, 'deleted after the rollback write').to.be.at.least(rollbackWrite);
    expect(Date.parse(rollback?.completedAt ?? ''), 'completed after the controller scaled the new revision down').to.be.at.least(firstDelete);
  });

  it('a bad version with maxUnavailable 100% takes availability below the floor: FAIL', async () => {
    const { scenario, code, why } = await runExample('fail-rollout-unavailable');
    expect(scenario.verdict, why).to.equal('FAIL');
    expect(code, why).to.equal(1);
    const trial = scenario.trials[0];
    const rollout = rolloutOf(scenario);
    expect(trial?.reason ?? '').to.match(/^the steady state broke once, for \d+\.\d\d s; maxDisruption 0s allows no break$/);
    expect(rollout.floor, 'the explicit floor').to.equal(3);
    expect(rollout.lowestAvailable, 'every old pod went at once').to.equal(0);
    expect(trial?.brokenAt).to.be.a('string');
    expect(trial?.longestBreakMs ?? 0, 'broken until the rollback after the progress deadline').to.be.above(5000);
    expect(rollout.rollback?.timeMs ?? 0).to.be.above(0);
  });

  it('a run killed with the bad version out leaves recover what to undo: it re-declares the previous version', async () => {
    const state = readState(TEST_CLUSTER);
    if (!state) throw new Error('the test cluster has no state');
    const kube = clientsFor(state.kubeconfig);
    const namespace = 'rebound-rollout-killed';
    // The namespace and the Deployment exist before the run (another tool made them), so recover leaves them in place
    // and the Deployment can be read back after it.
    await kube.core.createNamespace({ body: { metadata: { name: namespace } } }).catch((error: unknown) => {
      if (statusOf(error) !== 409) throw error;
    });
    const text = readFileSync(join(REPO, 'scenarios', 'manifests', 'rollout-web.yaml'), 'utf8').replace('${MAX_UNAVAILABLE}', '25%');
    for (const document of parseAllDocuments(text)) {
      const object = document.toJS() as k8s.KubernetesObject;
      await kube.objects.patch({ ...object, metadata: { ...object.metadata, namespace } }, undefined, undefined, 'test-setup', true, k8s.PatchStrategy.ServerSideApply);
    }
    const deployment = () => kube.apps.readNamespacedDeployment({ name: 'rollout-web', namespace });
    try {
      const output = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [join(REPO, 'bin', 'rebound.js'), 'run', 'test/fixtures/rollout/killed.yaml', '--cluster', TEST_CLUSTER, '--out', join(out, 'killed')],
          { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
        let said = '';
        const watch = (chunk: Buffer): void => {
          said += chunk.toString();
          if (/trial 1: rollout at \+/.test(said)) child.kill('SIGKILL');
        };
        child.stdout.on('data', watch);
        child.stderr.on('data', watch);
        const guard = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no exit; output:\n${said.slice(-3000)}`)); }, 5 * 60_000);
        child.on('exit', () => { clearTimeout(guard); resolve(said); });
      });
      const left = (await deployment()).spec?.template;
      expect(left?.spec?.containers[0]?.image, output.slice(-2000)).to.equal('registry.rebound.local/app:v2-broken');
      const recovered = await rebound(['recover', '--cluster', TEST_CLUSTER]);
      expect(recovered.code, recovered.stderr).to.equal(0);
      expect(`${recovered.stdout}${recovered.stderr}`).to.match(/re-declare Deployment rebound-rollout-killed\/rollout-web \(server-side apply of the previous version\)/);
      const back = (await deployment()).spec?.template;
      expect(back?.spec?.containers[0]?.image).to.equal('registry.rebound.local/app:v1');
      expect(back?.spec?.containers[0]?.env ?? [], 'the variable the bad version added is gone').to.deep.equal([]);
      expect(back?.metadata?.annotations?.['rebound.dev/never-ready'], 'the annotation the bad version added is gone').to.equal(undefined);
    } finally {
      await kube.core.deleteNamespace({ name: namespace }).catch(() => undefined);
    }
  });

  it('FAILs a rollout late for rolloutWithin, and one that never completes; an unknown container is an ERROR; a file and a StatefulSet roll out', async () => {
    const dir = join(out, 'variants');
    mkdirSync(join(dir, 'manifests'), { recursive: true });
    cpSync(join(REPO, 'scenarios', 'manifests', 'rollout-web.yaml'), join(dir, 'manifests', 'rollout-web.yaml'));
    const scenario = (name: string, set: string, rollback: string, expect: string): string => {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, [
        'apiVersion: rebound.dev/v1alpha1', 'kind: Scenario', `metadata: { name: ${name} }`, 'spec:', '  variables: { MAX_UNAVAILABLE: 25% }',
        '  desiredState: [ { file: manifests/rollout-web.yaml } ]',
        `  faults: [ { rollout: { name: rollout-web, set: ${set}, rollback: ${rollback} } } ]`, `  expect: ${expect}`, '',
      ].join('\n'));
      return file;
    };
    const bad = '{ annotations: { rebound.dev/never-ready: "true" } }';
    const files = [
      scenario('late', bad, 'onStall', '{ recoveryWithin: 30s, rolloutWithin: 3s }'),
      scenario('never', bad, 'never', '{ recoveryWithin: 10s }'),
      scenario('unknown', '{ image: { api: registry.rebound.local/app:v2 } }', 'never', '{ recoveryWithin: 10s }'),
    ];
    // A new version from a file (${VAR}s substituted), rolled back after a time.
    writeFileSync(join(dir, 'web-v2.yaml'), readFileSync(join(dir, 'manifests', 'rollout-web.yaml'), 'utf8')
      .replace('        - name: web\n', '        - name: web\n          env: [ { name: VERSION, value: "${NEXT}" } ]\n'));
    const fromFile = scenario('from-file', '{}', '{ after: 3s }', '{ recoveryWithin: 30s }');
    writeFileSync(fromFile, readFileSync(fromFile, 'utf8').replace('set: {}', 'file: web-v2.yaml').replace('MAX_UNAVAILABLE: 25%', 'MAX_UNAVAILABLE: 25%, NEXT: v2'));
    // A StatefulSet: one member at a time, its floor replicas - 1.
    cpSync(join(REPO, 'scenarios', 'manifests', 'redis-statefulset.yaml'), join(dir, 'manifests', 'redis.yaml'));
    const statefulSet = join(dir, 'statefulset.yaml');
    writeFileSync(statefulSet, [
      'apiVersion: rebound.dev/v1alpha1', 'kind: Scenario', 'metadata: { name: statefulset }', 'spec:',
      '  desiredState: [ { file: manifests/redis.yaml } ]',
      '  faults: [ { rollout: { kind: StatefulSet, name: redis, set: { env: { redis: { VERSION: v2 } } } } } ]', '  expect: { recoveryWithin: 30s }', '',
    ].join('\n'));
    const result = await rebound(['run', ...files, fromFile, statefulSet, '--cluster', TEST_CLUSTER, '--out', join(dir, 'out')]);
    const scenarios = readResults(join(dir, 'out')).scenarios;
    const why = `${scenarios.map((s) => `${s.name} ${s.verdict}: ${s.reason ?? ''}`).join('\n')}\n${result.stderr.slice(-3000)}`;
    expect(result.code, why).to.equal(2);
    const [late, never, unknown] = scenarios;
    expect(late?.verdict, why).to.equal('FAIL');
    expect(late?.trials[0]?.reason, why).to.match(/^the rollout of Deployment\/rollout-web was not complete within rolloutWithin 3s \(it took \d+\.\d\d s\)$/);
    expect(late?.trials[0]?.rollouts?.[0]?.rollback?.timeMs ?? 0, 'it was rolled back, late').to.be.above(0);
    expect(never?.verdict, why).to.equal('FAIL');
    expect(never?.trials[0]?.reason, why).to.match(/^no recovery within 10s \(\+1s settle\): the rollout of Deployment\/rollout-web: it stalled at its progress deadline \(rolledOut Deployment\/rollout-web: .*Progressing False \(ProgressDeadlineExceeded\)\)$/);
    expect(never?.trials[0]?.undisrupted === false && never.trials[0].brokenAt === null, 'the steady state itself never broke').to.equal(true);
    expect(unknown?.verdict, why).to.equal('ERROR');
    expect(unknown?.reason, why).to.contain('rollout: Deployment rollout-web has no container `api` (its containers: web)');
    const [, , , file, sts] = scenarios;
    expect(file?.verdict, why).to.equal('PASS');
    const filed = file?.trials[0]?.rollouts?.[0];
    expect(filed?.completedAt, 'the file\'s version rolled out').to.be.a('string');
    expect(Date.parse(filed?.rollback?.startedAt ?? '') - Date.parse(filed?.startedAt ?? ''), 'rolled back after 3s').to.be.within(3000, 3500);
    expect(filed?.rollback?.timeMs ?? 0).to.be.above(0);
    expect(sts?.verdict, why).to.equal('PASS');
    expect(sts?.steadyState.join('\n')).to.contain('availableAtLeast StatefulSet/redis');
    const member = sts?.trials[0]?.rollouts?.[0];
    expect([member?.floor, member?.floorReason]).to.deep.equal([2, '3 replicas - maxUnavailable 1 (1)']);
    expect(member?.lowestAvailable ?? -1, 'one member at a time').to.be.at.least(2);
    expect(member?.newRevision).to.be.a('string').and.not.equal(member?.oldRevision);
    expect(member?.revisions.at(-1), 'all on the new revision').to.deep.include({ old: 0, new: 3 });
  });
});

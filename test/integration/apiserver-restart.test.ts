// The embedded cluster's API server is stopped and started again while rebound runs a scenario: killed mid-trial,
// right after the pod kill, and restarted (SIGTERM) once while the initial steady state is awaited. The run must carry on; the trial's
// verdict and recovery time must agree with the API server's own record (the replacement's Ready condition), or
// the trial must be an ERROR that names the outage. Never a false PASS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type * as k8s from '@kubernetes/client-node';
import { clientsFor, type KubeClients } from '../../harness/cluster/kube.js';
import { startComponent, status, stopComponent } from '../../harness/cluster/local/cluster.js';
import type { TrialResult } from '../../harness/report/result.js';
import { sleep } from '../../harness/util/sleep.js';
import { waitClean } from '../support/aborts.js';
import { readResults, rebound, type Outcome } from '../support/cli.js';
import { testCluster, TEST_CLUSTER } from '../support/cluster.js';
import { isPodReady, until } from '../support/kube.js';

const SCENARIO = 'test/fixtures/engine/apiserver-restart.yaml';
/** How long the API server stays down (its start-up comes on top). */
const DOWN_MS = 3000;
/** Watch delivery on a loaded 2-core machine: the most a pod's change may take to reach rebound. */
const DELIVERY_SLACK_MS = 500;

/** The scenario's namespace, once the run has made it. */
async function scenarioNamespace(kube: KubeClients): Promise<string> {
  let name = '';
  await until('the scenario\'s namespace', async () => {
    const list = await kube.core.listNamespace({ labelSelector: 'rebound.dev/scenario=apiserver-restart' });
    name = list.items.find((n) => n.status?.phase === 'Active')?.metadata?.name ?? '';
    return name !== '';
  }, 120_000);
  return name;
}

async function pods(kube: KubeClients, namespace: string): Promise<k8s.V1Pod[]> {
  return (await kube.core.listNamespacedPod({ namespace, labelSelector: 'app=restarted' })).items;
}

/**
 * Stops the API server (SIGTERM, or SIGKILL at once with `graceMs` 0, as a crash) for DOWN_MS and starts it again,
 * whatever happens in between.
 */
async function restartApiServer(graceMs?: number): Promise<{ stoppedAt: number; servingAt: number }> {
  const stoppedAt = Date.now();
  await stopComponent(TEST_CLUSTER, 'kube-apiserver', graceMs);
  try {
    await sleep(DOWN_MS);
  } finally {
    await startComponent(TEST_CLUSTER, 'kube-apiserver');
  }
  return { stoppedAt, servingAt: Date.now() };
}

const readyTime = (pod: k8s.V1Pod): number | undefined => {
  const condition = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
  return condition?.lastTransitionTime ? new Date(condition.lastTransitionTime).getTime() : undefined;
};

describe('an API server restart during a run (integration)', function () {
  this.timeout(10 * 60_000);
  let out: string;
  let kube: KubeClients;

  before(async () => {
    const state = await testCluster();
    kube = clientsFor(state.kubeconfig);
    out = mkdtempSync(join(tmpdir(), 'rebound-apiserver-'));
  });
  let failed = false;
  afterEach(function () {
    if (this.currentTest?.state === 'failed') failed = true;
  });
  after(async () => {
    // Whatever failed, the API server runs again.
    await startComponent(TEST_CLUSTER, 'kube-apiserver');
    // A failed test leaves its run's reports (results.json, run.log) to look at.
    if (failed) process.stderr.write(`      [kept] ${out}\n`);
    else rmSync(out, { recursive: true, force: true });
  });

  /**
   * Runs the scenario, kills the API server right after the pod kill and starts it again, and checks the trial
   * against the API server's record. `readyDelay` sets when the replacement turns Ready: after the outage (6s), or
   * while it lasts, so that the relists reveal it (2s).
   */
  async function midTrial(name: string, readyDelay: string, seed: number): Promise<void> {
    const dir = join(out, name);
    const running: Promise<Outcome> = rebound(['run', SCENARIO, '--cluster', TEST_CLUSTER, '--out', dir, '--seed', String(seed), '--var', `READY_DELAY=${readyDelay}`]);
    const namespace = await scenarioNamespace(kube);
    // The steady state: both pods ready. Then the kill: one of them terminating or gone.
    let before: string[] = [];
    await until('two ready pods', async () => {
      const ready = (await pods(kube, namespace)).filter(isPodReady);
      before = ready.map((p) => p.metadata?.uid ?? '');
      return ready.length === 2;
    }, 120_000);
    await until('the pod kill', async () => {
      const now = await pods(kube, namespace);
      return now.some((p) => p.metadata?.deletionTimestamp !== undefined) || before.some((uid) => !now.some((p) => p.metadata?.uid === uid));
    }, 120_000);
    // A crash, right after the kill: the replacement comes up while the API server is away or just back.
    const outage = await restartApiServer(0);

    // The API server's own record of the recovery: when the last of the two pods of the final steady state turned
    // Ready (their Ready conditions' lastTransitionTime), from the last look at them before the run cleans up. The
    // pods may turn unready again after the restart (their nodes' leases went unrenewed while it was down).
    let finished = false;
    let apiReadyAt: number | undefined;
    const looking = (async () => {
      while (!finished) {
        const now = (await pods(kube, namespace).catch(() => [])).filter((p) => isPodReady(p));
        const times = now.map(readyTime).filter((t): t is number => t !== undefined);
        if (now.length === 2 && times.length === 2) apiReadyAt = Math.max(...times);
        await sleep(200);
      }
    })();
    const { code, stderr } = await running;
    finished = true;
    await looking;
    const report = readResults(dir);
    const trial: TrialResult | undefined = report.scenarios[0]?.trials[0];
    // What the trial and the API server said, printed and carried by every assertion below: CI keeps only a part of
    // the output, and a failure must say which verdict it was about.
    const seen = JSON.stringify({
      verdict: trial?.verdict, reason: trial?.reason, injectedAt: trial?.injectedAt, brokenAt: trial?.brokenAt, recoveredAt: trial?.recoveredAt,
      recoveryTimeMs: trial?.recoveryTimeMs, recoveryUncertaintyMs: trial?.recoveryUncertaintyMs, outages: trial?.outages,
      apiReadyAt: apiReadyAt === undefined ? undefined : new Date(apiReadyAt).toISOString(), stoppedAt: new Date(outage.stoppedAt).toISOString(),
      servingAt: new Date(outage.servingAt).toISOString(), markers: trial?.timeline.markers.map((m) => `${m.at} ${m.label}`),
    }, null, 1);
    process.stderr.write(`      [trial] ${seen}\n`);
    expect(trial, stderr).to.not.equal(undefined);
    if (trial === undefined) return;
    // The outage is in the trial's record and on its timeline.
    expect(trial.outages?.length, `outages recorded: ${seen}`).to.be.at.least(1);
    const [recorded] = trial.outages ?? [];
    expect(new Date(recorded?.from ?? 0).getTime(), `outage begins after the API server was stopped: ${seen}`).to.be.at.least(outage.stoppedAt - DELIVERY_SLACK_MS);
    expect(trial.timeline.markers.some((m) => m.label.startsWith('outage: the watches broke')), `outage on the timeline: ${seen}`).to.equal(true);
    expect(trial.timeline.markers.some((m) => m.label.startsWith('outage over after')), `end of the outage on the timeline: ${seen}`).to.equal(true);

    if (trial.verdict === 'ERROR') {
      // No recovery to compare: the API server's record is not needed (the run may have ended, and cleaned up, before
      // both pods were Ready again).
      expect(trial.reason, seen).to.match(/^API server unreachable from \S+ to \S+ \(\d+ ms/);
      expect(code, seen).to.equal(2);
    } else {
      expect(trial.verdict, `${seen}\n${stderr}`).to.equal('PASS');
      expect(code, seen).to.equal(0);
      // A PASS says both pods were Ready at once: the API server must have shown it too.
      expect(apiReadyAt, `the API server's record of the recovery: ${seen}`).to.be.a('number');
      if (apiReadyAt === undefined) return;
      const injectedAt = new Date(trial.injectedAt ?? '').getTime();
      const recoveredAt = new Date(trial.recoveredAt ?? '').getTime();
      // The report's times are ISO to the millisecond, its durations rounded apart from them.
      expect(Math.abs((trial.recoveryTimeMs ?? 0) - (recoveredAt - injectedAt)), seen).to.be.at.most(1);
      const uncertainty = trial.recoveryUncertaintyMs ?? 0;
      // The API's time has second resolution: the replacement turned Ready within [apiReadyAt, apiReadyAt + 1 s).
      // rebound's figure is the latest the recovery can have been, and no more than its uncertainty later.
      expect(recoveredAt, `recovered no earlier than the API server says: ${seen}`).to.be.at.least(apiReadyAt);
      expect(recoveredAt - uncertainty, `recovered no later than the API server says, within the stated uncertainty: ${seen}`)
        .to.be.at.most(apiReadyAt + 1000 + DELIVERY_SLACK_MS);
    }
    expect(await waitClean(TEST_CLUSTER, 60_000)).to.deep.equal([]);
    expect((await status(TEST_CLUSTER)).healthy).to.equal(true);
  }

  it('killed right after the pod kill, the replacement ready after the outage: the verdict and recovery time agree with the API server, or the trial is an ERROR naming the outage', async () => {
    await midTrial('mid-trial-after', '6s', 5);
  });

  it('killed right after the pod kill, the replacement ready during the outage: the same', async () => {
    await midTrial('mid-trial-during', '2s', 7);
  });

  it('restarted while the steady state is awaited: the run carries on and passes', async () => {
    const dir = join(out, 'steady');
    const running: Promise<Outcome> = rebound(['run', SCENARIO, '--cluster', TEST_CLUSTER, '--out', dir, '--seed', '6', '--var', 'READY_DELAY=4s']);
    const namespace = await scenarioNamespace(kube);
    // The pods exist but are not ready yet (their ready delay): rebound waits for the steady state.
    await until('the scenario\'s pods created', async () => (await pods(kube, namespace)).length === 2, 120_000);
    const notYet = (await pods(kube, namespace)).filter(isPodReady).length;
    await restartApiServer();
    const { code, stderr } = await running;
    const report = readResults(dir);
    expect(notYet, 'the restart came before the steady state held').to.be.below(2);
    expect(report.scenarios[0]?.verdict, `${report.scenarios[0]?.reason ?? ''}\n${stderr}`).to.equal('PASS');
    expect(code).to.equal(0);
    expect(await waitClean(TEST_CLUSTER, 60_000)).to.deep.equal([]);
    expect((await status(TEST_CLUSTER)).healthy).to.equal(true);
  });
});

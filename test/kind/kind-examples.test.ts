import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { kindLoadImages, requireKindState } from '../../harness/cluster/kind/cluster.js';
import { runCommand } from '../../harness/util/command.js';
import { clientsFor, type KubeClients } from '../../harness/cluster/kube.js';
import type { ScenarioResult, TrialResult } from '../../harness/report/result.js';
import { readResults, rebound, REPO } from '../support/cli.js';
import { ensureKindTestCluster, KIND_TEST_CLUSTER, skipWithoutDocker } from '../support/kind.js';
import { isPodReady, until } from '../support/kube.js';

const examples = readdirSync(join('scenarios', 'kind')).filter((f) => f.endsWith('.yaml')).sort();
const OPERATOR_IMAGES = ['registry.rebound.local/echo-operator:v1', 'registry.rebound.local/echo-operator:v2'];

/** Runs scenario files on the shared kind test cluster; the report folder and the parsed results.json. */
async function runOnKind(files: string[], extra: string[] = []): Promise<{ code: number; stderr: string; scenarios: readonly ScenarioResult[] }> {
  const out = mkdtempSync(join(tmpdir(), 'rebound-kind-'));
  const result = await rebound(['run', ...files, '--provider', 'kind', '--cluster', KIND_TEST_CLUSTER, '--out', out, '--seed', '11', ...extra], { timeoutMs: 20 * 60_000 });
  return { code: result.code, stderr: result.stderr, scenarios: readResults(out).scenarios };
}

/** The recovery time is the time from injection to recovery, and the replacement phases add up inside it. */
function expectConsistent(trial: TrialResult): void {
  expect(trial.recoveryTimeMs, 'recovery time').to.be.a('number');
  const measured = Date.parse(trial.recoveredAt ?? '') - Date.parse(trial.injectedAt ?? '');
  expect(Math.abs((trial.recoveryTimeMs ?? 0) - measured), 'recoveryTimeMs = recoveredAt - injectedAt').to.be.at.most(1);
  for (const replacement of trial.replacements) {
    const phases = Object.values(replacement.phasesMs).filter((ms): ms is number => ms !== null);
    const sum = phases.reduce((a, b) => a + b, 0);
    const span = Date.parse(Object.values(replacement.at).filter((at): at is string => at !== null).sort().at(-1) ?? '') - Date.parse(replacement.at.deleted ?? '');
    expect(Math.abs(sum - span), `phases of ${replacement.pod.name} add up to deleted -> last phase`).to.be.at.most(phases.length + 1);
  }
}

/**
 * Watches a namespace's containers on some nodes through their container runtime (crictl in the node), every
 * 300 ms: for each pod UID, the last time one of its containers was seen running.
 */
function watchContainers(nodes: readonly string[], namespace: string): { stop(): Map<string, number> } {
  const lastRunning = new Map<string, number>();
  let stopped = false;
  const poll = (node: string): void => {
    if (stopped) return;
    execFile('docker', ['exec', node, 'crictl', 'ps', '-o', 'json', '--state', 'running', '--label', `io.kubernetes.pod.namespace=${namespace}`], (error, stdout) => {
      const seenAt = Date.now();
      if (!error) {
        const parsed = JSON.parse(stdout) as { containers?: { labels?: Record<string, string> }[] };
        for (const container of parsed.containers ?? []) {
          const uid = container.labels?.['io.kubernetes.pod.uid'];
          if (uid) lastRunning.set(uid, seenAt);
        }
      }
      setTimeout(() => poll(node), 300);
    });
  };
  nodes.forEach(poll);
  return { stop: () => { stopped = true; return lastRunning; } };
}

describe('kind provider: the examples of scenarios/kind/ and every fault kind on real containers', function () {
  this.timeout(60 * 60_000);
  let kube: KubeClients;

  before(async function () {
    await skipWithoutDocker(this, 'kind examples');
    const log = (line: string): void => { process.stderr.write(`      [kind] ${line}\n`); };
    const state = await ensureKindTestCluster(log);
    kube = clientsFor(state.kubeconfig, state.context);
    // The operator's two versions, as images (built once per machine by setup:kind; quick when they are there).
    const built = await runCommand('bash', [join(REPO, 'tools', 'operator-image.sh')], { onLine: log });
    expect(built.code, built.stderr).to.equal(0);
    await kindLoadImages(KIND_TEST_CLUSTER, OPERATOR_IMAGES, log);
  });

  it('gives every example its intended verdict: fail-* FAIL with exit code 1, the others PASS', async function () {
    const { code, scenarios } = await runOnKind(examples.map((f) => join('scenarios', 'kind', f)), ['--trials', '1']);
    expect(scenarios.map((s) => [s.file.replace(/^.*scenarios\/kind\//, ''), s.verdict])).to.deep.equal(
      examples.map((f) => [f, f.startsWith('fail-') ? 'FAIL' : 'PASS']));
    expect(code, 'exit code: a FAIL among them').to.equal(1);
    for (const scenario of scenarios.filter((s) => s.verdict === 'PASS')) for (const trial of scenario.trials) expectConsistent(trial);

    const byName = new Map(scenarios.map((s) => [s.name, s]));
    // containerKill: the same pod, restarted in place.
    const killed = byName.get('kind-container-kill')?.trials[0];
    const restart = killed?.restarts?.[0];
    expect(restart, 'a restart recorded').to.not.equal(undefined);
    expect(killed?.replacements, 'no pod replaced').to.deep.equal([]);
    expect(restart?.restartCountAfter).to.equal((restart?.restartCountBefore ?? -1) + 1);
    expect(restart?.pod.uid).to.equal(killed?.faults[0]?.targets[0]?.uid);
    expect(restart?.phasesMs.restarted, 'restart seen').to.be.a('number');
    expect(restart?.phasesMs.ready, 'ready again').to.be.a('number');

    // Under load through the NodePort: requests all through the trial, and the ones kube-proxy still sent to the
    // killed pod before its endpoint was removed counted in the error budget.
    for (const trial of byName.get('kind-pod-kill-http')?.trials ?? []) {
      expect(trial.load?.driver, 'load recorded').to.equal('http');
      expect(trial.load?.requests ?? 0, 'requests in the judged window (100/s)').to.be.above(200);
      expect(trial.load?.errorBudget?.requests ?? 0, 'requests between the kill and the recovery').to.be.above(0);
      expect(trial.load?.thresholds.map((t) => [t.metric, t.ok])).to.deep.equal([['http_req_failed', true], ['http_req_duration', true]]);
    }

    // Node faults: detection -> taint -> eviction, then replacement, all inside the recovery time.
    for (const name of ['kind-node-stop', 'kind-network-partition']) {
      const trial = byName.get(name)?.trials[0];
      const loss = trial?.nodeLoss?.[0];
      expect(loss, `${name}: node loss recorded`).to.not.equal(undefined);
      expect(loss?.node).to.equal(trial?.faults[0]?.targets[0]?.name);
      expect(loss?.node, 'never the control plane').to.not.match(/control-plane$/);
      const { detection, taint, eviction } = loss?.phasesMs ?? {};
      expect([detection, taint, eviction].every((ms) => typeof ms === 'number'), `${name}: every phase seen`).to.equal(true);
      // The fast failure detection: a 6 s grace period, then the pods' 2 s tolerations.
      expect(detection ?? 0, 'detection').to.be.within(4000, 12_000);
      expect(eviction ?? 0, 'eviction after the 2 s toleration').to.be.within(1500, 4000);
      expect((detection ?? 0) + (taint ?? 0) + (eviction ?? 0), 'phases before the replacements fit in the recovery').to.be.below(trial?.recoveryTimeMs ?? 0);
      expect(trial?.replacements.length ?? 0, `${name}: evicted pods replaced`).to.be.greaterThan(0);
    }
  });

  it('networkPartition: the node comes back Ready with its address once the partition ends', async function () {
    const { code, scenarios } = await runOnKind([join('scenarios', 'kind', 'network-partition.yaml')], ['--trials', '1']);
    expect(code).to.equal(0);
    const trial = scenarios[0]?.trials[0];
    const node = trial?.nodeLoss?.[0]?.node ?? '';
    const seen = await kube.core.readNode({ name: node });
    expect(seen.status?.conditions?.find((c) => c.type === 'Ready')?.status, `${node} Ready after the run`).to.equal('True');
    const address = seen.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    const state = requireKindState(KIND_TEST_CLUSTER);
    const inspected = await new Promise<string>((resolve) => execFile('docker', ['inspect', '--format',
      `{{(index .NetworkSettings.Networks "${state.network}").IPAddress}}`, node], (_e, stdout) => resolve(stdout.trim())));
    expect(inspected, 'the same address on the cluster network').to.equal(address);
    // Its own pods (the pod network's and kube-proxy's, which tolerate everything and so stayed) run there again. The
    // kubelet reports them Ready again in its next status updates, which may come after the run ended: wait for them.
    const notReady = async (): Promise<string[]> => (await kube.core.listNamespacedPod({ namespace: 'kube-system', fieldSelector: `spec.nodeName=${node}` })).items
      .filter((p) => !isPodReady(p)).map((p) => p.metadata?.name ?? '?');
    const pods = (await kube.core.listNamespacedPod({ namespace: 'kube-system', fieldSelector: `spec.nodeName=${node}` })).items;
    expect(pods.length, `kube-system pods on ${node}`).to.be.greaterThan(1);
    await until(`kube-system pods of ${node} Ready again`, async () => (await notReady()).length === 0, 60_000).catch(() => undefined);
    expect(await notReady(), 'pods of the node not Ready again within 60 s').to.deep.equal([]);
  });

  it('nodePause, nodeRestart and a graceful nodeStop heal: losses timed phase by phase, the restarted node Ready again', async function () {
    const { code, scenarios } = await runOnKind(['node-pause.yaml', 'node-restart.yaml', 'node-stop-graceful.yaml'].map((f) => join('test', 'fixtures', 'kind', f)));
    expect(scenarios.map((s) => [s.name, s.verdict, s.reason])).to.deep.equal([
      ['kind-node-pause', 'PASS', null], ['kind-node-restart', 'PASS', null], ['kind-node-stop-graceful', 'PASS', null]]);
    // Followed from the moment the (seconds-long) graceful stop began, the node is seen NotReady.
    expect(scenarios[2]?.trials[0]?.nodeLoss?.[0]?.phasesMs.detection, 'gracefully stopped node seen NotReady').to.be.a('number');
    expect(code).to.equal(0);
    const paused = scenarios[0]?.trials[0];
    expect(paused?.nodeLoss?.[0]?.phasesMs.detection, 'paused node seen NotReady').to.be.a('number');
    for (const scenario of scenarios) for (const trial of scenario.trials) expectConsistent(trial);
    const restarted = scenarios[1]?.trials[0]?.faults[0]?.targets[0]?.name ?? '';
    await until(`${restarted} Ready after its restart`, async () => {
      const seen = await kube.core.readNode({ name: restarted });
      return seen.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    }, 60_000);
  });

  it('podKill stops the container at once, without the pod\'s grace period', async function () {
    const state = requireKindState(KIND_TEST_CLUSTER);
    const watcher = watchContainers(state.workers, 'kind-nograce');
    const { code, scenarios } = await runOnKind([join('test', 'fixtures', 'kind', 'pod-kill-no-grace.yaml')]);
    const lastRunning = watcher.stop();
    expect(code).to.equal(0);
    const trial = scenarios[0]?.trials[0];
    const target = trial?.faults[0]?.targets[0];
    expect(target?.uid, 'the killed pod').to.be.a('string');
    const seen = lastRunning.get(target?.uid ?? '');
    expect(seen, 'the killed pod\'s container was seen running before the kill').to.be.a('number');
    // The app ignores SIGTERM and has a 20 s grace period: a graceful stop would keep it running for 20 s. The
    // kubelet's shortest stop (2 s) plus the time it takes to notice the deletion is all a podKill may leave.
    const runningAfterKill = (seen ?? 0) - Date.parse(trial?.injectedAt ?? '');
    process.stderr.write(`      killed container last seen running ${runningAfterKill} ms after the kill\n`);
    expect(runningAfterKill, 'ms the container ran on after the kill').to.be.below(5000);
  });

  it('calls operator v2 (1 s slower to reconcile) regressed against v1 with exit 1, and v1 against v1 not', async function () {
    const operator = join('scenarios', 'kind', 'operator-echo.yaml');
    const out = mkdtempSync(join(tmpdir(), 'rebound-operator-'));
    const runVersion = async (name: string, tag: string, seed: number): Promise<string> => {
      const dir = join(out, name);
      const result = await rebound(['run', operator, '--provider', 'kind', '--cluster', KIND_TEST_CLUSTER, '--out', dir,
        '--seed', String(seed), '--trials', '6', '--var', `OPERATOR_TAG=${tag}`], { timeoutMs: 15 * 60_000 });
      expect(result.code, `${name}: ${result.stderr.slice(-1500)}`).to.equal(0);
      return join(dir, 'results.json');
    };
    const v1a = await runVersion('v1-a', 'v1', 1);
    const v1b = await runVersion('v1-b', 'v1', 2);
    const v2 = await runVersion('v2', 'v2', 3);
    const slower = await rebound(['compare', v1a, v2, '--out', join(out, 'cmp-v2')]);
    expect(slower.code, slower.stdout).to.equal(1);
    const verdictOf = (dir: string): { verdict: string; ratio: number | undefined } => {
      const parsed = JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')) as { verdict: string; scenarios: { ratio?: { estimate?: number } }[] };
      return { verdict: parsed.verdict, ratio: parsed.scenarios[0]?.ratio?.estimate };
    };
    const regressed = verdictOf(join(out, 'cmp-v2'));
    process.stderr.write(`      v2 against v1: ${regressed.verdict}, median ratio ${regressed.ratio?.toFixed(2) ?? '?'}\n`);
    expect(regressed.verdict).to.equal('regressed');
    const same = await rebound(['compare', v1a, v1b, '--out', join(out, 'cmp-v1')]);
    expect(same.code, same.stdout).to.equal(0);
    expect(verdictOf(join(out, 'cmp-v1')).verdict).to.not.equal('regressed');
  });
});

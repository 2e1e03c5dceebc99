import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { cachedBinaries } from '../../harness/cluster/local/binaries.js';
import type { ClusterState } from '../../harness/cluster/local/state.js';
import type { RunResult, TrialResult } from '../../harness/report/result.js';
import { readResults, REPO, rebound } from '../support/cli.js';
import { testCluster, TEST_CLUSTER } from '../support/cluster.js';
import { isPodReady, until } from '../support/kube.js';
import { clientsFor } from '../../harness/cluster/kube.js';

/** The workloads people run: three web pods behind a Service, deployed with kubectl as a team would. */
const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, labels: { app: web } }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [ { name: web, image: registry.rebound.local/app:v1, ports: [ { containerPort: 8080 } ] } ]
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [ { port: 80, targetPort: 8080 } ]
`;

/** The scenario both commands read: its podKill is what run injects and what observe watches the targets of. */
function scenario(namespace: string): string {
  return `apiVersion: rebound.dev/v1alpha1
kind: Scenario
metadata: { name: observe-web }
spec:
  namespace: ${namespace}
  desiredState: [ { file: manifests.yaml } ]
  steadyState:
    - workloadAvailable: { kind: Deployment, name: web }
    - podsReady: { selector: app=web, count: 3 }
    - endpointsReady: { service: web, min: 3 }
  faults:
    - podKill: { selector: app=web, count: 1 }
  expect: { recoveryWithin: 30s, settle: 2s, mustBreak: true }
  trials: 1
  timeout: 5m
`;
}

/** The test cluster's own kubectl, as a person at a game day would use it. */
function kubectl(state: ClusterState, args: readonly string[]): Promise<string> {
  const binary = cachedBinaries()?.kubectl;
  if (binary === undefined) throw new Error('the local cluster\'s kubectl is not built (~/.rebound/bin): bring the test cluster up first');
  return new Promise((resolve, reject) => {
    execFile(binary, ['--kubeconfig', state.kubeconfig, ...args], (error, stdout, stderr) => {
      if (error) reject(new Error(`kubectl ${args.join(' ')}: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** A `rebound observe` child process, its output gathered; `ready` resolves once it watches for a break. */
function startObserve(args: readonly string[]): { ready: Promise<void>; exit: Promise<{ code: number | null; output: string }> } {
  const child = spawn(process.execPath, [join(REPO, 'bin', 'rebound.js'), 'observe', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => { markReady = resolve; });
  const gather = (chunk: Buffer): void => {
    output += chunk.toString();
    if (/inject: watching for a break/.test(output)) markReady();
  };
  child.stdout.on('data', gather);
  child.stderr.on('data', gather);
  const exit = new Promise<{ code: number | null; output: string }>((resolve) => {
    const guard = setTimeout(() => child.kill('SIGKILL'), 6 * 60_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      markReady();
      resolve({ code, output });
    });
  });
  return { ready, exit };
}

function onlyTrial(result: RunResult): TrialResult {
  const trials = result.scenarios[0]?.trials ?? [];
  expect(trials, JSON.stringify(result.scenarios[0]?.reason)).to.have.length(1);
  return trials[0];
}

describe('rebound observe: breaks someone else causes, measured by the rules of run (integration)', function () {
  this.timeout(15 * 60_000);
  let state: ClusterState;
  let dir: string;
  const namespace = `observe-${Math.random().toString(36).slice(2, 8)}`;
  const file = (): string => join(dir, 'observe-web.yaml');

  before(async () => {
    state = await testCluster();
    dir = mkdtempSync(join(tmpdir(), 'rebound-observe-'));
    writeFileSync(join(dir, 'manifests.yaml'), MANIFESTS);
    writeFileSync(file(), scenario(namespace));
    await kubectl(state, ['create', 'namespace', namespace]);
    await until(`the default ServiceAccount of ${namespace}`, async () => kubectl(state, ['get', 'serviceaccount', 'default', '-n', namespace]).then(() => true, () => false), 30_000);
    await kubectl(state, ['apply', '-n', namespace, '-f', join(dir, 'manifests.yaml')]);
    const kube = clientsFor(state.kubeconfig);
    await until('3 ready web pods', async () => (await kube.core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items.filter(isPodReady).length === 3, 120_000);
  });

  after(async () => {
    await kubectl(state, ['delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a pod deleted with kubectl: one trial, the observed break names that pod, its replacement measured, every report written', async () => {
    const out = join(dir, 'by-hand');
    const observe = startObserve([file(), '--cluster', TEST_CLUSTER, '--out', out, '--duration', '3m']);
    await observe.ready;
    const kube = clientsFor(state.kubeconfig);
    const pods = (await kube.core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items;
    const victim = pods[0]?.metadata;
    if (!victim?.name || !victim.uid) throw new Error('no web pod to delete');
    await kubectl(state, ['delete', 'pod', victim.name, '-n', namespace, '--wait=false']);
    const { code, output } = await observe.exit;
    expect(code, output.slice(-3000)).to.equal(0);
    const result = readResults(out);
    expect(result.mode).to.equal('observe');
    expect(result.verdict).to.equal('PASS');
    const trial = onlyTrial(result);
    expect(trial.faults.map((f) => [f.kind, f.targets[0]?.uid, f.summary])).to.deep.equal([['observed', victim.uid, `Pod ${victim.name} terminating (deleted)`]]);
    expect(trial.undisrupted).to.equal(false);
    expect(trial.recoveryTimeMs).to.be.a('number').above(0);
    const replaced = trial.replacements.find((r) => r.pod.uid === victim.uid);
    expect(replaced?.replacement?.uid, 'the replacement pod').to.be.a('string').and.not.equal(victim.uid);
    // The pod is gone and the Deployment healed it: observe applied and deleted nothing of its own.
    const after = (await kube.core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items;
    expect(after.map((p) => p.metadata?.uid)).to.not.include(victim.uid);
    expect((await kube.apps.readNamespacedDeployment({ name: 'web', namespace })).metadata?.uid).to.be.a('string');
    for (const name of ['results.json', 'junit.xml', 'summary.md', 'report.html']) {
      expect(readFileSync(join(out, name), 'utf8'), name).to.include('observed');
    }
  });

  it('the same podKill measured by run and by observe watching alongside: recovery times within 20 ms', async () => {
    // The comparison that is fair: one event, two measurements. observe is started first and watches; then
    // `rebound run` waits for its own T0 and injects its podKill. Both processes receive the same watch events
    // (each on its own watch, stamped on arrival with its own monotonic clock) and measure the trial from them by
    // the same detector: run from min(its delete's acknowledgement, the first event on the pod), observe from the
    // first event on the pod, both to the start of the steady state's final stretch. The difference left is how much
    // later one process got an event than the other.
    const observeOut = join(dir, 'alongside-observe');
    const runOut = join(dir, 'alongside-run');
    const observe = startObserve([file(), '--cluster', TEST_CLUSTER, '--out', observeOut, '--duration', '5m']);
    await observe.ready;
    const run = await rebound(['run', file(), '--cluster', TEST_CLUSTER, '--out', runOut, '--seed', '7']);
    expect(run.code, run.stderr.slice(-3000)).to.equal(0);
    const watched = await observe.exit;
    expect(watched.code, watched.output.slice(-3000)).to.equal(0);
    const injected = onlyTrial(readResults(runOut));
    const observed = onlyTrial(readResults(observeOut));
    const killed = injected.faults[0]?.targets[0]?.uid;
    expect(killed, 'the pod run killed').to.be.a('string');
    expect(observed.faults.map((f) => [f.kind, f.targets[0]?.uid])).to.deep.equal([['observed', killed]]);
    expect(injected.recoveryTimeMs).to.be.a('number');
    expect(observed.recoveryTimeMs).to.be.a('number');
    const difference = Math.abs((observed.recoveryTimeMs as number) - (injected.recoveryTimeMs as number));
    const figures = (t: TrialResult): string => `${t.recoveryTimeMs} ms (injectedAt ${t.injectedAt}, recoveredAt ${t.recoveredAt})`;
    process.stderr.write(`      run: ${figures(injected)}; observe: ${figures(observed)}\n`);
    expect(difference, `run measured ${figures(injected)}, observe ${figures(observed)}`).to.be.at.most(20);
    // run found the namespace and the workloads there: it left them, as observe does.
    const kube = clientsFor(state.kubeconfig);
    expect((await kube.core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items.filter(isPodReady)).to.have.length(3);
  });

  it('nothing broke within --duration: ERROR that says so, exit 2, reports written', async () => {
    const out = join(dir, 'quiet');
    const { code, stderr } = await rebound(['observe', file(), '--cluster', TEST_CLUSTER, '--out', out, '--duration', '5s']);
    expect(code, stderr.slice(-2000)).to.equal(2);
    const result = readResults(out);
    expect(result.verdict).to.equal('ERROR');
    expect(result.scenarios[0]?.trials).to.deep.equal([]);
    expect(result.scenarios[0]?.reason).to.match(/^nothing broke during the observation \(5s\): no trial to judge/);
  });

  it('workloads not deployed: exit 2 naming each missing object, nothing created', async () => {
    const empty = `${namespace}-empty`;
    await kubectl(state, ['create', 'namespace', empty]);
    try {
      const { code, stderr } = await rebound(['observe', file(), '--cluster', TEST_CLUSTER, '--namespace', empty, '--out', join(dir, 'missing')]);
      expect(code).to.equal(2);
      expect(stderr).to.match(/nothing to observe: 2 objects of the desired state are not in the cluster; observe applies nothing/);
      expect(stderr).to.match(/manifests\.yaml:1:1: spec\.desiredState\[0\]\.file\[0\]: Deployment web in namespace .*-empty does not exist/);
      expect(stderr).to.match(/Service web in namespace .*-empty does not exist/);
      const kube = clientsFor(state.kubeconfig);
      expect((await kube.apps.listNamespacedDeployment({ namespace: empty })).items).to.deep.equal([]);
    } finally {
      await kubectl(state, ['delete', 'namespace', empty, '--wait=false']).catch(() => undefined);
    }
  });
});

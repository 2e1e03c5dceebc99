import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { clientsFor } from '../../harness/cluster/kube.js';
import { processState } from '../../harness/cluster/local/process.js';
import { readState } from '../../harness/cluster/local/state.js';
import { listening, waitClean } from '../support/aborts.js';
import { readResults, REPO, rebound } from '../support/cli.js';
import { testCluster, TEST_CLUSTER } from '../support/cluster.js';

/** Runs `rebound run` and sends `signal` once a line of its output matches `when`; gives the exit code and output. */
function interrupted(
  args: readonly string[],
  when: RegExp,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; output: string; signalledAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'bin', 'rebound.js'), 'run', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let sentAt: number | undefined;
    const watch = (chunk: Buffer): void => {
      output += chunk.toString();
      if (sentAt === undefined && when.test(output)) {
        sentAt = Date.now();
        child.kill(signal);
      }
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
    const guard = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no exit; output:\n${output.slice(-3000)}`)); }, 8 * 60_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, output, signalledAfterMs: sentAt === undefined ? -1 : Date.now() - sentAt });
    });
  });
}

describe('SIGINT and SIGTERM during a run: stop, undo everything, report ABORTED (integration)', function () {
  this.timeout(15 * 60_000);
  let dir: string;
  before(async () => {
    await testCluster();
    dir = mkdtempSync(join(tmpdir(), 'rebound-interrupt-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The cluster as a finished run must leave it (test/support/aborts.ts says what that means). */
  async function expectClean(): Promise<void> {
    expect(await waitClean(TEST_CLUSTER, 60_000)).to.deep.equal([]);
  }

  it('SIGINT while a node is stopped: exit 130, the node started again, the namespace deleted, every report ABORTED', async () => {
    const out = join(dir, 'sigint');
    const { code, output } = await interrupted(['scenarios/node-stop-spread.yaml', '--cluster', TEST_CLUSTER, '--out', out, '--seed', '3'],
      /trial 1: nodeStop at \+/, 'SIGINT');
    expect(code, output.slice(-3000)).to.equal(130);
    expect(output).to.match(/SIGINT: stopping: no further fault; undoing what this run did/);
    const result = readResults(out);
    expect(result.verdict).to.equal('ABORTED');
    expect(result.abortedBy).to.equal('SIGINT');
    const scenario = result.scenarios[0];
    expect(scenario?.verdict).to.equal('ABORTED');
    expect(scenario?.reason).to.match(/^aborted by SIGINT after 0 of 2 trials; what the scenario did was undone$/);
    expect(scenario?.trials.map((t) => [t.verdict, t.reason])).to.deep.equal([['ABORTED', 'aborted by SIGINT during the trial']]);
    expect(scenario?.cleanup).to.deep.equal([]);
    await expectClean();
  });

  it('SIGKILL after every kind of fault: the journal on disk keeps it all, run refuses the cluster, recover undoes it', async () => {
    const out = join(dir, 'sigkill');
    const { code, output } = await interrupted([join('test', 'fixtures', 'abort', 'every-revert.yaml'), '--cluster', TEST_CLUSTER, '--out', out, '--seed', '5'],
      /trial 1: processKill at \+/, 'SIGKILL');
    expect(code, output.slice(-3000)).to.equal(null);
    const state = readState(TEST_CLUSTER);
    if (!state) throw new Error('the test cluster has no state');
    const kube = clientsFor(state.kubeconfig);
    // What the killed run left: a cordon, a taint, a scaled Deployment, a paused node, a stopped process.
    const nodes = (await kube.core.listNode()).items;
    expect(nodes.some((n) => n.spec?.unschedulable === true), 'a node cordoned').to.equal(true);
    expect(nodes.some((n) => (n.spec?.taints ?? []).some((t) => t.key === 'rebound.test/abort')), 'a node tainted').to.equal(true);
    expect(state.nodes.some((n) => processState(n.agent.pid, n.agent.spec.binary) === 'paused'), 'a node agent paused').to.equal(true);

    const refused = await rebound(['run', 'scenarios/deployment-pod-kill.yaml', '--cluster', TEST_CLUSTER, '--out', join(dir, 'refused')]);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.include(`undo them first: rebound recover --provider local --cluster ${TEST_CLUSTER}`);
    expect(refused.stderr).to.match(/revert nodePause/);

    const recovered = await rebound(['recover', '--cluster', TEST_CLUSTER]);
    expect(recovered.code, recovered.stderr).to.equal(0);
    const said = `${recovered.stdout}${recovered.stderr}`;
    for (const line of [/continue process \d+/, /resume node /, /scale Deployment rebound-every-revert-\w+\/web back to 3/, /remove taint rebound\.test\/abort:NoSchedule from node /,
      /uncordon node /, /stop process \d+ \(node /, /delete Deployment rebound-every-revert-\w+\/web/, /delete namespace rebound-every-revert-/]) {
      expect(said, String(line)).to.match(line);
    }
    expect(await listening(18495), 'the scenario\'s process stopped').to.equal(false);
    const after = (await kube.core.listNode()).items;
    expect(after.filter((n) => (n.spec?.taints ?? []).some((t) => t.key === 'rebound.test/abort')).map((n) => n.metadata?.name)).to.deep.equal([]);
    await expectClean();
    // Nothing left in the journal: a run is welcome again, and recover has nothing to do.
    const again = await rebound(['recover', '--cluster', TEST_CLUSTER]);
    expect(again.stdout).to.include(`nothing to undo in the local cluster ${TEST_CLUSTER}`);
  });

  it('SIGTERM while waiting for the steady state: exit 143, processes stopped, the scenarios not started reported as not run', async () => {
    const out = join(dir, 'sigterm');
    const { code, output } = await interrupted(['scenarios/load-backend-kill.yaml', 'scenarios/http-health.yaml', '--cluster', TEST_CLUSTER, '--out', out],
      /trial 1\/3 steady: waiting for the steady state/, 'SIGTERM');
    expect(code, output.slice(-3000)).to.equal(143);
    const result = readResults(out);
    expect(result.abortedBy).to.equal('SIGTERM');
    expect(result.scenarios.map((s) => [s.name, s.verdict])).to.deep.equal([['load-backend-kill', 'ABORTED'], ['http-health', 'ABORTED']]);
    expect(result.scenarios[0]?.trials).to.deep.equal([]);
    expect(result.scenarios[1]?.reason).to.equal('not run: the run was aborted by SIGTERM');
    for (const port of [18480, 18481, 18482]) expect(await listening(port), `a process on ${port}`).to.equal(false);
    await expectClean();
  });
});

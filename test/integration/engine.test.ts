import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { RunResult } from '../../harness/report/result.js';
import { readResults, rebound } from '../support/cli.js';
import { testCluster, TEST_CLUSTER } from '../support/cluster.js';
import { withNamespace } from '../support/kube.js';

async function run(file: string, out: string, extra: string[] = []): Promise<{ code: number; stderr: string; report: RunResult }> {
  const { code, stderr } = await rebound(['run', file, '--cluster', TEST_CLUSTER, '--out', out, '--seed', '3', ...extra]);
  return { code, stderr, report: readResults(out) };
}

describe('the engine on the local cluster: FAIL and ERROR paths (integration)', function () {
  this.timeout(10 * 60_000);
  let out: string;

  before(async () => {
    await testCluster();
    out = mkdtempSync(join(tmpdir(), 'rebound-engine-'));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('FAILs a drain blocked by a PodDisruptionBudget, naming the budget, and uncordons the node after', async () => {
    const { code, report } = await run('test/fixtures/engine/drain-blocked.yaml', join(out, 'drain'));
    const scenario = report.scenarios[0];
    expect(code).to.equal(1);
    expect(scenario?.verdict).to.equal('FAIL');
    expect(scenario?.reason).to.contain('guarded-budget');
    const state = await testCluster();
    const kube = await withNamespace(state, 'it-engine');
    try {
      const nodes = await kube.core.listNode();
      expect(nodes.items.filter((n) => n.spec?.unschedulable === true).map((n) => n.metadata?.name), 'cordoned nodes after the run').to.deep.equal([]);
    } finally {
      await kube.cleanup();
    }
  });

  it('is an ERROR, not a FAIL, when the initial steady state is never reached', async () => {
    const { code, report } = await run('test/fixtures/engine/never-steady.yaml', join(out, 'never'));
    expect(code).to.equal(2);
    expect(report.scenarios[0]?.verdict).to.equal('ERROR');
    expect(report.scenarios[0]?.reason).to.contain('podsReady app=few: 1/4 ready');
  });

  it('is an ERROR (exit 2, with the reason) when a report cannot be written, and still writes the others', async () => {
    const dir = join(out, 'unwritable');
    // A folder where results.json should go: the JSON report cannot be written there.
    mkdirSync(join(dir, 'results.json'), { recursive: true });
    const { code, stderr } = await rebound(['run', 'test/fixtures/engine/ready-delay.yaml', '--cluster', TEST_CLUSTER, '--out', dir, '--trials', '1', '--var', 'READY_DELAY=100ms', '--reporter', 'json,markdown']);
    expect(code, stderr).to.equal(2);
    expect(stderr).to.match(/1 report could not be written, so the run cannot be trusted to be on record \(verdict PASS\)/);
    expect(stderr).to.match(/JsonReporter onRunEnd: .*results\.json/);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).to.contain('ready-delay');
  });

  it('is an ERROR when a fault with mustBreak does not bite', async () => {
    const { code, report } = await run('test/fixtures/engine/fault-does-not-bite.yaml', join(out, 'bite'));
    expect(code).to.equal(2);
    expect(report.scenarios[0]?.trials[0]?.reason).to.contain('did not bite');
  });

  it('is an ERROR when a fault has no candidate, and cleans up the namespace it made', async () => {
    const { code, report } = await run('test/fixtures/engine/no-candidate.yaml', join(out, 'none'));
    expect(code).to.equal(2);
    expect(report.scenarios[0]?.reason).to.contain('no candidate for podKill app=absent');
    expect(report.scenarios[0]?.cleanup).to.deep.equal([]);
    const state = await testCluster();
    const kube = await withNamespace(state, 'it-engine');
    try {
      const namespaces = await kube.core.listNamespace();
      expect(namespaces.items.map((n) => n.metadata?.name).filter((n) => n?.startsWith('rebound-no-candidate'))).to.deep.equal([]);
    } finally {
      await kube.cleanup();
    }
  });

  it('measures the same replacement phases whatever the seed, and records the seed', async () => {
    const { report } = await run('scenarios/deployment-pod-kill.yaml', join(out, 'seeded'), ['--trials', '1']);
    expect(report.seed).to.equal(3);
    const trial = report.scenarios[0]?.trials[0];
    expect(trial?.replacements).to.have.length(1);
    const [replacement] = trial?.replacements ?? [];
    expect(replacement?.owner.kind).to.equal('Deployment');
    expect(replacement?.replacement?.uid).to.not.equal(replacement?.pod.uid);
    for (const phase of ['created', 'scheduled', 'running', 'ready', 'endpointReady']) {
      expect(replacement?.phasesMs[phase], phase).to.be.a('number');
    }
  });
});

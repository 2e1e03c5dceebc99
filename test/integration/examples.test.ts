import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readResults, rebound } from '../support/cli.js';
import { testCluster, TEST_CLUSTER } from '../support/cluster.js';

/** Variables the examples need (each says so in its header). */
const VARS = ['--var', 'RECONCILE_DELAY=0s', '--var', 'READY_DELAY=3s'];

const run = (args: string[]) => rebound(['run', ...args]);

const examples = readdirSync('scenarios').filter((f) => f.endsWith('.yaml')).sort();

describe('example scenarios on the local cluster (integration)', function () {
  this.timeout(20 * 60_000);
  let out: string;

  before(async () => {
    await testCluster();
    out = mkdtempSync(join(tmpdir(), 'rebound-examples-'));
  });

  after(() => rmSync(out, { recursive: true, force: true }));

  it('has at least 8 examples meant to PASS and 2 meant to FAIL', () => {
    expect(examples.filter((f) => !f.startsWith('fail-')).length).to.be.at.least(8);
    expect(examples.filter((f) => f.startsWith('fail-')).length).to.be.at.least(2);
  });

  for (const file of examples) {
    const meantToFail = file.startsWith('fail-');
    it(`${file} ${meantToFail ? 'FAILs' : 'PASSes'}`, async () => {
      const dir = join(out, file.replace(/\.yaml$/, ''));
      const result = await run([join('scenarios', file), '--cluster', TEST_CLUSTER, '--out', dir, '--seed', '7', ...VARS]);
      const report = readResults(dir);
      const scenario = report.scenarios[0];
      const why = `${scenario?.verdict}: ${scenario?.reason}\n${result.stderr.slice(-3000)}`;
      expect(scenario?.verdict, why).to.equal(meantToFail ? 'FAIL' : 'PASS');
      expect(result.code, why).to.equal(meantToFail ? 1 : 0);
      expect(report.seed).to.equal(7);
      for (const trial of scenario?.trials ?? []) {
        if (trial.verdict !== 'PASS') continue;
        expect(trial.injectedAt, 'injectedAt').to.be.a('string');
        expect(trial.recoveredAt, 'recoveredAt').to.be.a('string');
        if (!trial.undisrupted) {
          expect(Date.parse(trial.recoveredAt as string) - Date.parse(trial.injectedAt as string), 'recoveryTimeMs = recoveredAt - injectedAt')
            .to.be.closeTo(trial.recoveryTimeMs as number, 1);
        }
      }
    });
  }

  it('times a stopped node phase by phase on the local cluster: detection, taint, eviction, inside the recovery', async () => {
    const trials = readResults(join(out, 'node-stop-spread')).scenarios[0]?.trials ?? [];
    expect(trials.length).to.be.greaterThan(0);
    for (const trial of trials) {
      const [loss] = trial.nodeLoss ?? [];
      expect(loss?.node, `trial ${trial.trial}: the stopped node`).to.equal(trial.faults[0]?.targets[0]?.name);
      const { detection, taint, eviction } = loss?.phasesMs ?? {};
      // kwok's lease every second and a 6 s grace period; then the 2 s tolerations.
      expect(detection ?? 0, 'detection').to.be.within(4000, 9000);
      expect(eviction ?? 0, 'eviction').to.be.within(1500, 4000);
      expect((detection ?? 0) + (taint ?? 0) + (eviction ?? 0), 'before the recovery ends').to.be.below(trial.recoveryTimeMs ?? 0);
      const markers = trial.timeline.markers.map((m) => m.label);
      expect(markers.some((label) => label === `node ${loss?.node ?? ''} NotReady`), 'a timeline marker').to.equal(true);
    }
  });

  it('never reports a pod made Ready after 3 s as recovered in less than 3 s', async () => {
    const dir = join(out, 'slow-ready');
    const report = readResults(dir);
    const trials = report.scenarios[0]?.trials ?? [];
    expect(trials.length).to.be.greaterThan(0);
    for (const trial of trials) {
      expect(trial.undisrupted, 'the pod kill broke the steady state').to.equal(false);
      expect(trial.recoveryTimeMs, `trial ${trial.trial}`).to.be.at.least(3000);
      const replaced = trial.replacements.filter((r) => r.replacement !== null);
      expect(replaced.length, 'replacements matched').to.be.greaterThan(0);
      for (const replacement of replaced) {
        const total = Object.values(replacement.phasesMs).reduce<number>((sum, ms) => sum + (ms ?? 0), 0);
        expect(total, 'deleted -> endpoint ready').to.be.at.least(3000);
      }
    }
  });
});

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

  it('keeps load through every trial and judges it with k6 thresholds: a backend kill costs nothing, a proxy kill fails the SLO', async () => {
    const gentle = readResults(join(out, 'load-backend-kill')).scenarios[0];
    const harsh = readResults(join(out, 'fail-load-front-kill')).scenarios[0];
    for (const trial of gentle?.trials ?? []) {
      const load = trial.load;
      expect(load?.driver, `trial ${trial.trial}: load recorded`).to.equal('http');
      // 200 requests/s from T0 to the end of the trial (recovery + 2 s settle): at least 2 s of them, nearly all served.
      expect(load?.requests ?? 0, 'requests in the judged window').to.be.above(350);
      expect(load?.thresholds.map((t) => [t.metric, t.expression, t.ok])).to.deep.equal([
        ['http_req_failed', 'rate<0.01', true], ['http_req_duration', 'p(95)<250', true], ['http_req_failed{phase:recovery}', 'rate<0.05', true]]);
      expect(load?.errorBudget?.requests ?? 0, 'requests between the injection and the recovery').to.be.above(0);
      expect(load?.metrics['http_req_failed{phase:recovery}'], 'the sub-metric a threshold names is reported').to.not.equal(undefined);
      // Window bounds: warm-up before T0, judged from T0 on.
      expect(Date.parse(load?.window.from ?? '')).to.equal(Date.parse(trial.t0 ?? ''));
      expect(Date.parse(load?.window.warmupFrom ?? '')).to.be.below(Date.parse(load?.window.from ?? '') - 1500);
    }
    expect(harsh?.trials.length).to.be.greaterThan(0);
    for (const trial of harsh?.trials ?? []) {
      const load = trial.load;
      expect(trial.verdict, `trial ${trial.trial}`).to.equal('FAIL');
      // Recovered in time: the threshold, not the recovery, failed it.
      expect(trial.recoveryTimeMs, 'recovered within recoveryWithin').to.be.a('number');
      expect(trial.reason).to.match(/^load threshold crossed: http_req_failed rate<0\.01 \(rate=0\.\d+\)$/);
      const budget = load?.errorBudget;
      expect(budget?.failed ?? 0, 'failed requests between the kill and the recovery').to.be.above(10);
      expect(budget?.longestFailureRun.requests ?? 0).to.be.at.most(budget?.failed ?? 0);
      expect(load?.failed ?? 0, 'the failures are in the judged window').to.be.at.least(budget?.failed ?? 0);
      expect(load?.firstSuccessAfterInjectionMs ?? 0, 'first success after the proxy is back').to.be.above(50);
      // The spike shows in the chart's slices: some slice after the injection is mostly failures.
      expect(load?.series.bins.some((b) => b.requests > 0 && b.failed / b.requests > 0.5), 'a slice of failures').to.equal(true);
      expect(trial.timeline.markers.some((m) => m.label === 'first successful response after the injection')).to.equal(true);
    }
    const junit = readFileSync(join(out, 'fail-load-front-kill', 'junit.xml'), 'utf8');
    expect(junit).to.match(/<failure message="trial 1: load threshold crossed: http_req_failed rate&lt;0\.01 \(rate=0\.\d+\)"/);
    const html = readFileSync(join(out, 'fail-load-front-kill', 'report.html'), 'utf8');
    expect(html).to.include('data-chart="load"');
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

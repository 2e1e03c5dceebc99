/**
 * The format's promise on time: a trial never waits past injectedAt + recoveryWithin + settle, and nothing is
 * injected once the scenario's time is up. A FAIL does not wait for a fault that holds longer (a node stopped for
 * 40 s with recoveryWithin 4s ends the trial at about 5 s, and the node is brought back then), and a fault due after
 * the scenario's timeout never goes in.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readResults, rebound } from '../support/cli.js';
import { TEST_CLUSTER, testCluster } from '../support/cluster.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: late }
spec:
  replicas: 3
  selector: { matchLabels: { app: late } }
  template:
    metadata: { labels: { app: late } }
    spec:
      containers: [ { name: c, image: registry.example/late:1 } ]
      topologySpreadConstraints:
        - { maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: { matchLabels: { app: late } } }
`;

function scenario(name: string, faults: string, expectation: string, timeout: string): string {
  return `apiVersion: rebound.dev/v1alpha1
kind: Scenario
metadata: { name: ${name} }
spec:
  desiredState: [ { file: late.yaml } ]
  steadyState:
    - podsReady: { selector: app=late, count: 3 }
  faults:
${faults}
  expect: ${expectation}
  timeout: ${timeout}
`;
}

describe('trial deadlines (integration)', function () {
  this.timeout(10 * 60_000);
  let dir: string;

  before(async () => {
    await testCluster();
    dir = mkdtempSync(join(tmpdir(), 'rebound-deadlines-'));
    writeFileSync(join(dir, 'late.yaml'), DEPLOYMENT);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('ends a FAIL at injectedAt + recoveryWithin + settle, without waiting for a node stopped for longer', async () => {
    writeFileSync(join(dir, 'long-stop.yaml'), scenario('long-stop', '    - nodeStop: { nodesOf: app=late, count: 1, duration: 40s }', '{ recoveryWithin: 4s, settle: 1s }', '3m'));
    const out = join(dir, 'out-long-stop');
    const result = await rebound(['run', join(dir, 'long-stop.yaml'), '--cluster', TEST_CLUSTER, '--out', out]);
    const [run] = readResults(out).scenarios;
    const trial = run?.trials[0];
    const why = `${run?.verdict}: ${run?.reason}\n${result.stderr.slice(-2000)}`;
    expect(trial?.verdict, why).to.equal('FAIL');
    expect(trial?.reason ?? '', why).to.match(/^no recovery within 4s \(\+1s settle\)/);
    // The scenario (its cleanup, which starts the node again, included) is over long before the node's 40 s.
    const lasted = Date.parse(run?.finishedAt ?? '') - Date.parse(trial?.injectedAt ?? '');
    expect(lasted, why).to.be.below(20_000);
    expect(result.code).to.equal(1);
  });

  it('injects nothing once the scenario\'s timeout has run out', async () => {
    const faults = ['    - podKill: { selector: app=late, count: 1 }', '    - { at: 25s, podKill: { selector: app=late, count: 1 } }'].join('\n');
    writeFileSync(join(dir, 'timeout.yaml'), scenario('timeout', faults, '{ recoveryWithin: 30s, settle: 1s }', '12s'));
    const out = join(dir, 'out-timeout');
    const result = await rebound(['run', join(dir, 'timeout.yaml'), '--cluster', TEST_CLUSTER, '--out', out]);
    const [run] = readResults(out).scenarios;
    const trial = run?.trials[0];
    const why = `${run?.verdict}: ${run?.reason}\n${result.stderr.slice(-2000)}`;
    expect(trial?.verdict, why).to.equal('ERROR');
    expect(trial?.reason ?? '', why).to.match(/timeout \(12s\) ran out/);
    expect(trial?.faults.map((f) => f.injectedAt === null), why).to.deep.equal([false]);
    expect(result.code).to.equal(2);
  });
});

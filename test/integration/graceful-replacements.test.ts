/**
 * Replacements matched however long termination takes. A ReplicaSet replaces a pod the moment it starts
 * terminating, not when its object finally goes; on the embedded cluster the node agents keep each pod of this
 * Deployment terminating for 8 s (kwok's pod-delete delay), as a real kubelet does while a container shuts down. Half
 * of 60 pods deleted gracefully (podDelete), and a node drained, must each list every replacement.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readResults, rebound } from '../support/cli.js';
import { TEST_CLUSTER, testCluster } from '../support/cluster.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: slow-stop }
spec:
  replicas: 60
  selector: { matchLabels: { app: slow-stop } }
  template:
    metadata:
      labels: { app: slow-stop }
      annotations: { pod-delete.stage.kwok.x-k8s.io/delay: 8s }
    spec:
      containers: [ { name: c, image: registry.example/slow-stop:1 } ]
      topologySpreadConstraints:
        - { maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: { matchLabels: { app: slow-stop } } }
`;

function scenario(name: string, fault: string): string {
  return `apiVersion: rebound.dev/v1alpha1
kind: Scenario
metadata: { name: ${name} }
spec:
  desiredState: [ { file: slow-stop.yaml } ]
  steadyState:
    - podsReady: { selector: app=slow-stop, count: 60 }
  faults:
    - ${fault}
  expect: { recoveryWithin: 60s, settle: 1s }
  timeout: 5m
`;
}

describe('replacements of pods that terminate slowly (integration)', function () {
  this.timeout(10 * 60_000);
  let dir: string;

  before(async () => {
    await testCluster();
    dir = mkdtempSync(join(tmpdir(), 'rebound-graceful-'));
    writeFileSync(join(dir, 'slow-stop.yaml'), DEPLOYMENT);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases = [
    { name: 'graceful-half', fault: 'podDelete: { selector: app=slow-stop, percent: 50 }', deleted: 30 },
    { name: 'graceful-drain', fault: 'nodeDrain: { nodesOf: app=slow-stop, count: 1 }', deleted: undefined },
  ];
  for (const { name, fault, deleted } of cases) {
    it(`${name}: every pod deleted has its replacement, matched from when its termination began`, async () => {
      writeFileSync(join(dir, `${name}.yaml`), scenario(name, fault));
      const out = join(dir, `out-${name}`);
      const result = await rebound(['run', join(dir, `${name}.yaml`), '--cluster', TEST_CLUSTER, '--out', out]);
      const [run] = readResults(out).scenarios;
      const trial = run?.trials[0];
      const why = `${run?.verdict}: ${run?.reason}\n${result.stderr.slice(-2000)}`;
      expect(trial?.verdict, why).to.equal('PASS');
      const replacements = trial?.replacements ?? [];
      if (deleted !== undefined) expect(replacements, why).to.have.length(deleted);
      else expect(replacements.length, why).to.be.at.least(10);
      expect(replacements.filter((r) => r.replacement === null).map((r) => r.pod.name), why).to.deep.equal([]);
      // Each replacement was created while its pod was still terminating: well before the pod's 8 s were up.
      for (const r of replacements) expect(r.phasesMs.created ?? Infinity, `${r.pod.name} -> ${r.replacement?.name}`).to.be.below(8_000);
      // And the trial recovered without waiting for the old objects to go.
      expect(trial?.recoveryTimeMs ?? Infinity, why).to.be.below(8_000);
    });
  }
});

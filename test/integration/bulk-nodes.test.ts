import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { clientsFor, isNodeReady } from '../../harness/cluster/kube.js';
import { down, up } from '../../harness/cluster/local/cluster.js';
import { NodeAgents } from '../../harness/cluster/local/node-agents.js';
import { processesMentioning } from '../../harness/cluster/local/process.js';
import { clusterDir, type ClusterState } from '../../harness/cluster/local/state.js';
import { UsageError } from '../../harness/errors.js';
import { sleep } from '../../harness/util/sleep.js';
import { readResults, rebound } from '../support/cli.js';
import { TEST_CLUSTER } from '../support/cluster.js';

/** A cluster of its own (12 nodes, 2 with agents of their own), next to the shared test cluster. */
const NAME = `${TEST_CLUSTER}-bulk`.slice(0, 32);
const log = (line: string): void => { process.stderr.write(`      [${NAME}] ${line}\n`); };

function scenario(dir: string, fault: string): string {
  const file = join(dir, 'bulk.yaml');
  writeFileSync(file, `apiVersion: rebound.dev/v1alpha1
kind: Scenario
metadata: { name: bulk-node-stop }
spec:
  desiredState:
    - inline:
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web }
        spec:
          replicas: 12
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [ { name: web, image: registry.example/web:1 } ]
              topologySpreadConstraints:
                - { maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: { matchLabels: { app: web } } }
  steadyState:
    - workloadAvailable: { kind: Deployment, name: web }
    - podsReady: { selector: app=web, count: 12 }
  faults:
    - ${fault}
  expect: { recoveryWithin: 45s, settle: 1s, mustBreak: true }
  timeout: 5m
`);
  return file;
}

describe('local cluster with nodes sharing one agent (integration)', function () {
  this.timeout(10 * 60_000);
  let state: ClusterState;

  before(async () => {
    ({ state } = await up({ name: NAME, nodes: 12, dedicatedNodes: 2 }, log));
  });

  after(async () => {
    await down(NAME, log);
  });

  it('comes up with every node Ready on three agents, each node with its own address, and the shared ones stay Ready', async () => {
    const kube = clientsFor(state.kubeconfig);
    const nodes = (await kube.core.listNode()).items;
    expect(nodes.filter(isNodeReady)).to.have.length(12);
    const agentOf = new Map(nodes.map((n) => [n.metadata?.name, n.metadata?.labels?.['rebound.dev/node-agent']]));
    expect(agentOf.get('node-1')).to.equal('node-1');
    expect(agentOf.get('node-2')).to.equal('node-2');
    expect([...agentOf.values()].filter((agent) => agent === 'bulk')).to.have.length(10);
    const addresses = nodes.map((n) => n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address);
    expect(new Set(addresses).size, 'distinct InternalIPs').to.equal(12);
    expect(addresses).to.include('127.0.10.12');
    const kwoks = processesMentioning(`${clusterDir(NAME)}/`).filter((p) => p.binary.endsWith('kwok'));
    expect(kwoks, 'node agents').to.have.length(3);
    // Past the 6 s grace period twice over and a full 12 s lease: no node may leave Ready meanwhile.
    for (let waited = 0; waited < 15_000; waited += 500) {
      const ready = (await kube.core.listNode()).items.filter(isNodeReady).length;
      expect(ready, `Ready nodes after ${waited} ms`).to.equal(12);
      await sleep(500);
    }
  });

  it('refuses to stop a node that shares its agent, naming the ones that can be stopped', async () => {
    const agents = NodeAgents.of(NAME);
    expect(agents.list().map((a) => a.node)).to.deep.equal(['node-1', 'node-2']);
    let error: unknown;
    try {
      await agents.stop('node-7');
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(UsageError);
    expect((error as Error).message).to.contain('node node-7 shares one node agent with 10 nodes').and.to.contain('node-1, node-2');

    const dir = mkdtempSync(join(tmpdir(), 'rebound-bulk-'));
    const out = join(dir, 'refused');
    const refused = await rebound(['run', scenario(dir, 'nodeStop: { count: 1 }'), '--cluster', NAME, '--out', out, '--reporter', 'json']);
    const result = readResults(out).scenarios[0];
    expect(result.verdict, refused.stderr).to.equal('ERROR');
    const messages = JSON.stringify(result);
    expect(messages).to.contain('nodeStop (any node): 10 of its 12 candidate nodes');
    expect(messages).to.contain('the nodes that can be: node-1, node-2; select them with selector: rebound.dev/node-agent!=bulk');
    const nodes = (await clientsFor(state.kubeconfig).core.listNode()).items;
    expect(nodes.filter(isNodeReady), 'nothing was stopped').to.have.length(12);
  });

  it('stops a node with an agent of its own and its pod is replaced on another node', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rebound-bulk-'));
    const out = join(dir, 'stopped');
    const outcome = await rebound(['run', scenario(dir, 'nodeStop: { selector: "rebound.dev/node-agent!=bulk", count: 1 }'), '--cluster', NAME,
      '--out', out, '--reporter', 'json', '--seed', '3']);
    const result = readResults(out).scenarios[0];
    expect(result.verdict, outcome.stderr).to.equal('PASS');
    const trial = result.trials[0];
    const stopped = trial.faults[0]?.targets.map((t) => t.name);
    expect(stopped).to.have.length(1);
    expect(['node-1', 'node-2']).to.include(stopped?.[0]);
    expect(trial.replacements).to.have.length(1);
    expect(trial.replacements[0]?.replacement?.node).to.be.a('string').and.not.equal(stopped?.[0]);
    // The run brought the node back at its end, and it is Ready again.
    const kube = clientsFor(state.kubeconfig);
    const deadline = Date.now() + 30_000;
    while (!isNodeReady(await kube.core.readNode({ name: stopped?.[0] ?? '' }))) {
      if (Date.now() > deadline) expect.fail(`${stopped?.[0] ?? ''} is not Ready again`);
      await sleep(200);
    }
  });
});

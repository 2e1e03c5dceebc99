import { readFileSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { clientsFor } from '../../harness/cluster/kube.js';
import { down, up } from '../../harness/cluster/local/cluster.js';
import type { ClusterState } from '../../harness/cluster/local/state.js';
import { rebound } from '../support/cli.js';
import { TEST_CLUSTER } from '../support/cluster.js';

/** A cluster of its own with Kubernetes' failure detection, next to the shared test cluster. */
const NAME = `${TEST_CLUSTER}-fd`.slice(0, 32);
const log = (line: string): void => { process.stderr.write(`      [${NAME}] ${line}\n`); };

/** The command line the process runs with, as the kernel has it. */
function commandLine(pid: number | undefined): string[] {
  if (pid === undefined) throw new Error('the component has no pid');
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
}

describe('local cluster with --failure-detection kubernetes (integration)', function () {
  this.timeout(5 * 60_000);
  let state: ClusterState;

  before(async () => {
    const started = await rebound(['cluster', 'up', '--name', NAME, '--nodes', '2', '--failure-detection', 'kubernetes']);
    expect(started.code, started.stderr).to.equal(0);
    expect(started.stderr).to.contain('failure detection kubernetes: a lost node is NotReady after 50 s and its pods evicted 300 s later');
    ({ state } = await up({ name: NAME }, log));
  });

  after(async () => {
    await down(NAME, log);
  });

  it('runs the control plane and the node agents with Kubernetes\' defaults, as the API server applies them', async () => {
    const byName = new Map(state.components.map((component) => [component.name, component]));
    expect(commandLine(byName.get('kube-controller-manager')?.pid)).to.include.members(['--node-monitor-grace-period=50s', '--node-monitor-period=5s']);
    expect(commandLine(state.nodes[0]?.agent.pid)).to.include('--node-lease-duration-seconds=40');
    const kube = clientsFor(state.kubeconfig);
    // The node's Lease as the agent wrote it.
    const lease = await kube.config.makeApiClient(k8s.CoordinationV1Api).readNamespacedLease({ name: 'node-1', namespace: 'kube-node-lease' });
    expect(lease.spec?.leaseDurationSeconds).to.equal(40);
    // The API server's admission gives every pod the 300 s tolerations.
    const pod = await kube.core.createNamespacedPod({ namespace: 'default', body: {
      metadata: { name: 'tolerations' }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
    } });
    const seconds = (pod.spec?.tolerations ?? []).filter((t) => t.key?.startsWith('node.kubernetes.io/')).map((t) => [t.key, t.tolerationSeconds]);
    expect(seconds).to.have.deep.members([['node.kubernetes.io/not-ready', 300], ['node.kubernetes.io/unreachable', 300]]);
  });

  it('says so in its status, and refuses to be taken for a cluster with fast detection', async () => {
    const status = await rebound(['cluster', 'status', '--name', NAME, '--json']);
    expect((JSON.parse(status.stdout) as { failureDetection: string }).failureDetection).to.equal('kubernetes');
    const again = await rebound(['cluster', 'up', '--name', NAME, '--failure-detection', 'fast']);
    expect(again.code).to.equal(2);
    expect(again.stderr).to.contain(`cluster "${NAME}" is already up with failure detection kubernetes, not fast`);
    const refused = await rebound(['cluster', 'status', '--name', NAME, '--failure-detection', 'fast']);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.contain('--failure-detection goes with `cluster up`');
  });
});

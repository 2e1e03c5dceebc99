import { expect } from 'chai';
import { checkNodeCounts, layoutNodes, nodeObject } from '../../../harness/cluster/local/cluster.js';
import { bulkAgentSpec, nodeAgentSpec, type Layout } from '../../../harness/cluster/local/components.js';
import { sharedAgentError } from '../../../harness/cluster/local/node-agents.js';
import { defaultDedicatedNodes, MAX_NODES, NETWORK } from '../../../harness/cluster/local/settings.js';
import type { ClusterState, ComponentRecord } from '../../../harness/cluster/local/state.js';
import { UsageError } from '../../../harness/errors.js';
import { FAILURE_DETECTION_SETTINGS } from '../../../harness/cluster/failure-detection.js';

const layout = {
  dir: '/c',
  binaries: { kwok: '/bin/kwok' },
  kubeconfigs: { nodeAgent: '/c/pki/node-agent.kubeconfig' },
  kwokStages: '/c/kwok-stages.yaml',
  kwokBulkConfig: '/c/kwok-bulk.yaml',
  detection: FAILURE_DETECTION_SETTINGS.fast,
} as unknown as Layout;

/** The dotted-quad address as a number, to check ranges. */
function ipNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

describe('local cluster: nodes sharing one agent, addresses for up to 1000 nodes', () => {
  it('gives every node of the biggest cluster its own pod range inside the cluster CIDR and its own loopback address', () => {
    const { dedicated, bulk } = layoutNodes(MAX_NODES, 5);
    const nodes = [...dedicated, ...bulk];
    expect(nodes).to.have.length(1000);
    expect(new Set(nodes.map((n) => n.podCidr)).size).to.equal(1000);
    expect(new Set(nodes.map((n) => n.ip)).size).to.equal(1000);
    const [base, bits] = NETWORK.clusterCidr.split('/');
    const size = 2 ** (32 - Number(bits));
    for (const node of nodes) {
      const [net, mask] = node.podCidr.split('/');
      expect(mask).to.equal('24');
      expect(ipNumber(net) - ipNumber(base), node.podCidr).to.be.within(256, size - 256);
      expect(node.ip, node.name).to.match(/^127\.0\.\d+\.\d+$/);
      expect(node.ip.split('.').every((part) => Number(part) <= 255), node.ip).to.equal(true);
    }
  });

  it('keeps the addresses small clusters always had', () => {
    expect(NETWORK.podCidrOf(1)).to.equal('10.244.1.0/24');
    expect(NETWORK.nodeIpOf(50)).to.equal('127.0.10.50');
    expect(NETWORK.podCidrOf(255)).to.equal('10.244.255.0/24');
    expect(NETWORK.podCidrOf(256)).to.equal('10.245.0.0/24');
    expect(NETWORK.nodeIpOf(256)).to.equal('127.0.11.0');
    expect(NETWORK.podCidrOf(1000)).to.equal('10.247.232.0/24');
    expect(() => NETWORK.podCidrOf(0)).to.throw(RangeError);
    expect(() => NETWORK.nodeIpOf(1001)).to.throw(RangeError, 'node index 1001 is outside 1..1000');
  });

  it('gives every node its own agent up to 50 nodes, then the first 5; the rest share one', () => {
    expect([1, 3, 50].map(defaultDedicatedNodes)).to.deep.equal([1, 3, 50]);
    expect([51, 500, 1000].map(defaultDedicatedNodes)).to.deep.equal([5, 5, 5]);
    const { dedicated, bulk } = layoutNodes(12, 2);
    expect(dedicated.map((n) => n.name)).to.deep.equal(['node-1', 'node-2']);
    expect(bulk.map((n) => n.name)).to.deep.equal(Array.from({ length: 10 }, (_, i) => `node-${i + 3}`));
    expect(layoutNodes(3, 3).bulk).to.deep.equal([]);
  });

  it('refuses node counts it cannot give', () => {
    expect(() => checkNodeCounts(1001, undefined)).to.throw(UsageError, '--nodes 1001 is not valid: give a whole number from 1 to 1000.');
    expect(() => checkNodeCounts(0, undefined)).to.throw(UsageError, '--nodes 0');
    expect(() => checkNodeCounts(2.5, undefined)).to.throw(UsageError, '--nodes 2.5');
    expect(() => checkNodeCounts(12, 13)).to.throw(UsageError, '--dedicated-nodes 13 is not valid: give a whole number from 0 to the number of nodes (12).');
    expect(() => checkNodeCounts(undefined, 4)).to.throw(UsageError, 'from 0 to the number of nodes (3)');
    expect(() => checkNodeCounts(12, -1)).to.throw(UsageError, '--dedicated-nodes -1');
    expect(() => checkNodeCounts(1000, 0)).to.not.throw();
    expect(() => checkNodeCounts(500, undefined)).to.not.throw();
  });

  it('labels each node with its agent and gives it its address by annotation', () => {
    const own = nodeObject({ name: 'node-1', podCidr: '10.244.1.0/24', ip: '127.0.10.1', agent: 'node-1' });
    const shared = nodeObject({ name: 'node-300', podCidr: '10.245.44.0/24', ip: '127.0.11.44', agent: 'bulk' });
    expect(own.metadata?.labels?.['rebound.dev/node-agent']).to.equal('node-1');
    expect(shared.metadata?.labels?.['rebound.dev/node-agent']).to.equal('bulk');
    expect(shared.metadata?.annotations?.['rebound.dev/node-ip']).to.equal('127.0.11.44');
    expect(shared.spec).to.deep.equal({ podCIDR: '10.245.44.0/24', podCIDRs: ['10.245.44.0/24'] });
  });

  it('runs one agent per dedicated node with fast leases, and one for the shared nodes with 12 s leases', () => {
    expect(nodeAgentSpec(layout, 'node-1', '127.0.10.1').args).to.include.members([
      '--manage-nodes-with-label-selector=rebound.dev/node-agent=node-1', '--node-lease-duration-seconds=4', '--node-ip=127.0.10.1',
    ]);
    const bulk = bulkAgentSpec(layout);
    expect(bulk.binary).to.equal('/bin/kwok');
    expect(bulk.log).to.equal('/c/logs/node-agent-bulk.log');
    expect(bulk.args).to.include.members(['--manage-nodes-with-label-selector=rebound.dev/node-agent=bulk', '--node-lease-duration-seconds=12',
      '--config=/c/kwok-stages.yaml', '--config=/c/kwok-bulk.yaml']);
    expect(bulk.args.some((arg) => arg.startsWith('--node-ip'))).to.equal(false);
  });

  it('gives every agent Kubernetes\' 40 s leases with --failure-detection kubernetes, the shared one too', () => {
    const slow = { ...layout, detection: FAILURE_DETECTION_SETTINGS.kubernetes };
    expect(nodeAgentSpec(slow, 'node-1', '127.0.10.1').args).to.include('--node-lease-duration-seconds=40');
    expect(bulkAgentSpec(slow).args).to.include('--node-lease-duration-seconds=40');
  });

  it('names the nodes that can be stopped when asked to stop one that shares its agent', () => {
    const agent = (name: string): ComponentRecord => ({ name, spec: { binary: 'kwok', args: [], log: '' }, pid: 1 });
    const state = {
      name: 'big',
      nodes: [{ name: 'node-1', podCidr: '', ip: '', agent: agent('a') }, { name: 'node-2', podCidr: '', ip: '', agent: agent('b') }],
      bulk: { agent: agent('bulk'), nodes: layoutNodes(500, 2).bulk },
    } as unknown as ClusterState;
    expect(sharedAgentError('big', ['node-7'], state).message).to.equal('node node-7 shares one node agent with 498 nodes of cluster "big" and cannot '
      + 'be stopped, paused or restarted alone; the nodes that can be: node-1, node-2 (selector rebound.dev/node-agent!=bulk).');
    const none = { ...state, nodes: [] } as ClusterState;
    expect(sharedAgentError('big', ['node-7', 'node-8'], none).message).to.contain('nodes node-7, node-8 share one node agent')
      .and.to.contain('no node of cluster "big" has one (bring it up with --dedicated-nodes N)');
  });
});

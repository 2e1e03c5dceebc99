import { expect } from 'chai';
import { parse } from 'yaml';
import { kindConfig, type KindClusterSpec } from '../../../harness/cluster/kind/config.js';
import { FAILURE_DETECTION } from '../../../harness/cluster/local/settings.js';

interface ParsedConfig {
  kind: string;
  apiVersion: string;
  name: string;
  networking: { apiServerAddress: string; apiServerPort: number };
  nodes: { role: string; image: string; extraPortMappings?: { containerPort: number; hostPort: number; listenAddress: string }[] }[];
  kubeadmConfigPatches: string[];
}

const spec: KindClusterSpec = {
  name: 'demo', nodes: 3, image: 'rebound.local/kind-node:v1.34.4-abc', failureDetection: 'fast', apiPort: 41000,
  publishedPorts: { 30080: 42000 }, ownImage: { etcdTag: 'v3.6.16', corednsTag: 'v1.15.0' },
};

function patchOf(config: ParsedConfig, kind: string): Record<string, unknown> {
  const patch = config.kubeadmConfigPatches.map((text) => parse(text) as Record<string, unknown>).find((p) => p.kind === kind);
  if (!patch) throw new Error(`no ${kind} patch`);
  return patch;
}

describe('kind cluster configuration', () => {
  it('has one control plane and nodes - 1 workers, all from the node image', () => {
    const config = parse(kindConfig(spec)) as ParsedConfig;
    expect(config.kind).to.equal('Cluster');
    expect(config.apiVersion).to.equal('kind.x-k8s.io/v1alpha4');
    expect(config.name).to.equal('demo');
    expect(config.nodes.map((n) => n.role)).to.deep.equal(['control-plane', 'worker', 'worker']);
    expect(config.nodes.every((n) => n.image === spec.image)).to.equal(true);
  });

  it('publishes the API server and the NodePorts on 127.0.0.1 only, NodePorts through the control plane', () => {
    const config = parse(kindConfig(spec)) as ParsedConfig;
    expect(config.networking).to.deep.equal({ apiServerAddress: '127.0.0.1', apiServerPort: 41000 });
    expect(config.nodes[0]?.extraPortMappings).to.deep.equal([{ containerPort: 30080, hostPort: 42000, listenAddress: '127.0.0.1', protocol: 'TCP' }]);
    expect(config.nodes.slice(1).every((n) => n.extraPortMappings === undefined)).to.equal(true);
  });

  it('gives kind the local cluster\'s failure detection by default, and Kubernetes\' own on request', () => {
    const fast = parse(kindConfig(spec)) as ParsedConfig;
    const cluster = patchOf(fast, 'ClusterConfiguration') as {
      apiServer: { extraArgs: Record<string, string> }; controllerManager: { extraArgs: Record<string, string> };
      etcd: { local: { imageTag: string } }; dns: { imageTag: string };
    };
    expect(cluster.controllerManager.extraArgs['node-monitor-grace-period']).to.equal(`${FAILURE_DETECTION.nodeMonitorGracePeriodSeconds}s`);
    expect(cluster.apiServer.extraArgs['default-unreachable-toleration-seconds']).to.equal(String(FAILURE_DETECTION.unreachableTolerationSeconds));
    expect(cluster.apiServer.extraArgs['default-not-ready-toleration-seconds']).to.equal(String(FAILURE_DETECTION.notReadyTolerationSeconds));
    expect(cluster.etcd.local.imageTag).to.equal('v3.6.16');
    expect(cluster.dns.imageTag).to.equal('v1.15.0');
    const kubelet = patchOf(fast, 'KubeletConfiguration');
    expect(kubelet).to.include({ cgroupDriver: 'cgroupfs', nodeLeaseDurationSeconds: FAILURE_DETECTION.nodeLeaseDurationSeconds });

    const slow = parse(kindConfig({ ...spec, failureDetection: 'kubernetes' })) as ParsedConfig;
    const slowCluster = patchOf(slow, 'ClusterConfiguration') as typeof cluster;
    expect(slowCluster.controllerManager.extraArgs['node-monitor-grace-period']).to.equal('50s');
    expect(slowCluster.apiServer.extraArgs['default-unreachable-toleration-seconds']).to.equal('300');
  });

  it('leaves a node image of the user\'s with kubeadm\'s own image tags and cgroup driver', () => {
    const config = parse(kindConfig({ ...spec, ownImage: undefined })) as ParsedConfig;
    const cluster = patchOf(config, 'ClusterConfiguration');
    expect(cluster).to.not.have.property('etcd');
    expect(cluster).to.not.have.property('dns');
    expect(patchOf(config, 'KubeletConfiguration')).to.not.have.property('cgroupDriver');
    expect(patchOf(config, 'KubeletConfiguration')).to.have.property('nodeLeaseDurationSeconds', FAILURE_DETECTION.nodeLeaseDurationSeconds);
  });

  it('makes a single-node cluster of the control plane alone', () => {
    const config = parse(kindConfig({ ...spec, nodes: 1 })) as ParsedConfig;
    expect(config.nodes.map((n) => n.role)).to.deep.equal(['control-plane']);
  });
});

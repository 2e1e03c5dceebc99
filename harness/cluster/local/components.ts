import { join } from 'node:path';
import type { LocalBinaries } from './binaries.js';
import type { Pki } from './pki.js';
import type { ProcessSpec } from './process.js';
import { SHARED_NODE_AGENT } from '../provider.js';
import type { FailureDetectionSettings } from '../failure-detection.js';
import { AGENT_LABEL, BULK_NODE_LEASE_DURATION_SECONDS, NETWORK } from './settings.js';

/** The files and ports one local cluster's components share. */
export interface Layout {
  readonly dir: string;
  readonly binaries: LocalBinaries;
  readonly pki: Pki;
  readonly ports: {
    readonly etcdClient: number;
    readonly etcdPeer: number;
    readonly apiServer: number;
    readonly controllerManager: number;
    readonly scheduler: number;
  };
  /** kubeconfig files, one per identity. */
  readonly kubeconfigs: {
    readonly admin: string;
    readonly controllerManager: string;
    readonly scheduler: string;
    readonly nodeAgent: string;
  };
  readonly tokenFile: string;
  readonly auditPolicy: string;
  readonly kwokStages: string;
  /** The shared node agent's own kwok settings (more workers), on top of the stages. */
  readonly kwokBulkConfig: string;
  /** How fast the cluster notices a lost node (`cluster up --failure-detection`). */
  readonly detection: FailureDetectionSettings;
}

const log = (layout: Layout, name: string): string => join(layout.dir, 'logs', `${name}.log`);

/** etcd on loopback; fsync off, since a test cluster's data need not survive a power cut and fsync is slow here. */
export function etcdSpec(layout: Layout): ProcessSpec {
  const client = `http://127.0.0.1:${layout.ports.etcdClient}`;
  const peer = `http://127.0.0.1:${layout.ports.etcdPeer}`;
  return {
    binary: layout.binaries.etcd,
    log: log(layout, 'etcd'),
    args: [
      '--name=rebound',
      `--data-dir=${join(layout.dir, 'etcd')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=rebound=${peer}`,
      '--initial-cluster-state=new',
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ],
  };
}

export function apiServerSpec(layout: Layout): ProcessSpec {
  return {
    binary: layout.binaries.kubeApiserver,
    log: log(layout, 'kube-apiserver'),
    args: [
      `--etcd-servers=http://127.0.0.1:${layout.ports.etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${layout.ports.apiServer}`,
      `--tls-cert-file=${layout.pki.serverCert}`,
      `--tls-private-key-file=${layout.pki.serverKey}`,
      `--client-ca-file=${layout.pki.caCert}`,
      `--token-auth-file=${layout.tokenFile}`,
      '--authorization-mode=RBAC',
      '--anonymous-auth=false',
      `--service-account-key-file=${layout.pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${layout.pki.serviceAccountKey}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-cluster-ip-range=${NETWORK.serviceCidr}`,
      // Endpoints may not hold loopback addresses, so the `kubernetes` Service's endpoints are not reconciled;
      // nothing in a kwok cluster can dial them anyway.
      '--endpoint-reconciler-type=none',
      `--audit-policy-file=${layout.auditPolicy}`,
      `--audit-log-path=${join(layout.dir, 'logs', 'audit.log')}`,
      '--audit-log-maxsize=100',
      '--audit-log-maxbackup=1',
      `--default-not-ready-toleration-seconds=${layout.detection.notReadyTolerationSeconds}`,
      `--default-unreachable-toleration-seconds=${layout.detection.unreachableTolerationSeconds}`,
      '--allow-privileged=true',
      '--profiling=false',
      '--v=1',
    ],
  };
}

export function controllerManagerSpec(layout: Layout): ProcessSpec {
  return {
    binary: layout.binaries.kubeControllerManager,
    log: log(layout, 'kube-controller-manager'),
    args: [
      `--kubeconfig=${layout.kubeconfigs.controllerManager}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${layout.ports.controllerManager}`,
      '--leader-elect=false',
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${layout.pki.serviceAccountKey}`,
      `--root-ca-file=${layout.pki.caCert}`,
      `--cluster-signing-cert-file=${layout.pki.caCert}`,
      `--cluster-signing-key-file=${layout.pki.caKey}`,
      '--allocate-node-cidrs=true',
      `--cluster-cidr=${NETWORK.clusterCidr}`,
      '--node-cidr-mask-size=24',
      `--service-cluster-ip-range=${NETWORK.serviceCidr}`,
      `--node-monitor-period=${layout.detection.nodeMonitorPeriodSeconds}s`,
      `--node-monitor-grace-period=${layout.detection.nodeMonitorGracePeriodSeconds}s`,
      // Evict from every failed node at once. The defaults (0.1 nodes/s, and none at all in a zone of fewer than
      // 50 nodes once 55 % of them are down) would make a second failed node wait or never be evicted.
      '--node-eviction-rate=100',
      '--secondary-node-eviction-rate=100',
      '--large-cluster-size-threshold=1',
      '--unhealthy-zone-threshold=1',
      // PersistentVolumeClaims of StatefulSets get bound through the built-in test provisioner (nothing mounts).
      '--enable-hostpath-provisioner=true',
      '--controllers=*',
      '--profiling=false',
      '--v=1',
    ],
  };
}

export function schedulerSpec(layout: Layout): ProcessSpec {
  return {
    binary: layout.binaries.kubeScheduler,
    log: log(layout, 'kube-scheduler'),
    args: [
      `--kubeconfig=${layout.kubeconfigs.scheduler}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${layout.ports.scheduler}`,
      '--leader-elect=false',
      '--profiling=false',
      '--v=1',
    ],
  };
}

/** One kwok process playing the kubelet of exactly one node, chosen by the agent label. */
export function nodeAgentSpec(layout: Layout, node: string, nodeIp: string): ProcessSpec {
  return {
    binary: layout.binaries.kwok,
    log: log(layout, `node-${node}`),
    args: [
      `--kubeconfig=${layout.kubeconfigs.nodeAgent}`,
      `--config=${layout.kwokStages}`,
      `--manage-nodes-with-label-selector=${AGENT_LABEL}=${node}`,
      `--node-lease-duration-seconds=${layout.detection.nodeLeaseDurationSeconds}`,
      `--node-ip=${nodeIp}`,
    ],
  };
}

/**
 * One kwok process playing the kubelets of all the nodes that share an agent (a big cluster's bulk), with slower
 * leases (settings.ts says why that keeps them Ready) and more workers (assets/kwok-bulk.yaml). Each node's address
 * comes from its annotation, not --node-ip.
 */
export function bulkAgentSpec(layout: Layout): ProcessSpec {
  return {
    binary: layout.binaries.kwok,
    log: log(layout, 'node-agent-bulk'),
    args: [
      `--kubeconfig=${layout.kubeconfigs.nodeAgent}`,
      `--config=${layout.kwokStages}`,
      `--config=${layout.kwokBulkConfig}`,
      `--manage-nodes-with-label-selector=${AGENT_LABEL}=${SHARED_NODE_AGENT}`,
      `--node-lease-duration-seconds=${Math.max(BULK_NODE_LEASE_DURATION_SECONDS, layout.detection.nodeLeaseDurationSeconds)}`,
    ],
  };
}

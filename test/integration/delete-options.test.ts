/**
 * What the API server applied when rebound deleted something, read from the objects' own watch events: a podKill
 * is a forced delete (grace period 0), a podDelete keeps the pod's grace period, and the cleanup's delete of an
 * object the run created uses Background propagation (a ReplicationController's default is to orphan its pods).
 * A DELETE with a body takes its DeleteOptions from the body alone, so options passed beside it are silently lost:
 * only the objects show what was applied.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import type { ClusterState } from '../../harness/cluster/local/state.js';
import { contextName } from '../../harness/cluster/local/settings.js';
import { rebound, readResults } from '../support/cli.js';
import { TEST_CLUSTER, testCluster } from '../support/cluster.js';
import { until, withNamespace, type TestKube } from '../support/kube.js';

/** Every state of every object of one kind seen in a namespace, by name. */
class Recorder {
  readonly seen = new Map<string, { type: string; object: k8s.KubernetesObject & { metadata?: k8s.V1ObjectMeta } }[]>();
  private request: AbortController | undefined;

  async start(config: k8s.KubeConfig, path: string): Promise<void> {
    this.request = await new k8s.Watch(config).watch(path, {}, (type, object: k8s.KubernetesObject) => {
      const name = object.metadata?.name ?? '';
      this.seen.set(name, [...(this.seen.get(name) ?? []), { type, object }]);
    }, () => undefined);
  }

  stop(): void {
    this.request?.abort();
  }

  /** The names of the objects deleted while recording. */
  deleted(): string[] {
    return [...this.seen].filter(([, events]) => events.some((e) => e.type === 'DELETED')).map(([name]) => name);
  }

  /** The largest deletionGracePeriodSeconds an object was ever seen with (undefined: never set). */
  graceOf(name: string): number | undefined {
    const graces = (this.seen.get(name) ?? []).map((e) => e.object.metadata?.deletionGracePeriodSeconds).filter((g): g is number => g !== undefined);
    return graces.length === 0 ? undefined : Math.max(...graces);
  }

  finalizersOf(name: string): string[] {
    return [...new Set((this.seen.get(name) ?? []).flatMap((e) => e.object.metadata?.finalizers ?? []))];
  }
}

describe('what the API server applied for rebound\'s deletes (local cluster)', function () {
  this.timeout(300_000);
  let state: ClusterState;
  let dir: string;
  let kube: TestKube;

  before(async () => {
    state = await testCluster();
    dir = mkdtempSync(join(tmpdir(), 'rebound-delete-options-'));
  });

  beforeEach(async () => {
    kube = await withNamespace(state, 'delopts');
  });

  afterEach(async () => {
    await kube.cleanup();
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A scenario in the test's namespace (which rebound leaves alone): two pods of a ReplicationController, one fault. */
  function scenario(fault: string): string {
    const file = join(dir, `${fault}-${kube.namespace}.yaml`);
    writeFileSync(file, [
      'apiVersion: rebound.dev/v1alpha1',
      'kind: Scenario',
      `metadata: { name: ${fault.toLowerCase()}-options }`,
      'spec:',
      `  namespace: ${kube.namespace}`,
      '  desiredState:',
      '    - inline:',
      '        apiVersion: v1',
      '        kind: ReplicationController',
      '        metadata: { name: web }',
      '        spec:',
      '          replicas: 2',
      '          selector: { app: web }',
      '          template:',
      '            metadata: { labels: { app: web } }',
      '            spec: { containers: [ { name: web, image: registry.local/web:1 } ] }',
      '  steadyState:',
      '    - podsReady: { selector: app=web, count: 2 }',
      '  faults:',
      `    - ${fault}: { selector: app=web, count: 1 }`,
      '  expect: { recoveryWithin: 30s, settle: 1s }',
      '  trials: 1',
      '',
    ].join('\n'));
    return file;
  }

  async function runRecorded(fault: string): Promise<{ pods: Recorder; controllers: Recorder }> {
    const pods = new Recorder();
    const controllers = new Recorder();
    const config = kube.config;
    config.setCurrentContext(contextName(TEST_CLUSTER));
    await pods.start(config, `/api/v1/namespaces/${kube.namespace}/pods`);
    await controllers.start(config, `/api/v1/namespaces/${kube.namespace}/replicationcontrollers`);
    const out = join(dir, `out-${fault}`);
    try {
      const outcome = await rebound(['run', scenario(fault), '--cluster', TEST_CLUSTER, '--out', out, '--reporter', 'json']);
      expect(outcome.code, outcome.stderr).to.equal(0);
      expect(readResults(out).verdict).to.equal('PASS');
      // The cleanup deleted the ReplicationController; its pods go with it, unless they were orphaned.
      await until('the ReplicationController\'s pods to be deleted', async () =>
        (await kube.core.listNamespacedPod({ namespace: kube.namespace })).items.length === 0, 30_000);
    } finally {
      pods.stop();
      controllers.stop();
    }
    return { pods, controllers };
  }

  it('podKill deletes with grace period 0, and the cleanup propagates in the background', async () => {
    const { pods, controllers } = await runRecorded('podKill');
    const results = readResults(join(dir, 'out-podKill'));
    const killed = results.scenarios[0]?.trials[0]?.faults[0]?.targets[0]?.name ?? '';
    expect(pods.deleted()).to.include(killed);
    expect(pods.graceOf(killed), `pod ${killed}`).to.equal(0);
    // Orphaning would have put the `orphan` finalizer on the controller before its deletion.
    expect(controllers.deleted()).to.deep.equal(['web']);
    expect(controllers.finalizersOf('web')).to.not.include('orphan');
  });

  it('podDelete keeps the pod\'s own grace period (the check above can tell the difference)', async () => {
    const { pods } = await runRecorded('podDelete');
    const results = readResults(join(dir, 'out-podDelete'));
    const deleted = results.scenarios[0]?.trials[0]?.faults[0]?.targets[0]?.name ?? '';
    expect(pods.graceOf(deleted), `pod ${deleted}`).to.equal(30);
  });
});

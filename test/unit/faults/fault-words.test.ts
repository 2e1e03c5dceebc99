import { expect } from 'chai';
import type { ClusterHandle } from '../../../harness/cluster/provider.js';
import { FaultError } from '../../../harness/faults/errors.js';
import type { FaultContext, PlanContext } from '../../../harness/faults/fault.js';
import { FAULTS } from '../../../harness/faults/registry.js';
import { FakeApi, faultContext, node, pod } from './fake-context.js';

// Each fault names itself in the errors a user reads when it cannot bite (no candidate, a provider that cannot do
// it), and plans the step that undoes it: the words and the steps come from each handler, not from a shared default.
async function failure(promise: Promise<unknown>): Promise<string> {
  return promise.then(() => expect.fail('it did not fail'), (error: unknown) => {
    expect(error).to.be.instanceOf(FaultError);
    return (error as Error).message;
  });
}

const able = { provider: 'kind', nodes: true, containers: true, networks: true } as const;
const plan = (kind: keyof typeof FAULTS, context: PlanContext, params: unknown) =>
  (FAULTS[kind] as { plan(c: PlanContext, p: unknown): Promise<{ summary: string; revertSteps?: unknown[] }> }).plan(context, params);
// Some handlers throw before they return a promise: the promise holds either way.
const inject = async (kind: keyof typeof FAULTS, context: FaultContext, params: unknown): Promise<unknown> =>
  (FAULTS[kind] as { inject(c: FaultContext, p: unknown, plan: unknown): Promise<unknown> })
    .inject(context, params, { targets: [{ kind: 'Node', name: 'node-1' }], summary: '' });

describe('faults: each names itself, and plans its own undoing', () => {
  const nodeFaults = ['nodeStop', 'nodePause', 'nodeRestart', 'networkPartition', 'nodeCordon', 'nodeTaint', 'nodeDrain'] as const;
  const nodeParams = { count: 1, key: 'k', effect: 'NoSchedule' };

  it('says which node fault found no node', async () => {
    for (const kind of nodeFaults) {
      const context = faultContext(new FakeApi(), { capabilities: able });
      expect(await failure(plan(kind, context, { ...nodeParams, selector: 'zone=a' })), kind)
        .to.equal(`no candidate for ${kind} (nodes zone=a): nothing matches that is running and not terminating`);
    }
  });

  it('says which pod fault found no pod', async () => {
    for (const kind of ['podKill', 'podDelete', 'containerKill'] as const) {
      const context = faultContext(new FakeApi(), { capabilities: able });
      expect(await failure(plan(kind, context, { selector: 'app=web', count: 1 })), kind)
        .to.equal(`no candidate for ${kind} app=web: nothing matches that is running and not terminating`);
    }
  });

  it('says which node fault needs a provider that controls nodes, when planned and when injected', async () => {
    for (const kind of ['nodeStop', 'nodePause', 'nodeRestart'] as const) {
      const unable = faultContext(new FakeApi(), { capabilities: { ...able, provider: 'kubeconfig', nodes: false } });
      expect(await failure(plan(kind, unable, nodeParams)), kind).to.equal(`${kind} needs a provider that controls nodes (local or kind); kubeconfig cannot`);
      const noControl = faultContext(new FakeApi(), { cluster: { provider: 'kubeconfig' } as Pick<ClusterHandle, 'provider'> as ClusterHandle });
      expect(await failure(inject(kind, noControl, nodeParams)), kind).to.equal(`${kind} needs a provider that controls nodes (local or kind); kubeconfig cannot`);
    }
  });

  it('refuses at injection, as at planning, a provider without containers or node networks', async () => {
    const noControl = faultContext(new FakeApi(), { cluster: { provider: 'local' } as Pick<ClusterHandle, 'provider'> as ClusterHandle });
    expect(await failure(inject('containerKill', noControl, { selector: 'app=web', count: 1 })))
      .to.equal('containerKill needs a provider with real containers; the local provider has none');
    expect(await failure(inject('networkPartition', noControl, { count: 1 })))
      .to.equal('networkPartition needs a provider with real node networks; the local provider has none (use --provider kind)');
    const unable = faultContext(new FakeApi(), { capabilities: { ...able, provider: 'local', containers: false, networks: false } });
    expect(await failure(plan('containerKill', unable, { selector: 'app=web', count: 1 })))
      .to.equal('containerKill needs a provider with real containers; the local provider has none (use --provider kind)');
    expect(await failure(plan('networkPartition', unable, { count: 1 })))
      .to.equal('networkPartition needs a provider with real node networks; the local provider has none (use --provider kind)');
  });

  it('plans the step that undoes each node fault, and says what it does', async () => {
    const undo: Record<(typeof nodeFaults)[number], [string, string]> = {
      nodeStop: ['stop node node-1', 'nodeStart'],
      nodePause: ['pause node node-1', 'nodeResume'],
      nodeRestart: ['restart node node-1', 'nodeStart'],
      networkPartition: ['cut off node node-1', 'networkReconnect'],
      nodeCordon: ['cordon node node-1', 'uncordon'],
      nodeTaint: ['taint node node-1 with k:NoSchedule', 'untaint'],
      nodeDrain: ['drain node node-1', 'uncordon'],
    };
    for (const kind of nodeFaults) {
      const api = new FakeApi();
      api.nodes.push(node('node-1'));
      const planned = await plan(kind, faultContext(api, { capabilities: able }), nodeParams);
      expect([planned.summary, (planned.revertSteps?.[0] as { op: string } | undefined)?.op], kind).to.deep.equal(undo[kind]);
    }
  });
});

describe('faults: every target, in the namespace it lives in', () => {
  it('plans a node fault\'s targets as nodes, with their uids', async () => {
    const api = new FakeApi();
    api.nodes.push(node('node-1'));
    const planned = await (FAULTS.nodeCordon.plan(faultContext(api, { capabilities: able }), { count: 1 }));
    expect(planned.targets).to.deep.equal([{ kind: 'Node', name: 'node-1', uid: 'uid-node-1' }]);
  });

  it('names every target in the summary, each once', async () => {
    const api = new FakeApi();
    api.pods.push(pod('web-1', 'node-1'), pod('web-2', 'node-2'));
    const context = faultContext(api, { capabilities: able });
    const containers = await FAULTS.containerKill.plan(context, { selector: 'app=web', percent: 100 });
    expect(containers.summary).to.match(/^kill container c of pod web-\d \(node-\d\), c of pod web-\d \(node-\d\)$/);
    api.objects.push(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns', uid: 'uid-a' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'ns', uid: 'uid-b' } },
    );
    const deletion = await FAULTS.deleteObject.plan(context, { apiVersion: 'v1', kind: 'ConfigMap', selector: 'app=web', percent: 100, propagationPolicy: 'Background' });
    expect(deletion.summary).to.match(/^delete ConfigMap [ab], ConfigMap [ab]$/);
  });

  it('deletes a pod of another allowed namespace there, not in the scenario\'s', async () => {
    const api = new FakeApi();
    api.pods.push(pod('web-1', 'node-1', 'team'));
    const context = faultContext(api, { allowNamespaces: ['team'] });
    const params = { selector: 'app=web', namespace: 'team', count: 1 };
    await FAULTS.podKill.inject(context, params, await FAULTS.podKill.plan(context, params));
    expect(api.callsOf('deleteNamespacedPod').map((r) => [r['name'], r['namespace']])).to.deep.equal([['web-1', 'team']]);
  });

  it('says how many candidates there were when too few', async () => {
    const api = new FakeApi();
    api.pods.push(pod('web-1', 'node-1'));
    expect(await failure(FAULTS.podKill.plan(faultContext(api), { selector: 'app=web', count: 2 })))
      .to.equal('podKill app=web asks for 2 targets but only 1 candidate match');
    api.pods.push(pod('web-2', 'node-1'));
    expect(await failure(FAULTS.podKill.plan(faultContext(api), { selector: 'app=web', count: 3 })))
      .to.equal('podKill app=web asks for 3 targets but only 2 candidates match');
  });
});

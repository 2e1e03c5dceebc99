import { expect } from 'chai';
import type { ClusterHandle } from '../../../harness/cluster/provider.js';
import { FaultError } from '../../../harness/faults/errors.js';
import type { FaultContext, PlanContext } from '../../../harness/faults/fault.js';
import { FAULTS } from '../../../harness/faults/registry.js';
import { FakeApi, faultContext, node } from './fake-context.js';

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

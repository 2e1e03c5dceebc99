import { expect } from 'chai';
import type { ClusterHandle, ContainerControl, NetworkControl, NodeControl } from '../../../harness/cluster/provider.js';
import { containerKill } from '../../../harness/faults/container-kill.js';
import { FaultError } from '../../../harness/faults/errors.js';
import { capabilitiesOf, type FaultContext } from '../../../harness/faults/fault.js';
import { networkPartition } from '../../../harness/faults/network-partition.js';
import { nodePause, nodeRestart, nodeStop } from '../../../harness/faults/node-down.js';
import { Duration } from '../../../harness/scenario/duration.js';
import { FakeApi, faultContext, node, pod } from './fake-context.js';

/** What the provider was asked to do, in order, and what impairNodes/restoreNodes were told. */
interface Journal {
  calls: string[];
  impaired: string[][];
  restored: string[][];
}

/** A context whose cluster controls nodes, containers and networks by recording each call; `failOn` makes one throw. */
function providerContext(api: FakeApi, failOn?: string): { context: FaultContext; journal: Journal } {
  const journal: Journal = { calls: [], impaired: [], restored: [] };
  const act = async (call: string): Promise<void> => {
    journal.calls.push(call);
    if (call === failOn) throw new Error('the provider refused');
  };
  const nodeControl: NodeControl = {
    stop: (n, options) => act(`stop ${n}${options?.graceful ? ' graceful' : ''}`),
    start: (n) => act(`start ${n}`),
    restart: (n) => act(`restart ${n}`),
    pause: (n) => act(`pause ${n}`),
    resume: (n) => act(`resume ${n}`),
  };
  const networkControl: NetworkControl = { disconnect: (n) => act(`disconnect ${n}`), reconnect: (n) => act(`reconnect ${n}`) };
  const containerControl: ContainerControl = {
    killContainer: (n, uid, container) => act(`kill ${container} of ${uid} on ${n}`),
    killPodContainers: async () => 0,
  };
  const cluster = { provider: 'kind', nodeControl, networkControl, containerControl } as ClusterHandle;
  const context = faultContext(api, {
    cluster,
    capabilities: capabilitiesOf(cluster),
    impairNodes: (nodes) => { journal.impaired.push([...nodes]); },
    restoreNodes: (nodes) => { journal.restored.push([...nodes]); },
  });
  return { context, journal };
}

function twoNodes(): FakeApi {
  const api = new FakeApi();
  api.nodes.push(node('node-1'), node('node-2'));
  return api;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(() => expect.fail('it did not fail'), (error: unknown) => error as Error);
}

describe('node faults (against a recording provider)', () => {
  it('capabilitiesOf says what the cluster can do', () => {
    const { context } = providerContext(new FakeApi());
    expect(context.capabilities).to.deep.equal({ provider: 'kind', nodes: true, containers: true, networks: true });
    expect(capabilitiesOf({ provider: 'local' } as ClusterHandle)).to.deep.equal({ provider: 'local', nodes: false, containers: false, networks: false });
  });

  it('nodeStop stops each node (gracefully when asked), impairs them, and starts them again once at revert', async () => {
    const { context, journal } = providerContext(twoNodes());
    const params = { count: 2, graceful: true } as const;
    const plan = await nodeStop.plan(context, params);
    expect(plan.summary).to.match(/^stop node node-\d, node node-\d$/);
    expect(plan.revertSteps).to.have.deep.members([{ op: 'nodeStart', node: 'node-1' }, { op: 'nodeStart', node: 'node-2' }]);
    const names = plan.targets.map((t) => t.name);
    const active = await nodeStop.inject(context, params, plan);
    expect(journal.calls).to.deep.equal(names.map((n) => `stop ${n} graceful`));
    expect(journal.impaired).to.deep.equal([names]);
    expect(context.deadline).to.equal(Number.POSITIVE_INFINITY);
    expect(await active.done).to.equal(undefined);
    expect(journal.restored).to.deep.equal([]);
    await active.revert();
    await active.revert();
    expect(journal.calls.slice(2)).to.deep.equal(names.map((n) => `start ${n}`));
    expect(journal.restored).to.deep.equal([names]);
  });

  it('a node fault with a duration brings the nodes back by itself, and done resolves then', async () => {
    const { context, journal } = providerContext(twoNodes());
    const params = { count: 1, duration: Duration.fromMilliseconds(1) } as const;
    const plan = await nodePause.plan(context, params);
    expect(plan.revertSteps).to.deep.equal([{ op: 'nodeResume', node: plan.targets[0]?.name }]);
    const active = await nodePause.inject(context, params, plan);
    expect(await active.done).to.equal(undefined);
    const name = plan.targets[0]?.name ?? '';
    expect(journal.calls).to.deep.equal([`pause ${name}`, `resume ${name}`]);
    expect(journal.restored).to.deep.equal([[name]]);
    await active.revert();
    expect(journal.calls).to.have.length(2);
  });

  it('a node that cannot be taken down brings back the ones that were, and names it', async () => {
    const api = twoNodes();
    const { context } = providerContext(api);
    const plan = await nodeStop.plan(context, { count: 2, graceful: false });
    const [first, second] = plan.targets.map((t) => t.name);
    const failing = providerContext(api, `stop ${second}`);
    const error = await rejection(nodeStop.inject(failing.context, { count: 2, graceful: false }, plan));
    expect(error).to.be.instanceOf(FaultError);
    expect(error.message).to.equal(`could not take down node ${second}: the provider refused`);
    expect(failing.journal.calls).to.deep.equal([`stop ${first}`, `stop ${second}`, `start ${first}`]);
    expect(failing.journal.impaired).to.deep.equal([]);
    expect(failing.journal.restored).to.deep.equal([[first]]);
  });

  it('a duration whose bring-back fails resolves done with the failure', async () => {
    const api = twoNodes();
    const { context } = providerContext(api);
    const params = { count: 1, duration: Duration.fromMilliseconds(1) } as const;
    const plan = await networkPartition.plan(context, params);
    const name = plan.targets[0]?.name ?? '';
    expect(plan.summary).to.equal(`cut off node ${name}`);
    expect(plan.revertSteps).to.deep.equal([{ op: 'networkReconnect', node: name }]);
    const failing = providerContext(api, `reconnect ${name}`);
    const active = await networkPartition.inject(failing.context, params, plan);
    expect(await active.done).to.equal('could not bring nodes back: Error: the provider refused');
    expect(failing.journal.calls).to.deep.equal([`disconnect ${name}`, `reconnect ${name}`]);
  });

  it('nodeRestart restarts each node, impaired from its start to the end of the restarts, with nothing to revert', async () => {
    const api = twoNodes();
    const { context, journal } = providerContext(api);
    const plan = await nodeRestart.plan(context, { count: 2 });
    expect(plan.summary).to.match(/^restart node node-\d, node node-\d$/);
    const names = plan.targets.map((t) => t.name);
    const active = await nodeRestart.inject(context, { count: 2 }, plan);
    expect(journal.calls).to.deep.equal(names.map((n) => `restart ${n}`));
    expect(journal.impaired).to.deep.equal([names]);
    expect(journal.restored).to.deep.equal([names]);
    // The fault is acknowledged as of the moment the restarts began.
    expect(api.acknowledged).to.deep.equal([active.ackAt]);
    expect(await active.done).to.equal(undefined);
    await active.revert();
    expect(journal.calls).to.have.length(2);
  });

  it('refuses at planning, naming the provider, what the provider cannot do', async () => {
    const local = faultContext(twoNodes());
    expect((await rejection(nodeStop.plan(local, { count: 1, graceful: false }))).message)
      .to.equal('nodeStop needs a provider that controls nodes (local or kind); local cannot');
    expect((await rejection(networkPartition.plan(local, { count: 1 }))).message)
      .to.equal('networkPartition needs a provider with real node networks; the local provider has none (use --provider kind)');
    expect((await rejection(containerKill.plan(local, { selector: 'app=web', count: 1 }))).message)
      .to.equal('containerKill needs a provider with real containers; the local provider has none (use --provider kind)');
    // And at injection, should a plan reach a cluster that cannot.
    const none = faultContext(twoNodes(), { cluster: { provider: 'local' } as ClusterHandle });
    const plan = { targets: [{ kind: 'Node', name: 'node-1' }], summary: '' };
    expect(() => nodePause.inject(none, { count: 1 }, plan)).to.throw(FaultError, 'nodePause needs a provider that controls nodes');
    expect(() => networkPartition.inject(none, { count: 1 }, plan)).to.throw(FaultError, 'networkPartition needs a provider with real node networks');
  });

  it('refuses nodes that share one agent, naming the nodes that can be stopped, whatever the random choice', async () => {
    const api = new FakeApi();
    const labelled = (name: string, agent: string): ReturnType<typeof node> => {
      const n = node(name);
      n.metadata!.labels = { 'rebound.dev/node-agent': agent };
      return n;
    };
    api.nodes.push(labelled('node-1', 'node-1'), labelled('node-2', 'node-2'), ...Array.from({ length: 12 }, (_, i) => labelled(`node-${i + 3}`, 'bulk')));
    const { context, journal } = providerContext(api);
    const plans = [() => nodeStop.plan(context, { count: 1, graceful: false }), () => nodePause.plan(context, { count: 1 }),
      () => nodeRestart.plan(context, { count: 1 })];
    for (const plan of plans) {
      const error = await rejection(plan());
      expect(error).to.be.instanceOf(FaultError);
      expect(error.message).to.match(/^node(Stop|Pause|Restart) \(any node\): 12 of its 14 candidate nodes \(node-3, node-4, /);
      expect(error.message).to.contain('node-12 and 2 more) share one node agent and cannot be stopped, paused or restarted alone; '
        + 'the nodes that can be: node-1, node-2; select them with selector: rebound.dev/node-agent!=bulk');
    }
    expect(api.callsOf('listNode').at(-1)).to.deep.equal({ labelSelector: 'rebound.dev/node-agent,rebound.dev/node-agent!=bulk' });
    expect(journal.calls, 'nothing was stopped').to.deep.equal([]);
    // Candidates that all have agents of their own are planned as before; a network cut is no agent's business.
    api.nodes.splice(2);
    expect((await nodeStop.plan(context, { count: 1, graceful: false })).targets).to.have.length(1);
    api.nodes.push(labelled('node-3', 'bulk'));
    api.nodes.splice(0, 2);
    expect((await networkPartition.plan(context, { count: 1 })).targets.map((t) => t.name)).to.deep.equal(['node-3']);
    expect((await rejection(nodeStop.plan(context, { count: 1, graceful: false }))).message)
      .to.contain('no node of this cluster has an agent of its own (bring it up with --dedicated-nodes N)');
  });
});

describe('containerKill (against a recording provider)', () => {
  function withPods(): FakeApi {
    const api = new FakeApi();
    const web = pod('web-1', 'node-1');
    web.spec = { nodeName: 'node-1', containers: [{ name: 'app' }, { name: 'sidecar' }] };
    api.pods.push(web);
    return api;
  }

  it('kills the first container of each pod, or the one named, on its node', async () => {
    const api = withPods();
    const { context, journal } = providerContext(api);
    const plan = await containerKill.plan(context, { selector: 'app=web', count: 1 });
    expect(plan.summary).to.equal('kill container app of pod web-1 (node-1)');
    expect(plan.targets).to.deep.equal([{ kind: 'Pod', name: 'web-1', namespace: 'ns', uid: 'uid-web-1', node: 'node-1', container: 'app' }]);
    const active = await containerKill.inject(context, { selector: 'app=web', count: 1 }, plan);
    expect(journal.calls).to.deep.equal(['kill app of uid-web-1 on node-1']);
    expect(api.acknowledged).to.deep.equal([active.ackAt]);
    const sidecar = await containerKill.plan(context, { selector: 'app=web', count: 1, container: 'sidecar' });
    expect(sidecar.targets[0]?.container).to.equal('sidecar');
  });

  it('refuses a container the pod does not have, a pod on no node, and says why a kill failed', async () => {
    const api = withPods();
    const { context } = providerContext(api);
    expect((await rejection(containerKill.plan(context, { selector: 'app=web', count: 1, container: 'db' }))).message)
      .to.equal('pod web-1 has no container "db" (it has: app, sidecar)');
    const target = { kind: 'Pod', name: 'web-1', namespace: 'ns', uid: 'uid-web-1', node: 'node-1', container: 'app' };
    const failing = providerContext(api, 'kill app of uid-web-1 on node-1');
    expect((await rejection(containerKill.inject(failing.context, { selector: 'app=web', count: 1 }, { targets: [target], summary: '' }))).message)
      .to.equal('could not kill container app of pod web-1: the provider refused');
    const { node: _node, ...nowhere } = target;
    expect((await rejection(containerKill.inject(context, { selector: 'app=web', count: 1 }, { targets: [nowhere], summary: '' }))).message)
      .to.equal('pod web-1 has no node, UID or container to find its container by');
    api.pods[0].spec = { containers: [{ name: 'app' }] };
    expect((await rejection(containerKill.plan(context, { selector: 'app=web', count: 1 }))).message).to.equal('pod web-1 is not on a node yet');
  });
});

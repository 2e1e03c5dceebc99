import { expect } from 'chai';
import { FaultError } from '../../../harness/faults/errors.js';
import { rollout, versionsOf, withChanges } from '../../../harness/faults/rollout.js';
import { Duration } from '../../../harness/scenario/duration.js';
import type { Manifest, RolloutParams } from '../../../harness/scenario/schema.js';
import { apiError, FakeApi, faultContext } from './fake-context.js';

const web = (): Record<string, unknown> => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 4,
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'app:v1', env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }] }] },
    },
  },
});

const manifest = (object: Record<string, unknown>): Manifest => ({
  apiVersion: String(object.apiVersion), kind: String(object.kind), name: String((object.metadata as { name: string }).name), object,
  source: { file: 'web.yaml', line: 1, column: 1, path: 'spec.desiredState[0].file[0]' },
});

const set = (change: Partial<Extract<RolloutParams['change'], { kind: 'set' }>>): Extract<RolloutParams['change'], { kind: 'set' }> =>
  ({ kind: 'set', image: {}, env: {}, annotations: {}, ...change });

describe('faults: rollout versions', () => {
  it('sets images, environment variables (a value replaces a valueFrom) and pod template annotations', () => {
    const next = withChanges(web(), set({ image: { web: 'app:v2' }, env: { web: { MODE: 'new', EXTRA: '1' } }, annotations: { 'rebound.dev/never-ready': 'true' } }), 'Deployment web');
    type Template = { metadata: { annotations: unknown }; spec: { containers: { image: string; env: unknown }[] } };
    const template = (next.spec as { template: Template }).template;
    expect(template.spec.containers[0]?.image).to.equal('app:v2');
    expect(template.spec.containers[0]?.env).to.deep.equal([{ name: 'MODE', value: 'new' }, { name: 'EXTRA', value: '1' }]);
    expect(template.metadata.annotations).to.deep.equal({ 'rebound.dev/never-ready': 'true' });
  });

  it('leaves the previous version as declared', () => {
    const previous = web();
    withChanges(previous, set({ image: { web: 'app:v2' } }), 'Deployment web');
    expect(JSON.stringify(previous)).to.contain('app:v1');
  });

  it('names the containers there are when a container is unknown', () => {
    expect(() => withChanges(web(), set({ image: { api: 'x' } }), 'Deployment web')).to.throw('rollout: Deployment web has no container `api` (its containers: web)');
  });

  it('wants the workload declared in the desired state, and places it in the scenario\'s namespace', () => {
    const params: RolloutParams = { kind: 'Deployment', name: 'web', change: set({ image: { web: 'app:v2' } }), rollback: { kind: 'never' } };
    const { previous, next, replicas } = versionsOf([manifest(web())], params, 'ns', 'ns');
    expect(replicas).to.equal(4);
    expect((previous[0]?.metadata as { namespace: string }).namespace).to.equal('ns');
    expect(JSON.stringify(next[0])).to.contain('app:v2');
    expect(() => versionsOf([], params, 'ns', 'ns')).to.throw('rollout: Deployment web is not declared in spec.desiredState');
  });

  it('takes a file\'s version as the new one, counting its replicas for the rollout and the declared ones for the rollback', () => {
    const scaledUp = web();
    (scaledUp.spec as { replicas: number }).replicas = 6;
    const params: RolloutParams = {
      kind: 'Deployment', name: 'web', rollback: { kind: 'onStall' },
      change: { kind: 'file', file: '/x/web-v2.yaml', manifests: [manifest(scaledUp)] },
    };
    const versions = versionsOf([manifest(web())], params, 'ns', 'ns');
    expect([versions.replicas, versions.previousReplicas]).to.deep.equal([6, 4]);
    expect((versions.next[0]?.spec as { replicas: number }).replicas).to.equal(6);
    expect((versions.previous[0]?.spec as { replicas: number }).replicas).to.equal(4);
  });
});

describe('faults: rollout finds its workload among others of the desired state', () => {
  const decoy = (kind: string, name: string, replicas: number, namespace?: string, apiVersion = 'apps/v1'): Manifest => {
    const object: Record<string, unknown> = { ...web(), apiVersion, kind, metadata: { name } };
    (object.spec as { replicas: number }).replicas = replicas;
    return { ...manifest(object), ...(namespace === undefined ? {} : { namespace }) };
  };
  const crowd = (): Manifest[] => [
    decoy('StatefulSet', 'web', 7),
    decoy('Deployment', 'api', 8),
    decoy('Deployment', 'web', 9, 'other'),
    decoy('Deployment', 'web', 10, undefined, 'example.com/v1'),
    manifest(web()),
  ];

  it('by kind, apps/v1, name and namespace: the declared Deployment web of the scenario\'s namespace', () => {
    const params: RolloutParams = { kind: 'Deployment', name: 'web', change: set({ image: { web: 'app:v2' } }), rollback: { kind: 'never' } };
    const { previous, replicas } = versionsOf(crowd(), params, 'ns', 'ns');
    expect(replicas).to.equal(4);
    expect(previous.map((b) => [b.kind, (b.spec as { replicas: number }).replicas])).to.deep.equal([['Deployment', 4]]);
    const other = versionsOf(crowd(), params, 'other', 'ns');
    expect(other.replicas, 'the one declared in namespace other').to.equal(9);
  });

  it('a file\'s objects each find their previous version: same API group, kind, name and namespace', () => {
    const config = (data: string, namespace?: string): Manifest => ({
      ...manifest({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { v: data } }),
      ...(namespace === undefined ? {} : { namespace }),
    });
    const newer = web();
    (newer.spec as { replicas: number }).replicas = 5;
    const params: RolloutParams = {
      kind: 'Deployment', name: 'web', rollback: { kind: 'never' },
      change: { kind: 'file', file: '/x/v2.yaml', manifests: [config('new'), manifest(newer)] },
    };
    const { previous } = versionsOf([...crowd(), config('elsewhere', 'other'), config('declared')], params, 'ns', 'ns');
    expect(previous.map((b) => [b.kind, b.kind === 'ConfigMap' ? (b.data as { v: string }).v : (b.spec as { replicas: number }).replicas]))
      .to.deep.equal([['ConfigMap', 'declared'], ['Deployment', 4]]);
  });
});

describe('faults: rollout (against a recording fake of the API)', () => {
  const desired = (): Manifest[] => [manifest(web()), manifest({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config' }, data: { a: '1' } })];
  const live = (api: FakeApi): void => {
    api.objects.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns', uid: 'uid-web', generation: 3 } });
  };
  const params = (change: RolloutParams['change'], rollback: RolloutParams['rollback'] = { kind: 'onStall' }): RolloutParams =>
    ({ kind: 'Deployment', name: 'web', change, rollback });

  it('plans the workload as the target, says what changes and when it rolls back, and how to revert', async () => {
    const api = new FakeApi();
    live(api);
    const context = faultContext(api, { desiredState: desired() });
    const plan = await rollout.plan(context, params(set({ image: { web: 'app:v2' }, env: { web: { MODE: 'x', B: '2' } }, annotations: { note: 'y' } })));
    expect(plan.targets).to.deep.equal([{ kind: 'Deployment', name: 'web', namespace: 'ns', uid: 'uid-web' }]);
    expect(plan.summary).to.equal('roll out Deployment web (web image app:v2; web env MODE=x,B=2; annotation note=y; 1 object), rollback onStall');
    expect(plan.revertSteps).to.deep.equal([{ op: 'apply', objects: [{ ...web(), metadata: { name: 'web', namespace: 'ns' } }] }]);
    const later = await rollout.plan(context, params(set({ image: { web: 'app:v2' } }), { kind: 'after', after: Duration.parse('30s') }));
    expect(later.summary).to.equal('roll out Deployment web (web image app:v2; 1 object), rollback after 30s');
  });

  it('names a file\'s version by its last two path parts, with its objects counted', async () => {
    const api = new FakeApi();
    live(api);
    const v2 = desired().map((m) => manifest({ ...m.object, metadata: { name: m.name, labels: { v: '2' } } }));
    const context = faultContext(api, { desiredState: desired() });
    const plan = await rollout.plan(context, params({ kind: 'file', file: '/repo/releases/v2/web.yaml', manifests: v2 }));
    expect(plan.summary).to.equal('roll out Deployment web (the version in v2/web.yaml; 2 objects), rollback onStall');
  });

  it('refuses a workload that is not in the cluster, and passes on other errors', async () => {
    const context = faultContext(new FakeApi(), { desiredState: desired() });
    await rollout.plan(context, params(set({ image: { web: 'app:v2' } }))).then(() => expect.fail('planned'), (error: unknown) => {
      expect(error).to.be.instanceOf(FaultError);
      expect(String(error)).to.contain('rollout: no Deployment web in ns');
    });
    const api = new FakeApi();
    api.refuse('read', apiError(500, 'etcd'));
    await rollout.plan(faultContext(api, { desiredState: desired() }), params(set({}))).then(() => expect.fail('planned'),
      (error: unknown) => expect(error).to.not.be.instanceOf(FaultError));
  });

  it('applies the new version (the workload last), hands the run its rollback, and reverts by applying the previous one', async () => {
    const api = new FakeApi();
    live(api);
    const context = faultContext(api, { desiredState: desired() });
    const v2 = desired().map((m) => manifest({ ...m.object, metadata: { name: m.name, labels: { v: '2' } } }));
    const change = params({ kind: 'file', file: '/repo/v2.yaml', manifests: v2 }, { kind: 'never' });
    const plan = await rollout.plan(context, change);
    const active = await rollout.inject(context, change, plan);
    const applied = api.callsOf('patch');
    expect(applied.map((r) => (r['spec'] as { kind: string }).kind)).to.deep.equal(['ConfigMap', 'Deployment']);
    expect(applied[0]).to.deep.include({ fieldManager: 'rebound', strategy: 'application/apply-patch+yaml' });
    expect(api.acknowledged).to.deep.equal([active.ackAt]);
    expect(active.rollout).to.deep.include({ kind: 'Deployment', name: 'web', namespace: 'ns', replicas: 4, previousReplicas: 4, generation: 4, policy: { kind: 'never' } });
    expect(active.steps).to.deep.equal([{ op: 'apply', objects: plan.revertSteps?.[0]?.op === 'apply' ? plan.revertSteps[0].objects : [] }]);
    const first = await active.rollout!.rollBack();
    expect(first.generation).to.equal(5);
    expect(await active.rollout!.rollBack()).to.equal(first);
    expect(api.callsOf('patch')).to.have.length(4);
    await active.revert();
    expect(api.callsOf('patch')).to.have.length(6);
    const reverted = api.objects.find((o) => o.kind === 'ConfigMap') as { metadata: { labels?: unknown } };
    expect(reverted.metadata.labels).to.equal(undefined);
  });

  it('has no replica counts for a DaemonSet', async () => {
    const api = new FakeApi();
    const daemon = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { template: { spec: { containers: [{ name: 'a', image: 'a:1' }] } } } };
    api.objects.push({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'ns' } });
    const context = faultContext(api, { desiredState: [manifest(daemon)] });
    const change = { kind: 'DaemonSet', name: 'agent', change: set({ image: { a: 'a:2' } }), rollback: { kind: 'never' } } as RolloutParams;
    const active = await rollout.inject(context, change, await rollout.plan(context, change));
    expect(active.rollout).to.not.have.property('replicas');
    expect(active.rollout).to.not.have.property('previousReplicas');
  });
});

describe('faults: rollout, what it applies and counts', () => {
  const config = (name: string, data: string): Manifest =>
    manifest({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: data } });
  const file = (manifests: Manifest[]): RolloutParams =>
    ({ kind: 'Deployment', name: 'web', rollback: { kind: 'never' }, change: { kind: 'file', file: '/x/v2.yaml', manifests } });

  it('changes only what `set` names: no pod template annotations added when none are set', () => {
    const next = withChanges(web(), set({ image: { web: 'app:v2' } }), 'Deployment web');
    const expected = web();
    type Template = { spec: { containers: [{ image: string }] } };
    (expected.spec as { template: Template }).template.spec.containers[0].image = 'app:v2';
    expect(next).to.deep.equal(expected);
  });

  it('names every container, init containers too, or none, when a container is unknown', () => {
    const two = web();
    const template = (two.spec as { template: { spec: Record<string, unknown> } }).template;
    template.spec['initContainers'] = [{ name: 'setup', image: 'setup:1' }];
    expect(() => withChanges(two, set({ env: { api: { A: '1' } } }), 'Deployment web'))
      .to.throw(FaultError, 'rollout: Deployment web has no container `api` (its containers: web, setup)');
    const bare = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: {} };
    expect(() => withChanges(bare, set({ image: { web: 'x' } }), 'Deployment web')).to.throw(FaultError, '(its containers: none)');
  });

  it('counts a workload that declares no replicas as 1, before and after', () => {
    const single = web();
    delete (single.spec as { replicas?: number }).replicas;
    const params: RolloutParams = { kind: 'Deployment', name: 'web', change: set({ image: { web: 'app:v2' } }), rollback: { kind: 'never' } };
    const versions = versionsOf([manifest(single)], params, 'ns', 'ns');
    expect([versions.replicas, versions.previousReplicas]).to.deep.equal([1, 1]);
  });

  it('keeps the declared replicas when the file does not hold the workload', () => {
    const versions = versionsOf([manifest(web()), config('cfg', 'old')], file([config('cfg', 'new')]), 'ns', 'ns');
    expect([versions.replicas, versions.previousReplicas]).to.deep.equal([4, 4]);
  });

  it('gives cluster-scoped objects of a file no namespace, and namespaced ones the scenario\'s', () => {
    const role = (verb: string): Manifest =>
      manifest({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [{ verbs: [verb] }] });
    const { previous, next } = versionsOf([manifest(web()), role('get'), config('cfg', 'old')], file([role('list'), config('cfg', 'new')]), 'ns', 'ns');
    const namespaces = (bodies: Record<string, unknown>[]) => bodies.map((b) => [b.kind, (b.metadata as { namespace?: string }).namespace]);
    expect(namespaces(previous)).to.deep.equal([['ClusterRole', undefined], ['ConfigMap', 'ns']]);
    expect(namespaces(next)).to.deep.equal([['ClusterRole', undefined], ['ConfigMap', 'ns']]);
    expect(previous[0]?.metadata).to.not.have.property('namespace');
  });

  it('applies the workload last, telling it by kind and name, and takes its generation (0 when the file has none)', async () => {
    const api = new FakeApi();
    api.objects.push(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns', uid: 'uid-web', generation: 3 } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: 'ns', generation: 7 } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'ns', generation: 11 } },
    );
    const api2 = manifest({ ...web(), metadata: { name: 'api' } });
    const desired = [manifest(web()), config('web', 'old'), api2];
    const context = faultContext(api, { desiredState: desired });
    const change = file([manifest(web()), config('web', 'new'), manifest({ ...web(), metadata: { name: 'api' } })]);
    const active = await rollout.inject(context, change, await rollout.plan(context, change));
    const applied = api.callsOf('patch').map((r) => { const spec = r['spec'] as { kind: string; metadata: { name: string } }; return `${spec.kind}/${spec.metadata.name}`; });
    expect(applied).to.deep.equal(['ConfigMap/web', 'Deployment/api', 'Deployment/web']);
    expect(active.rollout?.generation).to.equal(4);
    // A rollback re-declares the previous version, the workload's generation is the one it reports.
    expect((await active.rollout!.rollBack()).generation).to.equal(5);
    // Reverted without a rollback first (a trial that ended before it): the previous version is declared again.
    const third = await rollout.inject(context, change, await rollout.plan(context, change));
    const before = api.callsOf('patch').length;
    await third.revert();
    expect(api.callsOf('patch')).to.have.length(before + 3);
    const without = file([config('web', 'newer')]);
    const other = await rollout.inject(context, without, await rollout.plan(context, without));
    expect(other.rollout?.generation).to.equal(0);
    expect((await other.rollout!.rollBack()).generation).to.equal(0);
  });
});

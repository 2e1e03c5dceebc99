import { expect } from 'chai';
import { FaultError } from '../../../harness/faults/errors.js';
import type { FaultContext } from '../../../harness/faults/fault.js';
import { patch, revertPatch } from '../../../harness/faults/patch.js';
import type { RevertStep } from '../../../harness/faults/revert-step.js';
import { FakeApiServer } from './fake-api-server.js';
import { apiError, FakeApi, faultContext } from './fake-context.js';

type Params = Parameters<typeof patch.plan>[1];

const settings = (data: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'ns', uid: 'uid-settings', resourceVersion: '1', ...extra }, data,
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(() => expect.fail('it did not fail'), (error: unknown) => error as Error);
}

// What each test works against, set afresh by the hooks againstFakeApiServer adds to its describe.
let server: FakeApiServer;
let api: FakeApi;
let context: FaultContext;

/** Each test of the calling describe gets a new FakeApiServer, a FakeApi on its kubeconfig and a fault context (with `change`). */
function againstFakeApiServer(change: Partial<FaultContext> = {}): void {
  beforeEach(async () => {
    server = new FakeApiServer();
    api = new FakeApi();
    api.config = await server.start();
    context = faultContext(api, change);
  });
  afterEach(async () => { await server.stop(); });
}

// The patch fault against an HTTP server on 127.0.0.1 that reads and patches raw JSON as the API server does.
describe('patch (against a fake API server on 127.0.0.1)', () => {
  againstFakeApiServer();

  const byName = (body: Record<string, unknown> | unknown[], type: 'merge' | 'json' | 'strategic' = 'merge', name = 'settings'): Params =>
    ({ apiVersion: 'v1', kind: 'ConfigMap', name, type, patch: body });

  it('plans with a server-side dry run: the fields it will change, before anything changes', async () => {
    server.put(settings({ mode: 'fast', keep: 'x' }));
    const plan = await patch.plan(context, byName({ data: { mode: 'slow', extra: 'y' } }));
    const [dryRun] = server.patches();
    expect(dryRun?.query).to.deep.equal({ fieldManager: 'rebound-patch', dryRun: 'All' });
    expect(dryRun?.contentType).to.equal('application/merge-patch+json');
    expect(server.get(settings({}))?.['data']).to.deep.equal({ mode: 'fast', keep: 'x' });
    expect(plan.targets).to.deep.equal([{ kind: 'ConfigMap', name: 'settings', namespace: 'ns', uid: 'uid-settings' }]);
    expect(plan.summary).to.equal('merge patch of ConfigMap settings (/data/mode, /data/extra)');
    expect(plan.revertSteps).to.deep.equal([{
      op: 'revertPatch', apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: 'ns', uid: 'uid-settings',
      fields: [{ path: '/data/mode', before: 'fast', after: 'slow' }, { path: '/data/extra', after: 'y' }],
    }]);
  });

  it('injects the patch, acknowledges it, and reverts only the fields still off, once', async () => {
    server.put(settings({ mode: 'fast', keep: 'x' }));
    const params = byName({ data: { mode: 'slow', keep: null, extra: 'y' } });
    const plan = await patch.plan(context, params);
    const active = await patch.inject(context, params, plan);
    const written = server.patches()[1];
    expect(written?.query).to.deep.equal({ fieldManager: 'rebound-patch' });
    expect(server.get(settings({}))?.['data']).to.deep.equal({ mode: 'slow', extra: 'y' });
    expect(api.acknowledged).to.deep.equal([active.ackAt]);
    // What it changed is what the dry run said: the journal keeps the plan's steps.
    expect(active.steps).to.equal(undefined);
    expect(await active.done).to.equal(undefined);
    // The system won back `extra` by itself; the rest is written back.
    const object = server.get(settings({}))!;
    object['data'] = { mode: 'slow' };
    await active.revert();
    const back = server.patches()[2];
    expect(back?.query).to.deep.equal({ fieldManager: 'rebound-revert' });
    expect(back?.contentType).to.equal('application/json-patch+json');
    expect(back?.body).to.deep.equal([{ op: 'replace', path: '/data/mode', value: 'fast' }, { op: 'add', path: '/data/keep', value: 'x' }]);
    expect(server.get(settings({}))?.['data']).to.deep.equal({ mode: 'fast', keep: 'x' });
    await active.revert();
    expect(server.patches()).to.have.length(3);
  });

  it('records what the patch changed when it differs from the dry run', async () => {
    server.put(settings({ mode: 'fast' }));
    const params = byName({ data: { mode: 'slow' } });
    const plan = await patch.plan(context, params);
    server.get(settings({}))!['data'] = { mode: 'medium' };
    const active = await patch.inject(context, params, plan);
    expect(active.steps).to.deep.equal([{
      op: 'revertPatch', apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: 'ns', uid: 'uid-settings',
      fields: [{ path: '/data/mode', before: 'medium', after: 'slow' }],
    }]);
  });

  it('sends a JSON Patch as one, and shows at most four fields in the summary', async () => {
    server.put(settings({ a: '1', b: '2', c: '3', d: '4', e: '5' }));
    const operations = ['a', 'b', 'c', 'd', 'e'].map((key) => ({ op: 'replace', path: `/data/${key}`, value: 'x' }));
    const plan = await patch.plan(context, byName(operations, 'json'));
    expect(server.patches()[0]?.contentType).to.equal('application/json-patch+json');
    expect(plan.summary).to.equal('json patch of ConfigMap settings (/data/e, /data/d, /data/c, /data/b, ...)');
    server.put(settings({ a: '1', b: '2', c: '3', d: '4' }));
    const four = await patch.plan(context, byName(operations.slice(0, 4), 'json'));
    expect(four.summary).to.equal('json patch of ConfigMap settings (/data/d, /data/c, /data/b, /data/a)');
  });

  it('refuses a patch that changes nothing, an object that is not there, and says what the server refused', async () => {
    server.put(settings({ mode: 'fast' }));
    const same = await rejection(patch.plan(context, byName({ data: { mode: 'fast' } })));
    expect(same).to.be.instanceOf(FaultError);
    expect(same.message).to.equal('the patch changes nothing on ConfigMap settings: it already has those values');
    const missing = await rejection(patch.plan(context, byName({ data: { mode: 'x' } }, 'merge', 'other')));
    expect(missing).to.be.instanceOf(FaultError);
    expect(missing.message).to.equal('no ConfigMap other in ns to patch');
    server.refusal = { code: 422, message: 'data.mode: Invalid value' };
    const invalid = await rejection(patch.plan(context, byName({ data: { mode: 'x' } })));
    expect(invalid.message).to.equal('the API server refused the patch of ConfigMap settings (422): data.mode: Invalid value');
    server.refusal = { code: 415, message: 'unsupported' };
    const strategic = await rejection(patch.plan(context, byName({ data: { mode: 'x' } }, 'strategic')));
    expect(strategic.message).to.equal('the API server refuses a strategic merge patch of ConfigMap settings (415): custom resources take type: merge or type: json');
    expect(server.patches().at(-1)?.contentType).to.equal('application/strategic-merge-patch+json');
    server.refusal = { code: 415, message: 'unsupported media type' };
    const merge415 = await rejection(patch.plan(context, byName({ data: { mode: 'x' } })));
    expect(merge415.message).to.equal('the API server refused the patch of ConfigMap settings (415): unsupported media type');
    const plan = await patch.plan(context, byName({ data: { mode: 'x' } }));
    server.refusal = { code: 409, message: 'conflict' };
    const atInjection = await rejection(patch.inject(context, byName({ data: { mode: 'x' } }), plan));
    expect(atInjection).to.be.instanceOf(FaultError);
    expect(atInjection.message).to.equal('the API server refused the patch of ConfigMap settings (409): conflict');
  });

  it('names a pod\'s controller as its owner, and plans to delete it should the patch release it', async () => {
    server.put({
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name: 'web-1', namespace: 'ns', uid: 'uid-web-1', labels: { app: 'web' },
        ownerReferences: [{ kind: 'Node', name: 'n', uid: 'uid-n' }, { kind: 'ReplicaSet', name: 'web-abc', uid: 'uid-rs', controller: true }],
      },
    });
    const plan = await patch.plan(context, { apiVersion: 'v1', kind: 'Pod', name: 'web-1', type: 'merge', patch: { metadata: { labels: { app: null } } } });
    expect(plan.targets).to.deep.equal([{ kind: 'Pod', name: 'web-1', namespace: 'ns', uid: 'uid-web-1', owner: 'ReplicaSet/web-abc' }]);
    expect(plan.revertSteps?.[0]).to.deep.include({ controllerUid: 'uid-rs', fields: [{ path: '/metadata/labels/app', before: 'web' }] });
  });

  it('chooses by selector among the live objects, and refuses namespaces faults may not touch', async () => {
    server.put(settings({ mode: 'fast' }));
    api.objects.push(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'ns', uid: 'uid-settings' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'leaving', namespace: 'ns', uid: 'u2', deletionTimestamp: new Date(1) } },
    );
    const plan = await patch.plan(context, { apiVersion: 'v1', kind: 'ConfigMap', selector: 'app=web', count: 1, type: 'merge', patch: { data: { mode: 'x' } } });
    expect(api.callsOf('list')).to.deep.equal([{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', labelSelector: 'app=web' }]);
    expect(plan.targets.map((t) => t.name)).to.deep.equal(['settings']);
    const other = await rejection(patch.plan(context, { ...byName({ data: {} }), namespace: 'other' }));
    expect(other).to.be.instanceOf(FaultError);
  });

  describe('revertPatch', () => {
    const step = (fields: { path: string; before?: unknown; after?: unknown }[], extra: Partial<RevertStep & { op: 'revertPatch' }> = {}) => ({
      op: 'revertPatch' as const, apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: 'ns', uid: 'uid-settings', fields, ...extra,
    });

    it('leaves an object that is gone, or was replaced by one of the same name', async () => {
      expect(await revertPatch(api.kube(), step([{ path: '/data/mode', before: 'fast' }]))).to.equal('gone');
      server.put(settings({ mode: 'slow' }, { uid: 'someone-else' }));
      expect(await revertPatch(api.kube(), step([{ path: '/data/mode', before: 'fast' }]))).to.equal('gone');
      expect(server.patches()).to.deep.equal([]);
    });

    it('writes back nothing when the system restored every field, and removes a field the patch added', async () => {
      server.put(settings({ mode: 'fast' }));
      expect(await revertPatch(api.kube(), step([{ path: '/data/mode', before: 'fast', after: 'slow' }, { path: '/data/extra', after: 'y' }])))
        .to.equal('restored by the system');
      server.put(settings({ mode: 'fast', extra: 'y' }));
      expect(await revertPatch(api.kube(), step([{ path: '/data/extra', after: 'y' }]))).to.equal('written back');
      expect(server.patches()[0]?.body).to.deep.equal([{ op: 'remove', path: '/data/extra' }]);
      expect(server.get(settings({}))?.['data']).to.deep.equal({ mode: 'fast' });
    });

    it('puts list items back in the order that keeps their indexes right', async () => {
      server.put({ ...settings({}), spec: { items: ['c'] } });
      await revertPatch(api.kube(), step([{ path: '/spec/items/0', before: 'a' }, { path: '/spec/items/1', before: 'b' }, { path: '/spec/items/2', before: 'c' }]));
      expect(server.get(settings({}))?.['spec']).to.deep.equal({ items: ['a', 'b', 'c'] });
    });

    it('deletes a pod its controller released, by uid, rather than relabel it', async () => {
      server.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'ns', uid: 'uid-web-1', labels: {} } });
      const released = step([{ path: '/metadata/labels/app', before: 'web' }], { kind: 'Pod', name: 'web-1', uid: 'uid-web-1', controllerUid: 'uid-rs' });
      api.objects.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'ns' } });
      expect(await revertPatch(api.kube(), released)).to.equal('orphan deleted');
      expect(api.callsOf('delete')).to.deep.equal([{ spec: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'ns' } }, body: { preconditions: { uid: 'uid-web-1' } } }]);
      // Already gone, or replaced under the same name (409 on the uid precondition): done all the same.
      expect(await revertPatch(api.kube(), released)).to.equal('orphan deleted');
      const failing = new FakeApi();
      failing.config = api.config;
      failing.objects.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'ns' } });
      failing.refuse('delete', Object.assign(new Error('HTTP 500'), { code: 500 }));
      expect((await rejection(revertPatch(failing.kube(), released))).message).to.equal('HTTP 500');
      // Still owned: the fields are written back as for any object.
      server.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'ns', uid: 'uid-web-1', labels: {}, ownerReferences: [{ kind: 'ReplicaSet', name: 'rs', uid: 'uid-rs', controller: true }] } });
      expect(await revertPatch(api.kube(), released)).to.equal('written back');
    });
  });
});

// What the patch fault touches, in which namespace, what it leaves to its controller, and the errors a user reads.
describe('patch: targets, owners and errors (against a fake API server on 127.0.0.1)', () => {
  againstFakeApiServer({ allowNamespaces: ['team'] });

  const mode = (value: string): Record<string, unknown> => ({ data: { mode: value } });
  const configMap = (name: string, namespace = 'ns', extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, uid: `uid-${name}`, ...extra }, data: { mode: 'fast' },
  });
  const owned = { ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Operator', name: 'op', uid: 'uid-op', controller: true }] };

  it('reads, patches and reverts the object in the namespace asked for, not the kubeconfig\'s', async () => {
    server.put(configMap('settings', 'team'));
    server.put(configMap('settings', 'ns'));
    const params: Params = { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: 'team', type: 'merge', patch: mode('slow') };
    const plan = await patch.plan(context, params);
    expect(plan.targets).to.deep.equal([{ kind: 'ConfigMap', name: 'settings', namespace: 'team', uid: 'uid-settings' }]);
    const active = await patch.inject(context, params, plan);
    expect(server.get(configMap('settings', 'team'))?.['data']).to.deep.equal({ mode: 'slow' });
    await active.revert();
    expect(server.get(configMap('settings', 'team'))?.['data']).to.deep.equal({ mode: 'fast' });
    const paths = new Set(server.requests.filter((r) => !r.path.endsWith('/v1')).map((r) => r.path));
    expect([...paths]).to.deep.equal(['/api/v1/namespaces/team/configmaps/settings']);
  });

  it('patches every live object the selector picks, named together in the summary, never a terminating one', async () => {
    for (const name of ['a', 'b']) server.put(configMap(name));
    api.objects.push(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns', uid: 'uid-a' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'leaving', namespace: 'ns', uid: 'uid-leaving', deletionTimestamp: new Date(1) } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'ns', uid: 'uid-b' } },
    );
    const plan = await patch.plan(context, { apiVersion: 'v1', kind: 'ConfigMap', selector: 'app=web', percent: 100, type: 'merge', patch: mode('slow') });
    expect(plan.targets.map((t) => t.name).sort()).to.deep.equal(['a', 'b']);
    expect(plan.summary).to.match(/^merge patch of ConfigMap [ab], ConfigMap [ab] \(\/data\/mode\)$/);
  });

  it('writes back an owned object other than a core Pod whose controller the patch removed, rather than delete it', async () => {
    for (const object of [
      configMap('settings', 'ns', owned),
      { apiVersion: 'example.com/v1', kind: 'Pod', metadata: { name: 'thing', namespace: 'ns', uid: 'uid-thing', ...owned }, data: { mode: 'fast' } },
    ]) {
      server.put(object);
      const apiVersion = String(object.apiVersion);
      const params: Params = { apiVersion, kind: String(object.kind), name: String((object.metadata as { name: string }).name), type: 'merge', patch: { metadata: { ownerReferences: null } } };
      const plan = await patch.plan(context, params);
      expect(plan.targets[0]?.owner).to.equal('Operator/op');
      expect(plan.revertSteps?.[0], apiVersion).to.not.have.property('controllerUid');
      const active = await patch.inject(context, params, plan);
      expect(server.get(object)?.['metadata']).to.not.have.property('ownerReferences');
      await active.revert();
      expect((server.get(object)?.['metadata'] as Record<string, unknown>)['ownerReferences'], apiVersion).to.deep.equal(owned.ownerReferences);
    }
    expect(api.callsOf('delete')).to.deep.equal([]);
  });

  it('says which patch found nothing to patch', async () => {
    const params: Params = { apiVersion: 'v1', kind: 'ConfigMap', selector: 'app=web', count: 1, type: 'merge', patch: mode('slow') };
    const none = await rejection(patch.plan(context, params));
    expect(none).to.be.instanceOf(FaultError);
    expect(none.message).to.equal('no candidate for patch ConfigMap app=web: nothing matches that is running and not terminating');
  });

  it('reverts once: what changes after its revert is not the fault\'s', async () => {
    server.put(configMap('settings'));
    const params: Params = { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', type: 'merge', patch: mode('slow') };
    const active = await patch.inject(context, params, await patch.plan(context, params));
    await active.revert();
    server.get(configMap('settings'))!['data'] = { mode: 'tuned by hand' };
    const before = server.requests.length;
    await active.revert();
    expect(server.requests.length).to.equal(before);
    expect(server.get(configMap('settings'))?.['data']).to.deep.equal({ mode: 'tuned by hand' });
  });

  it('says what the server refused: a read that failed is not "not there", another status of a strategic patch is not 415', async () => {
    server.put(configMap('settings'));
    // 403, not a 5xx: the clients retry those.
    server.readRefusal = { code: 403, message: 'configmaps "settings" is forbidden' };
    const params: Params = { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', type: 'merge', patch: mode('slow') };
    const failedRead = await rejection(patch.plan(context, params));
    expect(failedRead).to.not.be.instanceOf(FaultError);
    expect(String((failedRead as { code?: unknown }).code)).to.equal('403');
    server.refusal = { code: 422, message: 'spec: Invalid value' };
    const strategic = await rejection(patch.plan(context, { ...params, type: 'strategic' }));
    expect(strategic.message).to.equal('the API server refused the patch of ConfigMap settings (422): spec: Invalid value');
  });

  it('fails a revert whose read failed, rather than call the object gone', async () => {
    server.put(configMap('settings'));
    const params: Params = { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', type: 'merge', patch: mode('slow') };
    const active = await patch.inject(context, params, await patch.plan(context, params));
    server.readRefusal = { code: 403, message: 'configmaps "settings" is forbidden' };
    const failed = await rejection(active.revert());
    expect(String((failed as { code?: unknown }).code)).to.equal('403');
  });

  it('takes a 409 on the uid precondition as a released pod already replaced: done', async () => {
    server.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'ns', uid: 'uid-web-1', labels: {} } });
    const released = {
      op: 'revertPatch' as const, apiVersion: 'v1', kind: 'Pod', name: 'web-1', namespace: 'ns', uid: 'uid-web-1',
      fields: [{ path: '/metadata/labels/app', before: 'web' }], controllerUid: 'uid-rs',
    };
    api.refuse('delete', apiError(409, 'Precondition failed: UID in precondition: uid-web-1, UID in object meta: uid-web-2'));
    expect(await revertPatch(api.kube(), released)).to.equal('orphan deleted');
  });
});

import { expect } from 'chai';
import { baseScenario, lines, loadData, loadText, removeTemporaryFolders, show } from './support.js';

type Doc = ReturnType<typeof baseScenario>;

async function check(change: (doc: Doc) => void): Promise<{ errors: string[]; valid: boolean; shown: string; scenario: unknown }> {
  const doc = baseScenario();
  change(doc);
  const result = await loadData(doc);
  return { errors: lines(result.errors), valid: result.scenario !== undefined, shown: show(result.errors), scenario: result.scenario };
}

const patchFault = (params: Record<string, unknown>) => (doc: Doc): void => {
  doc.spec.faults = [{ patch: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', ...params } }];
};

describe('scenario rules: patch and desiredStateHolds', () => {
  after(removeTemporaryFolders);

  it('accepts a merge patch by name, normalized with type merge by default', async () => {
    const result = await check(patchFault({ patch: { spec: { replicas: 1 } } }));
    expect(result.errors, result.shown).to.deep.equal([]);
    const scenario = result.scenario as { spec: { faults: { params: unknown }[] } };
    expect(scenario.spec.faults[0]?.params).to.deep.equal({ apiVersion: 'apps/v1', kind: 'Deployment', type: 'merge', patch: { spec: { replicas: 1 } }, name: 'web' });
  });

  it('accepts a json patch by selector with count, and normalizes the selection', async () => {
    const result = await check((doc) => {
      doc.spec.faults = [{ patch: { apiVersion: 'v1', kind: 'Pod', selector: 'app=web', type: 'json', patch: [{ op: 'remove', path: '/metadata/labels/app' }] } }];
    });
    expect(result.errors, result.shown).to.deep.equal([]);
    const scenario = result.scenario as { spec: { faults: { params: { count?: number; selector?: string } }[] } };
    expect(scenario.spec.faults[0]?.params).to.include({ selector: 'app=web', count: 1 });
  });

  it('wants a list of operations for type json', async () => {
    const { errors } = await check(patchFault({ type: 'json', patch: { spec: { replicas: 1 } } }));
    expect(errors).to.deep.equal(['spec.faults[0].patch.patch: a json patch is a list of operations, e.g. [{op: replace, path: /spec/replicas, value: 1}] (hint: for an object of fields write type: merge)']);
  });

  it('wants an object for merge and strategic patches', async () => {
    const { errors } = await check(patchFault({ type: 'strategic', patch: [{ op: 'remove', path: '/spec/replicas' }] }));
    expect(errors).to.deep.equal(['spec.faults[0].patch.patch: a strategic patch is an object of the fields to set (null removes one), not a list (hint: for a list of operations write type: json)']);
  });

  it('checks each JSON Patch operation', async () => {
    const { errors } = await check(patchFault({
      type: 'json',
      patch: [
        { op: 'replace', path: '/spec/replicas' },
        { op: 'delete', path: '/spec' },
        { op: 'move', path: 'spec/x' },
        { op: 'remove', path: '/a~2b', value: 3 },
      ],
    }));
    expect(errors).to.deep.equal([
      'spec.faults[0].patch.patch[0]: replace needs a value',
      'spec.faults[0].patch.patch[1].op: op must be one of add, remove, replace, move, copy, test',
      'spec.faults[0].patch.patch[2]: move needs from',
      'spec.faults[0].patch.patch[2].path: `spec/x` is not a JSON Pointer: it must start with /, e.g. /spec/replicas',
      'spec.faults[0].patch.patch[3].path: `/a~2b` is not a JSON Pointer: write ~ as ~0 and / inside a key as ~1',
      'spec.faults[0].patch.patch[3].value: remove takes no value',
    ]);
  });

  it('accepts every JSON Patch operation written as RFC 6902 has it', async () => {
    const { errors, shown } = await check(patchFault({
      type: 'json',
      patch: [
        { op: 'add', path: '/metadata/labels/a', value: 'x' },
        { op: 'remove', path: '/metadata/labels/b' },
        { op: 'replace', path: '/spec/replicas', value: 1 },
        { op: 'move', from: '/metadata/labels/c', path: '/metadata/labels/d' },
        { op: 'copy', from: '/metadata/labels/e', path: '/metadata/labels/f' },
        { op: 'test', path: '/spec/paused', value: false },
      ],
    }));
    expect(errors, shown).to.deep.equal([]);
  });

  it('takes ~0 and ~1 in a JSON Pointer, and refuses a ~ that ends it', async () => {
    const accepted = await check(patchFault({
      type: 'json',
      patch: [{ op: 'remove', path: '/metadata/annotations/example.com~1a~0b' }, { op: 'move', from: '/metadata/labels/~0', path: '/metadata/labels/c' }],
    }));
    expect(accepted.errors, accepted.shown).to.deep.equal([]);
    const { errors } = await check(patchFault({ type: 'json', patch: [{ op: 'remove', path: '/metadata/labels/a~' }] }));
    expect(errors).to.deep.equal(['spec.faults[0].patch.patch[0].path: `/metadata/labels/a~` is not a JSON Pointer: write ~ as ~0 and / inside a key as ~1']);
  });

  it('tells the JSON Patch operations apart: what each needs and what it takes no part of', async () => {
    const { errors } = await check(patchFault({
      type: 'json',
      patch: [
        'replace /spec/replicas 1',
        { path: '/spec/replicas', value: 1 },
        { op: 'add', value: 1 },
        { op: 'copy', path: '/a' },
        { op: 'copy', from: 'a', path: '/b' },
        { op: 'test', path: '/spec/paused' },
        { op: 'move', from: '/a', path: '/b', value: 1 },
        { op: 'replace', from: '/a', path: '/b', value: 1 },
        { op: 'add', path: '/a', value: 1, extra: true },
      ],
    }));
    expect(errors).to.deep.equal([
      'spec.faults[0].patch.patch[0]: a JSON Patch operation is an object with op and path',
      'spec.faults[0].patch.patch[1]: op must be one of add, remove, replace, move, copy, test',
      'spec.faults[0].patch.patch[2]: an operation needs a path',
      'spec.faults[0].patch.patch[3]: copy needs from',
      'spec.faults[0].patch.patch[4].from: `a` is not a JSON Pointer: it must start with /, e.g. /spec/replicas',
      'spec.faults[0].patch.patch[5]: test needs a value',
      'spec.faults[0].patch.patch[6].value: move takes no value',
      'spec.faults[0].patch.patch[7].from: replace takes no from',
      'spec.faults[0].patch.patch[8].extra: add takes no extra',
    ]);
  });

  it('refuses an empty patch, an unknown type, and Secrets', async () => {
    expect((await check(patchFault({ patch: {} }))).errors).to.deep.equal(['spec.faults[0].patch.patch: the patch is empty: it would change nothing']);
    expect((await check(patchFault({ type: 'apply', patch: { a: 1 } }))).valid).to.equal(false);
    const secret = await check((doc) => { doc.spec.faults = [{ patch: { apiVersion: 'v1', kind: 'Secret', name: 'db', patch: { data: { a: 'eA==' } } } }]; });
    expect(secret.errors[0]).to.match(/^spec\.faults\[0\]\.patch\.kind: patch does not act on Secrets/);
  });

  it('points at the file, line and column of a bad operation', async () => {
    const result = await loadText(`apiVersion: rebound.dev/v1alpha1
kind: Scenario
metadata: { name: positions }
spec:
  namespace: web
  steadyState: [ { podsReady: { selector: app=web } } ]
  faults:
    - patch:
        apiVersion: apps/v1
        kind: Deployment
        name: web
        type: json
        patch:
          - { op: replace, path: spec/replicas, value: 1 }
  expect: { recoveryWithin: 10s }
`);
    expect(result.errors.map((issue) => `${issue.line}:${issue.column} ${issue.path}`)).to.deep.equal(['14:34 spec.faults[0].patch.patch[0].path']);
  });

  it('refuses an empty JSON Patch: it would change nothing', async () => {
    const { errors } = await check(patchFault({ type: 'json', patch: [] }));
    expect(errors).to.deep.equal(['spec.faults[0].patch.patch: the patch is empty: it would change nothing']);
  });

  it('refuses derivedSteadyState next to an explicit steadyState', async () => {
    const { errors } = await check((doc) => { doc.spec.derivedSteadyState = { desiredStateHolds: false }; });
    expect(errors[0]).to.match(/^spec\.derivedSteadyState: derivedSteadyState does nothing when steadyState is written/);
  });

  it('takes derivedSteadyState without steadyState, and desiredStateHolds only with a desired state', async () => {
    const derived = await check((doc) => {
      delete doc.spec.steadyState;
      doc.spec.desiredState = [{ inline: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } } }];
      doc.spec.derivedSteadyState = { desiredStateHolds: false };
    });
    expect(derived.errors, derived.shown).to.deep.equal([]);
    expect((derived.scenario as { spec: { derivedSteadyState: unknown } }).spec.derivedSteadyState).to.deep.equal({ desiredStateHolds: false });
    // `derivedSteadyState: {}` keeps desiredStateHolds, as when it is left out.
    const empty = await check((doc) => {
      delete doc.spec.steadyState;
      doc.spec.desiredState = [{ inline: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } } }];
      doc.spec.derivedSteadyState = {};
    });
    expect(empty.errors, empty.shown).to.deep.equal([]);
    expect((empty.scenario as { spec: { derivedSteadyState: unknown } }).spec.derivedSteadyState).to.deep.equal({ desiredStateHolds: true });
    // Written out in steadyState, desiredStateHolds is taken where there is a desired state to check.
    const written = await check((doc) => {
      doc.spec.desiredState = [{ inline: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } } }];
      doc.spec.steadyState = [{ desiredStateHolds: {} }];
    });
    expect(written.errors, written.shown).to.deep.equal([]);
    const lonely = await check((doc) => { doc.spec.steadyState = [{ desiredStateHolds: {} }]; });
    expect(lonely.errors).to.deep.equal(['spec.steadyState[0].desiredStateHolds: desiredStateHolds checks the fields rebound applied, and spec.desiredState is empty']);
  });
});

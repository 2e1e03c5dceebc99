/**
 * Drift from recorded objects (test/fixtures/drift, recorded from the embedded cluster): a Deployment as rebound's
 * server-side apply returned it, then after another manager changed a server default and an annotation, after a
 * patch of spec.replicas by rebound-patch, and after a write-back by gitops-agent; a Secret applied with stringData.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { deriveSteadyState, desiredStateHolds, buildCondition } from '../../../harness/observe/conditions.js';
import { desiredFieldsOf } from '../../../harness/observe/desired-fields.js';
import { DriftTracker, orphansOf } from '../../../harness/observe/drift.js';
import {
  appliedPaths, ManagedFieldsError, ownerOf, parseFieldsV1, pathText, valueAt,
} from '../../../harness/observe/managed-fields.js';
import { World } from '../../../harness/observe/world.js';
import { REPO_ROOT } from './support.js';

const recorded = (name: string): KubernetesObject =>
  JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'drift', `${name}.json`), 'utf8')) as KubernetesObject;

const applied = recorded('deployment-applied');
const others = recorded('deployment-others');
const drifted = recorded('deployment-drifted');
const restored = recorded('deployment-restored');
const secret = recorded('secret-applied');

function worldWith(...objects: KubernetesObject[]): World {
  const world = new World();
  objects.forEach((object, i) => world.apply({ at: i, type: 'MODIFIED', object }));
  return world;
}

describe('observe: managed fields (FieldsV1)', () => {
  it('reads f:, k:, v: and . into leaf paths', () => {
    const paths = parseFieldsV1({
      'f:metadata': { 'f:finalizers': { '.': {}, 'v:"a/b"': {} }, 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } },
        'f:list': { 'k:{"name":"only"}': { '.': {} } },
        'f:items': { 'i:2': {} },
      },
    }).map(pathText);
    expect(paths).to.deep.equal([
      'metadata.finalizers[="a/b"]',
      'metadata.labels.app',
      'spec.replicas',
      'spec.ports[port=80,protocol=TCP].port',
      'spec.list[name=only]',
      'spec.items[2]',
    ]);
  });

  it('refuses a key it cannot read', () => {
    expect(() => parseFieldsV1({ 'x:odd': {} })).to.throw(ManagedFieldsError, /x:odd/);
    expect(() => parseFieldsV1({ 'k:{not json': {} })).to.throw(ManagedFieldsError);
  });

  it('finds values through associative-list keys and set values, and says when a step is missing', () => {
    const object = { spec: { ports: [{ port: 80, protocol: 'TCP', name: 'http' }], finalizers: ['x'] } };
    expect(valueAt(object, [{ field: 'spec' }, { field: 'ports' }, { key: { port: 80, protocol: 'TCP' } }, { field: 'name' }])).to.deep.equal({ found: true, value: 'http' });
    expect(valueAt(object, [{ field: 'spec' }, { field: 'finalizers' }, { value: 'x' }])).to.deep.equal({ found: true, value: 'x' });
    expect(valueAt(object, [{ field: 'spec' }, { field: 'ports' }, { key: { port: 81 } }]).found).to.equal(false);
    expect(valueAt(object, [{ field: 'spec' }, { field: 'nope' }]).found).to.equal(false);
  });

  it('takes only the Apply entry of manager rebound', () => {
    const paths = appliedPaths(drifted, 'rebound').map(pathText);
    expect(paths).to.include('spec.template.spec.containers[name=web].image');
    expect(paths).to.include('metadata.finalizers[="example.com/keep"]');
    // The patch took spec.replicas away from rebound: read again now, it would be missing (so it is read once, at apply).
    expect(paths).to.not.include('spec.replicas');
    expect(appliedPaths(applied, 'rebound').map(pathText)).to.include('spec.replicas');
  });

  it('names the manager owning a field in a version', () => {
    const path = [{ field: 'spec' }, { field: 'replicas' }];
    expect(ownerOf(applied, path)).to.include({ manager: 'rebound', operation: 'Apply' });
    expect(ownerOf(drifted, path)).to.include({ manager: 'rebound-patch', operation: 'Update' });
    expect(ownerOf(restored, path)).to.include({ manager: 'gitops-agent', operation: 'Update' });
  });
});

describe('observe: desiredStateHolds', () => {
  const desired = desiredFieldsOf([applied], 'rebound');

  it('records the applied values in the server\'s canonical form', () => {
    const fields = desired[0]?.fields ?? [];
    const cpu = fields.find((f) => f.text === 'spec.template.spec.containers[name=web].resources.requests.cpu');
    expect(cpu?.value).to.equal('500m');
    expect(fields.map((f) => f.text)).to.not.include('spec.revisionHistoryLimit');
  });

  it('holds for the object as applied', () => {
    expect(desiredStateHolds(desired).evaluate(worldWith(applied))).to.deep.include({ holds: true });
  });

  it('ignores fields rebound did not apply: a server default and another manager\'s annotation changed', () => {
    expect((others as { spec?: { revisionHistoryLimit?: number } }).spec?.revisionHistoryLimit).to.equal(4);
    expect(desiredStateHolds(desired).evaluate(worldWith(others)).holds).to.equal(true);
  });

  it('breaks on a field rebound applied, naming it, and holds again once it is back', () => {
    const evaluation = desiredStateHolds(desired).evaluate(worldWith(drifted));
    expect(evaluation).to.deep.equal({ holds: false, detail: 'desiredStateHolds: spec.replicas of Deployment/web is 1, applied 3' });
    expect(desiredStateHolds(desired).evaluate(worldWith(drifted, restored)).holds).to.equal(true);
  });

  it('does not hold when the object is gone, or when its narrowing matches nothing', () => {
    expect(desiredStateHolds(desired).evaluate(new World()).detail).to.equal('desiredStateHolds: Deployment/web not found');
    expect(desiredStateHolds(desired, { kind: 'ConfigMap' }).evaluate(worldWith(applied)).detail).to.contain('no object of the desired state matches');
    expect(desiredStateHolds(desired, { kind: 'Deployment', name: 'web' }).evaluate(worldWith(applied)).holds).to.equal(true);
  });

  it('checks a Secret\'s stringData as the data it is stored as, and never shows its values', () => {
    const secrets = desiredFieldsOf([secret], 'rebound');
    expect(secrets[0]?.fields.map((f) => f.text)).to.deep.equal(['data.user', 'data.password']);
    const changed = { ...secret, data: { ...(secret as { data: Record<string, string> }).data, password: Buffer.from('other-value').toString('base64') } } as KubernetesObject;
    const evaluation = desiredStateHolds(secrets).evaluate(worldWith(changed));
    expect(evaluation.holds).to.equal(false);
    expect(evaluation.detail).to.equal('desiredStateHolds: data.password of Secret/db differs from what rebound applied');
    expect(evaluation.detail).to.not.contain(Buffer.from('other-value').toString('base64'));
    expect(JSON.stringify(evaluation)).to.not.contain((secret as { data: Record<string, string> }).data['password']);
  });

  it('is part of the derived steady state unless turned off, and an explicit check by name', () => {
    expect(deriveSteadyState([applied], 'drift-record', desired).describe()).to.contain('desiredStateHolds');
    expect(deriveSteadyState([applied], 'drift-record', []).describe()).to.not.contain('desiredStateHolds');
    const explicit = buildCondition([{ kind: 'desiredStateHolds', index: 0, params: { name: 'web' } }], 'drift-record', [], desired);
    expect(explicit.evaluate(worldWith(drifted)).holds).to.equal(false);
  });
});

describe('observe: drift tracker', () => {
  it('records when a field drifted, who wrote it, and who wrote it back', () => {
    const world = new World();
    world.apply({ at: 0, type: 'ADDED', object: applied });
    const tracker = new DriftTracker();
    tracker.setDesired(desiredFieldsOf([applied], 'rebound'), world);
    for (const [at, object] of [[10, others], [20, drifted], [35, restored]] as const) {
      for (const change of world.apply({ at, type: 'MODIFIED', object })) tracker.apply(change);
    }
    const [record, ...rest] = tracker.drift();
    expect(rest).to.have.length(0);
    expect(record).to.deep.include({ field: 'spec.replicas', driftedAt: 20, restoredAt: 35 });
    expect(record?.driftedBy).to.include({ manager: 'rebound-patch', operation: 'Update' });
    expect(record?.restoredBy).to.include({ manager: 'gitops-agent', operation: 'Update' });
    tracker.reset(world);
    expect(tracker.drift()).to.have.length(0);
  });

  it('leaves a field open when nobody writes it back', () => {
    const world = new World();
    world.apply({ at: 0, type: 'ADDED', object: applied });
    const tracker = new DriftTracker();
    tracker.setDesired(desiredFieldsOf([applied], 'rebound'), world);
    for (const change of world.apply({ at: 5, type: 'MODIFIED', object: drifted })) tracker.apply(change);
    expect(tracker.drift()[0]).to.deep.include({ field: 'spec.replicas', driftedAt: 5 });
    expect(tracker.drift()[0]?.restoredAt).to.equal(undefined);
  });

  it('reports a patched pod its controller released as an orphan, not one still owned', () => {
    const pod = (owned: boolean): KubernetesObject => ({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'web', uid: 'u1', ...(owned ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-x', uid: 'rs', controller: true }] } : {}) },
    });
    const target = { kind: 'Pod', uid: 'u1', owner: 'ReplicaSet/web-x' };
    expect(orphansOf(worldWith(pod(true)), [target])).to.deep.equal([]);
    expect(orphansOf(worldWith(pod(false)), [target])).to.deep.equal([{ name: 'web-1', namespace: 'web', uid: 'u1', formerOwner: 'ReplicaSet/web-x' }]);
  });
});

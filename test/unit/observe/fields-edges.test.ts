import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { desiredFieldsOf } from '../../../harness/observe/desired-fields.js';
import { DriftTracker, orphansOf } from '../../../harness/observe/drift.js';
import {
  appliedPaths, isPrefix, ManagedFieldsError, ownerOf, parseFieldsV1, pathText, sameValue, valueAt,
} from '../../../harness/observe/managed-fields.js';
import {
  conditionsOf, controllerOf, groupOf, intendedNodeOf, isIdentified, isNode, isPod, isTerminating, nodeStatusReady, podScheduled, podStatusReady,
  specReplicas, statusNumber,
} from '../../../harness/observe/objects.js';
import { World } from '../../../harness/observe/world.js';
import { objectOf, podObject, worldOf } from './support.js';

/** An object with one managedFields entry per `entries` item. */
const managed = (object: KubernetesObject, entries: Record<string, unknown>[]): KubernetesObject =>
  ({ ...object, metadata: { ...object.metadata, managedFields: entries } });
const applyEntry = (fieldsV1: unknown, extra: Record<string, unknown> = {}) => ({ manager: 'rebound', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1, ...extra });

describe('observe: managed fields, edges', () => {
  it('refuses keys it cannot read, naming them', () => {
    for (const key of ['k:[1]', 'k:null', 'k:"a"', 'k:{', 'i:x', 'i:1a', 'i:a1', 'x:y', 'x:12', 'v:{']) {
      expect(() => parseFieldsV1({ [key]: {} }), key).to.throw(ManagedFieldsError, `managedFields: cannot read the FieldsV1 key ${JSON.stringify(key)}`);
    }
    expect(parseFieldsV1({ 'i:12': {} })).to.deep.equal([[{ index: 12 }]]);
    expect(parseFieldsV1({ 'k:{"a":1}': {} })).to.deep.equal([[{ key: { a: 1 } }]]);
  });

  it('reads a leaf with a non-object child, and nothing from a non-object set', () => {
    expect(parseFieldsV1({ 'f:a': null, 'f:b': 1, 'f:c': { '.': {} } })).to.deep.equal([[{ field: 'a' }], [{ field: 'b' }], [{ field: 'c' }]]);
    expect(parseFieldsV1(null)).to.deep.equal([]);
    expect(parseFieldsV1('f:a')).to.deep.equal([]);
  });

  it('writes paths as people read them', () => {
    expect(pathText([{ field: 'spec' }, { field: 'template-x_1' }])).to.equal('spec.template-x_1');
    expect(pathText([{ field: 'metadata' }, { field: 'labels' }, { field: 'app.kubernetes.io/name' }])).to.equal('metadata.labels["app.kubernetes.io/name"]');
    expect(pathText([{ field: '1st' }, { field: 'a b' }])).to.equal('["1st"]["a b"]');
    expect(pathText([{ field: 'ports' }, { key: { port: 80, protocol: 'TCP' } }, { index: 2 }, { value: 'a' }])).to.equal('ports[port=80,protocol=TCP][2][="a"]');
    expect(pathText([{ key: { a: { b: 1 }, c: 'd' } }])).to.equal('[a={"b":1},c=d]');
  });

  it('finds values along a path, and not through scalars, nulls, arrays taken as maps or maps taken as lists', () => {
    const object = { spec: { list: [{ name: 'a', v: 1 }, 'x', null], map: { k: null }, n: null } };
    expect(valueAt(object, [{ field: 'spec' }, { field: 'list' }, { key: { name: 'a' } }, { field: 'v' }])).to.deep.equal({ found: true, value: 1 });
    expect(valueAt(object, [{ field: 'spec' }, { field: 'list' }, { index: 1 }])).to.deep.equal({ found: true, value: 'x' });
    expect(valueAt(object, [{ field: 'spec' }, { field: 'list' }, { value: 'x' }])).to.deep.equal({ found: true, value: 'x' });
    expect(valueAt(object, [{ field: 'spec' }, { field: 'map' }, { field: 'k' }])).to.deep.equal({ found: true, value: null });
    expect(valueAt(object, [{ field: 'spec' }, { field: 'n' }, { field: 'k' }])).to.deep.equal({ found: false });
    expect(valueAt(object, [{ field: 'spec' }, { field: 'list' }, { field: 'length' }])).to.deep.equal({ found: false });
    expect(valueAt(object, [{ field: 'spec' }, { field: 'map' }, { index: 0 }])).to.deep.equal({ found: false });
    expect(valueAt('text', [{ field: 'length' }])).to.deep.equal({ found: false });
    expect(valueAt({ s: 'abc' }, [{ field: 's' }, { index: 0 }])).to.deep.equal({ found: false });
    expect(valueAt(object, [{ field: 'spec' }, { field: 'list' }, { key: { name: 'b' } }])).to.deep.equal({ found: false });
    expect(valueAt(object, [{ field: 'spec' }, { field: 'list' }, { key: { name: 'a', v: 2 } }])).to.deep.equal({ found: false });
    expect(valueAt(object, [{ field: 'spec' }, { field: 'list' }, { index: 3 }])).to.deep.equal({ found: false });
  });

  it('compares values as JSON, undefined only with undefined', () => {
    expect(sameValue(undefined, undefined)).to.equal(true);
    expect(sameValue(undefined, null)).to.equal(false);
    expect(sameValue(new Date('2026-01-01T00:00:00Z'), '2026-01-01T00:00:00.000Z')).to.equal(true);
    expect(sameValue({ a: 1, b: undefined }, { a: 1 })).to.equal(true);
  });

  it('takes a prefix only when it is no longer than the path', () => {
    expect(isPrefix([{ field: 'a' }], [{ field: 'a' }, { field: 'b' }])).to.equal(true);
    expect(isPrefix([{ field: 'a' }, { field: 'b' }], [{ field: 'a' }])).to.equal(false);
    expect(isPrefix([], [{ field: 'a' }])).to.equal(true);
  });

  it('takes only the Apply entries of the manager on the object itself, in FieldsV1', () => {
    const object = managed(objectOf('v1', 'ConfigMap', 'c', {}), [
      applyEntry({ 'f:a': {} }),
      applyEntry({ 'f:b': {} }, { manager: 'other' }),
      applyEntry({ 'f:c': {} }, { operation: 'Update' }),
      applyEntry({ 'f:d': {} }, { subresource: 'status' }),
      applyEntry({ 'f:e': {} }, { fieldsType: 'FieldsV2' }),
      applyEntry({ 'f:f': {} }, { subresource: '' }),
    ]);
    expect(appliedPaths(object, 'rebound')).to.deep.equal([[{ field: 'a' }], [{ field: 'f' }]]);
    expect(appliedPaths(objectOf('v1', 'ConfigMap', 'c', {}), 'rebound')).to.deep.equal([]);
    expect(appliedPaths({ ...objectOf('v1', 'ConfigMap', 'c', {}), metadata: { managedFields: 'x' } } as unknown as KubernetesObject, 'rebound')).to.deep.equal([]);
  });

  it('names the owner with the latest write, skipping unreadable and non-FieldsV1 entries', () => {
    const path = [{ field: 'spec' }, { field: 'x' }];
    const object = managed(objectOf('v1', 'ConfigMap', 'c', {}), [
      { manager: 'bad', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'z:?': {} }, time: '2026-01-01T00:00:09Z' },
      { manager: 'v2', operation: 'Apply', fieldsType: 'FieldsV2', fieldsV1: { 'f:spec': {} }, time: '2026-01-01T00:00:09Z' },
      { manager: 'early', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:x': {} } }, time: '2026-01-01T00:00:01Z' },
      { manager: 'late', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} }, time: '2026-01-01T00:00:05Z', subresource: 'scale' },
      { manager: 'tie', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:x': {} } }, time: '2026-01-01T00:00:05Z' },
      { manager: 'other', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:y': {} } }, time: '2026-01-01T00:00:07Z' },
    ]);
    expect(ownerOf(object, path)).to.deep.equal({ manager: 'late', operation: 'Update', time: '2026-01-01T00:00:05.000Z', subresource: 'scale' });
    const untimed = managed(objectOf('v1', 'ConfigMap', 'c', {}), [
      { fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } },
      { manager: 'second', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } },
    ]);
    expect(ownerOf(untimed, path)).to.deep.equal({ manager: '', operation: '', time: null });
    const timedLater = managed(objectOf('v1', 'ConfigMap', 'c', {}), [
      { manager: 'untimed', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } },
      { manager: 'timed', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} }, time: new Date('2026-01-01T00:00:00Z'), subresource: '' },
    ]);
    expect(ownerOf(timedLater, path)).to.deep.equal({ manager: 'timed', operation: 'Apply', time: '2026-01-01T00:00:00.000Z' });
    expect(ownerOf(objectOf('v1', 'ConfigMap', 'c', {}), path)).to.equal(undefined);
  });
});

describe('observe: desired fields, edges', () => {
  it('checks a Secret\'s stringData as data, and only a core Secret\'s', () => {
    const applied = (apiVersion: string, kind: string, fields: Record<string, unknown>, body: Record<string, unknown>) =>
      managed({ apiVersion, kind, metadata: { name: 's', namespace: 'web' }, ...body }, [applyEntry(fields)]);
    const secret = applied('v1', 'Secret', { 'f:stringData': { 'f:token': {} } }, { data: { token: 'dG9r' } });
    expect(desiredFieldsOf([secret], 'rebound')).to.deep.equal([{
      apiVersion: 'v1', kind: 'Secret', name: 's', namespace: 'web', secret: true,
      fields: [{ path: [{ field: 'data' }, { field: 'token' }], text: 'data.token', value: 'dG9r' }],
    }]);
    const sealed = applied('example.com/v1', 'Secret', { 'f:stringData': { 'f:token': {} } }, { stringData: { token: 'tok' } });
    expect(desiredFieldsOf([sealed], 'rebound')[0]).to.deep.include({ secret: false, fields: [{ path: [{ field: 'stringData' }, { field: 'token' }], text: 'stringData.token', value: 'tok' }] });
    const configMap = applied('v1', 'ConfigMap', { 'f:stringData': { 'f:token': {} }, 'f:data': { 'f:x': {} } }, { stringData: { token: 'tok' }, data: { x: '1' } });
    expect(desiredFieldsOf([configMap], 'rebound')[0]?.fields.map((f) => f.text)).to.deep.equal(['stringData.token', 'data.x']);
    const secretData = applied('v1', 'Secret', { 'f:data': { 'f:x': {} }, 'f:type': {} }, { data: { x: 'eA==' }, type: 'Opaque' });
    expect(desiredFieldsOf([secretData], 'rebound')[0]?.fields.map((f) => f.text)).to.deep.equal(['data.x', 'type']);
  });

  it('leaves out objects without apiVersion, kind or name, and the namespace of cluster-scoped ones', () => {
    const fields = [applyEntry({ 'f:spec': { 'f:x': {} } })];
    const objects = [
      managed({ kind: 'ConfigMap', metadata: { name: 'a' }, spec: { x: 1 } } as KubernetesObject, fields),
      managed({ apiVersion: 'v1', metadata: { name: 'a' }, spec: { x: 1 } } as KubernetesObject, fields),
      managed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, spec: { x: 1 } } as KubernetesObject, fields),
      { apiVersion: 'v1', kind: 'ConfigMap', spec: { x: 1 } } as KubernetesObject,
      managed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' }, spec: { x: 1 } } as KubernetesObject, fields),
    ];
    expect(desiredFieldsOf(objects, 'rebound')).to.deep.equal([{ apiVersion: 'v1', kind: 'Namespace', name: 'web', secret: false, fields: [
      { path: [{ field: 'spec' }, { field: 'x' }], text: 'spec.x', value: 1 },
    ] }]);
  });
});

describe('observe: drift tracker, edges', () => {
  const desired = [{
    apiVersion: 'v1', kind: 'ConfigMap', name: 'c', namespace: 'web', secret: false,
    fields: [{ path: [{ field: 'spec' }, { field: 'x' }], text: 'spec.x', value: 1 }, { path: [{ field: 'spec' }, { field: 'y' }], text: 'spec.y', value: 2 }],
  }];
  const owned = (spec: Record<string, unknown>, manager?: string) => {
    const base = objectOf('v1', 'ConfigMap', 'c', { spec });
    return manager === undefined ? base : managed(base, [{ manager, operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }]);
  };

  it('does not record drift that was there before the trial, but records its return to nothing', () => {
    const world = worldOf(owned({ x: 5, y: 2 }));
    const tracker = new DriftTracker();
    expect(tracker.drift()).to.deep.equal([]);
    tracker.setDesired(desired, world);
    tracker.apply({ at: 5, type: 'MODIFIED', object: owned({ x: 6, y: 2 }, 'other') });
    expect(tracker.drift()).to.deep.equal([]);
    tracker.apply({ at: 10, type: 'MODIFIED', object: owned({ x: 1, y: 2 }, 'fixer') });
    expect(tracker.drift()).to.deep.equal([]);
    tracker.apply({ at: 20, type: 'MODIFIED', object: owned({ x: 3, y: 2 }, 'breaker') });
    expect(tracker.drift()).to.deep.equal([{
      object: { apiVersion: 'v1', kind: 'ConfigMap', name: 'c', namespace: 'web' }, field: 'spec.x', driftedAt: 20,
      driftedBy: { manager: 'breaker', operation: 'Update', time: null },
    }]);
  });

  it('takes an object missing at the start as off, and a deletion as drift of every field by nobody, and the object back as their return', () => {
    const tracker = new DriftTracker();
    tracker.setDesired(desired, new World());
    tracker.apply({ at: 5, type: 'ADDED', object: owned({ x: 1, y: 2 }) });
    expect(tracker.drift()).to.deep.equal([]);
    tracker.apply({ at: 10, type: 'DELETED', object: owned({ x: 1, y: 2 }, 'someone') });
    expect(tracker.drift().map((r) => [r.field, r.driftedAt, r.driftedBy])).to.deep.equal([['spec.x', 10, undefined], ['spec.y', 10, undefined]]);
    tracker.apply({ at: 20, type: 'ADDED', object: owned({ x: 1, y: 2 }) });
    const object = { apiVersion: 'v1', kind: 'ConfigMap', name: 'c', namespace: 'web' };
    expect(tracker.drift()).to.deep.equal([
      { object, field: 'spec.x', driftedAt: 10, restoredAt: 20 }, { object, field: 'spec.y', driftedAt: 10, restoredAt: 20 },
    ]);
  });

  it('ignores changes of other objects and of unidentified ones, and starts afresh on reset', () => {
    const world = worldOf(owned({ x: 1, y: 2 }));
    const tracker = new DriftTracker();
    tracker.setDesired([{ ...desired[0], namespace: undefined }, ...desired], world);
    tracker.apply({ at: 5, type: 'MODIFIED', object: objectOf('v1', 'ConfigMap', 'd', { spec: { x: 9 } }) });
    tracker.apply({ at: 6, type: 'MODIFIED', object: { kind: 'ConfigMap', spec: { x: 9 } } as KubernetesObject });
    expect(tracker.drift()).to.deep.equal([]);
    tracker.apply({ at: 7, type: 'MODIFIED', object: owned({ x: 9, y: 2 }) });
    expect(tracker.drift()).to.have.length(1);
    tracker.apply({ at: 8, type: 'MODIFIED', object: owned({ x: 8, y: 2 }) });
    expect(tracker.drift()).to.deep.equal([{ object: { apiVersion: 'v1', kind: 'ConfigMap', name: 'c', namespace: 'web' }, field: 'spec.x', driftedAt: 7 }]);
    world.apply({ at: 8, type: 'MODIFIED', object: { ...owned({ x: 8, y: 2 }), metadata: { ...owned({}).metadata, resourceVersion: '8' } } });
    tracker.reset(world);
    expect(tracker.drift()).to.deep.equal([]);
    tracker.apply({ at: 9, type: 'MODIFIED', object: owned({ x: 1, y: 2 }, 'late') });
    expect(tracker.drift()).to.deep.equal([]);
  });

  it('names a cluster-scoped object without a namespace', () => {
    const tracker = new DriftTracker();
    tracker.setDesired([{ ...desired[0], kind: 'Namespace', namespace: undefined }], worldOf());
    tracker.apply({ at: 1, type: 'ADDED', object: objectOf('v1', 'Namespace', 'c', { namespace: null, spec: { x: 1, y: 2 } }) });
    tracker.apply({ at: 2, type: 'MODIFIED', object: objectOf('v1', 'Namespace', 'c', { namespace: null, spec: { x: 2, y: 2 } }) });
    expect(tracker.drift()[0]?.object).to.deep.equal({ apiVersion: 'v1', kind: 'Namespace', name: 'c' });
  });

  it('finds orphans only among patched pods with a former owner, that exist and have no controller now', () => {
    const released = podObject({ name: 'free', node: 'n1' });
    const owned2 = podObject({ name: 'kept', node: 'n1', owner: { kind: 'ReplicaSet', name: 'rs', uid: 'rs-1' } });
    const withOwner = { ...podObject({ name: 'loose', node: 'n1' }), metadata: { name: 'loose', namespace: 'web', uid: 'uid-loose', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'x', controller: false }] } } as KubernetesObject;
    const world = worldOf(released, owned2, withOwner, objectOf('v1', 'ConfigMap', 'cm', { uid: 'uid-cm' }));
    expect(orphansOf(world, [
      { kind: 'Pod', uid: 'uid-free', owner: 'ReplicaSet/rs' },
      { kind: 'Pod', uid: 'uid-kept', owner: 'ReplicaSet/rs' },
      { kind: 'Pod', uid: 'uid-loose', owner: 'ReplicaSet/rs' },
      { kind: 'Pod', uid: 'uid-free' },
      { kind: 'Pod', owner: 'ReplicaSet/rs' },
      { kind: 'ConfigMap', uid: 'uid-free', owner: 'ReplicaSet/rs' },
      { kind: 'Pod', uid: 'uid-cm', owner: 'ReplicaSet/rs' },
      { kind: 'Pod', uid: 'uid-gone', owner: 'ReplicaSet/rs' },
    ])).to.deep.equal([
      { name: 'free', namespace: 'web', uid: 'uid-free', formerOwner: 'ReplicaSet/rs' },
      { name: 'loose', namespace: 'web', uid: 'uid-loose', formerOwner: 'ReplicaSet/rs' },
    ]);
  });
});

describe('observe: object readers, edges', () => {
  it('reads groups, identities and kinds by group', () => {
    expect(groupOf('v1')).to.equal('');
    expect(groupOf('/v1')).to.equal('');
    expect(groupOf('apps/v1')).to.equal('apps');
    for (const object of [{ kind: 'Pod', metadata: { name: 'a' } }, { apiVersion: 'v1', metadata: { name: 'a' } }, { apiVersion: 'v1', kind: 'Pod' }, { apiVersion: 'v1', kind: 'Pod', metadata: {} }]) {
      expect(isIdentified(object), JSON.stringify(object)).to.equal(false);
    }
    expect(isPod({ apiVersion: 'example.com/v1', kind: 'Pod' })).to.equal(false);
    expect(isPod({ kind: 'Pod' })).to.equal(false);
    expect(isNode({ apiVersion: 'v1', kind: 'Node' })).to.equal(true);
  });

  it('reads conditions with a type and a status only, numbers only, and the controller reference only', () => {
    const object = { apiVersion: 'v1', kind: 'X', status: { conditions: [{ type: 'Ready' }, { status: 'True' }, null, { type: 'A', status: 'True' }], n: '3', m: 2 } };
    expect(conditionsOf(object)).to.deep.equal([{ type: 'A', status: 'True' }]);
    expect(conditionsOf({ status: { conditions: 'Ready' } } as KubernetesObject)).to.deep.equal([]);
    expect(conditionsOf({ status: null } as unknown as KubernetesObject)).to.deep.equal([]);
    expect(statusNumber(object, 'n')).to.equal(undefined);
    expect(statusNumber(object, 'm')).to.equal(2);
    expect(specReplicas({ spec: { replicas: '2' } } as KubernetesObject)).to.equal(undefined);
    expect(controllerOf({ metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'A', name: 'a', uid: 'a' }, { apiVersion: 'v1', kind: 'B', name: 'b', uid: 'b', controller: true }] } })?.kind)
      .to.equal('B');
    expect(controllerOf({ metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'A', name: 'a', uid: 'a', controller: false }] } })).to.equal(undefined);
    expect(controllerOf({})).to.equal(undefined);
  });

  it('takes a null deletionTimestamp as not terminating', () => {
    expect(isTerminating({ metadata: { deletionTimestamp: null } } as unknown as KubernetesObject)).to.equal(false);
    expect(isTerminating({})).to.equal(false);
  });

  it('wants a pod Running and Ready, scheduled by node or condition', () => {
    expect(podStatusReady({ status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'True' }] } })).to.equal(false);
    expect(podStatusReady({ status: { phase: 'Running' } })).to.equal(false);
    expect(podStatusReady({})).to.equal(false);
    expect(podScheduled({ spec: { containers: [], nodeName: '' } })).to.equal(false);
    expect(podScheduled({ spec: { containers: [], nodeName: 'n1' } })).to.equal(true);
    expect(podScheduled({ status: { conditions: [{ type: 'PodScheduled', status: 'True' }] } })).to.equal(true);
    expect(podScheduled({ status: { conditions: [{ type: 'PodScheduled', status: 'False' }, { type: 'Ready', status: 'True' }] } })).to.equal(false);
    expect(nodeStatusReady({})).to.equal(false);
  });

  it('reads the node a DaemonSet pod is meant for from a metadata.name In term only', () => {
    const affinity = (fields: Record<string, unknown>[]) => ({
      spec: { containers: [], nodeName: '', affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}, { matchFields: fields }] } } } },
    });
    expect(intendedNodeOf(affinity([{ key: 'metadata.name', operator: 'In', values: ['n1'] }]) as never)).to.equal('n1');
    expect(intendedNodeOf(affinity([{ key: 'metadata.uid', operator: 'In', values: ['n1'] }]) as never)).to.equal(undefined);
    expect(intendedNodeOf(affinity([{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }]) as never)).to.equal(undefined);
    expect(intendedNodeOf(affinity([{ key: 'metadata.name', operator: 'In', values: [] }, { key: 'metadata.name', operator: 'In' }]) as never)).to.equal(undefined);
    expect(intendedNodeOf({ spec: { containers: [], affinity: {} } })).to.equal(undefined);
    expect(intendedNodeOf({ spec: { containers: [], affinity: { nodeAffinity: {} } } })).to.equal(undefined);
    expect(intendedNodeOf({})).to.equal(undefined);
  });
});

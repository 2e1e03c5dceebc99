import { expect } from 'chai';
import { changedFields, pointerValue } from '../../../harness/faults/patch.js';

describe('faults: patch', () => {
  it('reads JSON Pointers, escapes and list indexes included', () => {
    const document = { metadata: { labels: { 'app.kubernetes.io/name': 'web', 'a~b': 'x' } }, list: [1, { v: 2 }] };
    expect(pointerValue(document, '/metadata/labels/app.kubernetes.io~1name')).to.deep.equal({ found: true, value: 'web' });
    expect(pointerValue(document, '/metadata/labels/a~0b')).to.deep.equal({ found: true, value: 'x' });
    expect(pointerValue(document, '/list/1/v')).to.deep.equal({ found: true, value: 2 });
    expect(pointerValue(document, '/list/2').found).to.equal(false);
    expect(pointerValue(document, '/list/-').found).to.equal(false);
    expect(pointerValue(document, '')).to.deep.equal({ found: true, value: document });
  });

  it('finds only what a JSON Pointer names: whole list indexes from 0, own fields, nothing inside a string or null', () => {
    const document = { name: 'web', gone: null, list: ['first', 'second'], long: Array.from({ length: 12 }, (_, i) => i * 10) };
    expect(pointerValue(document, '/list/0')).to.deep.equal({ found: true, value: 'first' });
    expect(pointerValue(document, '/long/11')).to.deep.equal({ found: true, value: 110 });
    for (const missing of ['/list/length', '/list/1a', '/list/a1', '/list/-1', '/name/0', '/name/length', '/gone/x', '/toString', '/list/0/x']) {
      expect(pointerValue(document, missing), missing).to.deep.equal({ found: false });
    }
  });

  it('lists the fields a write changed, with their values before and after, bookkeeping left out', () => {
    const before = {
      metadata: { name: 'web', resourceVersion: '10', generation: 1, managedFields: [], labels: { app: 'web', tier: 'front' } },
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'app:v1' }] } } },
      status: { replicas: 3 },
    };
    const after = {
      metadata: { name: 'web', resourceVersion: '11', generation: 2, managedFields: [{ manager: 'rebound-patch' }], labels: { tier: 'front' }, annotations: { note: 'x' } },
      spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'app:v2' }] } } },
      status: { replicas: 1 },
    };
    const fields = changedFields(before, after);
    expect(fields).to.have.deep.members([
      { path: '/metadata/labels/app', before: 'web' },
      { path: '/metadata/annotations', after: { note: 'x' } },
      { path: '/spec/replicas', before: 3, after: 1 },
      { path: '/spec/template/spec/containers/0/image', before: 'app:v1', after: 'app:v2' },
    ]);
    expect(changedFields(before, before)).to.deep.equal([]);
  });
});

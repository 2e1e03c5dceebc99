import { expect } from 'chai';
import { addTaint, removeTaint } from '../../../harness/faults/node-spec.js';
import { FakeApi, node } from './fake-context.js';

/** A node whose taints include the control plane's own and ones of the same key or the same effect as rebound's. */
function tainted(): FakeApi {
  const api = new FakeApi();
  api.nodes.push(node('node-1'));
  api.nodes[0].spec = {
    taints: [
      { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
      { key: 'rebound.dev/chaos', effect: 'NoExecute', value: 'other-effect' },
      { key: 'team', effect: 'NoSchedule', value: 'other-key' },
    ],
  };
  return api;
}

describe('node taints (a taint is its key and effect together)', () => {
  it('adds a taint beside those of another key or another effect, and replaces only the one of both', async () => {
    const api = tainted();
    const kube = api.kube();
    await addTaint(kube, 'node-1', { key: 'rebound.dev/chaos', effect: 'NoSchedule', value: 'a' });
    await addTaint(kube, 'node-1', { key: 'rebound.dev/chaos', effect: 'NoSchedule', value: 'b' });
    expect(api.nodes[0].spec?.taints).to.deep.equal([
      { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
      { key: 'rebound.dev/chaos', effect: 'NoExecute', value: 'other-effect' },
      { key: 'team', effect: 'NoSchedule', value: 'other-key' },
      { key: 'rebound.dev/chaos', effect: 'NoSchedule', value: 'b' },
    ]);
  });

  it('removes only the taint of that key and that effect', async () => {
    const api = tainted();
    await removeTaint(api.kube(), 'node-1', 'rebound.dev/chaos', 'NoSchedule');
    expect(api.nodes[0].spec?.taints, 'nothing of that key and effect: all stay').to.have.length(3);
    await removeTaint(api.kube(), 'node-1', 'rebound.dev/chaos', 'NoExecute');
    expect(api.nodes[0].spec?.taints).to.deep.equal([
      { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
      { key: 'team', effect: 'NoSchedule', value: 'other-key' },
    ]);
  });

  it('taints a node that had none, and removing from one without taints leaves it none', async () => {
    const api = new FakeApi();
    api.nodes.push(node('node-1'));
    await addTaint(api.kube(), 'node-1', { key: 'rebound.dev/chaos', effect: 'NoSchedule' });
    expect(api.nodes[0].spec?.taints).to.deep.equal([{ key: 'rebound.dev/chaos', effect: 'NoSchedule' }]);
    const bare = new FakeApi();
    bare.nodes.push(node('node-2'));
    await removeTaint(bare.kube(), 'node-2', 'rebound.dev/chaos', 'NoSchedule');
    expect(bare.callsOf('patchNode')).to.deep.equal([{ name: 'node-2', body: { spec: { taints: [] } } }]);
  });
});

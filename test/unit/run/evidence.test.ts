/**
 * The evidence snapshots of a trial (run/evidence.ts): every object that explains a break is listed, and past 50 of
 * a kind the healthy ones are counted rather than listed, so a results file of 10,000 pods stays readable.
 */
import { expect } from 'chai';
import { EVIDENCE_PER_KIND, snapshot } from '../../../harness/run/evidence.js';
import { nodeObject, podObject, sliceObject, worldOf } from '../observe/support.js';

describe('run: evidence snapshots', () => {
  it('lists every object of a small namespace, with no omitted count', () => {
    const world = worldOf(podObject({ name: 'a', node: 'n1' }), podObject({ name: 'b', node: 'n1', ready: false }), nodeObject('n1'));
    const taken = snapshot(world, ['web'], [], 0);
    expect(taken.objects.map((o) => `${o.kind}/${o.name}`)).to.deep.equal(['Node/n1', 'Pod/a', 'Pod/b']);
    expect(taken.omitted).to.equal(undefined);
  });

  it('keeps every unhealthy object past the cap and counts the healthy ones it leaves out, by kind', () => {
    const pods = Array.from({ length: 120 }, (_, i) => {
      const name = `p${String(i).padStart(3, '0')}`;
      // Three pods explain the break: one not ready, one terminating, one not scheduled yet (Pending).
      if (i === 7) return podObject({ name, node: 'n1', ready: false });
      if (i === 90) return podObject({ name, node: 'n1', deleting: true });
      if (i === 119) return podObject({ name });
      return podObject({ name, node: 'n1' });
    });
    const nodes = Array.from({ length: 60 }, (_, i) => nodeObject(`n${i}`, { ready: i !== 59 }));
    const slices = [sliceObject('web-1', 'web', [{ ip: '10.244.1.1', ready: false }]), sliceObject('web-2', 'web', [{ ip: '10.244.1.2' }])];
    const taken = snapshot(worldOf(...pods, ...nodes, ...slices), ['web'], [], 0);
    const listed = (kind: string): string[] => taken.objects.filter((o) => o.kind === kind).map((o) => o.name);
    expect(listed('Pod')).to.have.length(EVIDENCE_PER_KIND);
    expect(listed('Pod')).to.include.members(['p007', 'p090', 'p119']);
    expect(listed('Node')).to.have.length(EVIDENCE_PER_KIND);
    expect(listed('Node')).to.include('n59');
    expect(listed('EndpointSlice')).to.deep.equal(['web-1', 'web-2']);
    expect(taken.omitted).to.deep.equal({ Pod: 70, Node: 10 });
  });

  it('lists more than the cap when that many explain the break: none of them is left out', () => {
    const pods = Array.from({ length: 80 }, (_, i) => podObject({ name: `p${String(i).padStart(2, '0')}`, node: 'n1', ready: i >= 60 }));
    const taken = snapshot(worldOf(...pods), ['web'], [], 0);
    expect(taken.objects).to.have.length(60);
    expect(taken.objects.every((o) => (o.summary['conditions'] as Record<string, string>)['Ready'] === 'False')).to.equal(true);
    expect(taken.omitted).to.deep.equal({ Pod: 20 });
  });
});

import { expect } from 'chai';
import { podKill } from '../../../harness/faults/pod-kill.js';
import { summarizeNames, summarizeTargets } from '../../../harness/util/names.js';
import { FakeApi, faultContext, pod } from '../faults/fake-context.js';

describe('long lists of names on one line', () => {
  it('shows a few names and how many more', () => {
    expect(summarizeNames(['a', 'b'])).to.equal('a, b');
    const many = Array.from({ length: 500 }, (_, i) => `node-${i + 1}`);
    expect(summarizeNames(many)).to.equal('node-1, node-2, node-3, node-4, node-5, node-6, node-7, node-8, node-9, node-10 and 490 more');
    expect(summarizeNames(many.slice(0, 10))).to.not.contain('more');
    expect(summarizeNames(many, 2)).to.equal('node-1, node-2 and 498 more');
  });

  it('says how many targets a fault has when they are many, and lists them as before when few', () => {
    expect(summarizeTargets('pods', ['pod a (node-1)', 'pod b (node-2)'])).to.equal('pod a (node-1), pod b (node-2)');
    const many = Array.from({ length: 1000 }, (_, i) => `pod p-${i}`);
    expect(summarizeTargets('pods', many)).to.equal(`1000 pods: ${many.slice(0, 10).join(', ')} and 990 more`);
  });

  it('keeps a podKill of 1,000 pods to one short line, with every target in the plan', async () => {
    const api = new FakeApi();
    api.pods.push(...Array.from({ length: 1000 }, (_, i) => pod(`web-${i}`, `node-${(i % 500) + 1}`)));
    const plan = await podKill.plan(faultContext(api), { selector: 'app=web', count: 1000 });
    expect(plan.targets).to.have.length(1000);
    expect(plan.summary).to.match(/^kill 1000 pods: pod web-\d+ \(node-\d+\), .* and 990 more$/);
    expect(plan.summary.length).to.be.below(400);
  });
});

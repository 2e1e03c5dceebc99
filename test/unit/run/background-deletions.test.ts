import { expect } from 'chai';
import { BackgroundDeletions } from '../../../harness/run/background-deletions.js';

describe('BackgroundDeletions (namespaces deleted while the next scenario runs)', () => {
  it('waits for every namespace and gives each failure to the scenario that deleted it', async () => {
    const deletions = new BackgroundDeletions();
    let release: () => void = () => undefined;
    deletions.handTo(0)('ns-a', new Promise<void>((resolve) => { release = resolve; }));
    deletions.handTo(1)('ns-b', Promise.reject(new Error('timed out after 90 s')));
    deletions.handTo(1)('ns-c', Promise.resolve());
    expect(deletions.size).to.equal(3);
    let settled = false;
    const problems = deletions.settle().then((found) => { settled = true; return found; });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled, 'still waiting for ns-a').to.equal(false);
    release();
    expect([...(await problems).entries()]).to.deep.equal([[1, ['delete namespace ns-b: timed out after 90 s']]]);
  });

  it('has nothing to wait for when no namespace was handed over', async () => {
    expect((await new BackgroundDeletions().settle()).size).to.equal(0);
  });
});

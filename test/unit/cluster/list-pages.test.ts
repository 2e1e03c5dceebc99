import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { listAllPages, LIST_PAGE_SIZE, type RawList } from '../../../harness/cluster/list-pages.js';

/** An error as client-node throws it for an HTTP status. */
function statusError(code: number): Error {
  return Object.assign(new Error(`HTTP ${code}`), { code });
}

const pod = (name: string): KubernetesObject => ({ metadata: { name } });

/** A reader that serves `pages` in order and records what it was asked; `fail` maps a call's index to an error. */
function reader(pages: readonly RawList[], fail: ReadonlyMap<number, Error> = new Map()) {
  const asked: { limit: number; token: string | undefined }[] = [];
  const read = (limit: number, token: string | undefined): Promise<RawList> => {
    const call = asked.length;
    asked.push({ limit, token });
    const error = fail.get(call);
    if (error) return Promise.reject(error);
    // After a restart the pages are served again from the first.
    const byToken = token === undefined ? 0 : Number(token.slice(1));
    const page = pages[byToken];
    if (page === undefined) return Promise.reject(new Error(`no page ${token ?? ''}`));
    return Promise.resolve(page);
  };
  return { read, asked };
}

const three: RawList[] = [
  { items: [pod('a'), pod('b')], metadata: { resourceVersion: '7', continue: 'p1' } },
  { items: [pod('c'), pod('d')], metadata: { resourceVersion: '7', continue: 'p2' } },
  { items: [pod('e')], metadata: { resourceVersion: '7' } },
];
const names = (items: readonly KubernetesObject[]): (string | undefined)[] => items.map((i) => i.metadata?.name);

describe('cluster: lists read in pages', () => {
  it('reads a list of one page with one request of the default size', async () => {
    const { read, asked } = reader([{ items: [pod('a')], metadata: { resourceVersion: '42' } }]);
    const list = await listAllPages(read);
    expect(names(list.items)).to.deep.equal(['a']);
    expect(list).to.include({ resourceVersion: '42', pages: 1 });
    expect(asked).to.deep.equal([{ limit: LIST_PAGE_SIZE, token: undefined }]);
    expect(LIST_PAGE_SIZE).to.equal(500);
  });

  it('follows the continue tokens and joins the pages in order', async () => {
    const { read, asked } = reader(three);
    const list = await listAllPages(read, 2);
    expect(names(list.items)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    expect(list).to.include({ resourceVersion: '7', pages: 3 });
    expect(asked).to.deep.equal([{ limit: 2, token: undefined }, { limit: 2, token: 'p1' }, { limit: 2, token: 'p2' }]);
  });

  it('takes an empty continue token for the last page', async () => {
    const { read, asked } = reader([{ items: [pod('a')], metadata: { resourceVersion: '3', continue: '' } }]);
    expect(names((await listAllPages(read)).items)).to.deep.equal(['a']);
    expect(asked).to.have.length(1);
  });

  it('starts over from the first page when the snapshot expired between pages (410), keeping nothing of the old one', async () => {
    const { read, asked } = reader(three, new Map([[2, statusError(410)]]));
    const list = await listAllPages(read, 2);
    expect(names(list.items)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    expect(list.pages).to.equal(3);
    expect(asked.map((a) => a.token)).to.deep.equal([undefined, 'p1', 'p2', undefined, 'p1', 'p2']);
  });

  it('gives up after three expired snapshots in a row', async () => {
    const { read, asked } = reader(three, new Map([[1, statusError(410)], [3, statusError(410)], [5, statusError(410)]]));
    let thrown: unknown;
    await listAllPages(read, 2).catch((error: unknown) => { thrown = error; });
    expect(thrown).to.be.an('error').with.property('code', 410);
    expect(asked).to.have.length(6);
  });

  it('throws a 410 of the first page (no token to expire) and any other error at once', async () => {
    for (const [call, code] of [[0, 410], [1, 500], [1, 403]] as const) {
      const { read, asked } = reader(three, new Map([[call, statusError(code)]]));
      let thrown: unknown;
      await listAllPages(read, 2).catch((error: unknown) => { thrown = error; });
      expect(thrown, `HTTP ${code} at request ${call}`).to.be.an('error').with.property('code', code);
      expect(asked, `HTTP ${code} at request ${call}`).to.have.length(call + 1);
    }
  });
});

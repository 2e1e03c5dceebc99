import { expect } from 'chai';
import { RequestLog } from '../../../harness/load/request-log.js';

describe('load: request log', () => {
  it('keeps each request in the slot it took when sent, whatever order they end in', () => {
    const log = new RequestLog(['http://a/', 'http://b/']);
    const first = log.begin(100, 0);
    const second = log.begin(105, 1);
    log.complete(second, 2.5, 503, false);
    log.complete(first, 40.25, 200, true);
    expect([first, second]).to.deep.equal([0, 1]);
    expect(log.length).to.equal(2);
    expect([log.start(0), log.duration(0), log.status(0), log.expected(0), log.target(0)]).to.deep.equal([100, 40.25, 200, true, 0]);
    expect([log.start(1), log.duration(1), log.status(1), log.expected(1), log.target(1)]).to.deep.equal([105, 2.5, 503, false, 1]);
  });

  it('has pending and cancelled slots that readers skip', () => {
    const log = new RequestLog(['http://a/']);
    log.begin(1, 0);
    const cancelled = log.begin(2, 0);
    const done = log.begin(3, 0);
    log.cancel(cancelled);
    log.complete(done, 1, 0, false);
    expect([log.state(0), log.state(1), log.state(2)]).to.deep.equal(['pending', 'cancelled', 'done']);
    expect(log.duration(0)).to.be.NaN;
    expect(log.status(1)).to.equal(0);
    const visited: number[] = [];
    log.forEachDone(0, 10, (slot) => visited.push(slot));
    expect(visited).to.deep.equal([2]);
  });

  it('finds a window [from, to) of start times', () => {
    const log = new RequestLog(['http://a/']);
    for (const start of [10, 20, 20, 30, 40]) log.complete(log.begin(start, 0), 1, 200, true);
    const startsIn = (from: number, to: number): number[] => {
      const starts: number[] = [];
      log.forEachDone(from, to, (slot) => starts.push(log.start(slot)));
      return starts;
    };
    expect(startsIn(20, 40)).to.deep.equal([20, 20, 30]);
    expect(startsIn(0, 10)).to.deep.equal([]);
    expect(startsIn(11, 1000)).to.deep.equal([20, 20, 30, 40]);
    expect(startsIn(30, 20)).to.deep.equal([]);
    expect([log.slotAt(5), log.slotAt(20), log.slotAt(21), log.slotAt(41)]).to.deep.equal([0, 1, 3, 5]);
  });

  it('grows past its first capacity without losing a request', () => {
    const log = new RequestLog(['http://a/', 'http://b/', 'http://c/']);
    const n = 5000;
    for (let i = 0; i < n; i += 1) log.complete(log.begin(i * 0.5, i % 3), i / 7, 200 + (i % 300), i % 2 === 0);
    expect(log.length).to.equal(n);
    for (const i of [0, 1023, 1024, 2047, 2048, 4999]) {
      expect([log.start(i), log.duration(i), log.status(i), log.expected(i), log.target(i)])
        .to.deep.equal([i * 0.5, i / 7, 200 + (i % 300), i % 2 === 0, i % 3]);
    }
  });

  it('counts drops by due time', () => {
    const log = new RequestLog(['http://a/']);
    for (const at of [5, 10, 10, 15]) log.drop(at);
    expect(log.dropCount).to.equal(4);
    expect([log.dropsBetween(0, 100), log.dropsBetween(10, 15), log.dropsBetween(11, 15), log.dropsBetween(20, 10)]).to.deep.equal([4, 2, 0, 0]);
  });

  it('refuses what would break its order or its slots', () => {
    const log = new RequestLog(['http://a/']);
    const slot = log.begin(10, 0);
    expect(() => log.begin(9, 0)).to.throw(RangeError, 'before the previous one');
    expect(() => log.begin(11, 1)).to.throw(RangeError, 'not one of the log');
    log.complete(slot, 1, 200, true);
    expect(() => log.complete(slot, 1, 200, true)).to.throw('already ended');
    expect(() => log.cancel(slot)).to.throw('already ended');
    expect(() => log.start(1)).to.throw(RangeError, 'not in the log');
    expect(() => new RequestLog([])).to.throw(RangeError);
    log.drop(5);
    expect(() => log.drop(4)).to.throw(RangeError, 'before the previous time');
  });
});

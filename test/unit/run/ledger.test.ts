import { expect } from 'chai';
import { Ledger } from '../../../harness/run/ledger.js';

describe('the ledger of changes', () => {
  it('undoes faults first, then processes, objects and namespaces, each newest first', async () => {
    const ledger = new Ledger();
    const order: string[] = [];
    const record = (stage: Parameters<Ledger['record']>[0], label: string): void => { ledger.record(stage, label, async () => { order.push(label); }); };
    record('namespace', 'ns');
    record('object', 'deployment');
    record('fault', 'stop node-1');
    record('object', 'service');
    record('process', 'operator');
    record('fault', 'cordon node-2');
    expect(await ledger.undo()).to.deep.equal([]);
    expect(order).to.deep.equal(['cordon node-2', 'stop node-1', 'operator', 'service', 'deployment', 'ns']);
  });

  it('undoes only the stages asked for, once, and keeps going past a failure', async () => {
    const ledger = new Ledger();
    const order: string[] = [];
    ledger.record('fault', 'a', async () => { order.push('a'); });
    ledger.record('fault', 'b', async () => { throw new Error('node gone'); });
    ledger.record('object', 'c', async () => { order.push('c'); });
    expect(await ledger.undo(['fault'])).to.deep.equal(['b: node gone']);
    expect(order).to.deep.equal(['a']);
    expect(await ledger.undo(['fault'])).to.deep.equal([]);
    await ledger.undo();
    expect(order).to.deep.equal(['a', 'c']);
  });
});

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Journal, type JournalFile, type JournalMirror } from '../../../harness/run/journal.js';
import { Ledger } from '../../../harness/run/ledger.js';

describe('the ledger of changes', () => {
  it('undoes faults first, then processes, objects and namespaces, each newest first', async () => {
    const ledger = new Ledger();
    const order: string[] = [];
    const record = async (stage: Parameters<Ledger['record']>[0], label: string): Promise<void> => { await ledger.record(stage, label, async () => { order.push(label); }); };
    await record('namespace', 'ns');
    await record('object', 'deployment');
    await record('fault', 'stop node-1');
    await record('object', 'service');
    await record('process', 'operator');
    await record('fault', 'cordon node-2');
    expect(await ledger.undo()).to.deep.equal([]);
    expect(order).to.deep.equal(['cordon node-2', 'stop node-1', 'operator', 'service', 'deployment', 'ns']);
  });

  it('undoes only the stages asked for, once, and keeps going past a failure', async () => {
    const ledger = new Ledger();
    const order: string[] = [];
    await ledger.record('fault', 'a', async () => { order.push('a'); });
    await ledger.record('fault', 'b', async () => { throw new Error('node gone'); });
    await ledger.record('object', 'c', async () => { order.push('c'); });
    expect(await ledger.undo(['fault'])).to.deep.equal(['b: node gone']);
    expect(order).to.deep.equal(['a']);
    expect(await ledger.undo(['fault'])).to.deep.equal([]);
    await ledger.undo();
    expect(order).to.deep.equal(['a', 'c']);
  });
});

describe('the ledger with a journal mirrored into the cluster', () => {
  let home: string;
  let before: string | undefined;
  beforeEach(() => {
    before = process.env.REBOUND_HOME;
    home = mkdtempSync(join(tmpdir(), 'rebound-ledger-'));
    process.env.REBOUND_HOME = home;
  });
  afterEach(() => {
    if (before === undefined) delete process.env.REBOUND_HOME;
    else process.env.REBOUND_HOME = before;
    rmSync(home, { recursive: true, force: true });
  });

  /** A mirror that holds what it was given, or fails every write once `failing` is set. */
  class Mirror implements JournalMirror {
    failing = false;
    held: JournalFile | undefined;
    closed = false;
    async write(content: JournalFile): Promise<void> {
      if (this.failing) throw new Error('forbidden (403)');
      this.held = content;
    }
    async close(content: JournalFile): Promise<void> {
      this.held = content;
      this.closed = true;
    }
  }

  const onDisk = (journal: Journal): JournalFile => JSON.parse(readFileSync(join(home, 'ledger', `${journal.runId}.json`), 'utf8')) as JournalFile;
  const cordon = [{ op: 'uncordon', node: 'n1' }] as const;

  it('a change the mirror cannot hold is not begun: the error reaches the caller and the change leaves the disk', async () => {
    const journal = new Journal({ provider: 'kubeconfig', name: 'staging', kubeconfig: '/k', context: 'staging' });
    const mirror = new Mirror();
    await journal.mirrorInto(mirror);
    const ledger = new Ledger(journal);
    const first = await ledger.begin('fault', 'revert nodeCordon', cordon);
    first.commit(async () => undefined);
    expect(mirror.held?.entries.map((e) => e.label)).to.deep.equal(['revert nodeCordon']);
    mirror.failing = true;
    let thrown: unknown;
    try {
      await ledger.begin('fault', 'revert nodeTaint', [{ op: 'untaint', node: 'n1', key: 'k', effect: 'NoSchedule' }]);
    } catch (error) {
      thrown = error;
    }
    expect(String(thrown)).to.include('forbidden (403)');
    expect(onDisk(journal).entries.map((e) => e.label)).to.deep.equal(['revert nodeCordon']);
    expect(ledger.pending()).to.deep.equal(['revert nodeCordon']);
  });

  it('a change already made stays on the disk and in the cleanup when the mirror fails; the run\'s end tells the mirror', async () => {
    const journal = new Journal({ provider: 'kubeconfig', name: 'staging', kubeconfig: '/k', context: 'staging' });
    const mirror = new Mirror();
    await journal.mirrorInto(mirror);
    const ledger = new Ledger(journal);
    mirror.failing = true;
    const undone: string[] = [];
    let thrown: unknown;
    try {
      await ledger.record('object', 'delete Deployment web', async () => { undone.push('web'); }, [{ op: 'deleteObject', apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ns', name: 'web', uid: 'u1' }]);
    } catch (error) {
      thrown = error;
    }
    expect(String(thrown)).to.include('forbidden (403)');
    expect(onDisk(journal).entries.map((e) => e.label)).to.deep.equal(['delete Deployment web']);
    mirror.failing = false;
    expect(await ledger.undo()).to.deep.equal([]);
    expect(undone).to.deep.equal(['web']);
    expect(await journal.close()).to.equal(undefined);
    expect(mirror.closed).to.equal(true);
    expect(mirror.held?.entries).to.deep.equal([]);
    expect(existsSync(join(home, 'ledger', `${journal.runId}.json`))).to.equal(false);
  });
});

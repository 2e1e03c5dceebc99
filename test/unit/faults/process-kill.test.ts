import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FaultError } from '../../../harness/faults/errors.js';
import { processKill } from '../../../harness/faults/process-kill.js';
import { commandLine } from '../../../harness/util/command-line.js';
import { FakeApi, faultContext } from './fake-context.js';

async function refusal(promise: Promise<unknown>): Promise<string> {
  return promise.then(() => expect.fail('it did not fail'), (error: unknown) => {
    expect(error).to.be.instanceOf(FaultError);
    return (error as Error).message;
  });
}

// Planning only, and signals no process receives: the tests start no process of their own.
describe('processKill: choosing the process', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'rebound-process-kill-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('takes a process of spec.processes by name, and plans to continue it only after a STOP', async () => {
    const context = faultContext(new FakeApi(), { processes: { pidOf: (name) => (name === 'api' ? 4242 : undefined), noteKill: () => undefined } });
    const killed = await processKill.plan(context, { process: 'api', signal: 'KILL' });
    expect(killed).to.deep.equal({ targets: [{ kind: 'Process', name: 'api', uid: '4242' }], summary: 'send SIGKILL to api (pid 4242)', revertSteps: [] });
    const stopped = await processKill.plan(context, { process: 'api', signal: 'STOP' });
    expect(stopped.revertSteps).to.have.length(1);
    expect(stopped.revertSteps?.[0]).to.deep.include({ op: 'continueProcess', pid: 4242 });
    expect(await refusal(processKill.plan(context, { process: 'db', signal: 'TERM' }))).to.equal('process db is not running, so it cannot be killed');
  });

  it('reads a pid file, and refuses one it cannot read or that holds no pid', async () => {
    const context = faultContext(new FakeApi());
    const file = join(dir, 'app.pid');
    writeFileSync(file, ' 31337\n');
    expect((await processKill.plan(context, { pidFile: file, signal: 'TERM' })).targets).to.deep.equal([{ kind: 'Process', name: file, uid: '31337' }]);
    writeFileSync(file, '12a\n');
    expect(await refusal(processKill.plan(context, { pidFile: file, signal: 'TERM' }))).to.equal(`pid file ${file} does not hold a pid`);
    for (const text of ['a12', 'pid 12', '-12']) {
      writeFileSync(file, `${text}\n`);
      expect(await refusal(processKill.plan(context, { pidFile: file, signal: 'TERM' })), text).to.equal(`pid file ${file} does not hold a pid`);
    }
    const missing = join(dir, 'missing.pid');
    expect(await refusal(processKill.plan(context, { pidFile: missing, signal: 'TERM' }))).to.match(new RegExp(`^pid file ${missing} cannot be read: ENOENT`));
  });

  it('says when no command line matches', async () => {
    const context = faultContext(new FakeApi());
    expect(await refusal(processKill.plan(context, { command: '^no such command \\d{40}$', signal: 'TERM' })))
      .to.equal('no process has a command line matching /^no such command \\d{40}$/');
  });

  it('names the pid it could not signal', async () => {
    const api = new FakeApi();
    const context = faultContext(api);
    // A pid no process has (above Linux's largest pid_max).
    const plan = { targets: [{ kind: 'Process', name: 'gone', uid: '4194305' }], summary: '' };
    expect(await refusal(processKill.inject(context, { pidFile: '/nowhere', signal: 'TERM' }, plan))).to.match(/^could not signal pid 4194305: /);
    expect(api.acknowledged).to.deep.equal([]);
  });

  it('finds another process by its whole command line, and names it by its first 80 characters', async () => {
    // Process 1 runs on any Linux machine; its command line, matched exactly.
    const argv = commandLine(1) ?? [];
    expect(argv.length, 'the command line of process 1').to.be.above(0);
    const command = argv.join(' ');
    const plan = await processKill.plan(faultContext(new FakeApi()), { command: `^${command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, signal: 'CONT' });
    expect(plan.targets).to.deep.include({ kind: 'Process', name: command.slice(0, 80), uid: '1' });
    expect(plan.revertSteps).to.deep.equal([]);
  });

  it('signals the process, telling spec.processes\' supervisor first, and acknowledges it', async () => {
    const api = new FakeApi();
    const noted: string[] = [];
    const context = faultContext(api, { processes: { pidOf: () => process.pid, noteKill: (name, signal) => { noted.push(`${name} ${signal}`); } } });
    // SIGCONT to this very process: a signal that changes nothing for a running process.
    const params = { process: 'self', signal: 'CONT' } as const;
    const plan = await processKill.plan(context, params);
    expect(plan.summary).to.equal(`send SIGCONT to self (pid ${process.pid})`);
    const active = await processKill.inject(context, params, plan);
    expect(noted).to.deep.equal(['self CONT']);
    expect(api.acknowledged).to.deep.equal([active.ackAt]);
    expect(await active.done).to.equal(undefined);
    await active.revert();
    const byFile = await processKill.inject(context, { pidFile: '/run/x.pid', signal: 'CONT' }, plan);
    expect(noted).to.have.length(1);
    expect(byFile.plan).to.equal(plan);
  });

  it('stops a process with STOP and lets it go on at revert, once; another signal has nothing to revert', async () => {
    // A process of the test's own: `sleep`, ignoring SIGUSR1, stopped and continued, then ended.
    const child = spawn('sh', ['-c', 'trap "" USR1; exec sleep 60'], { stdio: 'ignore' });
    const pid = child.pid ?? 0;
    try {
      await until(() => commandLine(pid)?.[0] === 'sleep');
      const state = (): string => /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? '?';
      const file = join(dir, 'sleep.pid');
      writeFileSync(file, `${pid}\n`);
      const context = faultContext(new FakeApi());
      const params = { pidFile: file, signal: 'STOP' } as const;
      const plan = await processKill.plan(context, params);
      expect(plan.revertSteps).to.deep.equal([{ op: 'continueProcess', pid, command: ['sleep', '60'] }]);
      const active = await processKill.inject(context, params, plan);
      await until(() => state() === 'T');
      await active.revert();
      await until(() => state() === 'S');
      // Stopped again by someone else: a second revert leaves it so.
      process.kill(pid, 'SIGSTOP');
      await until(() => state() === 'T');
      await active.revert();
      await pause(50);
      expect(state()).to.equal('T');
      // A USR1 (ignored by the process) has nothing to undo: its revert does not continue the stopped process.
      const usr1 = await processKill.inject(context, { pidFile: file, signal: 'USR1' }, plan);
      await usr1.revert();
      await pause(50);
      expect(state()).to.equal('T');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('processKill: by command line', () => {
  const exactly = (argv: readonly string[]): string => `^${argv.join(' ').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;

  it('names every process whose command line matches in its summary', async () => {
    const children = [spawn('sleep', ['3601'], { stdio: 'ignore' }), spawn('sleep', ['3601'], { stdio: 'ignore' })];
    try {
      const pids = children.map((child) => child.pid ?? 0);
      await until(() => pids.every((pid) => commandLine(pid)?.join(' ') === 'sleep 3601'));
      const plan = await processKill.plan(faultContext(new FakeApi()), { command: '^sleep 3601$', signal: 'TERM' });
      const mine = plan.targets.filter((t) => pids.includes(Number(t.uid)));
      expect(mine.map((t) => t.name)).to.deep.equal(['sleep 3601', 'sleep 3601']);
      expect(plan.summary).to.contain(mine.map((t) => `sleep 3601 (pid ${t.uid})`).join(', '));
    } finally {
      for (const child of children) child.kill('SIGKILL');
    }
  });

  it('never picks rebound itself or the process that started it', async () => {
    for (const pid of [process.pid, process.ppid]) {
      const argv = commandLine(pid) ?? [];
      expect(argv.length, `the command line of ${pid}`).to.be.above(0);
      // Another process may have the same command line (another test run): it may be picked, this one never.
      const uids = await processKill.plan(faultContext(new FakeApi()), { command: exactly(argv), signal: 'TERM' })
        .then((plan) => plan.targets.map((t) => t.uid), (error: unknown) => {
          expect(error).to.be.instanceOf(FaultError);
          return [];
        });
      expect(uids).to.not.include(String(pid));
    }
  });
});

async function pause(ms: number): Promise<void> {
  await new Promise((resolve) => { setTimeout(resolve, ms); });
}

/** Waits (up to 2 s) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => { setTimeout(resolve, 10); });
  expect(condition()).to.equal(true);
}

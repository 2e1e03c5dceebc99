import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { TerminalOperator } from '../../../harness/cli/interactive/terminal-operator.js';
import type { FaultPrompt, LiveState, LiveTrial } from '../../../harness/run/operator.js';
import { monotonicNow } from '../../../harness/util/clock.js';
import { rebound } from '../../support/cli.js';

/** A keyboard: a stream that says it is a terminal and records its raw mode. */
function keyboard(tty = true): PassThrough & { isTTY: boolean; rawMode: boolean[]; setRawMode(raw: boolean): void } {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; rawMode: boolean[]; setRawMode(raw: boolean): void };
  stream.isTTY = tty;
  stream.rawMode = [];
  stream.setRawMode = (raw: boolean) => { stream.rawMode.push(raw); };
  return stream;
}

/** A terminal's stderr: what was written, in order. */
function terminal(): { stream: { write: (chunk: string) => boolean; columns: number; rows: number }; text: () => string } {
  const chunks: string[] = [];
  const stream = { write: (chunk: string): boolean => { chunks.push(String(chunk)); return true; }, columns: 160, rows: 40 };
  return { stream, text: () => chunks.join('') };
}

const PROMPT: FaultPrompt = {
  scenario: 'deployment-pod-kill',
  variant: null,
  trial: 2,
  trials: 3,
  namespace: 'rebound-deployment-pod-kill-ab12',
  fault: {
    kind: 'podKill',
    atMs: 0,
    summary: 'kill pod web-7d9f-xk2p (it-worker-2)',
    targets: [{ kind: 'Pod', name: 'web-7d9f-xk2p', namespace: 'rebound-deployment-pod-kill-ab12', uid: 'u1', node: 'it-worker-2' }],
  },
  later: [{ kind: 'nodeDrain', atMs: 5000 }],
};

const BROKEN: LiveState = {
  holds: false,
  checks: [{ holds: true, detail: 'workloadAvailable Deployment/web: 3/3 available, 3/3 updated' }, { holds: false, detail: 'podsReady app=web: 2/3 ready' }],
  workloads: [{ kind: 'Deployment', name: 'web', ready: 2, desired: 3 }],
  readyPods: 2,
  readyNodes: 3,
  readyEndpoints: 2,
};

function liveTrial(t0: number, injectedAt: number | null): LiveTrial & { fire(): void } {
  const listeners = new Set<() => void>();
  return {
    scenario: 'deployment-pod-kill', trial: 1, trials: 3, t0,
    injectedAt: () => injectedAt,
    state: () => BROKEN,
    subscribe: (listener) => { listeners.add(listener); return () => listeners.delete(listener); },
    fire: () => { for (const listener of listeners) listener(); },
  };
}

/** Lets the stream deliver what was typed. */
const delivered = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('run --interactive: the terminal operator', () => {
  const open: TerminalOperator[] = [];
  function operator(options: { tty?: boolean; live?: boolean } = {}) {
    const input = keyboard(options.tty ?? true);
    const output = terminal();
    const calls = { aborts: 0, interrupts: 0 };
    const op = new TerminalOperator({
      input, output: output.stream, live: options.live ?? true,
      onAbort: () => { calls.aborts += 1; }, onInterrupt: () => { calls.interrupts += 1; },
    });
    open.push(op);
    return { op, input, output, calls };
  }
  afterEach(() => { for (const op of open.splice(0)) op.close(); });

  it('shows what the first fault will hit, and g, Enter, s and a decide go, go, skip and abort', async () => {
    const { op, input, output, calls } = operator();
    const go = op.beforeFault(PROMPT);
    await delivered();
    expect(output.text()).to.contain('deployment-pod-kill · trial 2/3 · next fault');
    expect(output.text()).to.contain('podKill: kill pod web-7d9f-xk2p (it-worker-2)');
    expect(output.text()).to.contain('Pod web-7d9f-xk2p in namespace rebound-deployment-pod-kill-ab12 on node it-worker-2');
    expect(output.text()).to.contain('then nodeDrain at T0 +5.0s (its targets are chosen when it is due)');
    expect(output.text()).to.contain('[g/Enter] go   [s] skip this trial   [a] abort the run   [n] write a note');
    input.write('g');
    expect(await go).to.equal('go');
    const enter = op.beforeFault(PROMPT);
    input.write('\r');
    expect(await enter).to.equal('go');
    const skip = op.beforeFault(PROMPT);
    input.write('s');
    expect(await skip).to.equal('skip');
    expect(calls.aborts).to.equal(0);
    const abort = op.beforeFault(PROMPT);
    input.write('a');
    expect(await abort).to.equal('abort');
    expect(calls.aborts, 'the abort key stops the run the way Ctrl-C does').to.equal(1);
    expect(input.rawMode).to.deep.equal([true]);
  });

  it('at a prompt, n begins a note: every key goes into it until Enter, then the keys decide again', async () => {
    const { op, input } = operator();
    const decision = op.beforeFault(PROMPT);
    const before = monotonicNow();
    input.write('n');
    await delivered();
    input.write('a slow start, as last time');
    input.write('\r');
    await delivered();
    const notes = op.takeNotes();
    expect(notes.map((n) => n.text)).to.deep.equal(['a slow start, as last time']);
    expect(notes[0]?.at).to.be.at.least(before);
    input.write('s');
    expect(await decision, 'the a and s inside the note did not decide').to.equal('skip');
    expect(op.takeNotes(), 'notes are handed over once').to.deep.equal([]);
  });

  it('outside a prompt, typing is a note, stamped when it began; Backspace edits, Esc drops, empty lines are none', async () => {
    const { op, input, output } = operator();
    const t0 = monotonicNow() - 2000;
    const stop = op.follow(liveTrial(t0, t0 + 100));
    await delivered();
    // The live view: the checks with what holds and what fails, the workloads, the time since the injection.
    expect(output.text()).to.contain('deployment-pod-kill · trial 1/3 · ');
    expect(output.text()).to.match(/\d+\.\ds since the injection \(T0 \+\d+\.\ds\)/);
    expect(output.text()).to.contain('steady state BROKEN (1 of 2 checks failing)');
    expect(output.text()).to.contain('FAIL podsReady app=web: 2/3 ready');
    expect(output.text()).to.contain('ok   workloadAvailable Deployment/web: 3/3 available, 3/3 updated');
    expect(output.text()).to.contain('ready: Deployment/web 2/3 · pods 2 · endpoints 2 · nodes 3');
    input.write('pod cam');
    await delivered();
    input.write('\x7f\x7fame back\r');
    input.write('never mind\x1b');
    await delivered();
    input.write('\r   \r');
    await delivered();
    expect(op.takeNotes().map((n) => n.text)).to.deep.equal(['pod came back']);
    expect(output.text()).to.match(/note \(trial 1, T0 \+\d+\.\ds, \d\d:\d\d:\d\dZ\): pod came back/);
    stop();
  });

  it('Ctrl-C is sent on as SIGINT and decides nothing; a signal while a prompt is open answers abort', async () => {
    const { op, input, calls } = operator();
    const controller = new AbortController();
    const decision = op.beforeFault(PROMPT, controller.signal);
    input.write('\x03');
    await delivered();
    expect(calls.interrupts).to.equal(1);
    controller.abort('SIGINT');
    expect(await decision).to.equal('abort');
    expect(calls.aborts, 'the signal path is stopping the run already').to.equal(0);
  });

  it('plain output (stderr not a terminal): the prompt as lines, answers and notes read line by line', async () => {
    const { op, input, output, calls } = operator({ live: false });
    const decision = op.beforeFault(PROMPT);
    await delivered();
    expect(output.text()).to.contain(' podKill: kill pod web-7d9f-xk2p (it-worker-2)\n');
    expect(output.text()).to.contain('answer g (go), s (skip this trial) or a (abort the run), then Enter');
    expect(output.text(), 'nothing drawn in place').to.not.contain('\x1b[');
    input.write('they are watching the dashboard\n');
    await delivered();
    input.write('s\n');
    expect(await decision).to.equal('skip');
    expect(op.takeNotes().map((n) => n.text)).to.deep.equal(['they are watching the dashboard']);
    const go = op.beforeFault(PROMPT);
    input.write('\n');
    expect(await go).to.equal('go');
    const trial = liveTrial(monotonicNow(), monotonicNow());
    const stop = op.follow(trial);
    trial.fire();
    trial.fire();
    expect(output.text().match(/BROKEN: podsReady app=web: 2\/3 ready \| Deployment\/web 2\/3/g), 'one line per change').to.have.length(1);
    stop();
    expect(calls.aborts).to.equal(0);
  });

  it('close gives the terminal back: raw mode off, the panel erased, the stream writes straight through', async () => {
    const { op, input, output } = operator();
    const stream = output.stream;
    const before = stream.write;
    op.close();
    expect(input.rawMode).to.deep.equal([true, false]);
    expect(stream.write).to.not.equal(before);
    const length = output.text().length;
    stream.write('after\n');
    expect(output.text().slice(length)).to.equal('after\n');
  });
});

describe('run --interactive without a terminal', function () {
  this.timeout(60_000);

  it('is refused at once with exit 2 when stdin is not a terminal (CI, a pipe): nobody could answer, nothing waits', async () => {
    const result = await rebound(['run', 'scenarios/deployment-pod-kill.yaml', '--interactive', '--cluster', 'never-started'], { env: { CI: 'true' }, timeoutMs: 30_000 });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain('rebound: --interactive needs a person at a terminal, and stdin is not one (a pipe, a file, or CI)');
    expect(result.stderr).to.not.contain('    at ');
  });
});

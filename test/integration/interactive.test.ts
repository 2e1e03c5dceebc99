import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { waitClean } from '../support/aborts.js';
import { readResults, REPO } from '../support/cli.js';
import { testCluster, TEST_CLUSTER } from '../support/cluster.js';

/**
 * `run --interactive` through a real terminal: tmux runs it in a detached session (a pseudo-terminal on stdin and
 * stderr, as a person's), the test reads the screen with capture-pane and presses keys with send-keys. A tmux server
 * of its own (its socket in the test's temporary folder) starts with this process's environment and is killed
 * afterwards.
 */
const DIR = mkdtempSync(join(tmpdir(), 'rebound-interactive-'));
const SOCKET = join(DIR, 'tmux.sock');
const SESSION = 'gameday';
const SKIP_SESSION = 'skipped';

function tmux(...args: string[]): string {
  // -u: UTF-8 whatever the locale, so the panel's lines read the same on every machine.
  return execFileSync('tmux', ['-u', '-S', SOCKET, ...args], { encoding: 'utf8' });
}

/** The terminal's text: the scrollback and the screen, wrapped lines joined. */
function screen(session = SESSION): string {
  return tmux('capture-pane', '-p', '-J', '-S', '-', '-t', session);
}

/** Presses keys (tmux key names: Enter, C-c) or, with `literal`, types the text as it is. */
function press(keys: string, literal = false, session = SESSION): void {
  tmux('send-keys', '-t', session, ...(literal ? ['-l', keys] : [keys]));
}

/** Waits until the screen matches `pattern`; gives the match. */
async function seen(pattern: RegExp, what: string, timeoutMs = 240_000, session = SESSION): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = screen(session);
    const match = text.match(pattern);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`the terminal never showed ${what} (${String(pattern)}); it shows:\n${text.slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('run --interactive through a real terminal (tmux): confirm, a note, skip, abort (integration)', function () {
  this.timeout(15 * 60_000);
  const dir = DIR;

  before(async function () {
    try {
      execFileSync('tmux', ['-V']);
    } catch {
      throw new Error('this test needs tmux on PATH (apt-get install tmux): it drives `run --interactive` through a real terminal');
    }
    await testCluster();
  });
  after(() => {
    try {
      tmux('kill-server');
    } catch {
      // Already gone with its last session.
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the pod before the fault, runs a confirmed trial, skips one, keeps a note, and aborts like Ctrl-C', async () => {
    const out = join(dir, 'out');
    const exitFile = join(dir, 'exit-code');
    const command = [
      `cd '${REPO}'`,
      // CI=true would make the output plain lines: this test is about the terminal.
      `env -u CI node bin/rebound.js run scenarios/deployment-pod-kill.yaml --interactive --trials 3 --seed 11 --cluster '${TEST_CLUSTER}' --out '${out}'`,
    ].join(' && ');
    tmux('new-session', '-d', '-s', SESSION, '-x', '200', '-y', '50', `${command}; echo $? > '${exitFile}'; sleep 5`);

    // Trial 1: the prompt names the fault and the very pod it will kill, in its namespace, on its node.
    const prompt = await seen(/trial 1\/3 · next fault[^\n]*\n podKill: kill pod (web-\S+) \((\S+)\)\n {3}Pod \1 in namespace (rebound-deployment-pod-kill-\w+) on node \2/,
      'the first prompt');
    const [, pod, node, namespace] = prompt;
    expect(screen()).to.contain('[g/Enter] go   [s] skip this trial   [a] abort the run   [n] write a note');
    // A note typed at the prompt (n first, so its letters decide nothing), then go.
    press('n');
    press('first pod goes, everyone watching the dashboard', true);
    press('Enter');
    await seen(/note \(trial 1, T0 \+\d+\.\ds, \d\d:\d\d:\d\dZ\): first pod goes, everyone watching the dashboard/, 'the note echoed with its stamp');
    press('g');
    await seen(/trial 1: operator: go: kill pod web-/, 'the go');
    // While it recovers: the live view of the checks, the workloads and the time since the injection.
    await seen(/trial 1\/3 · \d+\.\ds since the injection \(T0 \+\d+\.\ds\)/, 'the live view of the recovery');
    // Typed straight away, without n: a note too.
    press('replacement scheduled quickly', true);
    press('Enter');
    await seen(/trial 1: PASS \(recovery /, 'the end of trial 1');

    // Trial 2: skipped at its prompt.
    await seen(/trial 2\/3 · next fault[^\n]*\n podKill: kill pod web-\S+/, 'the second prompt');
    press('s');
    await seen(/trial 2: SKIPPED \(would have: kill pod web-\S+/, 'the skipped trial');

    // Trial 3: abort at the prompt, the path a first Ctrl-C takes.
    await seen(/trial 3\/3 · next fault/, 'the third prompt');
    press('a');
    await seen(/rebound: abort by the operator: no further fault; undoing what this run did/, 'the abort notice');
    const deadline = Date.now() + 180_000;
    while (!existsSync(exitFile) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    const finalScreen = screen();
    expect(existsSync(exitFile), `the run did not end; the terminal shows:\n${finalScreen.slice(-4000)}`).to.equal(true);
    expect(readFileSync(exitFile, 'utf8').trim(), finalScreen.slice(-4000)).to.equal('130');

    const result = readResults(out);
    expect(result.verdict).to.equal('ABORTED');
    expect(result.abortedBy).to.equal('operator');
    const scenario = result.scenarios[0];
    expect(scenario?.verdict).to.equal('ABORTED');
    expect(scenario?.reason).to.equal('aborted by the operator after 1 of 3 trials; what the scenario did was undone');
    const [confirmed, skipped, aborted] = scenario?.trials ?? [];
    // Confirmed: injected at the pod the prompt named, measured.
    expect(confirmed?.verdict).to.equal('PASS');
    expect(confirmed?.faults[0]?.targets[0]).to.include({ kind: 'Pod', name: pod, namespace, node });
    expect(confirmed?.faults[0]?.injectedAt).to.be.a('string');
    expect(confirmed?.recoveryTimeMs).to.be.a('number');
    expect(confirmed?.replacements).to.have.length(1);
    // Skipped: nothing injected, nothing measured, the fault listed with what it would have hit.
    expect(skipped?.verdict).to.equal('SKIPPED');
    expect(skipped?.reason).to.equal('skipped by the operator');
    expect(skipped?.faults[0]?.injectedAt).to.equal(null);
    expect(skipped?.faults[0]?.targets[0]?.name).to.match(/^web-/);
    expect(skipped?.recoveryTimeMs).to.equal(null);
    expect(skipped?.replacements).to.deep.equal([]);
    // Aborted at its prompt: the trial under way is ABORTED, nothing was hit.
    expect(aborted?.verdict).to.equal('ABORTED');
    expect(aborted?.reason).to.equal('aborted by the operator during the trial');
    expect(aborted?.faults[0]?.injectedAt).to.equal(null);
    // The notes, in the timeline of the trial they were typed in, with their text; the decisions too.
    const labels = (index: number): string[] => (scenario?.trials[index]?.timeline.markers ?? []).filter((m) => m.kind === 'operator').map((m) => m.label);
    expect(labels(0)).to.include('note: first pod goes, everyone watching the dashboard');
    expect(labels(0).some((l) => /^operator: go \(after \d+\.\d s at the prompt\)$/.test(l))).to.equal(true);
    expect([...labels(0), ...labels(1)], 'the note typed during the recovery').to.include('note: replacement scheduled quickly');
    expect(labels(1).some((l) => l.startsWith('operator: skipped by the operator'))).to.equal(true);
    const note = confirmed?.timeline.markers.find((m) => m.label === 'note: first pod goes, everyone watching the dashboard');
    expect(Date.parse(note?.at ?? '')).to.be.at.least(Date.parse(confirmed?.t0 ?? ''));
    expect(Date.parse(note?.at ?? '')).to.be.at.most(Date.parse(confirmed?.injectedAt ?? ''));
    // Every report carries the note.
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).to.match(/- trial 1 \(PASS\), \+\d+\.\d\ds since T0 \(.*\): note: first pod goes, everyone watching the dashboard/);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).to.contain('note: first pod goes, everyone watching the dashboard');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).to.contain('note: first pod goes, everyone watching the dashboard');

    // Undone as after Ctrl-C: the namespace gone, every node Ready, no journal left.
    expect(await waitClean(TEST_CLUSTER, 60_000)).to.deep.equal([]);
  });

  it('a scenario whose every trial was skipped is an ERROR, never a PASS: nothing was verified (exit 2)', async () => {
    const out = join(dir, 'all-skipped');
    const exitFile = join(dir, 'all-skipped-exit-code');
    tmux('new-session', '-d', '-s', SKIP_SESSION, '-x', '200', '-y', '50',
      `cd '${REPO}' && env -u CI node bin/rebound.js run scenarios/deployment-pod-kill.yaml --interactive --trials 1 --cluster '${TEST_CLUSTER}' --out '${out}'; echo $? > '${exitFile}'; sleep 5`);
    await seen(/trial 1\/1 · next fault/, 'the prompt', 240_000, SKIP_SESSION);
    press('s', false, SKIP_SESSION);
    const deadline = Date.now() + 180_000;
    while (!existsSync(exitFile) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(existsSync(exitFile), screen(SKIP_SESSION).slice(-4000)).to.equal(true);
    expect(readFileSync(exitFile, 'utf8').trim()).to.equal('2');
    const result = readResults(out);
    expect(result.verdict).to.equal('ERROR');
    expect(result.scenarios[0]?.reason).to.equal('no trial measured: trial 1 skipped by the operator');
    expect(result.scenarios[0]?.trials.map((t) => t.verdict)).to.deep.equal(['SKIPPED']);
    expect(await waitClean(TEST_CLUSTER, 60_000)).to.deep.equal([]);
  });
});

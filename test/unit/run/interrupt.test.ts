import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { packageRoot } from '../../../harness/util/paths.js';

/**
 * RunInterrupt in a process of its own (signals sent to mocha's process would stop mocha): a program that waits,
 * like a run undoing its faults, while the test sends it real signals one after the other.
 */
function program(): string {
  const module = pathToFileURL(join(packageRoot(), 'dist', 'harness', 'run', 'interrupt.js')).href;
  return `
    import { RunInterrupt } from ${JSON.stringify(module)};
    const interrupt = new RunInterrupt((line) => console.log(line.trim()));
    interrupt.track({ pending: () => ['revert nodeStop (stop node it-worker)', 'delete namespace rebound-x'] });
    interrupt.signal.addEventListener('abort', () => console.log('aborted by ' + interrupt.signal.reason));
    console.log('ready');
    setTimeout(() => { console.log('undone'); interrupt.uninstall(); process.exit(0); }, 20000);
  `;
}

async function withSignals(signals: readonly NodeJS.Signals[]): Promise<{ code: number | null; lines: string[] }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', program()], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buffer = '';
  const seen = (text: string): Promise<void> => new Promise((resolve) => {
    const check = (): void => { if (lines.some((l) => l.startsWith(text))) resolve(); else setTimeout(check, 10); };
    check();
  });
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await seen('ready');
  for (const [index, signal] of signals.entries()) {
    child.kill(signal);
    await seen(['rebound:', 'rebound: still undoing', 'rebound: exiting'][index] ?? 'rebound:');
  }
  if (signals.length < 3) child.kill('SIGKILL');
  return { code: await exited, lines };
}

describe('RunInterrupt: Ctrl-C stops the run, again says what is left, a third time exits at once', function () {
  this.timeout(30_000);

  it('aborts on the first SIGINT, lists what is still being undone on the second, exits 130 on the third', async () => {
    const { code, lines } = await withSignals(['SIGINT', 'SIGINT', 'SIGINT']);
    expect(lines).to.include('aborted by SIGINT');
    expect(lines.some((l) => /^rebound: SIGINT: stopping: no further fault; undoing what this run did/.test(l))).to.equal(true);
    expect(lines).to.include('rebound: still undoing 2: revert nodeStop (stop node it-worker); delete namespace rebound-x (once more to exit at once)');
    expect(lines.some((l) => l.startsWith('rebound: exiting at once'))).to.equal(true);
    expect(lines).to.not.include('undone');
    expect(code).to.equal(130);
  });

  it('exits 143 when SIGTERM came first, whatever the later signals', async () => {
    const { code, lines } = await withSignals(['SIGTERM', 'SIGINT', 'SIGINT']);
    expect(lines).to.include('aborted by SIGTERM');
    expect(code).to.equal(143);
  });
});

import { expect } from 'chai';
import { reboundInProcess as rebound, type Outcome } from '../../support/cli.js';
import { FUZZ_SEED, invalidScenarioFiles, removeFuzzWorkspaces, VAR_OPTIONS } from './targets.js';

/** The stderr of a refused command: one `rebound:` line, then the given number of `  file:line:col: ...` lines. */
function expectRefusal(outcome: Outcome, errorLines: number, what: string): void {
  const shown = `${what}\nexit ${outcome.code}\nstderr:\n${outcome.stderr}`;
  expect(outcome.code, shown).to.equal(2);
  expect(outcome.stderr, shown).to.not.match(/internal error|\n\s+at |Error:|TypeError|RangeError|\(node:\d+\)/);
  const lines = outcome.stderr.replace(/\n$/, '').split('\n').filter((line) => !line.startsWith('rebound: warning: '));
  expect(lines[0], shown).to.match(/^rebound: \S/);
  expect(lines.length - 1, shown).to.equal(errorLines);
  for (const line of lines.slice(1)) expect(line, shown).to.match(/^ {2}\S.*:[1-9]\d*:[1-9]\d*: \S/);
}

// Few inputs: each is a process spawn. The in-process targets (fuzz.test.ts) cover many more.
describe('fuzzed bad input through the CLI', () => {
  after(removeFuzzWorkspaces);

  it('validate on fuzzed scenario files exits 2 with one file:line:col line per error and no stack trace', async () => {
    const files = await invalidScenarioFiles(4, FUZZ_SEED);
    expect(files).to.have.length(4);
    for (const { file, errors } of files) expectRefusal(await rebound(['validate', file, ...VAR_OPTIONS]), errors, file);
  });

  it('a malformed --var or --selector is one line naming the flag, exit 2', async () => {
    for (const args of [['validate', 'scenarios/fail-bare-pod.yaml', '--var', '1X=y'], ['list', 'scenarios/', '--selector', 'app in (a,,\nb']]) {
      const outcome = await rebound(args);
      expectRefusal(outcome, 0, args.join(' '));
      expect(outcome.stderr).to.match(/^rebound: --(var|selector)/);
    }
  });
});

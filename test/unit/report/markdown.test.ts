import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { MarkdownReporter } from '../../../harness/report/markdown.js';
import type { RunResult } from '../../../harness/report/result.js';
import { editable, FIXTURES, HOSTILE, loadFixture, removeTemporaryFolders, temporaryFolder } from './support.js';

async function summary(result: RunResult): Promise<string> {
  const reporter = new MarkdownReporter(await temporaryFolder());
  await reporter.onRunEnd(result);
  return readFile(reporter.file, 'utf8');
}

/** The table's data rows, split into cells (on `|` not preceded by a backslash). */
function rows(markdown: string): string[][] {
  return markdown.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Scenario') && !line.startsWith('| ---'))
    .map((line) => line.slice(2, -2).split(/(?<!\\) \| /));
}

describe('Markdown reporter', () => {
  after(removeTemporaryFolders);

  it('heads the summary with the run verdict and counts, then one row per scenario', async () => {
    const text = await summary(await loadFixture(FIXTURES.allExamples));
    expect(text.split('\n')[0]).to.equal('## ❌ rebound: FAIL');
    expect(text).to.contain('11 scenarios: 9 PASS, 2 FAIL, 0 ERROR · seed 9564917 · local cluster op-dev, Kubernetes v1.34.4, 3 nodes');
    expect(text).to.contain('took 3m 13s');
    expect(rows(text)).to.have.length(11);
  });

  it('shows trials passed, median and p95 recovery, the worst phase, and reasons for non-PASS only', async () => {
    const table = rows(await summary(await loadFixture(FIXTURES.allExamples)));
    const byName = new Map(table.map((cells) => [cells[0], cells]));
    // deployment-pod-kill: recoveries 67, 1011, 75 ms; running phases 22, 30, 34 ms is the largest median.
    expect(byName.get('deployment-pod-kill')).to.deep.equal(['deployment-pod-kill', '✅ PASS', '3/3', '0.07s', '0.92s', 'running (30ms)', '']);
    // slow-ready's pods take 3 s to become ready: that is the phase to look at.
    expect(byName.get('slow-ready')?.[5]).to.equal('running (3.03s)');
    expect(byName.get('fail-bare-pod')).to.deep.equal(['fail-bare-pod', '❌ FAIL', '0/1', '-', '-', '-',
      'trial 1: no recovery within 10s (+1s settle): podsReady app=lonely: 0/1 ready']);
    expect(byName.get('operator-echo')?.[5], 'no pod replaced').to.equal('-');
  });

  it('lists every reason of an ERROR, including cleanup problems, in one cell', async () => {
    const result = editable(await loadFixture(FIXTURES.allExamples));
    const scenario = result.scenarios[0];
    if (!scenario) throw new Error('fixture has no scenario');
    scenario.verdict = 'ERROR';
    scenario.reason = 'cleanup failed: namespace rebound-x still terminating';
    scenario.cleanup = ['namespace rebound-x still terminating'];
    const trial = scenario.trials[1];
    if (trial) {
      trial.verdict = 'FAIL';
      trial.reason = 'recovery took 31s, over 30s';
    }
    result.verdict = 'ERROR';
    const text = await summary(result);
    expect(text.split('\n')[0]).to.equal('## ⚠️ rebound: ERROR');
    expect(rows(text)[0]?.slice(1, 3)).to.deep.equal(['⚠️ ERROR', '2/3']);
    expect(rows(text)[0]?.[6]).to.equal('cleanup failed: namespace rebound-x still terminating<br>trial 2: recovery took 31s, over 30s');
  });

  it('keeps text from results inside its cell: no HTML, no Markdown, no broken rows', async () => {
    const result = editable(await loadFixture(FIXTURES.deploymentPodKill));
    const scenario = result.scenarios[0];
    if (!scenario) throw new Error('fixture has no scenario');
    scenario.name = HOSTILE;
    scenario.verdict = 'FAIL';
    scenario.reason = HOSTILE;
    const text = await summary(result);
    const table = rows(text);
    expect(table).to.have.length(1);
    expect(table[0]).to.have.length(7);
    expect(text).to.not.contain('<script>');
    expect(table[0]?.[0]).to.equal('&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*bold\\* &amp; "quoted" <br> second line \\]\\]&gt;');
  });
});

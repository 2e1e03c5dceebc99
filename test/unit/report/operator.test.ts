import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConsoleReporter } from '../../../harness/report/console.js';
import { HtmlReporter } from '../../../harness/report/html.js';
import { JsonReporter } from '../../../harness/report/json.js';
import { JUnitReporter } from '../../../harness/report/junit.js';
import { readRunResultFile } from '../../../harness/report/load.js';
import { MarkdownReporter } from '../../../harness/report/markdown.js';
import type { RunResult } from '../../../harness/report/result.js';
import { editable, FIXTURES, loadFixture, removeTemporaryFolders, temporaryFolder } from './support.js';

/**
 * A recorded run as `run --interactive` leaves it: trial 1 confirmed at the prompt with a note typed during its
 * recovery, trial 2 skipped by the operator (its fault listed with what it would have hit, not injected).
 */
async function gameDay(): Promise<RunResult> {
  const result = editable(await loadFixture(FIXTURES.deploymentPodKill));
  const scenario = result.scenarios[0];
  const first = scenario?.trials[0];
  if (!scenario || !first || first.t0 === null) throw new Error('fixture changed: one trial with a T0 expected');
  const t0 = Date.parse(first.t0);
  const at = (ms: number): string => new Date(t0 + ms).toISOString();
  first.timeline.markers.push(
    { at: at(20), kind: 'operator', label: 'operator: go (after 4.2 s at the prompt)' },
    { at: at(1500), kind: 'operator', label: 'note: the replacement landed on node-3' },
  );
  const skipped = structuredClone(first);
  Object.assign(skipped, {
    trial: 2, verdict: 'SKIPPED', reason: 'skipped by the operator', t0: at(30_000), injectedAt: null, brokenAt: null, recoveredAt: null,
    recoveryTimeMs: null, disruptionMs: null, replacements: [], placement: [], evidence: { brokenAt: null, recoveredAt: null },
  });
  skipped.faults = skipped.faults.map((f) => ({ ...f, injectedAt: null }));
  skipped.timeline = { samples: [], markers: [{ at: at(31_000), kind: 'operator', label: 'operator: skipped by the operator (after 1.0 s at the prompt)' }] };
  scenario.trials.push(skipped);
  scenario.reason = 'trial 2 skipped by the operator';
  return result;
}

describe('Reports of a game day (run --interactive): skipped trials and the notes from the room', () => {
  after(removeTemporaryFolders);

  it('results.json with a SKIPPED trial and operator markers is valid against the results schema', async () => {
    const out = await temporaryFolder();
    await new JsonReporter(out).onRunEnd(await gameDay());
    const read = await readRunResultFile(join(out, 'results.json'));
    expect(read.scenarios[0]?.trials.map((t) => t.verdict)).to.deep.equal(['PASS', 'SKIPPED']);
  });

  it('Markdown: the skipped trial is counted apart, and what the room said is listed with its time since T0', async () => {
    const reporter = new MarkdownReporter(await temporaryFolder());
    await reporter.onRunEnd(await gameDay());
    const text = await readFile(reporter.file, 'utf8');
    expect(text).to.contain('| ✅ PASS | 1/1 (1 skipped) |');
    expect(text).to.contain('### From the room: deployment-pod-kill');
    expect(text).to.match(/- trial 1 \(PASS\), \+1\.50s since T0 \(\d\d:\d\d:\d\d\.\d{3}Z\): note: the replacement landed on node-3/);
    expect(text).to.match(/- trial 2 \(SKIPPED\), \+1\.00s since T0 \(.*\): operator: skipped by the operator/);
  });

  it('JUnit: the note and the skipped trial are in the scenario\'s output, the skipped fault marked not injected', async () => {
    const reporter = new JUnitReporter(await temporaryFolder());
    await reporter.onRunEnd(await gameDay());
    const xml = await readFile(reporter.file, 'utf8');
    expect(xml).to.contain('1/1 (1 skipped) trials passed');
    expect(xml).to.match(/\+1\.50s since T0 \(.*\): note: the replacement landed on node-3/);
    expect(xml).to.contain('trial 2: SKIPPED');
    expect(xml).to.match(/podKill at \+0\.00s: kill pod web-\S+ \(node-2\) \(not injected\)/);
    expect(xml).to.contain('<property name="trial.2.verdict" value="SKIPPED"/>');
  });

  it('HTML: a SKIPPED badge, and the notes in the open under "From the room"', async () => {
    const reporter = new HtmlReporter(await temporaryFolder());
    await reporter.onRunEnd(await gameDay());
    const html = await readFile(reporter.file, 'utf8');
    expect(html).to.contain('<span class="badge skipped">SKIPPED</span>');
    expect(html).to.contain('<h4>From the room</h4>');
    expect(html).to.match(/1\.500s since T0 \([^)]*\)<\/span> note: the replacement landed on node-3/);
    expect(html).to.contain('<span class="muted">(not injected)</span>');
  });

  it('console: the skipped trial says what it would have hit; the summary counts it apart', async () => {
    const result = await gameDay();
    let text = '';
    const stream = { write: (chunk: string) => { text += chunk; return true; }, isTTY: false, columns: 120 } as unknown as NodeJS.WriteStream;
    const reporter = new ConsoleReporter(stream);
    const scenario = result.scenarios[0];
    const skipped = scenario?.trials[1];
    if (!skipped) throw new Error('no skipped trial');
    reporter.onTrialEnd({} as never, skipped);
    reporter.onRunEnd(result);
    expect(text).to.match(/trial 2: SKIPPED \(would have: kill pod web-\S+ \(node-2\)\): skipped by the operator/);
    expect(text).to.match(/deployment-pod-kill\s+PASS\s+1\/1 \(1 skipped\)/);
  });
});

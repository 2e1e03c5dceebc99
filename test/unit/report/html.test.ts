import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { HtmlReporter } from '../../../harness/report/html.js';
import type { RunResult } from '../../../harness/report/result.js';
import { editable, FIXTURES, HOSTILE, loadFixture, removeTemporaryFolders, temporaryFolder } from './support.js';

async function page(result: RunResult): Promise<string> {
  const reporter = new HtmlReporter(await temporaryFolder());
  await reporter.onRunEnd(result);
  return readFile(reporter.file, 'utf8');
}

/** The run with hostile text in every place the report shows text from results. */
async function hostileRun(): Promise<RunResult> {
  const result = editable(await loadFixture(FIXTURES.deploymentPodKill));
  const scenario = result.scenarios[0];
  const trial = scenario?.trials[0];
  const replacement = trial?.replacements[0];
  const event = scenario?.events[0];
  if (!scenario || !trial || !replacement || !event) throw new Error('fixture changed: a trial with a replacement and events expected');
  scenario.name = HOSTILE;
  scenario.description = HOSTILE;
  scenario.verdict = 'FAIL';
  scenario.reason = HOSTILE;
  scenario.labels = { [HOSTILE]: HOSTILE };
  scenario.steadyState = [HOSTILE];
  trial.reason = HOSTILE;
  trial.timeline.markers.push({ at: trial.timeline.markers[0]?.at ?? scenario.startedAt, kind: HOSTILE, label: HOSTILE });
  replacement.pod.name = HOSTILE;
  event.message = HOSTILE;
  const evidence = trial.evidence.brokenAt?.objects[0];
  if (!evidence) throw new Error('fixture changed: evidence at brokenAt expected');
  evidence.name = HOSTILE;
  evidence.summary = { [HOSTILE]: HOSTILE };
  scenario.processes.push({ name: HOSTILE, log: HOSTILE, starts: 1, tail: [HOSTILE] });
  result.vars = { [HOSTILE]: HOSTILE };
  return result;
}

describe('HTML reporter (as text; test/integration/report-html.test.ts looks at it in a browser)', () => {
  after(removeTemporaryFolders);

  it('is one file that fetches nothing: no src, no link, a policy that forbids every fetch', async () => {
    const html = await page(await loadFixture(FIXTURES.allExamples));
    expect(html).to.match(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; /);
    expect(html).to.not.match(/<(script|img|iframe)[^>]*\ssrc=/i);
    expect(html).to.not.match(/<link\b/i);
    expect(html).to.not.match(/sourceMappingURL/);
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs.filter((href) => !href?.startsWith('#'))).to.deep.equal([]);
    // Chart.js and the annotation plugin are inlined: their banners are in the page.
    expect(html).to.match(/Chart\.js v4\.\d+\.\d+/);
    expect(html).to.match(/chartjs-plugin-annotation v3\.\d+\.\d+/);
  });

  it('has a canvas per chart: recovery per scenario, a timeline per trial, phases per trial that replaced pods', async () => {
    const result = await loadFixture(FIXTURES.allExamples);
    const html = await page(result);
    const count = (kind: string): number => html.split(`data-chart="${kind}"`).length - 1;
    const trials = result.scenarios.flatMap((s) => s.trials);
    expect(count('recovery')).to.equal(11);
    expect(count('timeline')).to.equal(trials.length).and.to.equal(22);
    expect(count('phases')).to.equal(trials.filter((t) => t.replacements.length > 0).length).and.to.equal(15);
    const specs = JSON.parse(/<script type="application\/json" id="rebound-charts">(.*?)<\/script>/s.exec(html)?.[1] ?? '[]') as { id: string }[];
    expect(specs.map((s) => s.id)).to.deep.equal([...html.matchAll(/<canvas id="([^"]+)"/g)].map((m) => m[1]));
  });

  it('shows the run verdict, seed and environment fingerprint in its header', async () => {
    const html = await page(await loadFixture(FIXTURES.allExamples));
    const header = html.slice(html.indexOf('<header>'), html.indexOf('</header>'));
    expect(header).to.contain('rebound report <span class="badge fail">FAIL</span>');
    expect(header).to.contain('<dt>seed</dt><dd>9564917</dd>');
    expect(header).to.contain('local cluster op-dev, Kubernetes v1.34.4, 3 nodes, rebound 0.1.0, 2 CPU linux');
    expect(header).to.contain('nodeMonitorGracePeriodSeconds=6');
    expect(header.split('<tr>').length - 2, 'one row per scenario').to.equal(11);
  });

  it('escapes every text taken from results, in the page and in the chart data', async () => {
    const html = await page(await hostileRun());
    // Three script elements: the chart data, the libraries, the drawing code; none from the results.
    expect(html.match(/<script/g)).to.have.length(3);
    expect(html).to.not.contain('<script>alert');
    expect(html).to.contain('&lt;script&gt;alert(1)&lt;/script&gt; | *bold* &amp; &quot;quoted&quot;');
    const data = /<script type="application\/json" id="rebound-charts">(.*?)<\/script>/s.exec(html)?.[1] ?? '';
    expect(data).to.not.contain('<');
    const specs = JSON.parse(data) as { kind: string; config: { data: { labels?: string[] } } }[];
    expect(specs.find((s) => s.kind === 'phases')?.config.data.labels?.[0]).to.equal(`${HOSTILE} → web-bd557456b-qm6dj`);
  });

  it('says how many healthy objects a snapshot left out, by kind', async () => {
    const result = editable(await loadFixture(FIXTURES.deploymentPodKill));
    const snapshot = result.scenarios[0]?.trials[0]?.evidence.brokenAt;
    if (!snapshot) throw new Error('fixture changed: evidence at brokenAt expected');
    snapshot.omitted = { Pod: 9950, Node: 1 };
    const html = await page(result);
    expect(html).to.contain('and 9950 more Pods, all healthy (not listed)');
    expect(html).to.contain('and 1 more Node, all healthy (not listed)');
  });
});

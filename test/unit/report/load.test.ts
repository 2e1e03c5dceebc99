import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { HtmlReporter } from '../../../harness/report/html.js';
import { JUnitReporter } from '../../../harness/report/junit.js';
import { MarkdownReporter } from '../../../harness/report/markdown.js';
import type { RunResult } from '../../../harness/report/result.js';
import { editable, FIXTURES, loadFixture, removeTemporaryFolders, temporaryFolder } from './support.js';

async function written(reporter: { onRunEnd(result: RunResult): void; readonly file: string }, result: RunResult): Promise<string> {
  reporter.onRunEnd(result);
  return readFile(reporter.file, 'utf8');
}

describe('reports of a run under load (fail-load-front-kill: recovered in time, SLO crossed)', () => {
  after(removeTemporaryFolders);

  it('summary.md lists each trial\'s load, error budget and thresholds with their values', async () => {
    const markdown = await written(new MarkdownReporter(await temporaryFolder()), await loadFixture(FIXTURES.loadFrontKill));
    expect(markdown).to.include('### Load: fail-load-front-kill');
    expect(markdown).to.match(/- trial 1 \(FAIL\): load \(http\): \d+ requests, \d+ failed \(\d+\.\d\d%\)/);
    expect(markdown).to.match(/ {2}- ✗ http\\_req\\_failed rate&lt;0\.01 \(rate=0\.\d+\)/);
    expect(markdown).to.match(/ {2}- error budget from injection to recovery: \d+ of \d+ requests failed, longest failure run/);
  });

  it('junit.xml makes a crossed threshold a <failure> naming it and its value, even when the trial also failed to recover', async () => {
    const result = editable(await loadFixture(FIXTURES.loadFrontKill));
    const trial = result.scenarios[0]?.trials[0];
    if (!trial?.load) throw new Error('fixture changed: a trial with load expected');
    // The trial failed for its recovery as well: its reason is the recovery's, the threshold must still be named.
    trial.reason = 'no recovery within 15s (+2s settle): http GET http://127.0.0.1:18480/healthz: connection refused';
    const scenario = result.scenarios[0];
    if (scenario) scenario.reason = `trial 1: ${trial.reason}`;
    const xml = await written(new JUnitReporter(await temporaryFolder()), result);
    const failure = /<failure message="([^"]*)" type="FAIL">([\s\S]*?)<\/failure>/.exec(xml);
    expect(failure?.[1]).to.match(/^trial 1: no recovery within 15s/);
    expect(failure?.[2]).to.match(/trial 1: load threshold ✗ http_req_failed rate&lt;0\.01 \(rate=0\.\d+\)/);
    expect(xml).to.match(/<property name="trial\.1\.threshold\.http_req_failed\.rate&lt;0\.01" value="crossed 0\.\d+"\/>/);
    expect(xml).to.match(/<property name="trial\.1\.threshold\.http_req_duration\.p\(95\)&lt;250" value="ok \d/);
  });

  it('report.html draws a load panel per trial with load, on the timeline\'s time axis', async () => {
    const result = await loadFixture(FIXTURES.loadFrontKill);
    const html = await written(new HtmlReporter(await temporaryFolder()), result);
    expect(html).to.include('data-chart="load"');
    const specs = JSON.parse(/<script type="application\/json" id="rebound-charts">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '[]') as
      { id: string; kind: string; config: { options: { scales: { x: { min: number; max: number } } } } }[];
    const timeline = specs.find((s) => s.kind === 'timeline');
    const load = specs.find((s) => s.kind === 'load');
    expect(load, 'a load chart').to.not.equal(undefined);
    expect(load?.config.options.scales.x).to.deep.include({ min: timeline?.config.options.scales.x.min, max: timeline?.config.options.scales.x.max });
    // A run without load has no load panel.
    const plain = await written(new HtmlReporter(await temporaryFolder()), await loadFixture(FIXTURES.deploymentPodKill));
    expect(plain).to.not.include('data-chart="load"');
  });
});

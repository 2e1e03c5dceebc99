import { expect } from 'chai';
import { readdir } from 'node:fs/promises';
import { ConsoleReporter } from '../../../harness/report/console.js';
import { HtmlReporter } from '../../../harness/report/html.js';
import { JsonReporter } from '../../../harness/report/json.js';
import { JUnitReporter } from '../../../harness/report/junit.js';
import { MarkdownReporter } from '../../../harness/report/markdown.js';
import { createReporters, DEFAULT_REPORTERS, REPORTER_NAMES } from '../../../harness/report/registry.js';
import { report } from '../../../harness/report/reporter.js';
import { UsageError } from '../../../harness/errors.js';
import { FIXTURES, loadFixture, removeTemporaryFolders, temporaryFolder } from './support.js';

describe('reporter registry', () => {
  after(removeTemporaryFolders);

  it('makes the default reporters: console, json, junit, markdown, html', async () => {
    expect(DEFAULT_REPORTERS).to.deep.equal(['console', 'json', 'junit', 'markdown', 'html']);
    expect(REPORTER_NAMES).to.have.members([...DEFAULT_REPORTERS]);
    const reporters = await createReporters([...DEFAULT_REPORTERS], '/tmp/out');
    expect(reporters.map((r) => r.constructor)).to.deep.equal([ConsoleReporter, JsonReporter, JUnitReporter, MarkdownReporter, HtmlReporter]);
  });

  it('takes repeated and comma-separated names, in order, each once', async () => {
    const reporters = await createReporters(['html,junit', 'html', ' markdown '], '/tmp/out');
    expect(reporters.map((r) => r.constructor)).to.deep.equal([HtmlReporter, JUnitReporter, MarkdownReporter]);
  });

  it('refuses an unknown name with a UsageError that lists the known ones', async () => {
    const refusal = async (names: string[]): Promise<unknown> => createReporters(names, '/tmp/out').then(() => undefined, (error: unknown) => error);
    const unknown = await refusal(['html', 'xml', 'pdf']);
    expect(unknown).to.be.instanceOf(UsageError).with.property('message', 'unknown reporter "xml", "pdf": choose from console, json, junit, markdown, html');
    expect(await refusal(['constructor'])).to.be.instanceOf(UsageError).with.property('message').that.contains('unknown reporter "constructor"');
    expect(await refusal([''])).to.be.instanceOf(UsageError).with.property('message').that.contains('--reporter needs a name');
  });

  it('file reporters write their file in onRunEnd, whole (no temporary file left)', async () => {
    const out = await temporaryFolder();
    const reporters = await createReporters(['json', 'junit', 'markdown', 'html'], out);
    expect(await readdir(out)).to.deep.equal([]);
    const failures = await report(reporters, 'onRunEnd', await loadFixture(FIXTURES.deploymentPodKill));
    expect(failures).to.deep.equal([]);
    expect((await readdir(out)).sort()).to.deep.equal(['junit.xml', 'report.html', 'results.json', 'summary.md']);
  });
});

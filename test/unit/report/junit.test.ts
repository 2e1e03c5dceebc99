import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as junit2json } from 'junit2json';
import { parse as parseTestResults } from 'test-results-parser';
import { JUnitReporter } from '../../../harness/report/junit.js';
import type { RunResult } from '../../../harness/report/result.js';
import { editable, FIXTURES, HOSTILE, loadFixture, removeTemporaryFolders, REPO_ROOT, temporaryFolder } from './support.js';

const run = promisify(execFile);
const XSD = join(REPO_ROOT, 'test', 'fixtures', 'junit', 'junit.xsd');
const XMLLINT = '/usr/bin/xmllint';

/** Writes a run's junit.xml the way a run does, and returns its path and text. */
async function written(result: RunResult): Promise<{ file: string; xml: string }> {
  const reporter = new JUnitReporter(await temporaryFolder());
  await reporter.onRunEnd(result);
  return { file: reporter.file, xml: await readFile(reporter.file, 'utf8') };
}

/** The all-examples run with one scenario turned into an ERROR and one given hostile text. */
async function mixedRun(): Promise<RunResult> {
  const result = editable(await loadFixture(FIXTURES.allExamples));
  const error = result.scenarios.find((s) => s.name === 'http-health');
  const hostile = result.scenarios.find((s) => s.name === 'slow-ready');
  if (!error || !hostile) throw new Error('fixture changed: http-health and slow-ready expected');
  error.verdict = 'ERROR';
  error.reason = 'steady state never reached: podsReady app=web: 0/3 ready';
  result.verdict = 'ERROR';
  hostile.name = HOSTILE;
  hostile.verdict = 'FAIL';
  hostile.reason = HOSTILE;
  const trial = hostile.trials[0];
  if (trial) {
    trial.verdict = 'FAIL';
    trial.reason = HOSTILE;
  }
  return result;
}

describe('JUnit reporter', function () {
  this.timeout(30_000);
  after(removeTemporaryFolders);

  it('is valid against the JUnit schema (xmllint --schema), for a passing, a failing and an erroring run', async function () {
    if (!existsSync(XMLLINT)) {
      console.warn(`\n  WARNING: ${XMLLINT} is missing, so junit.xml is NOT validated against the JUnit XSD. Install it: apt-get install -y libxml2-utils\n`);
      this.skip();
    }
    for (const result of [await loadFixture(FIXTURES.deploymentPodKill), await loadFixture(FIXTURES.allExamples), await mixedRun()]) {
      const { file } = await written(result);
      const { stderr } = await run(XMLLINT, ['--noout', '--schema', XSD, file]);
      expect(stderr).to.contain('validates');
    }
  });

  it('the schema is strict enough to catch a broken report', async function () {
    if (!existsSync(XMLLINT)) {
      console.warn(`\n  WARNING: ${XMLLINT} is missing: apt-get install -y libxml2-utils\n`);
      this.skip();
    }
    const { xml } = await written(await loadFixture(FIXTURES.deploymentPodKill));
    const folder = await temporaryFolder();
    const broken = [
      xml.replace(/ classname="[^"]*"/, ''),
      xml.replace(/<testsuite (.*?)time="[\d.]+"/, '<testsuite $1time="18 seconds"'),
      xml.replace(/tests="1"/, 'tests="one"'),
    ];
    for (const [index, text] of broken.entries()) {
      expect(text, `case ${index} changed nothing`).to.not.equal(xml);
      const file = join(folder, `broken-${index}.xml`);
      await writeFile(file, text);
      const outcome = await run(XMLLINT, ['--noout', '--schema', XSD, file]).then(() => 'valid', (error: { stderr?: string }) => error.stderr ?? '');
      expect(outcome, `case ${index}`).to.contain('fails to validate');
    }
  });

  it('junit2json reads one suite per scenario file and one case per scenario, with FAIL as failure and ERROR as error', async () => {
    const result = await mixedRun();
    const parsed = await junit2json((await written(result)).xml);
    if (!parsed || !('testsuite' in parsed)) throw new Error('junit2json did not read a <testsuites> root');
    expect(parsed.tests).to.equal(11);
    expect(parsed.failures).to.equal(3);
    expect(parsed.errors).to.equal(1);
    const suites = parsed.testsuite ?? [];
    expect(suites.map((s) => s.name)).to.deep.equal([...new Set(result.scenarios.map((s) => s.file))]);
    const cases = suites.flatMap((s) => s.testcase ?? []);
    const asAttribute = (name: string): string => name.replace('\u0007', '\uFFFD').replace(/\s*\n\s*/g, ' ').trim();
    expect(cases.map((c) => c.name)).to.deep.equal(result.scenarios.map((s) => asAttribute(s.name)));
    const byName = new Map(cases.map((c) => [c.name, c]));
    const bare = byName.get('fail-bare-pod');
    expect(bare?.classname).to.equal('scenarios.fail-bare-pod');
    expect(bare?.failure?.[0]?.message).to.equal('trial 1: no recovery within 10s (+1s settle): podsReady app=lonely: 0/1 ready');
    expect(bare?.failure?.[0]?.type).to.equal('FAIL');
    expect(byName.get('http-health')?.error?.[0]?.message).to.equal('steady state never reached: podsReady app=web: 0/3 ready');
    expect(byName.get('deployment-pod-kill')?.failure).to.equal(undefined);
    // Times are seconds: the scenario took 18.8 s.
    expect(byName.get('deployment-pod-kill')?.time).to.be.within(18, 19);
    expect(byName.get('deployment-pod-kill')?.['system-out']?.[0]).to.contain('trial 2: PASS (recovery 1.01s, disruption 1.01s)');
  });

  it('keeps hostile text as text: escaped, one-line messages, invalid XML characters replaced', async () => {
    const { xml } = await written(await mixedRun());
    expect(xml).to.not.contain('<script>');
    expect(xml).to.not.contain('\u0007');
    const parsed = await junit2json(xml);
    if (!parsed || !('testsuite' in parsed)) throw new Error('no <testsuites> root');
    const hostile = (parsed.testsuite ?? []).flatMap((s) => s.testcase ?? []).find((c) => c.name?.startsWith('<script>'));
    // Names and messages are attributes: kept on one line, as CI tools show them.
    expect(hostile?.name).to.equal(HOSTILE.replace('\u0007', '\uFFFD').replace(/\s*\n\s*/, ' ').trim());
    expect(hostile?.failure?.[0]?.message).to.not.contain('\n');
    expect(hostile?.failure?.[0]?.message).to.contain('<script>alert(1)</script> | *bold*');
  });

  it('test-results-parser (a CI report consumer) counts the same totals and statuses', async () => {
    const { file } = await written(await mixedRun());
    const parsed = parseTestResults({ type: 'junit', files: [file] });
    expect({ total: parsed.total, passed: parsed.passed, failed: parsed.failed, errors: parsed.errors, status: parsed.status })
      .to.deep.equal({ total: 11, passed: 7, failed: 3, errors: 1, status: 'FAIL' });
    expect(parsed.suites).to.have.length(11);
    // It reads the per-scenario properties as metadata, numbers as numbers.
    const podKill = parsed.suites.flatMap((suite) => suite.cases).find((c) => c.name === 'deployment-pod-kill');
    expect(podKill?.metadata).to.include({ 'verdict': 'PASS', 'trial.2.recoveryTimeMs': 1011, 'recoveryTimeMs.p95': 917.4, 'seed': 9564917 });
    expect(podKill?.duration).to.equal(18811);
    const clean = parseTestResults({ type: 'junit', files: [(await written(await loadFixture(FIXTURES.deploymentPodKill))).file] });
    expect({ total: clean.total, passed: clean.passed, status: clean.status }).to.deep.equal({ total: 1, passed: 1, status: 'PASS' });
  });

  it('groups scenarios of one file into one suite', async () => {
    const result = editable(await loadFixture(FIXTURES.allExamples));
    for (const scenario of result.scenarios.slice(0, 3)) scenario.file = 'scenarios/shared.yaml';
    const parsed = await junit2json((await written(result)).xml);
    if (!parsed || !('testsuite' in parsed)) throw new Error('no <testsuites> root');
    const shared = (parsed.testsuite ?? []).filter((s) => s.name === 'scenarios/shared.yaml');
    expect(shared).to.have.length(1);
    expect(shared[0]?.tests).to.equal(3);
    expect(shared[0]?.failures).to.equal(2);
    expect(parsed.testsuite).to.have.length(9);
  });
});

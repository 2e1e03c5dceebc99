import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatIssue } from '../../../harness/scenario/issues.js';
import { expandScenarioArgs, loadScenarioFile } from '../../../harness/scenario/loader.js';
import { REPO_ROOT, show } from './support.js';

const BAD = join(REPO_ROOT, 'test', 'fixtures', 'bad-scenarios');
const GOOD = join(REPO_ROOT, 'test', 'fixtures', 'good-scenarios');
/** The variables every fixture may use. */
const VARS = { IMAGE: 'nginx:1.27' };

/** One `# expect: [file:]line:col path: message-fragment` line; path `-` means none. */
interface Expectation {
  readonly file?: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
  readonly fragment: string;
}

const EXPECT = /^# expect: (?:(\S+):)?(\d+):(\d+) (\S+): (.+)$/;

function expectations(text: string): Expectation[] {
  return text.split('\n').flatMap((line) => {
    const match = EXPECT.exec(line);
    if (match === null) return [];
    const [, file, lineNumber = '0', column = '0', path = '', fragment = ''] = match;
    return [{ ...(file === undefined ? {} : { file }), line: Number(lineNumber), column: Number(column), path: path === '-' ? '' : path, fragment }];
  });
}

const badFiles = (await readdir(BAD)).filter((name) => name.endsWith('.yaml')).sort();

describe('scenario fixtures', () => {
  it('has at least 22 bad scenarios, each with an expectation', async () => {
    expect(badFiles.length).to.be.at.least(22);
    for (const name of badFiles) {
      expect(expectations(await readFile(join(BAD, name), 'utf8')), name).to.not.deep.equal([]);
    }
  });

  describe('bad scenarios: one problem each, at the line, column and path expected', () => {
    for (const name of badFiles) {
      it(name, async () => {
        const file = join(BAD, name);
        const wanted = expectations(await readFile(file, 'utf8'));
        const result = await loadScenarioFile(file, { vars: VARS });
        expect(result.scenario).to.equal(undefined);
        expect(result.errors.length, show(result.errors)).to.equal(wanted.length);
        for (const expectation of wanted) {
          const expectedFile = expectation.file === undefined ? file : join(BAD, expectation.file);
          const match = result.errors.find((issue) => issue.file === expectedFile
            && issue.line === expectation.line
            && issue.column === expectation.column
            && issue.path === expectation.path
            && formatIssue(issue).includes(expectation.fragment));
          expect(match, `wanted ${JSON.stringify(expectation)}\ngot:\n${show(result.errors)}`).to.not.equal(undefined);
        }
      });
    }
  });

  describe('good scenarios', () => {
    for (const name of ['web-pod-kill.yaml', 'operator-under-test.yaml', 'node-faults.yaml']) {
      it(`${name} is valid without warnings`, async () => {
        const result = await loadScenarioFile(join(GOOD, name), { vars: VARS });
        expect(result.errors, show(result.errors)).to.deep.equal([]);
        expect(result.warnings, show(result.warnings)).to.deep.equal([]);
        expect(result.scenario?.file).to.equal(join(GOOD, name));
      });
    }
  });

  it('finds every scenario in the fixture folders, and no manifest', async () => {
    const { files, errors } = await expandScenarioArgs([BAD, GOOD]);
    expect(errors).to.deep.equal([]);
    expect(files.filter((file) => file.includes('manifests'))).to.deep.equal([]);
    expect(files).to.have.length(badFiles.length + 3);
  });
});

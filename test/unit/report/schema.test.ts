import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { readRunResultFile, resultProblems } from '../../../harness/report/load.js';
import { RESULT_SCHEMA_VERSION, resultsJsonSchema } from '../../../harness/report/result.js';
import { editable, FIXTURES, loadFixture, removeTemporaryFolders, REPO_ROOT, temporaryFolder } from './support.js';

const COMMITTED = join(REPO_ROOT, 'docs', 'results.schema.json');

describe('results JSON Schema', () => {
  after(removeTemporaryFolders);

  it('matches the committed docs/results.schema.json', async () => {
    const committed = await readFile(COMMITTED, 'utf8').catch(() => '(missing)');
    const generated = `${JSON.stringify(resultsJsonSchema(), null, 2)}\n`;
    expect(committed === generated, 'docs/results.schema.json is out of date with harness/report/result.ts; regenerate it with '
      + '`node bin/rebound.js schema --results --out docs/results.schema.json` (after building) and commit it').to.equal(true);
  });

  it('is plain draft-07 JSON Schema with a versioned id', () => {
    const schema = resultsJsonSchema();
    expect(schema.$schema).to.equal('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).to.equal(`https://rebound.dev/schemas/results-v${RESULT_SCHEMA_VERSION}.json`);
    expect(JSON.parse(JSON.stringify(schema))).to.deep.equal(schema);
  });

  it('accepts the recorded runs, checked by a plain Ajv with only the committed file', async () => {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    // Ajv leaves standard formats to ajv-formats; a reader of the schema brings its own date-time check.
    ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
    const validate = ajv.compile(JSON.parse(await readFile(COMMITTED, 'utf8')) as object);
    for (const file of Object.values(FIXTURES)) {
      const ok = validate(JSON.parse(await readFile(file, 'utf8')));
      expect(ok, `${file}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
    }
  });

  it('names the path of what is wrong in a result', async () => {
    const result = editable(await loadFixture(FIXTURES.deploymentPodKill));
    type Trial = { recoveryTimeMs: unknown; timeline: { samples: { at: string }[] } };
    const broken = result as unknown as { scenarios: { verdict: string; trials: Trial[] }[]; seed: unknown };
    const scenario = broken.scenarios[0];
    const trial = scenario?.trials[0];
    const sample = trial?.timeline.samples[0];
    if (!scenario || !trial || !sample) throw new Error('fixture changed');
    scenario.verdict = 'MAYBE';
    trial.recoveryTimeMs = '3s';
    sample.at = 'yesterday';
    delete broken.seed;
    expect(resultProblems(broken)).to.have.members([
      '(top level): must have required property \'seed\'',
      'scenarios.0.verdict: must be one of "PASS", "FAIL", "ERROR", "ABORTED"',
      'scenarios.0.trials.0.recoveryTimeMs: must be number',
      'scenarios.0.trials.0.recoveryTimeMs: must be null',
      'scenarios.0.trials.0.timeline.samples.0.at: must match format "date-time"',
    ]);
  });

  it('readRunResultFile: a missing, non-JSON, other-version or invalid file is one line that says which', async () => {
    const folder = await temporaryFolder();
    const failure = async (file: string): Promise<string> => readRunResultFile(file).then(() => 'read', (error: Error) => error.message);
    expect(await failure(join(folder, 'nope.json'))).to.match(/nope\.json does not exist: give the results\.json of a run/);
    await writeFile(join(folder, 'text.json'), 'not json');
    expect(await failure(join(folder, 'text.json'))).to.match(/text\.json is not JSON: /);
    await writeFile(join(folder, 'v9.json'), JSON.stringify({ schemaVersion: 9 }));
    expect(await failure(join(folder, 'v9.json'))).to.match(/v9\.json has results schemaVersion 9; this rebound reads version 1/);
    await writeFile(join(folder, 'empty.json'), '{}');
    const message = await failure(join(folder, 'empty.json'));
    expect(message).to.match(/empty\.json is not a valid rebound results\.json: \(top level\): must have required property 'schemaVersion' \(and 7 more problems\)$/);
    expect(message).to.not.contain('\n');
  });
});

// Inputs the fuzz targets found that rebound mishandled, kept as plain tests so they stay fixed.
import { expect } from 'chai';
import { stringify } from 'yaml';
import { Duration, DurationSyntaxError } from '../../../harness/scenario/duration.js';
import { formatIssue } from '../../../harness/scenario/issues.js';
import { parseVarAssignments } from '../../../harness/scenario/loader.js';
import { baseScenario, loadText, removeTemporaryFolders } from '../scenario/support.js';

describe('fuzz counterexamples', () => {
  after(removeTemporaryFolders);

  it('a sign alone is not a duration (it used to read as 0s)', async () => {
    expect(() => Duration.parse('+')).to.throw(DurationSyntaxError, '`+` is not a duration');
    expect(() => Duration.parse(' + ')).to.throw(DurationSyntaxError, '`+` is not a duration');
    const scenario = baseScenario();
    scenario.spec.expect = { recoveryWithin: '30s', settle: '+' };
    const result = await loadText(stringify(scenario));
    expect(result.scenario).to.equal(undefined);
    expect(result.errors.map(formatIssue)).to.deep.equal([
      `${result.file}:16:13: spec.expect.settle: \`+\` is not a duration; expected a duration such as 500ms, 30s, 5m, 1h or 1m30s (units h, m, s, ms; decimals like 1.5s allowed)`,
    ]);
  });

  it('--var __proto__=value is a variable like any other (it used to vanish)', async () => {
    const vars = parseVarAssignments(['__proto__=from-the-flag', 'constructor=c']);
    expect(Object.getOwnPropertyNames(vars).sort()).to.deep.equal(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(vars, '__proto__')?.value).to.equal('from-the-flag');
    const scenario = baseScenario();
    scenario.spec.desiredState = [{ inline: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { flag: '${__proto__}', name: '${constructor}' } } }];
    const result = await loadText(stringify(scenario), { vars });
    expect(result.errors.map(formatIssue)).to.deep.equal([]);
    expect(result.scenario?.spec.desiredState[0]?.object).to.deep.include({ data: { flag: 'from-the-flag', name: 'c' } });
  });

  it('a spec.variables default named __proto__ is used (it used to be unknown)', async () => {
    const scenario = baseScenario();
    scenario.spec.variables = JSON.parse('{"__proto__": "from-the-default"}') as Record<string, string>;
    scenario.spec.desiredState = [{ inline: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { value: '${__proto__}' } } }];
    const result = await loadText(stringify(scenario));
    expect(result.errors.map(formatIssue)).to.deep.equal([]);
    expect(result.scenario?.spec.desiredState[0]?.object).to.deep.include({ data: { value: 'from-the-default' } });
  });

  it('YAML nested thousands of levels deep is one error in words at its place, not a stack overflow message per level', async () => {
    const depth = 5000;
    const result = await loadText(`apiVersion: rebound.dev/v1alpha1\nkind: Scenario\nmetadata: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
    expect(result.errors).to.have.length(1);
    const [error] = result.errors;
    expect(error?.message).to.equal('YAML: nested too deeply to read (lists or maps inside each other hundreds of levels deep)');
    expect(error?.line).to.equal(3);
    expect(error?.column).to.be.within(11, 11 + depth);
  });

  it('a count beyond what YAML reads exactly is refused (99999999999999999999 read as 1e20 was accepted)', async () => {
    const scenario = baseScenario();
    const text = stringify(scenario).replace('selector: app=web\n  expect', 'selector: app=web\n        count: 99999999999999999999\n  expect');
    const result = await loadText(text);
    expect(result.errors.map((issue) => `${issue.line}:${issue.column} ${issue.path}: ${issue.message}`)).to.deep.equal([
      '14:16 spec.faults[0].podKill.count: is too large: at most 9007199254740991, the largest whole number YAML reads exactly (got the number 100000000000000000000)',
    ]);
    const small = await loadText(stringify({ ...scenario, spec: { ...scenario.spec, trials: 0 } }));
    expect(small.errors.map((issue) => `${issue.path}: ${issue.message}`)).to.deep.equal(['spec.trials: must be at least 1 (got the number 0)']);
  });

  it('positions after a stray byte stay inside their line (the YAML parser lost count of the lines after it)', async () => {
    const result = await loadText(': }\n\n\uFFFD\nt:');
    expect(result.errors.map((issue) => `${issue.line}:${issue.column} ${issue.message}`)).to.deep.equal([
      '1:3 YAML: Unexpected flow-map-end token in YAML stream: "}"',
      '3:1 YAML: Unexpected scalar token in YAML stream: "\uFFFD\\nt"',
      '4:2 YAML: Unexpected map-value-ind token in YAML stream: ":"',
    ]);
  });

  it('a key with a carriage return or a control character is quoted escaped: the issue stays one line', async () => {
    const scenario = baseScenario();
    scenario.spec.faults = [{ 'pod\u0006\rKill': { selector: 'app=web' } }];
    const result = await loadText(stringify(scenario));
    const shown = result.errors.map(formatIssue);
    expect(shown).to.deep.equal([
      `${result.file}:12:7: spec.faults[0]["pod\\u0006\\rKill"]: unknown fault kind \`pod\\u0006\\rKill\` (hint: did you mean podKill?)`,
    ]);
  });

  it('trials whose total time no duration can hold are a warning, not a RangeError from the loader', async () => {
    const scenario = baseScenario();
    const result = await loadText(stringify({ ...scenario, spec: { ...scenario.spec, trials: 1099511627776 } }));
    expect(result.errors).to.deep.equal([]);
    expect(result.warnings.map((issue) => `${issue.path}: ${issue.message} (hint: ${issue.hint ?? ''})`)).to.deep.equal([
      'spec.timeout: timeout (10m, the default) may end the run before 1099511627776 trials of up to 31s each (recoveryWithin + settle) (hint: lower trials, or recoveryWithin and settle)',
    ]);
  });

  it('a duration refused for holding a line break says so on one line', () => {
    expect(() => Duration.parse('1s\n2s')).to.throw(DurationSyntaxError, '`1s\\n2s` is not a duration;');
    expect(() => Duration.parse('5\u2028s')).to.throw(DurationSyntaxError, '`5\\u2028s` is not a duration;');
  });
});

import { expect } from 'chai';
import { LabelSelector, SelectorSyntaxError } from '../../../harness/scenario/rules.js';

describe('scenario label selectors', () => {
  const valid: [string, string][] = [
    ['app=web', 'app=web'],
    ['app==web', 'app=web'],
    ['app!=web', 'app!=web'],
    ['tier in (a,b)', 'tier in (a,b)'],
    ['tier notin ( a , b )', 'tier notin (a,b)'],
    ['canary', 'canary'],
    ['!canary', '!canary'],
    [' app = web , tier in (a, b) , !canary ', 'app=web,tier in (a,b),!canary'],
    ['app.kubernetes.io/name=web', 'app.kubernetes.io/name=web'],
    ['tier=', 'tier='],
    ['node-role.kubernetes.io/worker', 'node-role.kubernetes.io/worker'],
  ];
  for (const [text, canonical] of valid) {
    it(`parses ${JSON.stringify(text)}`, () => {
      expect(LabelSelector.parse(text).toString()).to.equal(canonical);
    });
  }

  const invalid: [string, string][] = [
    ['', 'it is empty'],
    ['   ', 'it is empty'],
    ['app in (a,b', 'expected `,` or `)` in the values of `app in`'],
    ['app in a', 'expected `(` after `app in`'],
    ['app in ()', 'expected a value before `)`'],
    ['=web', 'expected a label key before `=`'],
    ['app=we b', 'expected `,` between requirements, found `b`'],
    ['app=web,', 'expected a label key at the end'],
    ['app=-web', '`-web` is not a label value'],
    ['-app=web', '`-app` is not a label key'],
    ['a/b/c=d', 'is not a label key'],
    ['Example.com/app=web', 'invalid prefix'],
    ['app web', 'unexpected `web` after `app`'],
  ];
  for (const [text, reason] of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      expect(() => LabelSelector.parse(text)).to.throw(SelectorSyntaxError, reason);
      expect(() => LabelSelector.parse(text)).to.throw(`invalid selector \`${text}\``);
    });
  }

  it('matches labels as Kubernetes does', () => {
    const labels = { app: 'web', tier: 'front', empty: '' };
    const cases: [string, boolean][] = [
      ['app=web', true], ['app=api', false], ['app!=api', true], ['missing!=x', true],
      ['tier in (front,back)', true], ['tier in (back)', false], ['tier notin (back)', true], ['missing notin (x)', true],
      ['app', true], ['missing', false], ['!missing', true], ['!app', false],
      ['empty=', true], ['app=web,tier=front', true], ['app=web,tier=back', false],
    ];
    for (const [selector, expected] of cases) {
      expect(LabelSelector.parse(selector).matches(labels), selector).to.equal(expected);
    }
  });

  it('exposes its requirements', () => {
    expect(LabelSelector.parse('app=web,tier notin (a,b),!canary').requirements).to.deep.equal([
      { key: 'app', operator: 'equals', values: ['web'] },
      { key: 'tier', operator: 'notIn', values: ['a', 'b'] },
      { key: 'canary', operator: 'notExists', values: [] },
    ]);
  });
});

import { expect } from 'chai';
import { UsageError } from '../../../harness/errors.js';
import { compareSettings, parseMatrix } from '../../../harness/run/gates.js';

describe('--matrix and the comparison settings of a run', () => {
  it('reads one variable with two or more values', () => {
    expect(parseMatrix([])).to.equal(undefined);
    expect(parseMatrix(['IMAGE=v1,v2'])).to.deep.equal({ name: 'IMAGE', values: ['v1', 'v2'] });
    expect(parseMatrix(['DELAY=0s, 1s ,2s'])).to.deep.equal({ name: 'DELAY', values: ['0s', '1s', '2s'] });
  });

  it('refuses what it cannot read, saying how to write it', () => {
    for (const bad of [['IMAGE=v1'], ['IMAGE=v1,v1'], ['IMAGE=v1,'], ['=a,b'], ['1X=a,b'], ['A=a,b', 'B=c,d']]) {
      expect(() => parseMatrix(bad), bad.join(' ')).to.throw(UsageError);
    }
  });

  it('takes --max-regression as a percentage and --alpha as a level', () => {
    expect(compareSettings('10%', 0.05, 3)).to.deep.equal({ maxRegression: 0.1, alpha: 0.05, seed: 3 });
    expect(compareSettings(undefined, undefined, 1)).to.deep.equal({ maxRegression: 0.1, alpha: 0.05, seed: 1 });
    expect(() => compareSettings('ten', 0.05, 1)).to.throw(UsageError);
    expect(() => compareSettings('10%', 2, 1)).to.throw(UsageError);
  });
});

import { expect } from 'chai';
import { Duration, DurationSyntaxError } from '../../../harness/scenario/duration.js';

describe('scenario Duration', () => {
  const valid: [string, number][] = [
    ['500ms', 500], ['30s', 30_000], ['5m', 300_000], ['1h', 3_600_000], ['1m30s', 90_000], ['2h45m', 9_900_000],
    ['1.5s', 1500], ['0.25s', 250], ['1.001s', 1001], ['0', 0], ['0s', 0], ['+5s', 5000], [' 10s ', 10_000], ['1h0m1ms', 3_600_001],
  ];
  for (const [text, ms] of valid) {
    it(`parses ${JSON.stringify(text)} as ${ms}ms`, () => {
      expect(Duration.parse(text).toMilliseconds()).to.equal(ms);
    });
  }

  const invalid: [string, string][] = [
    ['-5s', 'negative duration `-5s` is not allowed'],
    ['30', '`30` has no unit (write 30s or 30ms)'],
    ['5 minutes', 'is not a duration'],
    ['', 'empty duration'],
    ['5d', 'unknown unit `d`'],
    ['1s2', 'is not a duration'],
    ['ms', 'is not a duration'],
    ['0.5ms', 'not a whole number of milliseconds'],
    // A sign alone, and numbers without a unit however written.
    ['+', '`+` is not a duration'],
    ['+30', '`+30` has no unit (write +30s or +30ms)'],
    ['1.5', '`1.5` has no unit (write 1.5s or 1.5ms)'],
    ['   ', 'empty duration'],
    // Unknown units are named, whatever their case or script, after decimals too.
    ['5D', 'unknown unit `D` in `5D`'],
    ['2.5µs', 'unknown unit `µs` in `2.5µs`'],
    ['1m5d', 'unknown unit `d` in `1m5d`'],
    ['1m5', '`1m5` is not a duration'],
    ['1.s', '`1.s` is not a duration'],
    // Past the largest whole number of milliseconds a double holds exactly.
    ['9007199254740992ms', '`9007199254740992ms` is too long'],
  ];
  for (const [text, reason] of invalid) {
    it(`rejects ${JSON.stringify(text)} saying what is accepted`, () => {
      expect(() => Duration.parse(text)).to.throw(DurationSyntaxError, reason);
      expect(() => Duration.parse(text)).to.throw('expected a duration such as 500ms, 30s, 5m, 1h or 1m30s');
    });
  }

  it('parses the largest whole number of milliseconds a double holds exactly', () => {
    expect(Duration.parse('9007199254740991ms').toMilliseconds()).to.equal(Number.MAX_SAFE_INTEGER);
  });

  it('keeps a rejected text on one line, and names the error', () => {
    const error = (() => {
      try {
        Duration.parse('5\nminutes');
      } catch (thrown) {
        return thrown as DurationSyntaxError;
      }
      return expect.fail('parsed');
    })();
    expect(error.name).to.equal('DurationSyntaxError');
    expect(error.text).to.equal('5\nminutes');
    expect(error.message).to.not.contain('\n');
  });

  it('prints the shortest Go-style form', () => {
    const cases: [number, string][] = [
      [0, '0s'], [1, '1ms'], [999, '999ms'], [1000, '1s'], [250, '250ms'], [60_000, '1m'], [3_660_000, '1h1m'], [1500, '1.5s'], [30_000, '30s'], [90_000, '1m30s'], [3_600_000, '1h'],
      [3_605_000, '1h5s'], [61_001, '1m1.001s'], [9_900_000, '2h45m'],
    ];
    for (const [ms, text] of cases) expect(Duration.fromMilliseconds(ms).toString()).to.equal(text);
  });

  it('reads back what it prints', () => {
    for (const ms of [0, 1, 999, 1000, 1001, 59_999, 60_000, 3_599_999, 86_400_000, 123_456_789]) {
      expect(Duration.parse(Duration.fromMilliseconds(ms).toString()).toMilliseconds()).to.equal(ms);
    }
  });

  it('serializes to JSON as its string form', () => {
    expect(JSON.stringify({ settle: Duration.parse('90s') })).to.equal('{"settle":"1m30s"}');
  });

  it('compares by length', () => {
    expect(Duration.parse('60s').equals(Duration.parse('1m'))).to.equal(true);
    expect(Duration.parse('60s').equals(Duration.parse('1h'))).to.equal(false);
  });

  it('rejects negative and fractional milliseconds', () => {
    expect(() => Duration.fromMilliseconds(-1)).to.throw(RangeError);
    expect(() => Duration.fromMilliseconds(1.5)).to.throw(RangeError);
  });
});

import { expect } from 'chai';
import { errorBudget, firstSuccessAfter, httpMetrics, perSecond, type Phases } from '../../../harness/load/http-metrics.js';
import type { Metric } from '../../../harness/load/metric.js';
import { RequestLog } from '../../../harness/load/request-log.js';

const X = 'http://svc/x';
const Y = 'http://svc/y';

/**
 * start, duration, status, expected, target; or a pending / cancelled request. Failed: 1200, 1300, 1400 (a run of 3,
 * 1200 to 1440) and 2100.
 */
const REQUESTS: readonly (readonly [number, number, number, boolean, number] | readonly [number, 'pending' | 'cancelled', number])[] = [
  [1000, 10, 200, true, 0],
  [1100, 20, 200, true, 1],
  [1200, 30, 500, false, 0],
  [1300, 5, 0, false, 1],
  [1400, 40, 0, false, 0],
  [1500, 50, 200, true, 1],
  [1600, 'pending', 0],
  [1700, 'cancelled', 1],
  [2100, 60, 503, false, 0],
  [2200, 70, 200, true, 1],
];

function handBuiltLog(): RequestLog {
  const log = new RequestLog([X, Y]);
  for (const request of REQUESTS) {
    if (request.length === 3) {
      const slot = log.begin(request[0], request[2]);
      if (request[1] === 'cancelled') log.cancel(slot);
    } else {
      log.complete(log.begin(request[0], request[4]), request[1], request[2], request[3]);
    }
  }
  log.drop(1250);
  log.drop(2150);
  return log;
}

const PHASES: Phases = { baseline: [1000, 1200], recovery: [1200, 2000], recovered: [2000, 3000] };

describe('load: http metrics', () => {
  const log = handBuiltLog();
  const source = httpMetrics(log, [1000, 3000], PHASES);
  const metric = (name: string, tags: Record<string, string> = {}): Metric => {
    const found = source.metric(name, tags);
    if (!found) throw new Error(`no metric ${name}`);
    return found;
  };

  it('counts the requests that ended, per second of the window', () => {
    expect(metric('http_reqs').type).to.equal('counter');
    expect(metric('http_reqs').value('count')).to.equal(8);
    expect(metric('http_reqs').value('rate')).to.equal(4);
    expect(httpMetrics(log, [1100, 2100]).metric('http_reqs', {})?.value('count')).to.equal(5);
  });

  it('gives the share of failed requests, and checks as its complement', () => {
    expect(metric('http_req_failed').type).to.equal('rate');
    expect(metric('http_req_failed').value('rate')).to.equal(0.5);
    expect(metric('checks').value('rate')).to.equal(0.5);
    expect(metric('http_req_failed', { name: X }).value('rate')).to.equal(0.75);
    expect(metric('checks', { name: X }).value('rate')).to.equal(0.25);
  });

  it('gives the duration trend of every request, failed ones included', () => {
    // Sorted: 5 10 20 30 40 50 60 70.
    const duration = metric('http_req_duration');
    expect(duration.samples).to.equal(8);
    expect(duration.value('avg')).to.equal(285 / 8);
    expect([duration.value('min'), duration.value('max'), duration.value('med')]).to.deep.equal([5, 70, 35]);
    expect(duration.value('p(90)')).to.be.closeTo(63, 1e-9);
    expect(metric('http_req_duration', { expected_response: 'false' }).value('max')).to.equal(60);
    expect(metric('http_req_duration', { expected_response: 'true' }).value('avg')).to.equal(150 / 4);
  });

  it('selects by status, "0" being a failure without response', () => {
    expect(metric('http_reqs', { status: '200' }).value('count')).to.equal(4);
    expect(metric('http_reqs', { status: '0' }).value('count')).to.equal(2);
    expect(metric('http_reqs', { status: '503' }).value('count')).to.equal(1);
    expect(metric('http_req_duration', { status: '500' }).value('med')).to.equal(30);
  });

  it('selects by phase, a counter rate being per second of that phase', () => {
    const recovery = metric('http_reqs', { phase: 'recovery' });
    expect(recovery.value('count')).to.equal(4);
    expect(recovery.value('rate')).to.equal(5);
    expect(metric('http_req_failed', { phase: 'recovery' }).value('rate')).to.equal(0.75);
    expect(metric('http_reqs', { phase: 'baseline' }).value('count')).to.equal(2);
    expect(metric('http_reqs', { phase: 'recovered', status: '200' }).value('count')).to.equal(1);
    expect(httpMetrics(log, [1000, 1500], PHASES).metric('http_reqs', { phase: 'recovery' })?.value('rate')).to.equal(3 / 0.3);
  });

  it('counts dropped iterations by due time, tagged only by phase', () => {
    expect(metric('dropped_iterations').value('count')).to.equal(2);
    expect(metric('dropped_iterations').value('rate')).to.equal(1);
    expect(metric('dropped_iterations', { phase: 'recovery' }).value('count')).to.equal(1);
    expect(metric('dropped_iterations', { status: '200' }).value('count')).to.equal(0);
  });

  it('has no metric of an unknown name, and an empty one for a tag no request carries', () => {
    expect(source.metric('http_req_waiting', {})).to.equal(undefined);
    const absent: Record<string, string>[] = [{ status: '404' }, { name: 'http://svc/z' }, { phase: 'nowhere' }, { method: 'GET' }, { expected_response: 'yes' }];
    for (const tags of absent) {
      expect(metric('http_reqs', tags).value('count'), JSON.stringify(tags)).to.equal(0);
      expect(metric('http_req_duration', tags).samples, JSON.stringify(tags)).to.equal(0);
      expect(metric('http_req_failed', tags).value('rate'), JSON.stringify(tags)).to.equal(0);
    }
  });

  it('gives the window second by second', () => {
    const seconds = perSecond(log, 1000, 3000);
    // 5 10 20 30 40 50: ranks 2.5, 4.75, 4.95; then 60 70.
    const expected = [
      { at: 1000, requests: 6, failed: 3, p50: 25, p95: 47.5, p99: 49.5 },
      { at: 2000, requests: 2, failed: 1, p50: 65, p95: 69.5, p99: 69.9 },
    ];
    expect(seconds).to.have.length(2);
    seconds.forEach((second, i) => {
      const want = expected[i];
      if (!want) throw new Error(`no expectation for second ${i}`);
      expect([second.at, second.requests, second.failed]).to.deep.equal([want.at, want.requests, want.failed]);
      expect(second.p50).to.be.closeTo(want.p50, 1e-9);
      expect(second.p95).to.be.closeTo(want.p95, 1e-9);
      expect(second.p99).to.be.closeTo(want.p99, 1e-9);
    });
    expect(perSecond(log, 1500, 2200).map((s) => [s.at, s.requests, s.failed])).to.deep.equal([[1500, 2, 1]]);
    expect(perSecond(log, 3000, 4000)).to.deep.equal([{ at: 3000, requests: 0, failed: 0, p50: 0, p95: 0, p99: 0 }]);
    expect(perSecond(log, 1000, 1000)).to.deep.equal([]);
  });

  it('gives the error budget and the longest run of failures', () => {
    expect(errorBudget(log, 1000, 3000)).to.deep.equal({
      failed: 4, total: 8, longestFailureRun: { count: 3, ms: 240, from: 1200, to: 1440 },
    });
    // From 1300 on: the run is 1300 and 1400; pending and cancelled requests neither break nor extend it.
    expect(errorBudget(log, 1300, 3000)).to.deep.equal({
      failed: 3, total: 5, longestFailureRun: { count: 2, ms: 140, from: 1300, to: 1440 },
    });
    expect(errorBudget(log, 1000, 1200)).to.deep.equal({ failed: 0, total: 2, longestFailureRun: undefined });
  });

  it('takes the earliest of equally long failure runs', () => {
    const tied = new RequestLog([X]);
    for (const [start, expected] of [[0, false], [10, true], [20, false], [30, true]] as const) {
      tied.complete(tied.begin(start, 0), 5, expected ? 200 : 500, expected);
    }
    expect(errorBudget(tied, 0, 100).longestFailureRun).to.deep.equal({ count: 1, ms: 5, from: 0, to: 5 });
  });

  it('finds the first successful response started after a moment', () => {
    expect(firstSuccessAfter(log, 1000)).to.deep.equal({ start: 1000, end: 1010 });
    expect(firstSuccessAfter(log, 1150)).to.deep.equal({ start: 1500, end: 1550 });
    expect(firstSuccessAfter(log, 1501)).to.deep.equal({ start: 2200, end: 2270 });
    expect(firstSuccessAfter(log, 2201)).to.equal(undefined);
  });
});

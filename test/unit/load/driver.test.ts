import { expect } from 'chai';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LoadDriverError, type LoadDriverOptions, type LoadTarget } from '../../../harness/load/driver-options.js';
import { LoadDriver, type LoadSummary } from '../../../harness/load/driver.js';
import { errorBudget, firstSuccessAfter, httpMetrics } from '../../../harness/load/http-metrics.js';
import { monotonicNow } from '../../../harness/util/clock.js';
import { sleep } from '../../../harness/util/sleep.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const ok: Handler = (_request, response) => response.end('ok');

/** Local servers and drivers a test started, ended after it whatever happened. */
const servers: Server[] = [];
const drivers: LoadDriver[] = [];

async function listen(handler: Handler, port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  servers.push(server);
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

async function close(server: Server): Promise<void> {
  const closed = once(server, 'close');
  server.close();
  server.closeAllConnections();
  await closed;
}

function target(port: number, path = '/', expectedStatuses: readonly number[] | null = null): LoadTarget {
  return { url: `http://127.0.0.1:${port}${path}`, method: 'GET', headers: {}, expectedStatuses };
}

function driver(options: LoadDriverOptions): LoadDriver {
  const created = new LoadDriver(options);
  drivers.push(created);
  return created;
}

async function run(options: LoadDriverOptions): Promise<{ load: LoadDriver; summary: LoadSummary }> {
  const load = driver(options);
  load.start();
  return { load, summary: await load.finished };
}

/** The log's slots, in start order, as [target, status, expected]. */
function outcomes(load: LoadDriver): [number, number, boolean][] {
  return Array.from({ length: load.log.length }, (_, slot) => [load.log.target(slot), load.log.status(slot), load.log.expected(slot)]);
}

describe('load: driver', function () {
  this.timeout(20_000);

  afterEach(async () => {
    await Promise.all(drivers.splice(0).map((d) => d.stop()));
    await Promise.all(servers.splice(0).filter((s) => s.listening).map(close));
  });

  it('keeps the rate: a 1 s run at 200/s sends 200, spread over the second', async () => {
    const { port } = await listen(ok);
    const { load, summary } = await run({
      targets: [target(port)], model: { kind: 'rate', rate: 200, maxInFlight: 50 }, timeoutMs: 2000, maxDurationMs: 1000,
    });
    expect(summary.reason).to.equal('maxDuration');
    // A few due in the last moments may be cut off by maxDuration when the machine is loaded (seen: 189).
    expect(summary.sent).to.be.within(180, 200);
    expect(summary.ok).to.equal(summary.sent);
    expect(summary.droppedInFlight + summary.droppedLate + summary.failed + summary.cancelled).to.equal(0);
    expect(summary.endedAt - summary.startedAt).to.be.within(990, 1300);
    expect(load.log.length).to.equal(summary.sent);
    // Not sent in bursts: each quarter of the second holds about a quarter of the requests.
    for (let quarter = 0; quarter < 4; quarter += 1) {
      const from = summary.startedAt + quarter * 250;
      const count = httpMetrics(load.log, [from, from + 250]).metric('http_reqs', {})?.value('count');
      expect(count, `quarter ${quarter}`).to.be.within(40, 60);
    }
  });

  it('sends to its targets in turn and judges each status by its target\'s expected statuses', async () => {
    const paths: string[] = [];
    const { port } = await listen((request, response) => {
      paths.push(request.url ?? '');
      response.statusCode = request.url === '/fail' ? 500 : request.url === '/missing' ? 404 : 200;
      response.end();
    });
    const { load, summary } = await run({
      targets: [target(port, '/'), target(port, '/fail'), target(port, '/missing', [404])],
      model: { kind: 'vus', vus: 1 },
      timeoutMs: 2000,
      maxRequests: 30,
    });
    expect(summary).to.include({ reason: 'maxRequests', sent: 30, ok: 20, failed: 10 });
    expect(paths).to.deep.equal(Array.from({ length: 10 }, () => ['/', '/fail', '/missing']).flat());
    expect(outcomes(load).slice(0, 3)).to.deep.equal([[0, 200, true], [1, 500, false], [2, 404, true]]);
    const metrics = httpMetrics(load.log, [summary.startedAt, monotonicNow()]);
    expect(metrics.metric('http_req_failed', {})?.value('rate')).to.be.closeTo(1 / 3, 1e-9);
    expect(metrics.metric('http_reqs', { name: `http://127.0.0.1:${port}/missing` })?.value('count')).to.equal(10);
  });

  it('goes round robin over targets in the rate model too', async () => {
    const { port } = await listen(ok);
    const { load } = await run({
      targets: [target(port, '/a'), target(port, '/b')], model: { kind: 'rate', rate: 500, maxInFlight: 10 }, timeoutMs: 2000, maxRequests: 20,
    });
    expect(outcomes(load).map(([t]) => t)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i % 2));
  });

  it('records refused connections while the server is down, and succeeds again once it listens', async () => {
    const first = await listen(ok);
    const load = driver({ targets: [target(first.port)], model: { kind: 'rate', rate: 100, maxInFlight: 20 }, timeoutMs: 1000 });
    load.start();
    await sleep(300);
    const downAt = monotonicNow();
    await close(first.server);
    await sleep(300);
    const upAt = monotonicNow();
    await listen(ok, first.port);
    await sleep(300);
    const stoppedAt = monotonicNow();
    const summary = await load.stop();
    expect(summary.reason).to.equal('stopped');
    // 100/s for as long as it really ran (a loaded machine oversleeps), less what the outage cost.
    const due = (stoppedAt - summary.startedAt) / 10;
    expect(summary.sent).to.be.within(Math.floor(due * 0.75), Math.ceil(due) + 1);
    const down = errorBudget(load.log, downAt + 20, upAt);
    expect(down.total).to.be.greaterThan(15);
    expect(down.failed).to.equal(down.total);
    expect(httpMetrics(load.log, [downAt + 20, upAt]).metric('http_reqs', { status: '0' })?.value('count')).to.equal(down.total);
    // A request in flight as the server closes may fail with it; those well before do not.
    expect(errorBudget(load.log, summary.startedAt, downAt - 20).failed).to.equal(0);
    const back = firstSuccessAfter(load.log, upAt);
    expect(back, 'a success after the server is back').to.not.equal(undefined);
    expect((back?.start ?? Infinity) - upAt).to.be.below(200);
  });

  it('keeps its VUs going against a refused port without a busy loop', async () => {
    const { server, port } = await listen(ok);
    await close(server);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const { summary } = await run({ targets: [target(port)], model: { kind: 'vus', vus: 2 }, timeoutMs: 1000, maxDurationMs: 500 });
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const elapsed = performance.now() - started;
    expect(summary.failed).to.equal(summary.sent);
    // Each VU pauses 10 ms after a refused connection: about 2 * 50 attempts, not thousands.
    expect(summary.sent).to.be.within(10, 120);
    expect(cpuMs / elapsed, 'share of a core used').to.be.below(0.5);
  });

  it('fails a request without response after timeoutMs, its duration the time waited', async () => {
    const { port } = await listen((request, response) => {
      if (request.url !== '/hang') response.end('ok');
    });
    const started = performance.now();
    const { load, summary } = await run({
      targets: [target(port, '/hang'), target(port, '/')], model: { kind: 'rate', rate: 20, maxInFlight: 10 }, timeoutMs: 200, maxRequests: 4,
    });
    expect(summary).to.include({ reason: 'maxRequests', sent: 4, timedOut: 2, failed: 2, ok: 2, cancelled: 0 });
    expect(outcomes(load)).to.deep.equal([[0, 0, false], [1, 200, true], [0, 0, false], [1, 200, true]]);
    for (const slot of [0, 2]) expect(load.log.duration(slot)).to.be.within(199, 400);
    // Stopping by itself, it waited for the last timeout.
    expect(performance.now() - started).to.be.within(100 + 200 - 5, 1500);
  });

  it('times requests out in the VUs model, each VU going on after its timeout', async () => {
    const { port } = await listen(() => undefined);
    const { load, summary } = await run({ targets: [target(port)], model: { kind: 'vus', vus: 1 }, timeoutMs: 100, maxDurationMs: 450 });
    expect(summary.reason).to.equal('maxDuration');
    expect(summary.sent).to.be.within(3, 5);
    expect(summary.timedOut).to.equal(summary.sent);
    for (let slot = 0; slot < load.log.length; slot += 1) expect(load.log.duration(slot)).to.be.within(99, 250);
  });

  it('stops by itself after maxRequests', async () => {
    const { port } = await listen(ok);
    const { load, summary } = await run({ targets: [target(port)], model: { kind: 'rate', rate: 1000, maxInFlight: 50 }, timeoutMs: 2000, maxRequests: 50 });
    expect(summary).to.include({ reason: 'maxRequests', sent: 50, ok: 50 });
    expect(load.log.length).to.equal(50);
  });

  it('stops by itself after maxDurationMs in the VUs model', async () => {
    const { port } = await listen(ok);
    const { summary } = await run({ targets: [target(port)], model: { kind: 'vus', vus: 2 }, timeoutMs: 2000, maxDurationMs: 300 });
    expect(summary.reason).to.equal('maxDuration');
    expect(summary.endedAt - summary.startedAt).to.be.within(295, 600);
    expect(summary.sent).to.be.greaterThan(10);
    expect(summary.ok).to.equal(summary.sent);
  });

  it('keeps as many requests in flight as it has VUs', async () => {
    let current = 0;
    let most = 0;
    const { port } = await listen((_request, response) => {
      current += 1;
      most = Math.max(most, current);
      setTimeout(() => {
        current -= 1;
        response.end('ok');
      }, 20);
    });
    const { summary } = await run({ targets: [target(port)], model: { kind: 'vus', vus: 4 }, timeoutMs: 2000, maxDurationMs: 500 });
    expect(most).to.equal(4);
    // Each VU waits about 20 ms per request.
    expect(summary.sent).to.be.within(40, 104);
  });

  it('drops due requests while maxInFlight are outstanding, counts them, and sends again once some end', async () => {
    const { port } = await listen(() => undefined);
    const { load, summary } = await run({
      targets: [target(port)], model: { kind: 'rate', rate: 100, maxInFlight: 3 }, timeoutMs: 150, maxDurationMs: 400,
    });
    // 40 due: 3 at a time, each 3 timing out after 150 ms and making room for the next 3.
    expect(summary.sent + summary.droppedInFlight).to.be.within(39, 40);
    expect(summary.sent).to.be.within(6, 12);
    expect(summary.droppedLate).to.equal(0);
    expect(load.log.dropCount).to.equal(summary.droppedInFlight);
    const dropped = httpMetrics(load.log, [summary.startedAt, summary.endedAt]).metric('dropped_iterations', {});
    expect(dropped?.value('count')).to.equal(summary.droppedInFlight);
  });

  it('waits for requests in flight at stop(), then cancels those still out: they are not failures', async () => {
    const { port } = await listen((request, response) => {
      if (request.url === '/slow') setTimeout(() => response.end('ok'), 100);
    });
    const slow = driver({ targets: [target(port, '/slow')], model: { kind: 'rate', rate: 50, maxInFlight: 10 }, timeoutMs: 10_000, stopGraceMs: 2000 });
    slow.start();
    await sleep(150);
    const slowSummary = await slow.stop();
    expect(slowSummary).to.include({ reason: 'stopped', cancelled: 0, failed: 0 });
    expect(slowSummary.ok).to.equal(slowSummary.sent);

    const hung = driver({ targets: [target(port, '/hang')], model: { kind: 'rate', rate: 50, maxInFlight: 20 }, timeoutMs: 10_000, stopGraceMs: 100 });
    hung.start();
    await sleep(200);
    const stopping = performance.now();
    const summary = await hung.stop();
    expect(performance.now() - stopping).to.be.within(90, 1000);
    expect(summary).to.include({ reason: 'stopped', failed: 0, ok: 0 });
    expect(summary.cancelled).to.equal(summary.sent);
    expect(summary.sent).to.be.within(5, 15);
    expect(hung.log.state(0)).to.equal('cancelled');
    expect(httpMetrics(hung.log, [summary.startedAt, monotonicNow()]).metric('http_reqs', {})?.value('count')).to.equal(0);
  });

  it('cuts a self-stop\'s wait for requests in flight to stopGraceMs when stop() is called', async () => {
    const { port } = await listen(() => undefined);
    const load = driver({ targets: [target(port)], model: { kind: 'vus', vus: 1 }, timeoutMs: 10_000, maxRequests: 1, stopGraceMs: 100 });
    load.start();
    await sleep(100);
    const stopping = performance.now();
    const summary = await load.stop();
    expect(performance.now() - stopping).to.be.within(90, 1000);
    expect(summary).to.include({ reason: 'maxRequests', sent: 1, cancelled: 1, failed: 0 });
  });

  it('can be read while it runs', async () => {
    const { port } = await listen(ok);
    const load = driver({ targets: [target(port)], model: { kind: 'rate', rate: 100, maxInFlight: 10 }, timeoutMs: 2000 });
    load.start();
    await sleep(300);
    const midway = httpMetrics(load.log, [0, monotonicNow()]).metric('http_reqs', {})?.value('count') ?? 0;
    expect(midway).to.be.within(20, 35);
    await sleep(200);
    const summary = await load.stop();
    expect(summary.sent).to.be.greaterThan(midway);
  });

  it('refuses invalid options and a second start', async () => {
    const { port } = await listen(ok);
    const base: LoadDriverOptions = { targets: [target(port)], model: { kind: 'rate', rate: 10, maxInFlight: 1 }, timeoutMs: 1000 };
    expect(() => new LoadDriver({ ...base, targets: [] })).to.throw(LoadDriverError);
    expect(() => new LoadDriver({ ...base, model: { kind: 'rate', rate: 0, maxInFlight: 1 } })).to.throw(LoadDriverError);
    expect(() => new LoadDriver({ ...base, model: { kind: 'vus', vus: 1.5 } })).to.throw(LoadDriverError);
    expect(() => new LoadDriver({ ...base, targets: [{ ...target(port), url: 'ftp://x/' }] })).to.throw(LoadDriverError);
    expect(() => new LoadDriver({ ...base, targets: [target(port, '/', [42])] })).to.throw(LoadDriverError);
    expect(() => new LoadDriver({ ...base, timeoutMs: -1 })).to.throw(LoadDriverError);
    const load = driver({ ...base, maxRequests: 1 });
    load.start();
    expect(() => load.start()).to.throw(LoadDriverError, 'already started');
  });
});

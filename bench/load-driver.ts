/**
 * Benchmark of the built-in HTTP load driver against a local server in a child process (so that the server does
 * not share the driver's core): (a) bare undici requests at fixed rates, no recording, as the baseline; (b) the
 * driver's rate model at increasing rates: achieved rate, drops, latency and the driver process's CPU; (c) the
 * latency the driver adds over the bare requests at the same rates. Prints figures; asserts nothing.
 * Each step runs in every one of several rounds, bare and driver steps interleaved, and the table shows each
 * figure's median over the rounds: single runs on a small machine vary by milliseconds at p99.
 * Run: `npm run bench:load [-- seconds-per-step [rounds]]`. Target: >= 5,000 requests/s on one core, under 1 ms
 * added at p99.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Pool, type Dispatcher } from 'undici';
import { LoadDriver } from '../harness/load/driver.js';
import { httpMetrics } from '../harness/load/http-metrics.js';
import { percentile } from '../harness/load/metric.js';

const SECONDS = Number(process.argv[2] ?? 3);
const ROUNDS = Number(process.argv[3] ?? 3);
const RATES = [1000, 2500, 5000, 7500, 10000];
/** The moderate rate at which the driver's added latency is judged against the target. */
const MODERATE = 1000;
const MAX_IN_FLIGHT = 64;

interface Row {
  readonly what: string;
  readonly rate: number;
  readonly achieved: number;
  readonly dropped: number;
  readonly failed: number;
  readonly p50: number;
  readonly p99: number;
  readonly cores: number;
  readonly serverCores: number;
}

/** The server: answers 200 "ok" at once; reports its CPU time when asked over IPC. */
const SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => { res.writeHead(200, { 'content-length': '2' }); res.end('ok'); });
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', () => { const u = process.cpuUsage(); process.send({ cpu: (u.user + u.system) / 1000 }); });
`;

type Server = { readonly url: string; cpuMs(): Promise<number>; close(): void };

async function startServer(): Promise<Server> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [first] = (await once(child, 'message')) as [{ port: number }];
  return {
    url: `http://127.0.0.1:${first.port}`,
    cpuMs: async () => {
      child.send('cpu');
      const [reply] = (await once(child, 'message')) as [{ cpu: number }];
      return reply.cpu;
    },
    close: () => child.kill(),
  };
}

/** Measures a step: wall time, this process's CPU and the server's CPU over `run`. */
async function measured<T>(server: Server, run: () => Promise<T>): Promise<{ result: T; seconds: number; cores: number; serverCores: number }> {
  const serverBefore = await server.cpuMs();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await run();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const serverCpu = (await server.cpuMs()) - serverBefore;
  return { result, seconds, cores: (cpu.user + cpu.system) / 1e6 / seconds, serverCores: serverCpu / 1000 / seconds };
}

/**
 * Bare requests: the same pacing (timer wakes, each sending what fell due), the same pool, one reused handler
 * shape, latencies into a preallocated array; no log, no timeouts, no targets, no drops.
 */
async function bareRequests(url: string, rate: number, seconds: number): Promise<{ latencies: Float64Array; sent: number; failed: number }> {
  const pool = new Pool(url, { connections: MAX_IN_FLIGHT, pipelining: 1 });
  const total = Math.round(rate * seconds);
  const latencies = new Float64Array(total);
  const request: Dispatcher.DispatchOptions = { path: '/', method: 'GET', headers: {} };
  let sent = 0;
  let done = 0;
  let failed = 0;
  let finished: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => { finished = resolve; });
  const handler = (index: number, start: number): Dispatcher.DispatchHandler => ({
    onRequestStart: () => undefined,
    onResponseEnd: () => { latencies[index] = performance.now() - start; if (++done === total) finished(); },
    onResponseError: () => { failed += 1; latencies[index] = performance.now() - start; if (++done === total) finished(); },
  });
  const started = performance.now();
  const tick = (): void => {
    const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
    for (; sent < due; sent += 1) pool.dispatch(request, handler(sent, performance.now()));
    if (sent < total) setTimeout(tick, Math.max(0, started + (sent * 1000) / rate - performance.now()));
  };
  tick();
  await allDone;
  await pool.destroy();
  return { latencies: latencies.sort(), sent, failed };
}

async function baselineRow(server: Server, rate: number): Promise<Row> {
  const { result, seconds, cores, serverCores } = await measured(server, () => bareRequests(server.url, rate, SECONDS));
  return {
    what: 'bare undici', rate, achieved: result.sent / seconds, dropped: 0, failed: result.failed,
    p50: percentile(result.latencies, 50), p99: percentile(result.latencies, 99), cores, serverCores,
  };
}

async function driverRow(server: Server, rate: number): Promise<Row> {
  const driver = new LoadDriver({
    targets: [{ url: `${server.url}/`, method: 'GET', headers: {}, expectedStatuses: null }],
    model: { kind: 'rate', rate, maxInFlight: MAX_IN_FLIGHT },
    timeoutMs: 5000,
    maxDurationMs: SECONDS * 1000,
  });
  const { result: summary, seconds, cores, serverCores } = await measured(server, async () => {
    driver.start();
    return driver.finished;
  });
  const duration = httpMetrics(driver.log, [summary.startedAt, summary.endedAt]).metric('http_req_duration', {});
  return {
    what: 'driver', rate, achieved: summary.sent / seconds, dropped: summary.droppedInFlight + summary.droppedLate,
    failed: summary.failed, p50: duration?.value('med') ?? NaN, p99: duration?.value('p(99)') ?? NaN, cores, serverCores,
  };
}

/** Each figure's median over the rounds (rows are in the same order in every round). */
function medianRows(rounds: readonly (readonly Row[])[]): Row[] {
  const first = rounds[0] ?? [];
  const median = (values: number[]): number => percentile(Float64Array.from(values).sort(), 50);
  return first.map((row, i) => {
    const of = (key: 'achieved' | 'dropped' | 'failed' | 'p50' | 'p99' | 'cores' | 'serverCores'): number =>
      median(rounds.map((rows) => (rows[i])[key]));
    return { what: row.what, rate: row.rate, achieved: of('achieved'), dropped: of('dropped'), failed: of('failed'),
      p50: of('p50'), p99: of('p99'), cores: of('cores'), serverCores: of('serverCores') };
  });
}

function table(rows: readonly Row[]): string {
  const header = ['', 'rate/s', 'achieved/s', 'dropped', 'failed', 'p50 ms', 'p99 ms', 'cores (client)', 'cores (server)'];
  const lines = rows.map((r) => [r.what, String(r.rate), r.achieved.toFixed(0), r.dropped.toFixed(0), r.failed.toFixed(0),
    r.p50.toFixed(3), r.p99.toFixed(3), r.cores.toFixed(2), r.serverCores.toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i]).length)));
  return [header, ...lines].map((l) => l.map((cell, i) => cell.padStart(widths[i])).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const server = await startServer();
  try {
    // Warm-up: connections, JIT.
    await bareRequests(server.url, 2000, 1);
    await driverRow(server, 2000);
    const rounds: Row[][] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const rows: Row[] = [];
      for (const rate of RATES) {
        rows.push(await baselineRow(server, rate));
        rows.push(await driverRow(server, rate));
      }
      rounds.push(rows);
    }
    const rows = medianRows(rounds);
    process.stdout.write(`medians of ${ROUNDS} rounds, ${SECONDS} s per step, ${MAX_IN_FLIGHT} connections at most, server in a child process\n\n`);
    process.stdout.write(`${table(rows)}\n\nlatency added by the driver (driver - bare undici at the same rate):\n`);
    for (const rate of RATES) {
      const bare = rows.find((r) => r.what === 'bare undici' && r.rate === rate);
      const driven = rows.find((r) => r.what === 'driver' && r.rate === rate);
      if (!bare || !driven) continue;
      const mark = rate === MODERATE ? '  <- the moderate rate' : '';
      process.stdout.write(`  at ${String(rate).padStart(5)}/s: p50 ${(driven.p50 - bare.p50).toFixed(3)} ms, p99 ${(driven.p99 - bare.p99).toFixed(3)} ms${mark}\n`);
    }
  } finally {
    server.close();
  }
}

await main();

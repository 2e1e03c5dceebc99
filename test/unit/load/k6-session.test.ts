import { expect } from 'chai';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startK6 } from '../../../harness/load/k6-session.js';
import type { LoadContext } from '../../../harness/load/session.js';
import { monotonicNow } from '../../../harness/util/clock.js';
import { packageRoot } from '../../../harness/util/paths.js';

/**
 * rebound runs the user's k6; k6 is not on this machine (its Go module is AGPL: never built or downloaded here). So
 * these tests run a stand-in `k6`: a shell script that records the command line it was given and then replays a
 * real k6 v1.1.0 run (test/fixtures/k6): it writes that run's summary where --summary-export says and exits with its
 * exit code. What is checked is rebound's side: the command line, and the verdict read from k6's own output.
 */
const FIXTURES = join(packageRoot(), 'test', 'fixtures', 'k6');

function standIn(dir: string, summary: string | null, exitCode: number, extra = ''): string {
  const file = join(dir, 'k6');
  const copy = summary === null ? '' : `cp ${JSON.stringify(join(FIXTURES, summary))} "$out"`;
  writeFileSync(file, `#!/bin/sh
printf '%s\\n' "$@" > ${JSON.stringify(join(dir, 'args.txt'))}
out=""
prev=""
for a in "$@"; do if [ "$prev" = "--summary-export" ]; then out="$a"; fi; prev="$a"; done
${extra}
${copy}
exit ${exitCode}
`);
  chmodSync(file, 0o755);
  return file;
}

describe('k6 load sessions (a stand-in k6 replaying recorded k6 v1.1.0 runs)', () => {
  let dir: string;
  let context: LoadContext;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rebound-k6-'));
    context = { dir: join(dir, 'trial-1'), deadline: monotonicNow() + 20_000, trialMs: 12_000, log: pino({ level: 'silent' }) };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const moments = (t0: number) => ({ t0, injectedAt: t0 + 10, recoveredAt: t0 + 500, end: monotonicNow() });

  it('runs k6 with the script, its env, REBOUND_DURATION and no usage report, and takes the passing verdict from the summary', async () => {
    const k6 = standIn(dir, 'pass.summary-export.json', 0);
    const session = startK6({ k6, script: '/scripts/load.js', env: { BASE: 'http://127.0.0.1:18480' }, warmupMs: 2000 }, context);
    const result = await session.finish(moments(session.startedAt + 2000));
    const args = readFileSync(join(dir, 'args.txt'), 'utf8').trim().split('\n');
    expect(args.slice(0, 5)).to.deep.equal(['run', '--quiet', '--no-color', '--no-usage-report', '--summary-export']);
    expect(args).to.include.members(['BASE=http://127.0.0.1:18480', 'REBOUND_DURATION=14s']);
    expect(args[args.length - 1]).to.equal('/scripts/load.js');
    expect(result.driver).to.equal('k6');
    expect(result.thresholds.length).to.be.greaterThan(0);
    expect(result.thresholds.every((t) => t.ok)).to.equal(true);
    expect(result.requests).to.equal(JSON.parse(readFileSync(join(FIXTURES, 'pass.summary-export.json'), 'utf8')).metrics.http_reqs.count);
    expect(result.note).to.match(/k6 judged its whole run/);
  });

  it('reports the thresholds k6 crossed, with their values, when k6 exits 99', async () => {
    const k6 = standIn(dir, 'fail.summary-export.json', 99);
    const session = startK6({ k6, script: 'fail.js', env: {}, warmupMs: 0 }, context);
    const result = await session.finish(moments(session.startedAt));
    const crossed = result.thresholds.filter((t) => !t.ok).map((t) => `${t.metric} ${t.expression}`).sort();
    expect(crossed).to.deep.equal(['checks rate>0.99', 'http_req_duration p(99.9)<1', 'http_req_failed rate<0.01', 'http_reqs count>10000']);
    const failedRate = result.thresholds.find((t) => t.metric === 'http_req_failed');
    expect(failedRate?.value).to.be.closeTo(0.3311, 0.0001);
    expect(result.failed).to.equal(50);
  });

  it('is an error, never a verdict, when k6 fails otherwise, writes no summary, or contradicts itself', async () => {
    const broken = startK6({ k6: standIn(dir, null, 107, 'echo "script exception: boom" >&2'), script: 'x.js', env: {}, warmupMs: 0 }, context);
    let error = await broken.finish(moments(broken.startedAt)).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.match(/k6 ended with exit code 107: script exception: boom/);

    const silent = startK6({ k6: standIn(dir, null, 0), script: 'x.js', env: {}, warmupMs: 0 }, { ...context, dir: join(dir, 'trial-2') });
    error = await silent.finish(moments(silent.startedAt)).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.match(/k6 wrote no summary/);

    const liar = startK6({ k6: standIn(dir, 'fail.summary-export.json', 0), script: 'x.js', env: {}, warmupMs: 0 }, { ...context, dir: join(dir, 'trial-3') });
    error = await liar.finish(moments(liar.startedAt)).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.match(/k6 exited 0 but its summary says the thresholds were crossed/);
  });

  it('stops a k6 that outlives the scenario timeout, and cancel stops one at once', async () => {
    // A wrapper whose child does the work, as a version manager's shim would: stopping k6 must stop both.
    const slow = standIn(dir, 'pass.summary-export.json', 0, `sleep 30 & echo $! >> ${JSON.stringify(join(dir, 'children.txt'))}; wait`);
    const late = startK6({ k6: slow, script: 'x.js', env: {}, warmupMs: 0 }, { ...context, deadline: monotonicNow() + 300 });
    const error = await late.finish(moments(late.startedAt)).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.match(/k6 was still running when the scenario's timeout came/);
    const cancelled = startK6({ k6: slow, script: 'x.js', env: {}, warmupMs: 0 }, { ...context, dir: join(dir, 'trial-4') });
    const started = Date.now();
    await cancelled.cancel();
    expect(Date.now() - started).to.be.below(6000);
    const children = readFileSync(join(dir, 'children.txt'), 'utf8').trim().split('\n').map(Number);
    expect(children, 'the late run started its child').to.not.be.empty;
    for (const pid of children) expect(alive(pid), `the wrapper's child ${pid}`).to.equal(false);
  });
});

/** Whether a process runs: not there, or a zombie waiting to be reaped, is gone (Linux: /proc/<pid>/stat). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

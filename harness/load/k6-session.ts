/**
 * A trial's load as the user's k6 script makes it. k6 runs from the warm-up on, as the user installed it (rebound
 * never ships k6); its thresholds and metrics come from its end-of-test summary (`--summary-export`), which is the
 * verdict k6 itself gives. rebound does not interrupt k6 (how k6 ends on a signal varies with the moment, see
 * grafana/k6#2804): the script's duration decides, and REBOUND_DURATION (the warm-up plus the longest a trial can
 * take) is there for it to use. k6's metrics cover its whole run: they cannot be split at T0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadResult, ThresholdResult } from '../report/result.js';
import { isoOf, monotonicNow } from '../util/clock.js';
import { logTail } from '../util/log-tail.js';
import { within } from '../util/sleep.js';
import { parseK6Summary, type K6Summary } from './k6-summary.js';
import type { LoadContext, LoadSession, TrialMoments } from './session.js';

/** k6's exit codes that still carry a verdict: all thresholds passed, some crossed. */
const K6_PASSED = 0;
const K6_THRESHOLDS_CROSSED = 99;

/** What the k6 driver needs: the script, its environment (built-ins expanded), the run's bounds. */
export interface K6LoadOptions {
  readonly k6: string;
  readonly script: string;
  readonly env: Readonly<Record<string, string>>;
  readonly warmupMs: number;
}

/** Starts k6 on the script now; the session's finish waits for it to end and reads its summary. */
export function startK6(options: K6LoadOptions, context: LoadContext): LoadSession {
  mkdirSync(context.dir, { recursive: true });
  const summaryFile = join(context.dir, 'k6-summary.json');
  const logFile = join(context.dir, 'k6.log');
  const durationSeconds = Math.ceil((options.warmupMs + context.trialMs) / 1000);
  const args = [
    'run', '--quiet', '--no-color', '--no-usage-report', '--summary-export', summaryFile,
    ...Object.entries(options.env).flatMap(([name, value]) => ['-e', `${name}=${value}`]),
    '-e', `REBOUND_DURATION=${durationSeconds}s`,
    options.script,
  ];
  const output = createWriteStream(logFile);
  const startedAt = monotonicNow();
  // A process group of its own, stopped as a whole: a k6 started through a wrapper script (a version manager's shim,
  // a container runner) leaves children that would outlive a signal to the wrapper alone.
  const child: ChildProcess = spawn(options.k6, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout?.pipe(output, { end: false });
  child.stderr?.pipe(output, { end: false });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  context.log.info({ k6: options.k6, args }, 'k6 started');
  let finished = false;

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signalGroup(child, 'SIGTERM');
    const gone = await within(exited.then(() => true), 5000, false);
    if (!gone) signalGroup(child, 'SIGKILL');
    await exited;
  };

  return {
    startedAt,
    abortReason: () => undefined,
    finish: async (moments: TrialMoments): Promise<LoadResult> => {
      finished = true;
      // k6 decides when its run ends; the scenario's timeout bounds the wait.
      const waitMs = Math.max(0, context.deadline - monotonicNow());
      // within() clears its timer: a k6 that ends early leaves nothing waiting for the deadline.
      const ended = await within(exited, waitMs, undefined);
      if (ended === undefined) {
        await stop();
        await new Promise<void>((resolve) => output.end(resolve));
        throw new Error(`k6 was still running when the scenario's timeout came (make the script's duration fit: REBOUND_DURATION is ${durationSeconds}s); its output: ${logFile}`);
      }
      const endedAt = monotonicNow();
      await new Promise<void>((resolve) => output.end(resolve));
      if (ended.error) throw new Error(`could not run ${options.k6}: ${ended.error.message}`);
      if (ended.code !== K6_PASSED && ended.code !== K6_THRESHOLDS_CROSSED) {
        const tail = logTail(logFile, 5).join(' | ');
        throw new Error(`k6 ended with ${ended.code === null ? `signal ${ended.signal}` : `exit code ${ended.code}`}: ${tail || 'no output'} (${logFile})`);
      }
      let text: string;
      try {
        text = readFileSync(summaryFile, 'utf8');
      } catch (error) {
        throw new Error(`k6 wrote no summary at ${summaryFile}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      const parsed = parseK6Summary(text);
      if (!parsed.ok) throw new Error(`${summaryFile}: ${parsed.error}`);
      // k6's own exit code and its summary must tell the same story.
      if ((ended.code === K6_PASSED) !== parsed.summary.thresholdsPassed) {
        throw new Error(`k6 exited ${ended.code} but its summary says the thresholds ${parsed.summary.thresholdsPassed ? 'passed' : 'were crossed'} (${summaryFile})`);
      }
      const note = endedAt < moments.end - 1000
        ? `k6 ended ${((moments.end - endedAt) / 1000).toFixed(1)} s before the trial did: the end of the trial had no load (use duration: __ENV.REBOUND_DURATION in the script)`
        : null;
      return k6Result(parsed.summary, { startedAt, t0: moments.t0, endedAt, note });
    },
    cancel: async (): Promise<void> => {
      if (finished) return;
      finished = true;
      await stop();
      await new Promise<void>((resolve) => output.end(resolve));
    },
  };
}

/** A k6 summary as results.json carries a trial's load: k6 judged its whole run, so the window is all of it. */
function k6Result(summary: K6Summary, run: { startedAt: number; t0: number; endedAt: number; note: string | null }): LoadResult {
  const metrics: Record<string, Record<string, number>> = {};
  for (const [name, metric] of Object.entries(summary.metrics)) metrics[name] = { ...metric.values };
  const thresholds: ThresholdResult[] = Object.entries(summary.metrics).flatMap(([name, metric]) => metric.thresholds.map((threshold) => {
    const crossed = summary.crossed.find((c) => c.metric === name && c.expression === threshold.expression);
    const aggregation = crossed?.aggregation ?? /^\s*([a-z]+(?:\([\d.]+\))?)/.exec(threshold.expression)?.[1];
    const value = crossed?.value ?? (aggregation === undefined ? undefined : metric.values[aggregation]);
    return { metric: name, expression: threshold.expression, ok: threshold.ok, value: value ?? null, abortOnFail: false };
  }));
  const requests = summary.metrics.http_reqs?.values.count ?? 0;
  // http_req_failed is a rate of failures: its passes are the failed requests.
  const failed = summary.metrics.http_req_failed?.values.passes ?? 0;
  return {
    driver: 'k6',
    window: { warmupFrom: isoOf(run.startedAt), from: isoOf(run.startedAt), to: isoOf(run.endedAt) },
    requests,
    failed,
    dropped: summary.metrics.dropped_iterations?.values.count ?? 0,
    metrics,
    thresholds,
    abortedBy: null,
    stoppedBy: null,
    perSecond: [],
    series: { binMs: 1000, bins: [] },
    errorBudget: null,
    firstSuccessAfterInjectionMs: null,
    note: [`k6 judged its whole run, from the warm-up (${((run.t0 - run.startedAt) / 1000).toFixed(1)} s before T0) on; the per-second panel and the error budget need the built-in driver (spec.load.http)`, run.note]
      .filter((n): n is string => n !== null).join('; '),
  };
}

/** Signals the child's whole process group (it leads one: spawned detached); the child alone if that fails. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) {
      process.kill(-child.pid, signal);
      return;
    }
  } catch {
    // The group is gone already, or was never made: signal the child itself.
  }
  child.kill(signal);
}

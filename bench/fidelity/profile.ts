/**
 * Where the time went when rebound heard of a write late (`npm run bench -- --cpu-prof`).
 *
 * For every trial, each moment rebound stamped (its injectedAt at the DELETE's answer, and each replacement's phases)
 * is set against the audit log's stageTimestamp of the write it stands for. A moment heard more than LATE_MS after
 * the write is a *late window*, from the write to rebound's stamp; the V8 CPU profile of `rebound run` (sampled every
 * 250 us) says what rebound's one thread did in it:
 * - **idle**: waiting in the event loop with nothing to do: the bytes had not reached the process yet (the API
 *   server had not sent them, or the kernel had not delivered them);
 * - **running**: executing JavaScript or native code: rebound's own work, named by its innermost harness function;
 * - **not sampled**: gaps between samples longer than 1 ms: the thread was not running at all (no core free, or
 *   blocked in a system call), which V8's sampler cannot see into.
 * The profile's sample times are monotonic; bench/fidelity/clock-mark.cjs records the wall time of the process's time
 * origin so the two can be set side by side (both clocks are this machine's).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunComparison } from './compare.js';
import { PHASES } from './truth.js';

/** A stamp heard later than this after its write is looked into. */
export const LATE_MS = 10;
/** A gap between two samples longer than this is time the thread did not run. */
const GAP_US = 1000;

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

interface ClockMark {
  readonly timeOriginWallMs: number;
  readonly timeOriginMonotonicUs: number;
}

/** One late window: which stamp, how late, and how its time divides. */
export interface LateWindow {
  readonly trial: number;
  readonly stamp: string;
  readonly lateMs: number;
  readonly idleMs: number;
  readonly runningMs: number;
  readonly notSampledMs: number;
  /** Running time by the innermost function of rebound's (dist/harness) on the stack, else the innermost frame. */
  readonly running: Readonly<Record<string, number>>;
}

/** The late windows of one run and what the profile says of each. */
export interface ProfiledRun {
  readonly run: string;
  readonly stamps: number;
  readonly windows: readonly LateWindow[];
}

function frameName(node: ProfileNode): string {
  const file = node.callFrame.url.replace(/^.*\/(dist|node_modules)\//, '$1/').replace(/^file:\/\//, '');
  return `${node.callFrame.functionName || '(anonymous)'} ${file}:${String(node.callFrame.lineNumber + 1)}`;
}

/** A profile read once, with each sample's time and the name to charge its running time to. */
class Samples {
  private readonly times: number[] = [];
  private readonly owners: string[] = [];

  constructor(profile: CpuProfile, private readonly mark: ClockMark) {
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    const ownerOf = new Map<number, string>();
    const owner = (id: number): string => {
      const known = ownerOf.get(id);
      if (known !== undefined) return known;
      const leaf = byId.get(id);
      let name = leaf === undefined ? '(unknown)' : frameName(leaf);
      if (leaf !== undefined && !['(idle)', '(garbage collector)', '(program)'].includes(leaf.callFrame.functionName)) {
        for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
          const node = byId.get(at);
          if (node !== undefined && node.callFrame.url.includes('/dist/harness/')) {
            name = frameName(node);
            break;
          }
        }
      }
      ownerOf.set(id, name);
      return name;
    };
    let time = profile.startTime;
    profile.samples.forEach((id, i) => {
      time += profile.timeDeltas[i] ?? 0;
      this.times.push(time);
      this.owners.push(owner(id));
    });
  }

  private monotonicUs(wallMs: number): number {
    return (wallMs - this.mark.timeOriginWallMs) * 1000 + this.mark.timeOriginMonotonicUs;
  }

  /** How the wall-clock window [fromMs, toMs] divides into idle, running (by owner) and not sampled. */
  divide(fromMs: number, toMs: number): Pick<LateWindow, 'idleMs' | 'runningMs' | 'notSampledMs' | 'running'> {
    const from = this.monotonicUs(fromMs);
    const to = this.monotonicUs(toMs);
    let idle = 0;
    let running = 0;
    const byOwner: Record<string, number> = {};
    for (let i = 0; i < this.times.length; i += 1) {
      const start = this.times[i];
      const end = this.times[i + 1] ?? start;
      if (end <= from || start >= to) continue;
      // Only the sampled part of the interval: a longer one is a gap.
      const covered = Math.min(end, start + GAP_US, to) - Math.max(start, from);
      if (covered <= 0) continue;
      const owner = this.owners[i];
      if (owner.startsWith('(idle)')) idle += covered;
      else {
        running += covered;
        byOwner[owner] = (byOwner[owner] ?? 0) + covered / 1000;
      }
    }
    const total = (to - from) / 1000;
    return { idleMs: idle / 1000, runningMs: running / 1000, notSampledMs: Math.max(0, total - (idle + running) / 1000), running: byOwner };
  }
}

/** The profile and clock mark that `--cpu-prof` left in `dir`, or undefined when there is none. */
function readProfile(dir: string): Samples | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  const profileName = names.find((name) => name.endsWith('.cpuprofile'));
  if (profileName === undefined) return undefined;
  const pid = profileName.split('.')[3];
  const markName = names.find((name) => name === `clock-mark-${pid}.json`);
  if (markName === undefined) return undefined;
  const profile = JSON.parse(readFileSync(join(dir, profileName), 'utf8')) as CpuProfile;
  const mark = JSON.parse(readFileSync(join(dir, markName), 'utf8')) as ClockMark;
  return new Samples(profile, mark);
}

/**
 * The late windows of a run whose profile is in `dir`, from the trials and truths its comparison already has;
 * undefined when the run was not profiled.
 */
export function profileRun(label: string, dir: string, compared: Pick<RunComparison, 'reported' | 'truths'>): ProfiledRun | undefined {
  const samples = readProfile(dir);
  if (samples === undefined) return undefined;
  const { reported: trials, truths } = compared;
  const windows: LateWindow[] = [];
  let stamps = 0;
  const look = (trial: number, stamp: string, writtenMs: number | null | undefined, heardMs: number | null | undefined): void => {
    if (writtenMs === null || writtenMs === undefined || heardMs === null || heardMs === undefined) return;
    stamps += 1;
    // rebound writes its times rounded to the ms: up to 0.5 ms of a lateness is the rounding's.
    const late = heardMs + 0.5 - writtenMs;
    if (late > LATE_MS) windows.push({ trial, stamp, lateMs: late, ...samples.divide(writtenMs, heardMs + 0.5) });
  };
  trials.forEach((trial, i) => {
    const truth = truths[i];
    look(trial.trial, 'injectedAt (the DELETE answered)', truth.deleteCompletedMs, trial.injectedAtMs);
    for (const replacement of trial.replacements) {
      const phases = replacement.replacementUid === null ? undefined : truth.phases.get(replacement.replacementUid);
      for (const phase of PHASES) {
        if (phase === 'deleted' || phase === 'ready') continue;
        look(trial.trial, `phase:${phase}`, phases?.[phase], replacement.at[phase]);
      }
    }
  });
  return { run: label, stamps, windows };
}

/** The table: per run, how many stamps came late and where the late time went. */
export function lateTable(runs: readonly ProfiledRun[]): string {
  const rows = runs.map((run) => {
    const sum = (pick: (w: LateWindow) => number): number => run.windows.reduce((total, w) => total + pick(w), 0);
    const late = sum((w) => w.lateMs);
    const share = (ms: number): string => (late === 0 ? '-' : `${(100 * ms / late).toFixed(0)} %`);
    const owners = new Map<string, number>();
    for (const w of run.windows) for (const [name, ms] of Object.entries(w.running)) owners.set(name, (owners.get(name) ?? 0) + ms);
    const top = [...owners].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([name, ms]) => `${name} ${ms.toFixed(1)} ms`).join('; ');
    return `| ${run.run} | ${String(run.windows.length)} of ${String(run.stamps)} | ${late.toFixed(0)} | ${share(sum((w) => w.idleMs))} | `
      + `${share(sum((w) => w.notSampledMs))} | ${share(sum((w) => w.runningMs))} | ${top || '-'} |`;
  });
  return [
    `| run | stamps heard > ${String(LATE_MS)} ms late | late ms in all | idle (nothing had arrived) | not running (no core, or a system call) | running | running, most |`,
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/**
 * When the harness could not see the cluster, and what that does to a trial's figures. A watch that breaks (the API
 * server restarted, say) is blind from the moment it broke until the relist that replaces it; the relist reveals
 * what changed meanwhile, but not when. An outage is such a window, merged over every watch blind at the time.
 *
 * The rule a trial is judged by across an outage (docs/resilience.md):
 * - An outage whose relists revealed no change hid nothing: the figures stand.
 * - The steady state is not judged while any watch is blind (the caller holds the detector), so a recovery is
 *   never declared on a picture of the cluster that may be stale.
 * - A recovery first seen at the relist that ended an outage happened somewhere in it: the recovery time is given
 *   as measured (the latest it can have been, judged against `within` as such) with the outage's length as its
 *   uncertainty.
 * - An outage that revealed changes while the steady state was settling after its recovery, or before a FAIL,
 *   leaves the outcome unknown: the trial is an ERROR that names the outage. Never a PASS that might be false.
 */
import type { RecoveryResult } from './detector.js';

/** One window during which at least one watch was blind. */
export interface Outage {
  /** When the first watch broke. */
  readonly since: number;
  /** When the last of them was listed again; undefined while one still is blind. */
  readonly until: number | undefined;
  /** The kinds whose watches broke, e.g. "v1/Pod" (namespaces left out). */
  readonly kinds: readonly string[];
  /** How many changes the relists revealed: 0 means the outage hid nothing. */
  readonly changes: number;
  /** Why the first watch broke. */
  readonly cause: string;
}

/** Keeps the outages of a run from the watches' BROKEN and RELIST events. Times are passed in. */
export class OutageLog {
  private readonly blind = new Map<string, number>();
  private readonly list: Outage[] = [];

  /** The watch keyed `watch` (of `kind`) broke at `at`. */
  broken(watch: string, kind: string, at: number, cause: string): void {
    if (this.blind.has(watch)) return;
    this.blind.set(watch, at);
    const open = this.list.at(-1);
    if (open !== undefined && open.until === undefined) {
      this.list[this.list.length - 1] = { ...open, kinds: unique([...open.kinds, kind]) };
    } else {
      this.list.push({ since: at, until: undefined, kinds: [kind], changes: 0, cause });
    }
  }

  /** The watch keyed `watch` was listed again at `at`; the list revealed `changes` changes. */
  relisted(watch: string, at: number, changes: number): void {
    if (!this.blind.delete(watch)) return;
    const open = this.list.at(-1);
    if (open === undefined) return;
    this.list[this.list.length - 1] = { ...open, changes: open.changes + changes, until: this.blind.size === 0 ? at : undefined };
  }

  /** Since when some watch has been blind; undefined while every watch sees. */
  blindSince(): number | undefined {
    const open = this.list.at(-1);
    return open !== undefined && open.until === undefined ? open.since : undefined;
  }

  /** Every outage so far, oldest first. */
  outages(): readonly Outage[] {
    return [...this.list];
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** What the outages do to one trial's figures. */
export interface OutageJudgement {
  /** The outages that overlap the trial from its injection to its decision (or end). */
  readonly during: readonly Outage[];
  /** How much earlier than measured the recovery may have been (0: exact). */
  readonly recoveryUncertaintyMs: number;
  /** How much longer than measured the breaks may have been: outages that hid changes before the recovery. */
  readonly breakUncertaintyMs: number;
  /** Set when the outcome cannot be known: the reason of the trial's ERROR. */
  readonly error?: string;
}

/** Formats a moment for a reason (the caller's ISO formatter). */
export type MomentFormat = (at: number) => string;

/**
 * Judges a trial's measurement against the outages of its run (see the rule at the top). `end` is when the trial
 * ended; `format` writes a moment for the reason.
 */
export function judgeOutages(measured: RecoveryResult, outages: readonly Outage[], end: number, format: MomentFormat): OutageJudgement {
  const from = measured.injectedAt;
  if (from === null) return { during: [], recoveryUncertaintyMs: 0, breakUncertaintyMs: 0 };
  const to = measured.decidedAt ?? end;
  const during = outages.filter((o) => o.since <= to && (o.until ?? end) >= from);
  const hiding = during.filter((o) => o.changes > 0 || o.until === undefined);
  if (hiding.length === 0) return { during, recoveryUncertaintyMs: 0, breakUncertaintyMs: 0 };
  const describe = (o: Outage): string => {
    const until = o.until ?? end;
    return `API server unreachable from ${format(o.since)} to ${o.until === undefined ? 'the end of the trial' : format(until)} (${Math.round(until - o.since)} ms; ${o.cause})`;
  };
  if (measured.status === 'recovered' && measured.recoveredAt !== null && measured.decidedAt !== null) {
    const recoveredAt = measured.recoveredAt;
    const decidedAt = measured.decidedAt;
    // An outage inside the settle stretch may have hidden a break in it: the stretch was not seen whole.
    const inStretch = hiding.find((o) => o.since < decidedAt && (o.until ?? end) > recoveredAt);
    if (inStretch !== undefined) {
      return {
        during,
        recoveryUncertaintyMs: 0,
        breakUncertaintyMs: 0,
        error: `${describe(inStretch)} while the steady state was settling after its recovery; whether it held throughout is unknown`,
      };
    }
    // The recovery came to light with the relist that ended an outage: it happened somewhere in that outage.
    const revealing = hiding.find((o) => o.until === recoveredAt && o.since < recoveredAt);
    const uncertainty = revealing === undefined || measured.brokenAt === null ? 0 : recoveredAt - Math.max(revealing.since, measured.brokenAt);
    const hidden = hiding.filter((o) => (o.until ?? end) <= recoveredAt).reduce((sum, o) => sum + ((o.until ?? end) - Math.max(o.since, from)), 0);
    return { during, recoveryUncertaintyMs: Math.max(0, uncertainty), breakUncertaintyMs: Math.max(0, hidden) };
  }
  const [first] = hiding;
  const span = hiding.reduce((sum, o) => sum + ((o.until ?? end) - o.since), 0);
  return {
    during,
    recoveryUncertaintyMs: 0,
    breakUncertaintyMs: 0,
    error: `${first === undefined ? 'API server unreachable' : describe(first)} during recovery; recovery time unknown to within ${Math.round(span)} ms`,
  };
}

// Outages of the watches (an API server restart), replayed from recorded sequences in test/fixtures/watch-outage:
// what the relists after them reveal (each change once, marked uncertain; nothing seen before counted again), and
// how a trial is judged across them (never a PASS the outage might make false).
import { expect } from 'chai';
import type { KubernetesObject } from '@kubernetes/client-node';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCondition } from '../../../harness/observe/conditions.js';
import { RecoveryDetector, type RecoveryResult } from '../../../harness/observe/detector.js';
import type { ObservedEvent, WatchEvent } from '../../../harness/observe/events.js';
import { judgeOutages, OutageLog, type Outage, type OutageJudgement } from '../../../harness/observe/outages.js';
import { ReplacementTracker } from '../../../harness/observe/replacements.js';
import { World } from '../../../harness/observe/world.js';
import type { CheckDocument } from '../../../harness/scenario/schema.js';
import { checkOf, podObject, REPO_ROOT } from './support.js';

type Step =
  | WatchEvent
  | { readonly at: number; readonly type: 'INJECTED'; readonly fault: number }
  | { readonly at: number; readonly type: 'BROKEN'; readonly apiVersion: string; readonly kind: string; readonly namespace?: string; readonly cause: string };

interface OutageFixture {
  readonly description: string;
  readonly epoch: number;
  readonly namespace: string;
  readonly checks: readonly CheckDocument[];
  readonly expect: { readonly recoveryWithinMs: number; readonly settleMs: number };
  readonly faults: number;
  readonly t0: number;
  readonly events: readonly Step[];
  readonly expected: {
    readonly changes: readonly { at: number; type: string; uid: string; uncertainSince: number }[];
    readonly outages: readonly { since: number; until: number; kinds: string[]; changes: number }[];
    readonly status: 'recovered' | 'failed';
    readonly brokenAt: number | null;
    readonly recoveredAt: number | null;
    readonly decidedAt: number;
    readonly recoveryTimeMs: number | null;
    readonly recoveryUncertaintyMs: number;
    /** A fragment of the ERROR's reason, or null when the measurement stands. */
    readonly error: string | null;
    readonly replacements: readonly { pod: string; replacement: string | null }[];
  };
}

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'watch-outage');
const names = (await readdir(FIXTURES)).filter((name) => name.endsWith('.json')).sort();
const fixtures = await Promise.all(names.map(async (name) => ({ name, fixture: JSON.parse(await readFile(join(FIXTURES, name), 'utf8')) as OutageFixture })));

/** What a replay gave, times relative to the fixture's epoch. */
interface Outcome {
  readonly revealed: ObservedEvent[];
  readonly outages: readonly Outage[];
  readonly result: RecoveryResult;
  readonly judgement: OutageJudgement;
  readonly replacements: { pod: string; replacement: string | null }[];
  /** Ticks the driver gave the detector while a watch was blind (must be none). */
  readonly blindTicks: number;
}

/**
 * Drives observe/ as the runner does (run/observer.ts and run/trial.ts): every event to the World and the outage
 * log, the trackers fed what the World says changed, the steady state evaluated after each event and given to the
 * detector only while no watch is blind, and the detector's timers fired only while none is.
 */
function replay(fixture: OutageFixture): Outcome {
  const { epoch, namespace } = fixture;
  const world = new World();
  const log = new OutageLog();
  const condition = buildCondition(fixture.checks.map((check, index) => checkOf(check, index)), namespace, []);
  let detector: RecoveryDetector | undefined;
  let tracker: ReplacementTracker | undefined;
  const revealed: ObservedEvent[] = [];
  let blindTicks = 0;
  const key = (e: { apiVersion: string; kind: string; namespace?: string }): string => `${e.apiVersion}/${e.kind}/${e.namespace ?? ''}`;
  const evaluate = (at: number): void => {
    if (log.blindSince() === undefined) detector?.observe(at, condition.evaluate(world).holds);
  };
  const timersBefore = (limit: number): void => {
    while (detector !== undefined && detector.status === 'waiting') {
      const deadline = detector.nextDeadline();
      if (deadline === undefined || deadline >= limit) return;
      if (log.blindSince() !== undefined) return;
      detector.tick(deadline);
    }
  };
  for (const step of fixture.events) {
    const at = epoch + step.at;
    if (detector === undefined && step.at >= fixture.t0) {
      tracker = new ReplacementTracker(world);
      detector = new RecoveryDetector({ ...fixture.expect, faults: fixture.faults });
      evaluate(epoch + fixture.t0);
    }
    timersBefore(at);
    if (step.type === 'INJECTED') {
      detector?.injected(at, step.fault);
      continue;
    }
    if (step.type === 'BROKEN') {
      log.broken(key(step), `${step.apiVersion}/${step.kind}`, at, step.cause);
      continue;
    }
    const event: WatchEvent = step.type === 'RELIST'
      ? { ...step, at, ...(step.since === undefined ? {} : { since: epoch + step.since }) }
      : { ...step, at };
    const changes = world.apply(event);
    for (const change of changes) tracker?.apply(change);
    if (event.type === 'RELIST' && event.since !== undefined) {
      revealed.push(...changes);
      log.relisted(key(event), at, changes.length);
    }
    evaluate(at);
  }
  // The timers after the last event, as the trial's loop would fire them.
  const guard = detector;
  if (guard !== undefined) {
    for (let i = 0; i < 100 && guard.status === 'waiting'; i += 1) {
      const deadline = guard.nextDeadline();
      if (deadline === undefined) break;
      if (log.blindSince() !== undefined) blindTicks += 1;
      guard.tick(deadline);
    }
  }
  if (detector === undefined || tracker === undefined) throw new Error('the trial never started');
  const result = detector.result();
  const rel = (value: number | null): number | null => (value === null ? null : value - epoch);
  return {
    revealed,
    outages: log.outages().map((o) => ({ ...o, since: o.since - epoch, until: o.until === undefined ? undefined : o.until - epoch })),
    result: {
      ...result,
      injectedAt: rel(result.injectedAt), lastInjectionAt: rel(result.lastInjectionAt), brokenAt: rel(result.brokenAt),
      recoveredAt: rel(result.recoveredAt), decidedAt: rel(result.decidedAt),
    },
    judgement: judgeOutages(result, log.outages(), epoch + (fixture.events.at(-1)?.at ?? 0), (at) => new Date(at).toISOString()),
    replacements: tracker.replacements().map((r) => ({ pod: r.pod.name, replacement: r.replacement?.name ?? null })),
    blindTicks,
  };
}

describe('observe: outages of the watches (recorded sequences)', () => {
  it('has the recorded outages the rule is specified by', () => {
    expect(names).to.include.members(['pod-replaced-during-outage.json', 'outage-during-settle.json', 'outage-nothing-changed.json', 'outage-across-deadline.json']);
  });

  for (const { name, fixture } of fixtures) {
    describe(name, () => {
      const outcome = replay(fixture);
      const { expected, epoch } = fixture;

      it('reveals each change made during the outage exactly once, at the relist, marked as of unknown moment', () => {
        expect(outcome.revealed.map((change) => ({
          at: change.at - epoch, type: change.type, uid: change.object.metadata?.uid, uncertainSince: (change.uncertainSince ?? 0) - epoch,
        }))).to.deep.equal(expected.changes);
      });

      it('records the outage, merged over the watches that were blind', () => {
        expect(outcome.outages.map(({ since, until, kinds, changes }) => ({ since, until, kinds, changes }))).to.deep.equal(expected.outages);
      });

      it('decides nothing by the clock while a watch is blind, and measures what was seen', () => {
        expect(outcome.blindTicks).to.equal(0);
        expect({
          status: outcome.result.status, brokenAt: outcome.result.brokenAt, recoveredAt: outcome.result.recoveredAt,
          decidedAt: outcome.result.decidedAt, recoveryTimeMs: outcome.result.recoveryTimeMs,
        }).to.deep.equal({
          status: expected.status, brokenAt: expected.brokenAt, recoveredAt: expected.recoveredAt,
          decidedAt: expected.decidedAt, recoveryTimeMs: expected.recoveryTimeMs,
        });
      });

      it(expected.error === null ? 'lets the measurement stand, with its uncertainty' : 'turns the trial into an ERROR naming the outage', () => {
        expect(outcome.judgement.recoveryUncertaintyMs).to.equal(expected.recoveryUncertaintyMs);
        if (expected.error === null) {
          expect(outcome.judgement.error).to.equal(undefined);
        } else {
          expect(outcome.judgement.error).to.be.a('string').and.contain(expected.error).and.match(/^API server unreachable from \S+ to \S+ \(\d+ ms/);
        }
      });

      it('matches the replacement through its owner across the outage', () => {
        expect(outcome.replacements).to.deep.equal(expected.replacements);
      });
    });
  }
});

describe('observe: a relist that repeats what was seen', () => {
  const pods = (...objects: KubernetesObject[]) => objects;

  it('counts nothing twice: the same versions again change nothing, after an outage or not', () => {
    const world = new World();
    const a = podObject({ name: 'a', node: 'n', resourceVersion: '5' });
    const b = podObject({ name: 'b', node: 'n', resourceVersion: '6' });
    expect(world.apply({ at: 1, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace: 'web', objects: pods(a, b) }).map((c) => c.type)).to.deep.equal(['ADDED', 'ADDED']);
    expect(world.apply({ at: 2, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace: 'web', objects: pods(a, b), since: 1 })).to.deep.equal([]);
    expect(world.apply({ at: 3, type: 'MODIFIED', object: b })).to.deep.equal([]);
  });

  it('marks nothing uncertain on the first list, which follows no outage', () => {
    const world = new World();
    const changes = world.apply({ at: 1, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace: 'web', objects: [podObject({ name: 'a', node: 'n', resourceVersion: '5' })] });
    expect(changes.map((c) => c.uncertainSince)).to.deep.equal([undefined]);
  });
});

describe('observe: OutageLog', () => {
  it('is blind from the first watch that breaks until the last is listed again', () => {
    const log = new OutageLog();
    expect(log.blindSince()).to.equal(undefined);
    log.broken('pods', 'v1/Pod', 100, 'closed');
    log.broken('nodes', 'v1/Node', 105, 'closed');
    log.broken('pods', 'v1/Pod', 110, 'again');
    expect(log.blindSince()).to.equal(100);
    log.relisted('nodes', 300, 0);
    expect(log.blindSince()).to.equal(100);
    log.relisted('pods', 400, 3);
    expect(log.blindSince()).to.equal(undefined);
    log.relisted('pods', 500, 7);
    expect(log.outages()).to.deep.equal([{ since: 100, until: 400, kinds: ['v1/Pod', 'v1/Node'], changes: 3, cause: 'closed' }]);
    log.broken('pods', 'v1/Pod', 900, 'reset');
    expect(log.outages().map((o) => [o.since, o.until])).to.deep.equal([[100, 400], [900, undefined]]);
  });
});

describe('observe: judging a trial across outages', () => {
  const base: RecoveryResult = {
    status: 'recovered', injectedAt: 1000, lastInjectionAt: 1000, brokenAt: 1005, recoveredAt: 3000, recoveryTimeMs: 2000,
    disruptionMs: 1995, undisrupted: false, longestBreakMs: 1995, breaks: 1, decidedAt: 4000,
  };
  const outage = (since: number, until: number | undefined, changes: number): Outage => ({ since, until, kinds: ['v1/Pod'], changes, cause: 'closed' });
  const iso = (at: number): string => `t${at}`;

  it('ignores outages outside the trial, and outages that hid nothing', () => {
    const judged = judgeOutages(base, [outage(100, 500, 9), outage(2000, 2500, 0), outage(5000, 6000, 4)], 7000, iso);
    expect(judged).to.deep.equal({ during: [outage(2000, 2500, 0)], recoveryUncertaintyMs: 0, breakUncertaintyMs: 0 });
  });

  it('counts an outage that hid changes before the recovery against the breaks, not the recovery', () => {
    const judged = judgeOutages(base, [outage(1500, 2500, 2)], 7000, iso);
    expect(judged.error).to.equal(undefined);
    expect(judged.recoveryUncertaintyMs).to.equal(0);
    expect(judged.breakUncertaintyMs).to.equal(1000);
  });

  it('is an ERROR while a watch is still blind when the trial ends', () => {
    const judged = judgeOutages({ ...base, status: 'waiting', recoveredAt: null, recoveryTimeMs: null, decidedAt: null }, [outage(3500, undefined, 0)], 7000, iso);
    expect(judged.error).to.contain('API server unreachable from t3500 to the end of the trial (3500 ms');
  });

  it('has nothing to say of a trial no fault went into', () => {
    expect(judgeOutages(
      { ...base, injectedAt: null },
      [outage(0, 9000, 5)],
      9000,
      iso,
    )).to.deep.equal({ during: [], recoveryUncertaintyMs: 0, breakUncertaintyMs: 0 });
  });
});

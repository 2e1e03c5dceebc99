/**
 * A whole trial (runTrial) without a cluster, on a clock the test advances by hand: the faults' API calls land in
 * the fake API of the fault tests, node faults in a recording NodeControl, and the Observer is fed recorded watch
 * events stamped on the same clock. So the orchestration's timing rules are checked to the millisecond: faults go
 * in at T0 + at and not before, the trial decides no earlier than the settle window allows, it never waits for a
 * fault past injectedAt + recoveryWithin + settle, and nothing is injected once the scenario's time is up.
 */
import { expect } from 'chai';
import pino from 'pino';
import type { WatchEvent, WatchTarget } from '../../../harness/cluster/watch.js';
import type { ClusterHandle, NodeControl } from '../../../harness/cluster/provider.js';
import { all, podsReady } from '../../../harness/observe/conditions.js';
import type { FaultResult, TrialResult } from '../../../harness/report/result.js';
import type { EventSource } from '../../../harness/run/event-source.js';
import { Ledger } from '../../../harness/run/ledger.js';
import { Observer } from '../../../harness/run/observer.js';
import { ScenarioError, waitSteady } from '../../../harness/run/runner.js';
import { runTrial } from '../../../harness/run/trial.js';
import type { Scenario } from '../../../harness/scenario/schema.js';
import { isoOf } from '../../../harness/util/clock.js';
import { ManualClock } from '../../support/manual-clock.js';
import { FakeApi, node, pod } from '../faults/fake-context.js';
import { podObject } from '../observe/support.js';
import { baseScenario, loadData, removeTemporaryFolders } from '../scenario/support.js';

/** Delivers the events the test plays, as a watch would, stamped with the times the test gives them. */
class RecordedSource implements EventSource {
  private sink: ((batch: readonly WatchEvent[]) => void) | undefined;

  constructor(private readonly listed: readonly WatchEvent[]) {}

  async start(_targets: readonly WatchTarget[], sink: (batch: readonly WatchEvent[]) => void): Promise<void> {
    this.sink = sink;
    for (const event of this.listed) sink([event]);
  }

  play(...events: WatchEvent[]): void {
    for (const event of events) this.sink?.([event]);
  }

  stop(): void {
    this.sink = undefined;
  }
}

/** Node machinery that records what it was told. */
class RecordingNodes implements NodeControl {
  readonly calls: string[] = [];
  stop = async (name: string): Promise<void> => { this.calls.push(`stop ${name}`); };
  start = async (name: string): Promise<void> => { this.calls.push(`start ${name}`); };
  restart = async (name: string): Promise<void> => { this.calls.push(`restart ${name}`); };
  pause = async (name: string): Promise<void> => { this.calls.push(`pause ${name}`); };
  resume = async (name: string): Promise<void> => { this.calls.push(`resume ${name}`); };
}

const NODES = ['n1', 'n2', 'n3'];
const PODS = ['a', 'b', 'c'];
const watched = (name: string, extra: { deleting?: boolean; ready?: boolean; node?: string } = {}) =>
  podObject({ name, node: extra.node ?? NODES[PODS.indexOf(name)] ?? 'n1', ready: extra.ready ?? true, ...(extra.deleting ? { deleting: true } : {}) });

async function scenarioWith(spec: Record<string, unknown>): Promise<Scenario> {
  const doc = baseScenario();
  doc.spec = { ...doc.spec, ...spec };
  const loaded = await loadData(doc);
  expect(loaded.errors.map((e) => e.message)).to.deep.equal([]);
  return loaded.scenario as Scenario;
}

/** One trial under way on a manual clock: what it did, and when it ended. */
interface Running {
  readonly clock: ManualClock;
  readonly t0: number;
  readonly api: FakeApi;
  readonly nodes: RecordingNodes;
  readonly source: RecordedSource;
  readonly ledger: Ledger;
  readonly faults: FaultResult[];
  readonly result: Promise<TrialResult>;
  /** When the trial ended (clock time), once it has. */
  endedAt(): number | undefined;
}

async function startTrial(scenario: Scenario, options: { timeoutMs?: number } = {}): Promise<Running> {
  const clock = new ManualClock();
  const api = new FakeApi();
  api.pods.push(...PODS.map((name, i) => pod(name, NODES[i] ?? 'n1', 'web')));
  api.nodes.push(...NODES.map(node));
  const nodes = new RecordingNodes();
  const cluster: ClusterHandle = { provider: 'local', name: 'fake', kubeconfig: '/dev/null', nodeControl: nodes, timings: {}, release: async () => undefined };
  const log = pino({ level: 'silent' });
  const t0 = clock.now();
  const source = new RecordedSource([{ at: t0 - 5000, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace: 'web', objects: PODS.map((name) => watched(name)) }]);
  const observer = new Observer(source, podsReady({ selector: 'app=web', namespace: 'web', count: 3 }), 'web', log, clock);
  await observer.start(['web'], [], []);
  const ledger = new Ledger();
  const faults: FaultResult[] = [];
  let ended: number | undefined;
  const result = runTrial({
    scenario, trial: 1, seed: 7, t0, namespace: 'web', kube: api.kube(), cluster, observer, ledger, log, scenarioDir: '/tmp',
    processes: { pidOf: () => undefined, noteKill: () => undefined },
    deadline: t0 + (options.timeoutMs ?? 60_000),
    onFault: (fault) => { faults.push(fault); },
    onTick: () => undefined,
    snapshot: (at) => ({ at: isoOf(at), objects: [] }),
    clock,
  });
  void result.then(() => { ended = clock.now(); }, () => { ended = clock.now(); });
  await clock.advance(0);
  return { clock, t0, api, nodes, source, ledger, faults, result, endedAt: () => ended };
}

/** The pod the fault deleted (its name), from the request the fake API received. */
function deleted(api: FakeApi): string[] {
  return api.callsOf('deleteNamespacedPod').map((request) => String(request['name']));
}

describe('a trial on a manual clock, without a cluster', () => {
  after(removeTemporaryFolders);

  it('measures a pod kill from the recorded events to the millisecond, and decides only once the settle window is over', async () => {
    const trial = await startTrial(await scenarioWith({ expect: { recoveryWithin: '30s', settle: '2s' } }));
    const { clock, t0, source } = trial;
    const [victim] = deleted(trial.api);
    expect(victim).to.be.oneOf(PODS);
    await clock.advanceTo(t0 + 100);
    source.play({ at: t0 + 100, type: 'MODIFIED', object: watched(victim ?? '', { deleting: true }) });
    await clock.advanceTo(t0 + 300);
    source.play({ at: t0 + 300, type: 'ADDED', object: watched('d', { ready: false, node: 'n2' }) });
    await clock.advanceTo(t0 + 1500);
    source.play({ at: t0 + 1500, type: 'MODIFIED', object: watched('d', { node: 'n2' }) });
    // Recovered at +1.5 s, but the steady state must hold for settle (2 s) before the trial may say so.
    await clock.advanceTo(t0 + 3499);
    expect(trial.endedAt()).to.equal(undefined);
    await clock.advanceTo(t0 + 3500);
    const result = await trial.result;
    expect(trial.endedAt()).to.equal(t0 + 3500);
    expect(result.verdict).to.equal('PASS');
    expect(result.injectedAt).to.equal(isoOf(t0));
    expect(result.brokenAt).to.equal(isoOf(t0 + 100));
    expect(result.recoveredAt).to.equal(isoOf(t0 + 1500));
    expect(result.recoveryTimeMs).to.equal(1500);
    expect(result.disruptionMs).to.equal(1400);
    expect(trial.faults.map((f) => f.injectedAt)).to.deep.equal([isoOf(t0)]);
  });

  it('injects each fault at T0 + at, not a millisecond before, and decides nothing before the last one is in', async () => {
    const trial = await startTrial(await scenarioWith({
      faults: [{ podKill: { selector: 'app=web' } }, { at: '5s', podKill: { selector: 'app=web' } }],
      expect: { recoveryWithin: '30s', settle: '1s' },
    }));
    const { clock, t0 } = trial;
    expect(deleted(trial.api)).to.have.length(1);
    // The steady state never breaks (the fake API's deletes are not watched): held well past settle, yet the
    // trial waits for its second fault.
    await clock.advanceTo(t0 + 4999);
    expect(deleted(trial.api)).to.have.length(1);
    expect(trial.endedAt()).to.equal(undefined);
    await clock.advanceTo(t0 + 5000);
    expect(deleted(trial.api)).to.have.length(2);
    expect(trial.faults.map((f) => f.injectedAt)).to.deep.equal([isoOf(t0), isoOf(t0 + 5000)]);
    await clock.advanceTo(t0 + 6000);
    const result = await trial.result;
    expect(trial.endedAt()).to.equal(t0 + 6000);
    expect(result.verdict).to.equal('PASS');
    expect(result.undisrupted).to.equal(true);
  });

  it('ends a FAIL by injectedAt + recoveryWithin + settle without waiting for a node stopped for longer', async () => {
    const trial = await startTrial(await scenarioWith({
      faults: [{ nodeStop: { count: 1, duration: '40s' } }],
      expect: { recoveryWithin: '4s', settle: '1s' },
    }));
    const { clock, t0, nodes } = trial;
    expect(nodes.calls).to.have.length(1);
    expect(nodes.calls[0]).to.match(/^stop n[123]$/);
    // Broken since the injection: the FAIL is decided once +4 s (recoveryWithin) is over, well inside the format's
    // bound of + settle; the node's fault is then not waited for at all (a 0 ms wait: one timer turn, 1 ms as
    // Node's setTimeout(0)).
    await clock.advanceTo(t0 + 3999);
    expect(trial.endedAt()).to.equal(undefined);
    await clock.advanceTo(t0 + 5000);
    const result = await trial.result;
    expect(trial.endedAt()).to.equal(t0 + 4001);
    expect(result.verdict).to.equal('FAIL');
    expect(result.reason).to.match(/^no recovery within 4s \(\+1s settle\)/);
    // The node is still down, its 40 s timer pending: the revert after the trial brings it back and clears it.
    expect(nodes.calls).to.have.length(1);
    expect(clock.timers).to.equal(1);
    expect(await trial.ledger.undo(['fault'])).to.deep.equal([]);
    expect(nodes.calls[1]).to.equal(nodes.calls[0]?.replace('stop', 'start'));
    expect(clock.timers).to.equal(0);
  });

  it('ends a PASS at the cap too: a recovered trial waits for a fault still at work only until injectedAt + recoveryWithin + settle', async () => {
    const trial = await startTrial(await scenarioWith({
      faults: [{ nodeStop: { count: 1, duration: '60s' } }],
      expect: { recoveryWithin: '4s', settle: '1s' },
    }));
    const { clock, t0, nodes, source } = trial;
    const stopped = nodes.calls[0]?.replace('stop ', '') ?? '';
    const lost = PODS[NODES.indexOf(stopped)] ?? '';
    // The pod on the stopped node counts as not ready from the acknowledgement; its replacement is ready at +2 s.
    await clock.advanceTo(t0 + 2000);
    source.play(
      { at: t0 + 2000, type: 'MODIFIED', object: watched(lost, { deleting: true }) },
      { at: t0 + 2000, type: 'ADDED', object: watched('d', { node: NODES.find((n) => n !== stopped) ?? 'n1' }) },
    );
    // Recovered for good at +3 s (+2 s, then settle); the node's own 60 s are waited for up to +5 s only.
    await clock.advanceTo(t0 + 4999);
    expect(trial.endedAt()).to.equal(undefined);
    await clock.advanceTo(t0 + 5000);
    const result = await trial.result;
    expect(trial.endedAt()).to.equal(t0 + 5000);
    expect(result.verdict).to.equal('PASS');
    expect(result.recoveryTimeMs).to.equal(2000);
    expect(nodes.calls).to.deep.equal([`stop ${stopped}`]);
    expect(await trial.ledger.undo(['fault'])).to.deep.equal([]);
  });

  it('injects nothing once the scenario\'s time is up, and ends the trial as an ERROR', async () => {
    const trial = await startTrial(await scenarioWith({
      faults: [{ podKill: { selector: 'app=web' } }, { at: '25s', podKill: { selector: 'app=web' } }],
      expect: { recoveryWithin: '30s', settle: '1s' },
      timeout: '12s',
    }), { timeoutMs: 12_000 });
    const { clock, t0 } = trial;
    await clock.advanceTo(t0 + 12_000);
    expect(trial.endedAt()).to.equal(undefined);
    await clock.advanceTo(t0 + 30_000);
    const result = await trial.result;
    // The loop looks at the time at least once a second: the time limit is seen within a second of passing.
    expect(trial.endedAt()).to.be.above(t0 + 12_000).and.at.most(t0 + 13_000);
    expect(result.verdict).to.equal('ERROR');
    expect(result.reason).to.match(/timeout \(12s\) ran out/);
    expect(deleted(trial.api)).to.have.length(1);
    expect(trial.faults.map((f) => f.injectedAt === null)).to.deep.equal([false]);
    // The second fault's wait was cancelled with the trial: nothing is left to fire.
    expect(clock.timers).to.equal(0);
  });
});

describe('waiting for the steady state before a trial, on a manual clock', () => {
  async function watching(ready: boolean): Promise<{ clock: ManualClock; source: RecordedSource; observer: Observer }> {
    const clock = new ManualClock();
    const source = new RecordedSource([{
      at: clock.now(), type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace: 'web', objects: PODS.map((name) => watched(name, { ready })),
    }]);
    const observer = new Observer(source, podsReady({ selector: 'app=web', namespace: 'web', count: 3 }), 'web', pino({ level: 'silent' }), clock);
    await observer.start(['web'], [], []);
    return { clock, source, observer };
  }

  it('gives T0 once the steady state has held for settle without a break, a break starting the window again', async () => {
    const { clock, source, observer } = await watching(true);
    const start = clock.now();
    let t0: number | undefined;
    void waitSteady(observer, 2000, start + 60_000, 'initial steady state', all([]), undefined, clock).then((at) => { t0 = at; });
    await clock.advanceTo(start + 1000);
    source.play({ at: start + 1000, type: 'MODIFIED', object: watched('a', { ready: false }) });
    await clock.advanceTo(start + 1200);
    source.play({ at: start + 1200, type: 'MODIFIED', object: watched('a') });
    await clock.advanceTo(start + 3199);
    expect(t0).to.equal(undefined);
    await clock.advanceTo(start + 3200);
    expect(t0).to.equal(start + 3200);
  });

  it('gives up at the deadline, naming what does not hold', async () => {
    const { clock, observer } = await watching(false);
    const start = clock.now();
    let failure: unknown;
    void waitSteady(observer, 2000, start + 10_000, 'initial steady state', all([]), undefined, clock).catch((error: unknown) => { failure = error; });
    await clock.advanceTo(start + 9999);
    expect(failure).to.equal(undefined);
    await clock.advanceTo(start + 10_000);
    expect(failure).to.be.instanceOf(ScenarioError);
    expect((failure as Error).message).to.match(/^initial steady state never reached within the scenario's timeout: .*podsReady app=web/);
  });
});

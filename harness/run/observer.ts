import type { Logger } from 'pino';
import type * as k8s from '@kubernetes/client-node';
import type { WatchEvent, WatchTarget } from '../cluster/watch.js';
import type { EventSource } from './event-source.js';
import type { ObservedEvent } from '../observe/events.js';
import { countsOf, type Condition, type Evaluation } from '../observe/conditions.js';
import { DriftTracker } from '../observe/drift.js';
import { slimmed } from '../observe/slim.js';
import { NodeLossTracker } from '../observe/node-loss.js';
import { OutageLog, type Outage } from '../observe/outages.js';
import { ReplacementTracker } from '../observe/replacements.js';
import { RestartTracker } from '../observe/restarts.js';
import { Timeline } from '../observe/timeline.js';
import { World } from '../observe/world.js';
import type { EventRecord } from '../report/result.js';
import { systemClock, type Clock } from '../util/clock.js';
import { eventRecord } from './evidence.js';

/** Kinds every scenario watches in its namespaces; Nodes are watched cluster-wide. */
const NAMESPACED_KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'v1', kind: 'Pod' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'Event' },
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
];

/** Events kept for the report. */
const MAX_EVENTS = 500;

/** How often http checks are probed. */
const PROBE_INTERVAL_MS = 250;

/** Receives every evaluation of the steady state, in arrival order. */
export type EvaluationListener = (at: number, evaluation: Evaluation) => void;

/** A watched event that touched an object with one of these uids (a fault's targets). */
export type TargetListener = (at: number, uid: string) => void;

/** Every change the watches made to the world (stale events dropped), before the steady state is evaluated. */
export type ChangeListener = (change: ObservedEvent) => void;

/**
 * Keeps the World in step with the cluster through watches (stamped on arrival with the monotonic clock),
 * re-evaluates the steady state after every batch of events that arrived together, and feeds the timeline and the
 * replacement tracker.
 */
export class Observer {
  readonly world = new World();
  readonly timeline = new Timeline();
  replacements = new ReplacementTracker(this.world);
  /** Containers killed by containerKill this trial, restarted in place. */
  restarts = new RestartTracker(this.world);
  /** Nodes taken down by node faults this trial, phase by phase up to the eviction of their pods. */
  nodeLoss = new NodeLossTracker();
  /** The fields rebound applied, followed through the trial (runner: drift.setDesired after each apply). */
  readonly drift = new DriftTracker();
  private readonly listeners = new Set<EvaluationListener>();
  private readonly targetListeners = new Set<TargetListener>();
  private readonly changeListeners = new Set<ChangeListener>();
  private cancelProbe: (() => void) | undefined;
  private stopped = false;
  /** Kubernetes Events by uid (an Event is updated in place as it repeats), oldest first. */
  private readonly events = new Map<string, EventRecord>();
  private last: Evaluation | undefined;
  /** When the watches were blind (the API server away), and what their relists revealed. */
  private readonly outageLog = new OutageLog();

  constructor(
    private readonly source: EventSource,
    private condition: Condition,
    private readonly namespace: string,
    private readonly log: Logger,
    /** What evaluations without an event of their own are stamped with, and what the probes' interval runs on. */
    private readonly clock: Clock = systemClock,
  ) {}

  /** Starts watching; resolves once every kind was listed once. */
  async start(
    namespaces: readonly string[],
    extraKinds: readonly { apiVersion: string; kind: string }[],
    probeUrls: readonly { url: string; status: number; timeoutMs: number }[],
  ): Promise<void> {
    const targets: WatchTarget[] = [{ apiVersion: 'v1', kind: 'Node' }];
    for (const namespace of namespaces) {
      for (const kind of [...NAMESPACED_KINDS, ...extraKinds]) targets.push({ ...kind, namespace });
    }
    const unique = new Map(targets.map((t) => [`${t.apiVersion}/${t.kind}/${t.namespace ?? ''}`, t]));
    await this.source.start([...unique.values()], (batch) => this.onEvents(batch));
    if (probeUrls.length > 0) this.startProbes(probeUrls);
    this.evaluate(this.clock.now());
  }

  private startProbes(probes: readonly { url: string; status: number; timeoutMs: number }[]): void {
    const probe = async (): Promise<void> => {
      await Promise.all(probes.map(async ({ url, status, timeoutMs }) => {
        let ok = false;
        let detail: string;
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
          await response.arrayBuffer();
          ok = response.status === status;
          detail = `HTTP ${response.status}`;
        } catch (error) {
          detail = error instanceof Error ? error.message : String(error);
        }
        this.world.setProbe(url, this.clock.now(), ok, detail);
      }));
      if (this.stopped) return;
      this.evaluate(this.clock.now());
      this.cancelProbe = this.clock.after(PROBE_INTERVAL_MS, () => void probe());
    };
    void probe();
  }

  /**
   * Applies a batch of events that arrived together, in order. While the steady state holds, each event that calls
   * for a judgement (any but a Kubernetes Event or a broken watch) is judged as it is applied: a pod's deletion, its
   * replacement and the replacement's readiness can arrive in one read, and judging only after the last would never
   * see the break between them (the fault would seem not to bite). Once the state is broken, the rest of the batch is
   * judged once, stamped with the arrival of its last such event: judging after each of the 1,000 events of a mass
   * kill's burst would hold the later ones back, and every moment the loop is held is lag in their stamps. A broken
   * watch is marked after the events before it are judged, so their evaluation is not taken for one made blind.
   */
  private onEvents(batch: readonly WatchEvent[]): void {
    let judgeAt: number | undefined;
    for (const event of batch) {
      if (event.type === 'BROKEN' && judgeAt !== undefined) {
        this.evaluate(judgeAt);
        judgeAt = undefined;
      }
      if (!this.onEvent(event)) continue;
      if (this.last?.holds === false) {
        judgeAt = event.at;
      } else {
        this.evaluate(event.at);
        judgeAt = undefined;
      }
    }
    if (judgeAt !== undefined) this.evaluate(judgeAt);
  }

  /** Applies one event; true when the steady state is to be judged again. */
  private onEvent(event: WatchEvent): boolean {
    const watch = (e: { apiVersion: string; kind: string; namespace?: string }): string => `${e.apiVersion}/${e.kind}/${e.namespace ?? ''}`;
    if (event.type === 'BROKEN') {
      const began = this.outageLog.blindSince() === undefined;
      this.outageLog.broken(watch(event), `${event.apiVersion}/${event.kind}`, event.at, event.cause);
      if (began) this.timeline.mark(event.at, 'note', `outage: the watches broke (${event.kind}: ${event.cause}); blind until they are listed again`);
      return false;
    }
    // Kubernetes Events are evidence for the report, not state to judge health by.
    if ((event.type === 'RELIST' ? event.kind : event.object.kind) === 'Event') {
      const events = event.type === 'RELIST' ? event.objects : event.type === 'DELETED' ? [] : [event.object];
      for (const item of events) {
        const uid = item.metadata?.uid ?? '';
        this.events.set(uid, eventRecord(item as k8s.CoreV1Event));
        if (this.events.size > MAX_EVENTS) this.events.delete(this.events.keys().next().value as string);
      }
      // The last relist of an outage makes the picture whole: evaluate, as a relist of any other kind does below.
      return event.type === 'RELIST' && this.relisted(watch(event), event.at, 0);
    }
    // The tracker takes the world's view of the change, so stale events (an older resourceVersion) are dropped. The
    // World holds managedFields only where drift reads them: at scale they are half of what it holds (slim.ts).
    const changes = this.world.apply(slimmed(event, (object) => this.drift.follows(object)));
    for (const change of changes) {
      this.replacements.apply(change);
      this.restarts.apply(change);
      this.nodeLoss.apply(change);
      this.drift.apply(change);
      for (const listener of this.changeListeners) listener(change);
    }
    // Before the evaluation below: the relist that ends an outage makes the picture whole again.
    if (event.type === 'RELIST') this.relisted(watch(event), event.at, changes.length);
    if (event.type !== 'RELIST' && this.targetListeners.size > 0) {
      const uid = event.object.metadata?.uid;
      if (uid) for (const listener of this.targetListeners) listener(event.at, uid);
    }
    this.log.debug({ at: event.at, type: event.type, kind: event.type === 'RELIST' ? event.kind : event.object.kind, name: event.type === 'RELIST' ? undefined : event.object.metadata?.name }, 'event');
    return true;
  }

  /** Evaluates the steady state at `at` and tells the listeners. */
  evaluate(at: number): Evaluation {
    const evaluation = this.condition.evaluate(this.world);
    const counts = countsOf(this.world, this.namespace);
    this.timeline.sample(at, evaluation.holds, counts);
    this.last = evaluation;
    for (const listener of this.listeners) listener(at, evaluation);
    return evaluation;
  }

  /** The latest evaluation, with the counts the live line shows. */
  current(): { evaluation: Evaluation; counts: ReturnType<typeof countsOf> } {
    return { evaluation: this.last ?? this.condition.evaluate(this.world), counts: countsOf(this.world, this.namespace) };
  }

  /** Each steady-state check judged on its own now, in the scenario's order. */
  checks(): Evaluation[] {
    return (this.condition.parts ?? [this.condition]).map((part) => part.evaluate(this.world));
  }

  /** Judges the steady state by another condition from now on (a --matrix variant was swapped in). */
  setCondition(condition: Condition): void {
    this.condition = condition;
    this.evaluate(this.clock.now());
  }

  /**
   * A watch was listed again; the last of an outage marks its end on the timeline, with what it had hidden.
   * Returns true when that ended an outage.
   */
  private relisted(watch: string, at: number, changes: number): boolean {
    const wasBlind = this.outageLog.blindSince() !== undefined;
    this.outageLog.relisted(watch, at, changes);
    const outage = this.outageLog.outages().at(-1);
    if (!wasBlind || this.outageLog.blindSince() !== undefined || outage === undefined) return false;
    const kinds = outage.kinds.map((k) => k.split('/').at(-1)).join(', ');
    this.timeline.mark(at, 'note', outage.changes === 0
      ? `outage over after ${Math.round(at - outage.since)} ms: every watch listed again (${kinds}); nothing changed meanwhile`
      : `outage over after ${Math.round(at - outage.since)} ms: every watch listed again (${kinds}); ${outage.changes} change${outage.changes === 1 ? '' : 's'} made meanwhile, each at an unknown moment of the outage`);
    this.log.warn({ since: outage.since, until: at, kinds: outage.kinds, changes: outage.changes }, 'watches re-established after an outage');
    return true;
  }

  /** Since when some watch has been blind (the API server away); undefined while the picture is whole. */
  blindSince(): number | undefined {
    return this.outageLog.blindSince();
  }

  /** Every outage of the watches so far, oldest first. */
  outages(): readonly Outage[] {
    return this.outageLog.outages();
  }

  subscribe(listener: EvaluationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onTarget(listener: TargetListener): () => void {
    this.targetListeners.add(listener);
    return () => this.targetListeners.delete(listener);
  }

  onChange(listener: ChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Pods on these nodes stop counting as ready (rebound stopped them). */
  impairNodes(nodes: readonly string[], at: number): void {
    for (const node of nodes) this.world.impairNode(node, at);
    this.evaluate(at);
  }

  restoreNodes(nodes: readonly string[], at: number): void {
    for (const node of nodes) this.world.restoreNode(node, at);
    this.evaluate(at);
  }

  /** A fresh replacement tracker for the next trial. */
  resetTrial(): void {
    this.replacements = new ReplacementTracker(this.world);
    this.restarts = new RestartTracker(this.world);
    this.nodeLoss = new NodeLossTracker();
    this.drift.reset(this.world);
  }

  /** The Kubernetes Events seen, oldest first. */
  eventRecords(): EventRecord[] {
    return [...this.events.values()].sort((a, b) => String(a.at).localeCompare(String(b.at)));
  }

  stop(): void {
    this.stopped = true;
    this.cancelProbe?.();
    this.source.stop();
  }
}

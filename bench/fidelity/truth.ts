/**
 * The truth of a trial from the API server's audit log: the scenario's steady state (workloadAvailable +
 * podsReady + endpointsReady of one Deployment behind one Service) replayed write by write from the bodies a
 * `--audit-detail` cluster logs, judged as rebound's conditions judge it (observe/conditions.ts). The moment of
 * recovery is the stageTimestamp of the last write that made every check hold; each replacement's phases are the
 * writes that first showed it created, scheduled, running, ready and behind its Service.
 */
import type { V1Deployment, V1EndpointSlice, V1Pod } from '@kubernetes/client-node';
import type { AuditEvent } from './audit.js';

/** The workload under test: a Deployment whose pods carry `app=<app>`, behind a Service of the same name. */
export interface Workload {
  readonly namespace: string;
  readonly app: string;
  readonly replicas: number;
}

/** What rebound said about one trial (from results.json), in ms since the epoch. */
export interface ReportedTrial {
  readonly trial: number;
  readonly injectedAtMs: number | null;
  readonly recoveredAtMs: number | null;
  /** Where the trial's truth stops being looked for: the next trial's t0, or the end of the last trial's settle. */
  readonly windowEndMs: number;
  readonly killedPods: readonly string[];
  readonly stoppedNodes: readonly string[];
  readonly replacements: readonly ReportedReplacement[];
}

export const PHASES = ['deleted', 'created', 'scheduled', 'running', 'ready', 'endpointReady'] as const;
export type Phase = (typeof PHASES)[number];

export interface ReportedReplacement {
  readonly pod: string;
  readonly podUid: string;
  readonly replacementUid: string | null;
  readonly at: Partial<Record<Phase, number | null>>;
}

/** The audit log's account of one trial. */
export interface TrialTruth {
  readonly trial: number;
  /** The first DELETE of a killed pod: when the API server received it, and when it answered. */
  readonly deleteReceivedMs: number | null;
  readonly deleteCompletedMs: number | null;
  /** stageTimestamp of the last write that made every check hold again; null if they never broke or never held again. */
  readonly recoveredMs: number | null;
  readonly why: string | null;
  /** Per replacement uid, the first write of each phase. */
  readonly phases: ReadonlyMap<string, Partial<Record<Phase, number>>>;
  /** Pods of the workload created during the trial, by uid (each should be one of rebound's replacements). */
  readonly created: readonly { uid: string; name: string }[];
}

function isPod(value: unknown): value is V1Pod {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Pod';
}

function isSlice(value: unknown): value is V1EndpointSlice {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'EndpointSlice';
}

function isDeployment(value: unknown): value is V1Deployment {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Deployment';
}

function podReady(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function terminating(pod: V1Pod): boolean {
  return pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
}

/** The objects of the workload as the writes so far left them, and the first write of each phase per pod. */
export class Replay {
  private readonly pods = new Map<string, V1Pod>();
  private readonly slices = new Map<string, V1EndpointSlice>();
  private deployment: V1Deployment | undefined;
  readonly firsts = new Map<string, Partial<Record<Phase, number>>>();
  private readonly uidByName = new Map<string, string>();

  constructor(private readonly workload: Workload) {}

  private first(uid: string, phase: Phase, at: number): void {
    const phases = this.firsts.get(uid) ?? {};
    phases[phase] ??= at;
    this.firsts.set(uid, phases);
  }

  /** Applies one write; returns the uid of a pod it created, if any. */
  apply(event: AuditEvent): string | undefined {
    if (event.namespace !== this.workload.namespace || (event.code !== undefined && event.code >= 300)) return undefined;
    const at = event.completedMs;
    const body = event.responseObject;
    if (event.resource === 'pods' && event.subresource === 'binding') {
      const uid = event.name === undefined ? undefined : this.uidByName.get(event.name);
      if (uid !== undefined) this.first(uid, 'scheduled', at);
      return undefined;
    }
    if (event.resource === 'pods' && (event.subresource === undefined || event.subresource === 'status') && isPod(body)) {
      if (body.metadata?.labels?.app !== this.workload.app) return undefined;
      const uid = body.metadata.uid ?? '';
      this.uidByName.set(body.metadata.name ?? '', uid);
      if (event.verb === 'delete') this.first(uid, 'deleted', at);
      if (event.verb === 'delete' && (!terminating(body) || body.metadata.deletionGracePeriodSeconds === 0)) {
        this.pods.delete(uid);
      } else {
        this.pods.set(uid, body);
      }
      if (body.spec?.nodeName !== undefined && body.spec.nodeName !== '') this.first(uid, 'scheduled', at);
      if (body.status?.phase === 'Running') this.first(uid, 'running', at);
      if (podReady(body)) this.first(uid, 'ready', at);
      if (event.verb === 'create') {
        this.first(uid, 'created', at);
        return uid;
      }
      return undefined;
    }
    if (event.resource === 'endpointslices') {
      const name = event.name ?? (isSlice(body) ? body.metadata?.name : undefined) ?? '';
      if (event.verb === 'delete') {
        this.slices.delete(name);
      } else if (isSlice(body) && body.metadata?.labels?.['kubernetes.io/service-name'] === this.workload.app) {
        this.slices.set(body.metadata.name ?? name, body);
        for (const endpoint of body.endpoints ?? []) {
          const uid = endpoint.targetRef?.uid;
          if (uid !== undefined && endpoint.conditions?.ready !== false) this.first(uid, 'endpointReady', at);
        }
      }
      return undefined;
    }
    if (event.resource === 'deployments' && isDeployment(body) && body.metadata?.name === this.workload.app) {
      this.deployment = body;
    }
    return undefined;
  }

  /** Whether every check of the steady state holds, with the pods and endpoints on `impaired` nodes not counting. */
  holds(impaired: ReadonlySet<string>): boolean {
    return this.workloadAvailable() && this.podsReady(impaired) === this.workload.replicas && this.endpointsReady(impaired) >= this.workload.replicas;
  }

  private workloadAvailable(): boolean {
    const status = this.deployment?.status;
    const generation = this.deployment?.metadata?.generation;
    if (status === undefined || generation === undefined || (status.observedGeneration ?? 0) < generation) return false;
    return status.updatedReplicas === this.workload.replicas && status.availableReplicas === this.workload.replicas;
  }

  private podsReady(impaired: ReadonlySet<string>): number {
    return [...this.pods.values()].filter((pod) => podReady(pod) && !terminating(pod) && !impaired.has(pod.spec?.nodeName ?? '')).length;
  }

  private endpointsReady(impaired: ReadonlySet<string>): number {
    const keys = new Set<string>();
    for (const slice of this.slices.values()) {
      for (const endpoint of slice.endpoints ?? []) {
        if (endpoint.conditions?.ready === false) continue;
        const uid = endpoint.targetRef?.uid;
        const pod = uid === undefined ? undefined : this.pods.get(uid);
        if ([endpoint.nodeName, pod?.spec?.nodeName].some((node) => node !== undefined && impaired.has(node))) continue;
        keys.add(uid !== undefined && uid !== '' ? `uid:${uid}` : `addresses:${[...endpoint.addresses].sort().join(',')}`);
      }
    }
    return keys.size;
  }
}

/**
 * The truth of every trial of one run: `events` are the run's audit events (any order), `trials` rebound's account
 * in order. One replay runs through the whole run, so each trial starts from the objects the previous one left.
 */
export function truthOf(events: readonly AuditEvent[], workload: Workload, trials: readonly ReportedTrial[]): TrialTruth[] {
  const ordered = [...events].sort((a, b) => a.completedMs - b.completedMs);
  const replay = new Replay(workload);
  const truths: TrialTruth[] = [];
  let next = 0;
  let windowStart = -Infinity;
  for (const trial of trials) {
    // The writes before this trial's fault bring the objects up to date; they are not judged.
    const injectedAt = trial.injectedAtMs ?? trial.windowEndMs;
    const killed = new Set(trial.killedPods);
    let deleteEvent: AuditEvent | undefined;
    const inTrial: AuditEvent[] = [];
    while (next < ordered.length && ordered[next].completedMs <= trial.windowEndMs) {
      const event = ordered[next];
      next += 1;
      const isKill = event.verb === 'delete' && event.resource === 'pods' && event.subresource === undefined
        && event.namespace === workload.namespace && killed.has(event.name ?? '');
      if (isKill && deleteEvent === undefined) deleteEvent = event;
      if (deleteEvent !== undefined || event.completedMs >= injectedAt) inTrial.push(event);
      else replay.apply(event);
    }
    // A node stop writes nothing: its pods stop counting when rebound stopped the node, as rebound's World has it.
    const impaired = new Set(trial.stoppedNodes);
    const start = deleteEvent?.receivedMs ?? injectedAt;
    let holding = replay.holds(impaired);
    let recovered: number | null = null;
    let broke = !holding;
    const created: { uid: string; name: string }[] = [];
    for (const event of inTrial) {
      const uid = replay.apply(event);
      if (uid !== undefined && event.completedMs > windowStart) created.push({ uid, name: event.name ?? uid });
      const now = replay.holds(impaired);
      if (!now) broke = true;
      if (now && !holding) recovered = event.completedMs;
      holding = now;
    }
    let why: string | null = null;
    if (!broke) why = 'the steady state never broke in the audit log';
    else if (!holding) why = 'the steady state did not hold again by the end of the trial';
    truths.push({
      trial: trial.trial,
      deleteReceivedMs: deleteEvent?.receivedMs ?? null,
      deleteCompletedMs: deleteEvent?.completedMs ?? null,
      recoveredMs: why === null ? recovered : null,
      why,
      phases: replay.firsts,
      created: created.filter((pod) => (replay.firsts.get(pod.uid)?.created ?? 0) >= start),
    });
    windowStart = trial.windowEndMs;
  }
  return truths;
}

/**
 * What one rollout did, followed from the World: its old and new revision (a Deployment's pods carry their
 * ReplicaSet's pod-template-hash, a StatefulSet's and a DaemonSet's their controller-revision-hash), the ready pods of
 * each over time, when it completed or stalled (a Deployment's Progressing condition False, ProgressDeadlineExceeded),
 * when the rollback was written and when every replica was back on the old revision, and the lowest availability.
 * Pure bookkeeping: the caller stamps each World change with its arrival time.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { LabelSelector } from '../util/label-selector.js';
import type { RolloutKind } from '../scenario/schema.js';
import { conditionOf, fieldOf, statusNumber } from './objects.js';
import { availableOf, rolledOut } from './rollout-checks.js';
import type { World } from './world.js';

/** Ready pods of the old and of the new revision at one moment. */
export interface RevisionSample {
  readonly at: number;
  readonly old: number;
  readonly new: number;
}

/** The rollout's figures so far (monotonic ms). */
export interface RolloutFigures {
  readonly startedAt: number;
  readonly oldRevision: string | null;
  readonly newRevision: string | null;
  readonly completedAt: number | null;
  readonly stalledAt: number | null;
  readonly rollbackAt: number | null;
  readonly rolledBackAt: number | null;
  readonly lowestAvailable: number | null;
  readonly samples: readonly RevisionSample[];
  /** Where it stands, in words, from the last look at the World. */
  readonly detail: string;
}

/** The label that names a pod's revision, by the kind of its workload. */
export function revisionLabel(kind: RolloutKind): string {
  return kind === 'Deployment' ? 'pod-template-hash' : 'controller-revision-hash';
}

/** The pods of a workload, by its spec.selector.matchLabels (undefined when the World has not seen it). */
function podsOf(world: World, workload: KubernetesObject, namespace: string) {
  const matchLabels = fieldOf(fieldOf(fieldOf(workload, 'spec'), 'selector'), 'matchLabels');
  if (typeof matchLabels !== 'object' || matchLabels === null || Object.keys(matchLabels).length === 0) return [];
  const selector = LabelSelector.parse(Object.entries(matchLabels as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(','));
  return world.pods(namespace, selector).filter((pod) => pod.metadata?.deletionTimestamp === undefined);
}

/** True when the Deployment says it stopped progressing on the given generation or a later one. */
export function stalled(workload: KubernetesObject, generation: number): boolean {
  const progressing = conditionOf(workload, 'Progressing');
  return progressing?.status === 'False'
    && progressing.reason === 'ProgressDeadlineExceeded'
    && (statusNumber(workload, 'observedGeneration') ?? 0) >= generation;
}

/** Follows one rollout of one workload. */
export class RolloutTracker {
  private oldRevisions = new Set<string>();
  private newRevision: string | null = null;
  private startedAt = 0;
  private generation = Number.POSITIVE_INFINITY;
  private rollbackGeneration: number | undefined;
  private completedAt: number | null = null;
  private stalledAt: number | null = null;
  private rollbackAt: number | null = null;
  private rolledBackAt: number | null = null;
  private lowest: number | null = null;
  private readonly samples: RevisionSample[] = [];
  private detail = 'not looked at yet';

  /** The replicas the new version declares (undefined: the live spec's), and the previous version, which a rollback counts to. */
  private replicas: number | undefined;
  private previousReplicas: number | undefined;

  constructor(
    readonly kind: RolloutKind,
    readonly name: string,
    readonly namespace: string,
    replicas?: number,
    previousReplicas: number | undefined = replicas,
  ) {
    this.replicas = replicas;
    this.previousReplicas = previousReplicas;
  }

  /** Before the new version is written: the revisions the workload's pods run now are the old ones. */
  begin(at: number, world: World): void {
    this.startedAt = at;
    const workload = world.workload(this.kind, this.name, this.namespace);
    if (workload === undefined) return;
    const label = revisionLabel(this.kind);
    for (const pod of podsOf(world, workload, this.namespace)) {
      const revision = pod.metadata?.labels?.[label];
      if (revision !== undefined) this.oldRevisions.add(revision);
    }
  }

  /** The new version was written, acknowledged at `at`; the API server stored it at `generation`. */
  applied(at: number, generation: number, replicas: { replicas?: number; previousReplicas?: number } = {}): void {
    this.startedAt = at;
    this.generation = generation;
    if ('replicas' in replicas) this.replicas = replicas.replicas;
    if ('previousReplicas' in replicas) this.previousReplicas = replicas.previousReplicas;
  }

  /** The previous version was written back at `at`, stored at `generation`. */
  rollingBack(at: number, generation: number): void {
    this.rollbackAt ??= at;
    this.rollbackGeneration = generation;
  }

  /** One World change, stamped `at`. */
  observe(at: number, world: World): void {
    const workload = world.workload(this.kind, this.name, this.namespace);
    if (workload === undefined) {
      this.detail = `${this.kind}/${this.name} not found`;
      return;
    }
    const available = availableOf(workload);
    this.lowest = this.lowest === null ? available : Math.min(this.lowest, available);
    const label = revisionLabel(this.kind);
    let oldReady = 0;
    let newReady = 0;
    for (const pod of podsOf(world, workload, this.namespace)) {
      const revision = pod.metadata?.labels?.[label];
      if (revision === undefined) continue;
      if (this.oldRevisions.has(revision)) {
        if (world.isPodReady(pod)) oldReady += 1;
        continue;
      }
      this.newRevision ??= revision;
      if (revision === this.newRevision && world.isPodReady(pod)) newReady += 1;
    }
    const last = this.samples.at(-1);
    if (last === undefined || last.old !== oldReady || last.new !== newReady) this.samples.push({ at, old: oldReady, new: newReady });
    if (this.kind === 'Deployment' && this.stalledAt === null && this.rollbackGeneration === undefined && stalled(workload, this.generation)) this.stalledAt = at;
    const minGeneration = this.rollbackGeneration ?? this.generation;
    const replicas = this.rollbackGeneration === undefined ? this.replicas : this.previousReplicas;
    const done = rolledOut(this.kind, this.name, this.namespace, replicas, minGeneration).evaluate(world);
    if (done.holds) {
      if (this.rollbackGeneration !== undefined) this.rolledBackAt ??= at;
      else this.completedAt ??= at;
    }
    const progressing = conditionOf(workload, 'Progressing');
    const why = progressing === undefined ? '' : `, Progressing ${progressing.status}${progressing.reason ? ` (${progressing.reason})` : ''}`;
    this.detail = `${done.detail}${why}`;
  }

  figures(): RolloutFigures {
    return {
      startedAt: this.startedAt,
      oldRevision: [...this.oldRevisions].sort().join(',') || null,
      newRevision: this.newRevision,
      completedAt: this.completedAt,
      stalledAt: this.stalledAt,
      rollbackAt: this.rollbackAt,
      rolledBackAt: this.rolledBackAt,
      lowestAvailable: this.lowest,
      samples: [...this.samples],
      detail: this.detail,
    };
  }
}

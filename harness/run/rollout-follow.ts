/**
 * Following a rollout fault's rollout from the run's World, and rolling it back as its rollback setting says: faults
 * act and observe watches, so the run ties the two together here. The tracker is begun before the new version is
 * written (the revisions the pods run then are the old ones); once the fault reports what it wrote, every change of
 * the World is fed to the tracker, a stall (onStall) or a timer (after) calls the fault's rollBack, and `completed`
 * resolves when the rollout, or the rollback the setting awaits, is complete.
 */
import type { RolloutHandle } from '../faults/fault.js';
import { RolloutTracker, type RolloutFigures } from '../observe/rollout-tracker.js';
import type { RolloutParams } from '../scenario/schema.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { Observer } from './observer.js';

/** A rollout the trial follows. */
export interface RolloutProgress {
  readonly kind: RolloutParams['kind'];
  readonly name: string;
  readonly namespace: string;
  /** The replicas the desired state declares for it (the floor is counted from them). */
  readonly replicas?: number;
  /** Resolves with the monotonic time the rollout, or the rollback that its rollback setting awaits, completed. */
  readonly completed: Promise<number>;
  figures(): RolloutFigures;
  /** Why the rollback could not be written, if it could not (a harness failure: ERROR). */
  error(): string | undefined;
  /** Stops following (the trial is over). */
  stop(): void;
}

/** Begins a rollout's tracker before its write: the pods' revisions now are the old ones. */
export function beginRollout(params: RolloutParams, namespace: string, observer: Observer, clock: Clock = systemClock): RolloutTracker {
  const tracker = new RolloutTracker(params.kind, params.name, namespace);
  tracker.begin(clock.now(), observer.world);
  return tracker;
}

/** Follows the rollout the fault wrote, rolling it back as its setting says (an `after` timer runs on `clock`). */
export function followRollout(tracker: RolloutTracker, handle: RolloutHandle, observer: Observer, clock: Clock = systemClock): RolloutProgress {
  tracker.applied(handle.ackAt, handle.generation, { replicas: handle.replicas, previousReplicas: handle.previousReplicas });
  const { policy } = handle;
  let rollbackError: string | undefined;
  let rollingBack = false;
  let resolveCompleted: (at: number) => void = () => undefined;
  const completed = new Promise<number>((resolve) => { resolveCompleted = resolve; });
  const check = (at: number): void => {
    tracker.observe(at, observer.world);
    const figures = tracker.figures();
    if (policy.kind === 'onStall' && figures.stalledAt !== null) rollBack();
    const done = policy.kind === 'after' ? figures.rolledBackAt : figures.rolledBackAt ?? (figures.rollbackAt === null ? figures.completedAt : null);
    if (done !== null) resolveCompleted(done);
  };
  const rollBack = (): void => {
    if (rollingBack) return;
    rollingBack = true;
    handle.rollBack().then(({ at, generation }) => {
      tracker.rollingBack(at, generation);
      check(clock.now());
    }, (error: unknown) => {
      rollbackError = `the rollback of ${handle.kind} ${handle.name} could not be written: ${error instanceof Error ? error.message : String(error)}`;
    });
  };
  const unsubscribe = observer.subscribe((at) => check(at));
  const cancelTimer = policy.kind === 'after' ? clock.after(Math.max(0, handle.ackAt + policy.after.toMilliseconds() - clock.now()), rollBack) : undefined;
  check(clock.now());
  return {
    kind: handle.kind,
    name: handle.name,
    namespace: handle.namespace,
    ...(handle.previousReplicas === undefined ? {} : { replicas: handle.previousReplicas }),
    completed,
    figures: () => tracker.figures(),
    error: () => rollbackError,
    stop: () => {
      unsubscribe();
      cancelTimer?.();
    },
  };
}

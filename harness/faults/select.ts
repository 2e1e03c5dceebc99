import type * as k8s from '@kubernetes/client-node';
import type { Selection } from '../scenario/schema.js';
import { FaultError } from './errors.js';
import type { RandomStream } from '../util/random.js';

/** creationTimestamp in ms: typed clients give a Date, generic ones a string. */
function createdAt(object: k8s.KubernetesObject): number {
  const stamp = object.metadata?.creationTimestamp;
  return stamp === undefined ? 0 : new Date(stamp).getTime();
}

/**
 * Picks a fault's targets as the contract says: candidates ordered by (creationTimestamp, uid), shuffled by the
 * fault's own random stream, then the first `count`, or ceil(n * percent / 100) and at least 1. No candidate, or a
 * count above the number of candidates, is an ERROR: a fault that cannot bite must not pass silently.
 */
export function chooseTargets<T extends k8s.KubernetesObject>(
  candidates: readonly T[],
  selection: Selection,
  random: RandomStream,
  describe: string,
): T[] {
  if (candidates.length === 0) throw new FaultError(`no candidate for ${describe}: nothing matches that is running and not terminating`);
  const ordered = [...candidates].sort((a, b) => {
    const byTime = createdAt(a) - createdAt(b);
    return byTime !== 0 ? byTime : (a.metadata?.uid ?? '').localeCompare(b.metadata?.uid ?? '');
  });
  const wanted = selection.percent !== undefined
    ? Math.max(1, Math.ceil((candidates.length * selection.percent) / 100))
    : selection.count;
  if (wanted > candidates.length) {
    throw new FaultError(`${describe} asks for ${wanted} targets but only ${candidates.length} candidate${candidates.length === 1 ? '' : 's'} match`);
  }
  return random.shuffle(ordered).slice(0, wanted);
}

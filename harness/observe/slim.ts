/**
 * What rebound keeps of the objects it watches. Every object carries metadata.managedFields: which manager owns
 * which field, about half of a pod's size, and nothing rebound reads except for the objects whose drift it follows
 * (drift.ts names who wrote a field). At 10,000 pods that half is tens of megabytes held for nothing; so an object
 * drift does not follow is kept without it.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { WatchEvent } from './events.js';

/** The object without metadata.managedFields (the object itself when it has none). */
export function withoutManagedFields(object: KubernetesObject): KubernetesObject {
  if (object.metadata?.managedFields === undefined) return object;
  const { managedFields: _dropped, ...metadata } = object.metadata;
  return { ...object, metadata };
}

/** The event with the managedFields of its objects dropped, except those of the objects `keeps` names. */
export function slimmed(event: WatchEvent, keeps: (object: KubernetesObject) => boolean): WatchEvent {
  const slim = (object: KubernetesObject): KubernetesObject => (keeps(object) ? object : withoutManagedFields(object));
  if (event.type === 'RELIST') return { ...event, objects: event.objects.map(slim) };
  return { ...event, object: slim(event.object) };
}

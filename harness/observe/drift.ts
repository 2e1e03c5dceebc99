/**
 * Drift, field by field: when a field rebound applied left its applied value (watch arrival of the change), who
 * wrote it (the manager owning it in that version's managedFields), and when and by whom it was written back. A
 * field that comes back owned by a manager other than the drift's is the system winning back; one still off at
 * the end of the trial is written back by rebound's revert of the fault.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ObservedEvent } from './events.js';
import type { DesiredObject, DesiredField } from './desired-fields.js';
import { ownerOf, sameValue, valueAt, type FieldOwner } from './managed-fields.js';
import { identityOf, isIdentified, isPod } from './objects.js';
import type { World } from './world.js';

/** One stretch during which a field did not have its applied value. */
export interface DriftRecord {
  readonly object: { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly namespace?: string };
  readonly field: string;
  /** Monotonic arrival of the change that took it off. */
  readonly driftedAt: number;
  /** Who owned the field in that version (undefined: the object was deleted, or nobody owns the field). */
  readonly driftedBy?: FieldOwner;
  restoredAt?: number;
  /** The manager owning the field in the version that brought it back. */
  restoredBy?: FieldOwner;
}

function identity(object: { apiVersion: string; kind: string; name: string; namespace?: string }): string {
  return identityOf(object.apiVersion, object.kind, object.namespace, object.name);
}

function isOff(live: KubernetesObject | undefined, field: DesiredField): boolean {
  if (live === undefined) return true;
  const now = valueAt(live, field.path);
  return !now.found || !sameValue(now.value, field.value);
}

/** Follows the fields of the desired state through the changes the watches deliver. */
export class DriftTracker {
  private objects = new Map<string, DesiredObject>();
  /** Fields off now, by object identity and path, with their open record (none when off before the trial). */
  private readonly off = new Map<string, DriftRecord | undefined>();
  private records: DriftRecord[] = [];

  /** The fields to follow (those of the variant applied last). */
  setDesired(objects: readonly DesiredObject[], world: World): void {
    this.objects = new Map(objects.map((object) => [identity(object), object]));
    this.reset(world);
  }

  /** Whether the object is one whose fields are followed (its managedFields are read: slim.ts keeps them). */
  follows(object: KubernetesObject): boolean {
    if (!isIdentified(object)) return false;
    return this.objects.has(identityOf(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name));
  }

  /** A new trial: the records start empty; fields already off are known, not recorded as this trial's drift. */
  reset(world: World): void {
    this.records = [];
    this.off.clear();
    for (const [key, object] of this.objects) {
      const live = world.get(object.apiVersion, object.kind, object.name, object.namespace);
      for (const field of object.fields) if (isOff(live, field)) this.off.set(`${key}\n${field.text}`, undefined);
    }
  }

  /** Takes one change the World made (world.apply's output, so stale events are already dropped). */
  apply(change: ObservedEvent): void {
    if (!isIdentified(change.object)) return;
    const { apiVersion, kind, metadata } = change.object;
    const key = identityOf(apiVersion, kind, metadata.namespace, metadata.name);
    const object = this.objects.get(key);
    if (object === undefined) return;
    const live = change.type === 'DELETED' ? undefined : change.object;
    for (const field of object.fields) {
      const fieldKey = `${key}\n${field.text}`;
      const wasOff = this.off.has(fieldKey);
      const nowOff = isOff(live, field);
      if (nowOff && !wasOff) {
        const driftedBy = live === undefined ? undefined : ownerOf(live, field.path);
        const record: DriftRecord = {
          object: {
            apiVersion: object.apiVersion, kind: object.kind, name: object.name, ...(object.namespace ? { namespace: object.namespace } : {}),
          },
          field: field.text,
          driftedAt: change.at,
          ...(driftedBy ? { driftedBy } : {}),
        };
        this.records.push(record);
        this.off.set(fieldKey, record);
      } else if (!nowOff && wasOff) {
        const record = this.off.get(fieldKey);
        this.off.delete(fieldKey);
        if (record !== undefined && live !== undefined) {
          record.restoredAt = change.at;
          const owner = ownerOf(live, field.path);
          if (owner) record.restoredBy = owner;
        }
      }
    }
  }

  /** This trial's drift, in the order it happened. */
  drift(): readonly DriftRecord[] {
    return this.records;
  }
}

/** A pod a patch took out of its controller: it runs on, owned by nobody, while a replacement serves. */
export interface Orphan {
  readonly name: string;
  readonly namespace?: string;
  readonly uid: string;
  /** Its controller before the patch, Kind/name. */
  readonly formerOwner: string;
}

/** The patched pods (targets with their former controller) that have no controller now. */
export function orphansOf(world: World, targets: readonly { kind: string; uid?: string; owner?: string }[]): Orphan[] {
  return targets.flatMap((target) => {
    if (target.kind !== 'Pod' || target.uid === undefined || target.owner === undefined) return [];
    const pod = world.byUid(target.uid);
    if (pod === undefined || !isPod(pod) || (pod.metadata?.ownerReferences ?? []).some((reference) => reference.controller === true)) return [];
    return [{ name: pod.metadata?.name ?? '', ...(pod.metadata?.namespace ? { namespace: pod.metadata.namespace } : {}), uid: target.uid, formerOwner: target.owner }];
  });
}

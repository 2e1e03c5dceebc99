/**
 * The fields rebound applied, as the API server recorded them: for each object of the desired state, the leaf
 * paths of its server-side-apply managedFields entry of manager `rebound` (operation Apply), with their values in
 * the object the apply returned (the server's canonical form: quantities, defaults inside what was applied). The
 * set is taken once, at apply time: later writes by others move fields away from `rebound`, and that is the very
 * drift to see, so it is never read again during a trial.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { appliedPaths, pathText, valueAt, type FieldPath } from './managed-fields.js';
import { groupOf } from './objects.js';

/** One field rebound applied, with the value the server kept. */
export interface DesiredField {
  readonly path: FieldPath;
  /** As people read it: spec.template.spec.containers[name=web].image */
  readonly text: string;
  readonly value: unknown;
}

/** One object of the desired state, with the fields rebound applied to it. */
export interface DesiredObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** A Secret's values are never shown: its fields are named only. */
  readonly secret: boolean;
  readonly fields: readonly DesiredField[];
}

/**
 * A Secret's stringData is write-only: the API server stores it base64-encoded under data, which is what the apply
 * returns and the watches deliver, so stringData.<key> is checked as data.<key>.
 */
function storedPath(secret: boolean, path: FieldPath): FieldPath {
  const [first, ...rest] = path;
  return secret && first !== undefined && 'field' in first && first.field === 'stringData' ? [{ field: 'data' }, ...rest] : path;
}

/**
 * The fields of each applied object (as the apply returned it) that `manager` (rebound's) applied. A path whose value the returned object does not
 * hold is left out: its applied value is unknown, and rebound never guesses one.
 */
export function desiredFieldsOf(applied: readonly KubernetesObject[], manager: string): DesiredObject[] {
  return applied.flatMap((object) => {
    const name = object.metadata?.name;
    if (object.apiVersion === undefined || object.kind === undefined || name === undefined) return [];
    const secret = groupOf(object.apiVersion) === '' && object.kind === 'Secret';
    const fields = appliedPaths(object, manager).flatMap((owned) => {
      const path = storedPath(secret, owned);
      const found = valueAt(object, path);
      return found.found ? [{ path, text: pathText(path), value: found.value }] : [];
    });
    return [{
      apiVersion: object.apiVersion,
      kind: object.kind,
      name,
      ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}),
      secret,
      fields,
    }];
  });
}

/** Kind/name as reports write an object. */
export function objectText(object: { kind: string; name: string }): string {
  return `${object.kind}/${object.name}`;
}

/**
 * Server-side apply's record of who owns which field (metadata.managedFields, format FieldsV1), read into paths.
 * A FieldsV1 set is a tree: `f:<name>` a field of a map, `k:{"name":"web"}` the item of an associative list with
 * those key fields, `v:<json>` the item of a set-like list with that value, `i:<n>` a list item by index, and `.`
 * the item itself. A node with nothing under it but `.` is a leaf: the field whose value its manager set.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ReboundError } from '../errors.js';

/** One step of a field path. */
export type FieldStep =
  | { readonly field: string }
  | { readonly key: Readonly<Record<string, unknown>> }
  | { readonly value: unknown }
  | { readonly index: number };

/** A field of an object, from its root: spec, replicas. */
export type FieldPath = readonly FieldStep[];

/** A managedFields entry that cannot be read (an unknown step, a key that is not JSON). */
export class ManagedFieldsError extends ReboundError {}

function stepOf(key: string): FieldStep {
  const body = key.slice(2);
  try {
    if (key.startsWith('f:')) return { field: body };
    if (key.startsWith('k:')) {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return { key: parsed as Record<string, unknown> };
    } else if (key.startsWith('v:')) {
      return { value: JSON.parse(body) as unknown };
    } else if (key.startsWith('i:') && /^\d+$/.test(body)) {
      return { index: Number(body) };
    }
  } catch {
    // Reported below, with the key.
  }
  throw new ManagedFieldsError(`managedFields: cannot read the FieldsV1 key ${JSON.stringify(key)}`);
}

/** The leaf paths of a FieldsV1 set, in its order. */
export function parseFieldsV1(fields: unknown): FieldPath[] {
  const paths: FieldPath[] = [];
  const walk = (node: unknown, prefix: FieldStep[]): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, child] of Object.entries(node)) {
      if (key === '.') continue;
      const path = [...prefix, stepOf(key)];
      const below = typeof child === 'object' && child !== null ? Object.keys(child as object).filter((k) => k !== '.') : [];
      if (below.length === 0) paths.push(path);
      else walk(child, path);
    }
  };
  walk(fields, []);
  return paths;
}

/** A path as people read it: spec.template.spec.containers[name=web].image, metadata.finalizers[="a"]. */
export function pathText(path: FieldPath): string {
  let text = '';
  for (const step of path) {
    if ('field' in step) text += /^[A-Za-z_][\w-]*$/.test(step.field) ? `${text === '' ? '' : '.'}${step.field}` : `[${JSON.stringify(step.field)}]`;
    else if ('key' in step) text += `[${Object.entries(step.key).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(',')}]`;
    else if ('value' in step) text += `[=${JSON.stringify(step.value)}]`;
    else text += `[${step.index}]`;
  }
  return text;
}

/** The value at a path: `found` false when some step is missing. */
export function valueAt(object: unknown, path: FieldPath): { found: boolean; value?: unknown } {
  let here: unknown = object;
  for (const step of path) {
    if ('field' in step) {
      if (typeof here !== 'object' || here === null || Array.isArray(here) || !(step.field in here)) return { found: false };
      here = (here as Record<string, unknown>)[step.field];
    } else {
      if (!Array.isArray(here)) return { found: false };
      const items: unknown[] = here;
      const item = 'index' in step ? items[step.index]
        : 'key' in step ? items.find((candidate) => matchesKey(candidate, step.key))
        : items.find((candidate) => sameValue(candidate, step.value));
      if (item === undefined) return { found: false };
      here = item;
    }
  }
  return { found: true, value: here };
}

function matchesKey(item: unknown, key: Readonly<Record<string, unknown>>): boolean {
  if (typeof item !== 'object' || item === null) return false;
  return Object.entries(key).every(([name, value]) => sameValue((item as Record<string, unknown>)[name], value));
}

/** The same JSON value: objects as typed clients give them (Dates, undefined fields) compare as their JSON. */
export function sameValue(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(plain(a), plain(b));
}

function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value)) as unknown;
}

/** True when `prefix` is `path` or leads to it (a manager owning an atomic map owns every field in it). */
export function isPrefix(prefix: FieldPath, path: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((step, i) => sameValue(step, path[i]));
}

/** One metadata.managedFields entry, as the API returns it. */
export interface ManagedFieldsEntry {
  readonly manager?: string;
  readonly operation?: string;
  readonly subresource?: string;
  readonly time?: string | Date;
  readonly fieldsType?: string;
  readonly fieldsV1?: unknown;
}

function entriesOf(object: KubernetesObject): ManagedFieldsEntry[] {
  const entries = (object.metadata as { managedFields?: unknown } | undefined)?.managedFields;
  return Array.isArray(entries) ? entries as ManagedFieldsEntry[] : [];
}

/** The leaf paths one field manager set with an apply (`operation: Apply`) on the object itself, not a subresource. */
export function appliedPaths(object: KubernetesObject, manager: string): FieldPath[] {
  return entriesOf(object)
    .filter((entry) => entry.manager === manager && entry.operation === 'Apply' && (entry.subresource ?? '') === '' && entry.fieldsType === 'FieldsV1')
    .flatMap((entry) => parseFieldsV1(entry.fieldsV1));
}

/** Who owns a field in this version of an object: the manager whose set holds it (the latest write, if shared). */
export interface FieldOwner {
  readonly manager: string;
  readonly operation: string;
  /** As the API server wrote it (second precision). */
  readonly time: string | null;
  readonly subresource?: string;
}

/** The owner of `path` in `object`, or undefined when no manager's set holds it. */
export function ownerOf(object: KubernetesObject, path: FieldPath): FieldOwner | undefined {
  let best: FieldOwner | undefined;
  for (const entry of entriesOf(object)) {
    if (entry.fieldsType !== 'FieldsV1') continue;
    let paths: FieldPath[];
    try {
      paths = parseFieldsV1(entry.fieldsV1);
    } catch {
      continue;
    }
    if (!paths.some((owned) => isPrefix(owned, path))) continue;
    const time = entry.time === undefined ? null : new Date(entry.time).toISOString();
    if (best !== undefined && (best.time ?? '') >= (time ?? '')) continue;
    best = {
      manager: entry.manager ?? '',
      operation: entry.operation ?? '',
      time,
      ...(entry.subresource ? { subresource: entry.subresource } : {}),
    };
  }
  return best;
}

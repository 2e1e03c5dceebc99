/**
 * patch: changes any object as `kubectl patch` (or a person in `kubectl edit`) would: drift from the desired state,
 * which a controller, an operator or a GitOps agent should win back. The fields it changed are the diff of the
 * object before and after the patch; they are written down before the injection (found with a server-side dry run)
 * so that revert, and `rebound recover` after a killed run, can undo it. Revert writes back only fields the system
 * did not restore by itself: a controller that won back has nothing undone behind it.
 */
import { isDeepStrictEqual as sameValue } from 'node:util';
import type * as k8s from '@kubernetes/client-node';
import fastJsonPatch from 'fast-json-patch';
import { statusOf, type KubeClients } from '../cluster/kube.js';
import { RawObjectApi, serverMessage, type PatchType } from '../cluster/raw-object.js';
import type { FaultParams } from '../scenario/schema.js';
import { allowedNamespace } from './candidates.js';
import { FaultError } from './errors.js';
import type { FaultHandler, Target } from './fault.js';
import type { PatchedField, RevertStep } from './revert-step.js';
import { chooseTargets } from './select.js';
import { summarizeTargets } from '../util/names.js';

/** The field manager of the patch: the audit log and managedFields name it as the writer. */
export const PATCH_FIELD_MANAGER = 'rebound-patch';
/** The field manager of revert's write-back, told apart from the patch. */
export const REVERT_FIELD_MANAGER = 'rebound-revert';

type JsonObject = Record<string, unknown>;

/** Bookkeeping fields every write changes: not what the patch changed. */
const NOT_CHANGES = ['/metadata/resourceVersion', '/metadata/managedFields', '/metadata/generation', '/status'];

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The value at a JSON Pointer; `found` false when some token is missing. */
export function pointerValue(document: unknown, pointer: string): { found: boolean; value?: unknown } {
  if (pointer === '') return { found: true, value: document };
  let here: unknown = document;
  for (const token of pointer.slice(1).split('/').map(unescape)) {
    if (Array.isArray(here)) {
      const index = /^\d+$/.test(token) ? Number(token) : -1;
      if (index < 0 || index >= here.length) return { found: false };
      here = here[index];
    } else if (typeof here === 'object' && here !== null && Object.hasOwn(here, token)) {
      here = (here as JsonObject)[token];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: here };
}

/** The fields a write changed, with their values before and after (a value left out: the field was absent). */
export function changedFields(before: unknown, after: unknown): PatchedField[] {
  const operations = fastJsonPatch.compare(before as JsonObject, after as JsonObject);
  const paths = [...new Set(operations.map((operation) => operation.path))]
    .filter((path) => !NOT_CHANGES.some((skip) => path === skip || path.startsWith(`${skip}/`)));
  return paths.map((path) => {
    const old = pointerValue(before, path);
    const now = pointerValue(after, path);
    return { path, ...(old.found ? { before: old.value } : {}), ...(now.found ? { after: now.value } : {}) };
  });
}

/** The controller (ownerReference with controller: true) of an object. */
function controllerOf(object: JsonObject): { kind: string; name: string; uid: string } | undefined {
  const references = (object.metadata as { ownerReferences?: k8s.V1OwnerReference[] } | undefined)?.ownerReferences ?? [];
  const owner = references.find((reference) => reference.controller === true);
  return owner === undefined ? undefined : { kind: owner.kind, name: owner.name, uid: owner.uid };
}

function referenceOf(params: { apiVersion: string; kind: string }, name: string, namespace: string | undefined): k8s.KubernetesObject {
  return { apiVersion: params.apiVersion, kind: params.kind, metadata: { name, ...(namespace === undefined ? {} : { namespace }) } };
}

/** A patch the API server refused, in words a user can act on. */
function refused(error: unknown, params: FaultParams['patch'], name: string): FaultError {
  const status = statusOf(error);
  if (params.type === 'strategic' && status === 415) {
    return new FaultError(`the API server refuses a strategic merge patch of ${params.kind} ${name} (415): custom resources take type: merge or type: json`);
  }
  return new FaultError(`the API server refused the patch of ${params.kind} ${name}${status === undefined ? '' : ` (${status})`}: ${serverMessage(error)}`);
}

/** The step that undoes a patch of `before` into `after`. */
function revertStepOf(params: FaultParams['patch'], before: JsonObject, after: JsonObject): RevertStep & { op: 'revertPatch' } {
  const metadata = before.metadata as k8s.V1ObjectMeta;
  const owner = params.kind === 'Pod' && params.apiVersion === 'v1' ? controllerOf(before) : undefined;
  return {
    op: 'revertPatch',
    apiVersion: params.apiVersion,
    kind: params.kind,
    name: metadata.name ?? '',
    ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
    uid: metadata.uid ?? '',
    fields: changedFields(before, after),
    ...(owner ? { controllerUid: owner.uid } : {}),
  };
}

export const patch: FaultHandler<'patch'> = {
  kind: 'patch',
  plan: async (context, params) => {
    const namespace = allowedNamespace(context, params.namespace);
    const raw = RawObjectApi.of(context.kube.config);
    let names: string[];
    if (params.name !== undefined) {
      names = [params.name];
    } else {
      const { selector } = params;
      const list = await context.kube.objects.list(params.apiVersion, params.kind, namespace, undefined, undefined, undefined, undefined, selector);
      const live = list.items.filter((item) => item.metadata?.deletionTimestamp === undefined);
      names = chooseTargets(live, params, context.random, `patch ${params.kind} ${params.selector}`).map((object) => object.metadata?.name ?? '');
    }
    const targets: Target[] = [];
    const revertSteps: RevertStep[] = [];
    for (const name of names) {
      const reference = referenceOf(params, name, namespace);
      let before: JsonObject;
      try {
        before = await raw.readRaw(reference);
      } catch (error) {
        if (statusOf(error) === 404) throw new FaultError(`no ${params.kind} ${name} in ${namespace} to patch`);
        throw error;
      }
      // A server-side dry run says what the patch will change, before anything changes.
      let after: JsonObject;
      try {
        after = await raw.patchRaw(reference, params.type, params.patch, PATCH_FIELD_MANAGER, true);
      } catch (error) {
        throw refused(error, params, name);
      }
      const step = revertStepOf(params, before, after);
      if (step.fields.length === 0) throw new FaultError(`the patch changes nothing on ${params.kind} ${name}: it already has those values`);
      const metadata = before.metadata as k8s.V1ObjectMeta;
      const owner = controllerOf(before);
      targets.push({
        kind: params.kind,
        name,
        ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
        ...(metadata.uid ? { uid: metadata.uid } : {}),
        ...(owner ? { owner: `${owner.kind}/${owner.name}` } : {}),
      });
      revertSteps.push(step);
    }
    const fields = revertSteps.flatMap((step) => (step.op === 'revertPatch' ? step.fields.map((f) => f.path) : []));
    const shown = [...new Set(fields)].slice(0, 4).join(', ');
    return {
      targets,
      summary: `${params.type} patch of ${summarizeTargets('objects', targets.map((t) => `${t.kind} ${t.name}`))} (${shown}${fields.length > 4 ? ', ...' : ''})`,
      revertSteps,
    };
  },
  inject: async (context, params, plan) => {
    const raw = RawObjectApi.of(context.kube.config);
    let ackAt = Number.POSITIVE_INFINITY;
    const steps: RevertStep[] = [];
    for (const target of plan.targets) {
      const reference = referenceOf(params, target.name, target.namespace);
      const before = await raw.readRaw(reference);
      let after: JsonObject;
      try {
        after = await raw.patchRaw(reference, params.type, params.patch, PATCH_FIELD_MANAGER);
      } catch (error) {
        throw refused(error, params, target.name);
      }
      const at = context.clock.now();
      ackAt = Math.min(ackAt, at);
      context.acknowledged(at);
      // The patch's watch events may have come in with the answer: they are stamped on arrival, so let them in
      // before the bookkeeping here and in the trial runs.
      await new Promise<void>((resolve) => { setImmediate(resolve); });
      steps.push(revertStepOf(params, before, after));
    }
    let reverted = false;
    // The journal is rewritten (and fsynced) only when the patch changed other fields than the dry run said: that
    // write blocks the event loop just as the patch's watch events arrive, and would delay their timestamps.
    const exact = sameValue(steps, plan.revertSteps) ? {} : { steps };
    return {
      plan, ackAt, done: Promise.resolve(undefined), ...exact,
      revert: async () => {
        if (reverted) return;
        reverted = true;
        for (const step of steps) {
          if (step.op !== 'revertPatch') continue;
          const outcome = await revertPatch(context.kube, step);
          context.log.info({ object: `${step.kind}/${step.name}`, outcome }, 'patch reverted');
        }
      },
    };
  },
};

/** What revert did to one patched object. */
export type RevertOutcome = 'gone' | 'restored by the system' | 'written back' | 'orphan deleted';

/**
 * Undoes one patch, only where the system did not: each changed field is compared with its value before the
 * patch, and only fields still off are written back (one JSON Patch, by manager rebound-revert). A pod the patch
 * took out of its controller (a label removed, so its ReplicaSet released it and made a replacement) is deleted
 * instead: relabelled, it would be a surplus pod its ReplicaSet deletes at random, maybe the healthy replacement.
 */
export async function revertPatch(kube: KubeClients, step: RevertStep & { op: 'revertPatch' }): Promise<RevertOutcome> {
  const raw = RawObjectApi.of(kube.config);
  const metadata = { name: step.name, ...(step.namespace ? { namespace: step.namespace } : {}) };
  const reference = { apiVersion: step.apiVersion, kind: step.kind, metadata };
  let current: JsonObject;
  try {
    current = await raw.readRaw(reference);
  } catch (error) {
    if (statusOf(error) === 404) return 'gone';
    throw error;
  }
  // A same-named object made since is someone else's.
  if ((current.metadata as k8s.V1ObjectMeta | undefined)?.uid !== step.uid) return 'gone';
  if (step.controllerUid !== undefined && controllerOf(current) === undefined) {
    try {
      await kube.objects.delete(reference, undefined, undefined, undefined, undefined, undefined, { preconditions: { uid: step.uid } });
    } catch (error) {
      if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
    }
    return 'orphan deleted';
  }
  const operations: { op: string; path: string; value?: unknown }[] = [];
  // Backwards: list items removed by index go back in the order that keeps the indexes right.
  for (const field of [...step.fields].reverse()) {
    const now = pointerValue(current, field.path);
    const had = Object.hasOwn(field, 'before');
    if (had ? now.found && sameValue(now.value, field.before) : !now.found) continue;
    if (!had) operations.push({ op: 'remove', path: field.path });
    else operations.push({ op: now.found ? 'replace' : 'add', path: field.path, value: field.before });
  }
  if (operations.length === 0) return 'restored by the system';
  await raw.patchRaw(reference, 'json', operations, REVERT_FIELD_MANAGER);
  return 'written back';
}

export type { PatchType };

import { performStep, type RevertStep } from './revert-steps.js';
import type * as k8s from '@kubernetes/client-node';
import { serverSideApply } from '../cluster/apply.js';
import type { Discovery } from '../cluster/discovery.js';
import { statusOf, type KubeClients } from '../cluster/kube.js';
import { ReboundError } from '../errors.js';
import type { Manifest } from '../scenario/schema.js';
import { sleep } from '../util/sleep.js';
import type { Ledger } from './ledger.js';

/** The desired state could not be applied: an ERROR naming the manifest and where it was written. */
export class ApplyError extends ReboundError {}

/** An object of the desired state as it is in the cluster now. */
export interface AppliedObject {
  readonly manifest: Manifest;
  readonly object: k8s.KubernetesObject;
  /** True when rebound created it (and so deletes it at cleanup); false when it existed before. */
  readonly created: boolean;
}

/** How long to wait for a kind to be served (a CRD applied just before its first custom resource). */
const KIND_WAIT_MS = 30_000;

async function resourceServed(discovery: Discovery, manifest: Manifest): Promise<{ namespaced: boolean }> {
  const deadline = Date.now() + KIND_WAIT_MS;
  for (;;) {
    const info = await discovery.resourceOf(manifest.apiVersion, manifest.kind).catch(() => undefined);
    if (info) return info;
    if (Date.now() > deadline) {
      throw new ApplyError(`${manifest.source.file}:${manifest.source.line}:${manifest.source.column}: ${manifest.source.path}: the cluster does not serve ${manifest.kind} (${manifest.apiVersion}); is its CustomResourceDefinition part of the desired state?`);
    }
    await sleep(250);
  }
}

/**
 * Applies the desired state with server-side apply (field manager `rebound`), in file order, namespaced objects
 * without a namespace going to the scenario's. Objects that did not exist before are recorded in the ledger by UID,
 * so cleanup deletes exactly what rebound created and nothing else.
 */
export async function applyDesiredState(
  kube: KubeClients,
  discovery: Discovery,
  manifests: readonly Manifest[],
  namespace: string,
  ledger: Ledger,
): Promise<AppliedObject[]> {
  const applied: AppliedObject[] = [];
  for (const manifest of manifests) {
    const { namespaced } = await resourceServed(discovery, manifest);
    const metadata: k8s.V1ObjectMeta = manifest.object.metadata ?? {};
    const body = {
      ...manifest.object,
      metadata: { ...metadata, ...(namespaced ? { namespace: manifest.namespace ?? namespace } : {}) },
    } as k8s.KubernetesObject;
    let existed = true;
    try {
      await kube.objects.read({
        apiVersion: manifest.apiVersion,
        kind: manifest.kind,
        metadata: { name: manifest.name, ...(namespaced ? { namespace: body.metadata?.namespace } : {}) },
      });
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      existed = false;
    }
    let object: k8s.KubernetesObject;
    try {
      object = await serverSideApply(kube.objects, body);
    } catch (error) {
      const body = (error as { body?: unknown }).body;
      const message = typeof body === 'string' ? (JSON.parse(body) as { message?: string }).message ?? body : error instanceof Error ? error.message : String(error);
      throw new ApplyError(`${manifest.source.file}:${manifest.source.line}:${manifest.source.column}: ${manifest.source.path}: the API server refused ${manifest.kind} ${manifest.name}: ${message}`);
    }
    const uid = object.metadata?.uid;
    if (!existed && uid) {
      // The step's UID precondition makes sure a same-named object someone else made meanwhile is left alone.
      const step: RevertStep = { op: 'deleteObject', apiVersion: manifest.apiVersion, kind: manifest.kind, name: manifest.name, uid,
        ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}) };
      await ledger.record('object', `delete ${manifest.kind} ${manifest.name}`, () => performStep(step, { kube }), [step]);
    }
    applied.push({ manifest, object, created: !existed });
  }
  return applied;
}

import * as k8s from '@kubernetes/client-node';

/** The field manager rebound applies with, so its fields are told apart from those of controllers and people. */
export const FIELD_MANAGER = 'rebound';

/**
 * Server-side applies one manifest (forcing ownership of the fields it sets, as `kubectl apply --server-side
 * --force-conflicts` does) and returns the object as stored, with its uid.
 */
export async function serverSideApply(objects: k8s.KubernetesObjectApi, manifest: k8s.KubernetesObject): Promise<k8s.KubernetesObject> {
  return objects.patch(manifest, undefined, undefined, FIELD_MANAGER, true, k8s.PatchStrategy.ServerSideApply);
}

import { randomBytes } from 'node:crypto';
import { statusOf, type KubeClients } from '../cluster/kube.js';
import { waitFor } from '../util/sleep.js';
import type { Ledger } from './ledger.js';
import { RUN_LABEL } from '../faults/revert-step.js';

/** How long a namespace rebound created may take to go away at cleanup before that is reported. */
const DELETE_WAIT_MS = 90_000;

/** A fresh namespace name for a scenario that names none: rebound-<name>-<random>, within 63 characters. */
export function freshNamespace(scenario: string): string {
  return `rebound-${scenario.slice(0, 45)}-${randomBytes(3).toString('hex')}`;
}

/**
 * Where the wait for a deleted namespace to be gone goes: with none, cleanup waits for it; a run hands it here and
 * goes on with its next scenario while the namespace controller works (5 s and more: it deletes every kind of
 * object the namespace may hold, through a client held to 20 requests a second), then waits for them all at its end.
 */
export type DeletionWait = (namespace: string, gone: Promise<void>) => void;

/**
 * Makes sure the scenario's namespace exists. One that rebound creates is deleted at cleanup (and waited for, or
 * handed to `background`); one that existed is left alone. One still being deleted (an earlier scenario's of the
 * same name) is waited for first. Pods cannot be created before the namespace's default ServiceAccount exists, so
 * this waits for it.
 */
export async function ensureNamespace(
  kube: KubeClients,
  name: string,
  scenario: string,
  ledger: Ledger,
  options: { readonly background?: DeletionWait; readonly progress?: (line: string) => void } = {},
): Promise<void> {
  const { background } = options;
  let exists = true;
  try {
    const found = await kube.core.readNamespace({ name });
    if (found.metadata?.deletionTimestamp) {
      options.progress?.(`namespace ${name} is still being deleted; waiting until it is gone`);
      await untilGone(kube, name);
      exists = false;
    }
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    exists = false;
  }
  if (!exists) {
    // On the journal before it exists: a run killed right after the create still has it undone, found by the run's
    // label (a namespace of the same name that is not this run's is left alone).
    const change = await ledger.begin('namespace', `delete namespace ${name}`, [{ op: 'deleteNamespace', name, runId: ledger.runId }]);
    let uid: string | undefined;
    try {
      const created = await kube.core.createNamespace({ body: { metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'rebound', 'rebound.dev/scenario': scenario, [RUN_LABEL]: ledger.runId } } } });
      uid = created.metadata?.uid;
    } catch (error) {
      change.drop();
      throw error;
    }
    change.commit(async () => {
      try {
        await kube.core.deleteNamespace({ name });
      } catch (error) {
        if (statusOf(error) === 404) return;
        throw error;
      }
      if (background) background(name, untilGone(kube, name));
      else await untilGone(kube, name);
    }, uid ? [{ op: 'deleteNamespace', name, runId: ledger.runId }] : undefined);
  }
  await waitFor(`the default ServiceAccount of namespace ${name}`, async () =>
    kube.core.readNamespacedServiceAccount({ name: 'default', namespace: name }).then(() => true, () => undefined), 60_000);
}

/** Resolves once the namespace is gone; rejects after DELETE_WAIT_MS. */
async function untilGone(kube: KubeClients, name: string): Promise<void> {
  await waitFor(`namespace ${name} to be deleted`, async () =>
    kube.core.readNamespace({ name }).then(
      () => undefined,
      (error: unknown) => (statusOf(error) === 404 ? true : undefined),
    ), DELETE_WAIT_MS, 250);
}

/**
 * How to undo what a run did, as data: what the ledger's journal on disk holds, so that `rebound recover` can undo
 * it after the run that did it was killed (SIGKILL, a CI runner's hard limit, a crash). Each step is safe to repeat
 * and safe when the change never happened (a node started that runs already is left alone; a delete of an object
 * gone, or replaced by someone else's since, does nothing).
 */
import type { KubeClients } from '../cluster/kube.js';
import type { NetworkControl, NodeControl } from '../cluster/provider.js';
import { serverSideApply } from '../cluster/apply.js';
import { statusOf } from '../cluster/kube.js';
import { removeTaint, setUnschedulable } from '../faults/node-spec.js';
import { commandLine } from '../util/command-line.js';
import { writeReplicas } from '../faults/scale.js';
import { revertPatch } from '../faults/patch.js';
import { RUN_LABEL, type RevertStep } from '../faults/revert-step.js';

export type { RevertStep };

/** What steps act through: the cluster's API, and its provider's control of nodes and networks. */
export interface StepTarget {
  readonly kube: KubeClients;
  readonly nodeControl?: NodeControl;
  readonly networkControl?: NetworkControl;
}

/** One line for people: what the step undoes. */
export function describeStep(step: RevertStep): string {
  switch (step.op) {
    case 'nodeStart': return `start node ${step.node}`;
    case 'nodeResume': return `resume node ${step.node}`;
    case 'networkReconnect': return `reconnect node ${step.node} to its network`;
    case 'uncordon': return `uncordon node ${step.node}`;
    case 'untaint': return `remove taint ${step.key}:${step.effect} from node ${step.node}`;
    case 'scale': return `scale ${step.kind} ${step.namespace}/${step.name} back to ${step.replicas}`;
    case 'continueProcess': return `continue process ${step.pid} (${step.command.join(' ')})`;
    case 'stopProcess': return `stop process ${step.pid} (${step.command.join(' ')})`;
    case 'deleteObject': return `delete ${step.kind} ${step.namespace ? `${step.namespace}/` : ''}${step.name}`;
    case 'deleteNamespace': return `delete namespace ${step.name}`;
    case 'revertPatch': return `write back ${step.fields.map((f) => f.path).join(', ')} of ${step.kind} ${step.namespace ? `${step.namespace}/` : ''}${step.name} where the system did not`;
    case 'apply': return `re-declare ${step.objects.map(describeObject).join(', ')} (server-side apply of the previous version)`;
  }
}

function describeObject(object: Readonly<Record<string, unknown>>): string {
  const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
  return `${String(object.kind)} ${metadata.namespace ? `${metadata.namespace}/` : ''}${metadata.name ?? ''}`;
}

/** Whether `pid` still runs the command it ran when the step was written (a pid may be reused). */
function sameProcess(pid: number, command: readonly string[]): boolean {
  const now = commandLine(pid);
  return now !== undefined && now.join('\0') === command.join('\0');
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Ignores "not found" (already undone) and, for a UID precondition, "someone else's object now". */
async function gone(call: Promise<unknown>, alsoOk: readonly number[] = []): Promise<void> {
  try {
    await call;
  } catch (error) {
    const status = statusOf(error);
    if (status !== 404 && !alsoOk.includes(status ?? 0)) throw error;
  }
}

/** Performs one step; throws when it cannot (the cluster unreachable, a provider that cannot control nodes). */
export async function performStep(step: RevertStep, target: StepTarget): Promise<void> {
  const nodes = (): NodeControl => {
    if (!target.nodeControl) throw new Error(`cannot ${describeStep(step)}: this cluster's provider does not control nodes`);
    return target.nodeControl;
  };
  switch (step.op) {
    case 'nodeStart': return nodes().start(step.node);
    case 'nodeResume': return nodes().resume(step.node);
    case 'networkReconnect': {
      if (!target.networkControl) throw new Error(`cannot ${describeStep(step)}: this cluster's provider has no networks`);
      // The node's address as the kubelet registered it: what it must get back.
      const node = await target.kube.core.readNode({ name: step.node });
      const ipv4 = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
      return target.networkControl.reconnect(step.node, ipv4);
    }
    case 'uncordon': {
      await gone(setUnschedulable(target.kube, step.node, false));
      return;
    }
    case 'untaint': return gone(removeTaint(target.kube, step.node, step.key, step.effect));
    case 'scale': return gone(writeReplicas(target.kube, step.kind, step.name, step.namespace, step.replicas));
    case 'continueProcess': {
      if (sameProcess(step.pid, step.command)) signal(step.pid, 'SIGCONT');
      return;
    }
    case 'stopProcess': {
      if (!sameProcess(step.pid, step.command)) return;
      signal(step.pid, 'SIGCONT');
      signal(step.pid, 'SIGTERM');
      return;
    }
    case 'deleteObject': {
      const reference = {
        apiVersion: step.apiVersion,
        kind: step.kind,
        metadata: { name: step.name, ...(step.namespace ? { namespace: step.namespace } : {}) },
      };
      // The precondition leaves alone a same-named object someone else made meanwhile (409).
      return gone(target.kube.objects.delete(reference, undefined, undefined, undefined, undefined, undefined, { propagationPolicy: 'Background', preconditions: { uid: step.uid } }), [409]);
    }
    case 'revertPatch': {
      await revertPatch(target.kube, step);
      return;
    }
    case 'apply': {
      for (const object of step.objects) await serverSideApply(target.kube.objects, structuredClone(object));
      return;
    }
    case 'deleteNamespace': {
      let uid: string | undefined;
      try {
        const namespace = await target.kube.core.readNamespace({ name: step.name });
        if (namespace.metadata?.labels?.[RUN_LABEL] !== step.runId) return;
        uid = namespace.metadata.uid;
      } catch (error) {
        if (statusOf(error) === 404) return;
        throw error;
      }
      // The UID read with the label: a namespace made anew in between (409) is someone else's.
      return gone(target.kube.core.deleteNamespace({ name: step.name, body: { preconditions: { uid } } }), [409]);
    }
  }
}

import { serverSideApply } from '../cluster/apply.js';
import { statusOf } from '../cluster/kube.js';
import type { Manifest, RolloutParams } from '../scenario/schema.js';
import { allowedNamespace } from './candidates.js';
import { FaultError } from './errors.js';
import type { FaultHandler, RolloutHandle } from './fault.js';

type Body = Record<string, unknown>;

/** Kinds that have no namespace; everything else a rollout file holds goes to the scenario's namespace by default. */
const CLUSTER_SCOPED = new Set(['Namespace', 'Node', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass', 'PriorityClass']);

function placed(manifest: Manifest, namespace: string): Body {
  const object = structuredClone(manifest.object) as Body;
  if (CLUSTER_SCOPED.has(manifest.kind)) return object;
  return { ...object, metadata: { ...(object.metadata as Body), namespace: manifest.namespace ?? namespace } };
}

function sameObject(a: Manifest, b: Manifest, namespace: string): boolean {
  return a.apiVersion.split('/').slice(0, -1).join('/') === b.apiVersion.split('/').slice(0, -1).join('/')
    && a.kind === b.kind && a.name === b.name && (a.namespace ?? namespace) === (b.namespace ?? namespace);
}

interface Container { name?: unknown; image?: unknown; env?: unknown }

/** The declared workload with `set` applied: new images, environment variables and pod template annotations. */
export function withChanges(previous: Body, change: Extract<RolloutParams['change'], { kind: 'set' }>, label: string): Body {
  const next = structuredClone(previous);
  const template = ((next.spec as Body | undefined)?.template ?? {}) as Body;
  const podSpec = (template.spec ?? {}) as Body;
  const listed = (value: unknown): Container[] => (Array.isArray(value) ? (value as Container[]) : []);
  const containers = [...listed(podSpec.containers), ...listed(podSpec.initContainers)];
  const find = (name: string): Container => {
    const found = containers.find((c) => c.name === name);
    if (found === undefined) {
      throw new FaultError(`rollout: ${label} has no container \`${name}\` (its containers: ${containers.map((c) => String(c.name)).join(', ') || 'none'})`);
    }
    return found;
  };
  for (const [name, image] of Object.entries(change.image)) find(name).image = image;
  for (const [name, variables] of Object.entries(change.env)) {
    const container = find(name);
    const env = (Array.isArray(container.env) ? container.env : []) as { name: string; value?: string }[];
    for (const [variable, value] of Object.entries(variables)) {
      const existing = env.find((e) => e.name === variable);
      if (existing) {
        // A value replaces a valueFrom: the new version says what the variable is.
        for (const key of Object.keys(existing)) if (key !== 'name') delete (existing as Record<string, unknown>)[key];
        existing.value = value;
      } else {
        env.push({ name: variable, value });
      }
    }
    container.env = env;
  }
  if (Object.keys(change.annotations).length > 0) {
    const metadata = (template.metadata ?? {}) as Body;
    metadata.annotations = { ...(metadata.annotations as Body | undefined), ...change.annotations };
    template.metadata = metadata;
  }
  return next;
}

/** The previous and the new version of what the rollout changes, as bodies to apply. */
export function versionsOf(
  desiredState: readonly Manifest[],
  params: RolloutParams,
  namespace: string,
  scenarioNamespace: string,
): { previous: Body[]; next: Body[]; replicas?: number; previousReplicas?: number } {
  const label = `${params.kind} ${params.name}`;
  const declared = desiredState.find((m) => m.kind === params.kind && m.apiVersion === 'apps/v1' && m.name === params.name && (m.namespace ?? scenarioNamespace) === namespace);
  if (declared === undefined) {
    throw new FaultError(`rollout: ${label} is not declared in spec.desiredState; a rollout applies a new version of what the desired state declares`);
  }
  // The replicas each version declares (1 when it omits them): what "rolled out" and "rolled back" count to.
  const replicasOf = (object: Body): number | undefined => {
    const declaredReplicas = (object.spec as Body | undefined)?.replicas;
    return params.kind === 'DaemonSet' ? undefined : typeof declaredReplicas === 'number' ? declaredReplicas : 1;
  };
  const previousReplicas = replicasOf(declared.object);
  const counts = (next: Body[]) => {
    const workload = next.find((b) => isWorkload(b, params));
    const replicas = workload === undefined ? previousReplicas : replicasOf(workload);
    return { ...(replicas === undefined ? {} : { replicas }), ...(previousReplicas === undefined ? {} : { previousReplicas }) };
  };
  if (params.change.kind === 'set') {
    const previous = placed(declared, scenarioNamespace);
    const next = [withChanges(previous, params.change, label)];
    return { previous: [previous], next, ...counts(next) };
  }
  const previous = params.change.manifests.map((manifest) => {
    const before = desiredState.find((m) => sameObject(m, manifest, scenarioNamespace));
    if (before === undefined) throw new FaultError(`rollout: ${manifest.kind} ${manifest.name} of ${params.change.kind === 'file' ? params.change.file : ''} is not in spec.desiredState`);
    return placed(before, scenarioNamespace);
  });
  const next = params.change.manifests.map((m) => placed(m, scenarioNamespace));
  return { previous, next, ...counts(next) };
}

function describeChange(params: RolloutParams): string {
  if (params.change.kind === 'file') return `the version in ${params.change.file.split('/').slice(-2).join('/')}`;
  const parts = [
    ...Object.entries(params.change.image).map(([c, image]) => `${c} image ${image}`),
    ...Object.entries(params.change.env).map(([c, env]) => `${c} env ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(',')}`),
    ...Object.entries(params.change.annotations).map(([k, v]) => `annotation ${k}=${v}`),
  ];
  return parts.join('; ');
}

function isWorkload(body: Body, params: RolloutParams): boolean {
  return body.kind === params.kind && (body.metadata as Body | undefined)?.name === params.name;
}

/**
 * rollout: applies a new version of part of the desired state with server-side apply (field manager `rebound`), as a
 * release would. Its rollback (RolloutHandle.rollBack) re-declares the previous version the same way, as a GitOps
 * revert would; the run calls it as the rollback setting says (run/rollout-follow.ts: when the Deployment stalls at
 * its progress deadline, after a time, or never). Revert, between trials and at cleanup, is the same re-declaration.
 */
export const rollout: FaultHandler<'rollout'> = {
  kind: 'rollout',
  plan: async (context, params) => {
    const namespace = allowedNamespace(context, params.namespace);
    const { previous, next } = versionsOf(context.desiredState ?? [], params, namespace, context.namespace);
    let uid: string | undefined;
    try {
      uid = (await context.kube.objects.read({ apiVersion: 'apps/v1', kind: params.kind, metadata: { name: params.name, namespace } })).metadata?.uid;
    } catch (error) {
      if (statusOf(error) === 404) throw new FaultError(`rollout: no ${params.kind} ${params.name} in ${namespace}`);
      throw error;
    }
    return {
      targets: [{ kind: params.kind, name: params.name, namespace, ...(uid ? { uid } : {}) }],
      summary: `roll out ${params.kind} ${params.name} (${describeChange(params)}; ${next.length} object${next.length === 1 ? '' : 's'}), rollback ${params.rollback.kind === 'after' ? `after ${params.rollback.after.toString()}` : params.rollback.kind}`,
      revertSteps: [{ op: 'apply', objects: previous }],
    };
  },
  inject: async (context, params, plan) => {
    const namespace = allowedNamespace(context, params.namespace);
    const { previous, next, replicas, previousReplicas } = versionsOf(context.desiredState ?? [], params, namespace, context.namespace);
    let generation = 0;
    // The workload last: the other objects of a release (a ConfigMap it reads) are in place when its pods change.
    for (const body of [...next.filter((b) => !isWorkload(b, params)), ...next.filter((b) => isWorkload(b, params))]) {
      const stored = await serverSideApply(context.kube.objects, body);
      if (isWorkload(body, params)) generation = stored.metadata?.generation ?? 0;
    }
    const ackAt = context.clock.now();
    context.acknowledged(ackAt);
    const writeBack = async (): Promise<number> => {
      let stored = 0;
      for (const body of previous) {
        const object = await serverSideApply(context.kube.objects, structuredClone(body));
        if (isWorkload(body, params)) stored = object.metadata?.generation ?? 0;
      }
      return stored;
    };
    let rolledBack: Promise<{ at: number; generation: number }> | undefined;
    const handle: RolloutHandle = {
      kind: params.kind,
      name: params.name,
      namespace,
      ...(replicas === undefined ? {} : { replicas }),
      ...(previousReplicas === undefined ? {} : { previousReplicas }),
      generation,
      ackAt,
      policy: params.rollback,
      rollBack: () => {
        rolledBack ??= (async () => {
          context.log.info('rollout: re-declaring the previous version');
          const stored = await writeBack();
          return { at: context.clock.now(), generation: stored };
        })();
        return rolledBack;
      },
    };
    return {
      plan,
      ackAt,
      done: Promise.resolve(undefined),
      steps: [{ op: 'apply', objects: previous }],
      rollout: handle,
      revert: async () => {
        await rolledBack?.catch(() => undefined);
        // Idempotent: the previous version declared again, whether or not the rollback already did.
        await writeBack();
      },
    };
  },
};

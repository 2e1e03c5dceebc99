/**
 * The echo operator's logic without any I/O: what an Echo should own, what its status says, and how the operator
 * is configured. controller.ts does the talking to the API server; everything here is a plain function of its
 * arguments, so it is unit-tested without a cluster.
 */
import { parseArgs } from 'node:util';
import type { V1ConfigMap, V1Deployment, V1OwnerReference } from '@kubernetes/client-node';

/** The Echo resource's coordinates, as its CustomResourceDefinition (crd.yaml) declares them. */
export const ECHO = {
  group: 'demo.rebound.dev',
  version: 'v1alpha1',
  apiVersion: 'demo.rebound.dev/v1alpha1',
  kind: 'Echo',
  plural: 'echoes',
} as const;

/** The field manager of every write, so `kubectl get -o yaml --show-managed-fields` tells our fields apart. */
export const FIELD_MANAGER = 'echo-operator';

/** The label on every object the operator owns; its watches select on it. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/**
 * The default image of the echo pods; nothing pulls it on the local cluster, where kwok only simulates containers.
 * On kind the operator is given a preloaded image with --echo-image.
 */
export const ECHO_IMAGE = 'registry.example/echo:1';

/** The status of a condition, as metav1.Condition spells it. */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** One entry of status.conditions (the shape of metav1.Condition). */
export interface EchoCondition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** Echo.status, written by the operator only. */
export interface EchoStatus {
  observedGeneration?: number;
  readyReplicas?: number;
  conditions?: EchoCondition[];
}

/** Echo.spec, as a user writes it (the CRD defaults replicas to 1). */
export interface EchoSpec {
  replicas?: number;
  message?: string;
}

/** An Echo as read from the API server: every field may be missing until proven otherwise. */
export interface Echo {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; generation?: number };
  spec?: EchoSpec;
  status?: EchoStatus;
}

/** An Echo stored by the API server: it has a name, a namespace and a uid, which owner references need. */
export interface StoredEcho extends Echo {
  metadata: { name: string; namespace: string; uid: string; generation?: number };
}

/** True for an Echo that has the identity an owner reference needs. */
export function isStoredEcho(echo: Echo): echo is StoredEcho {
  const metadata = echo.metadata;
  return typeof metadata?.name === 'string' && metadata.name !== ''
    && typeof metadata.namespace === 'string' && metadata.namespace !== ''
    && typeof metadata.uid === 'string' && metadata.uid !== '';
}

/** The name of the ConfigMap and of the Deployment an Echo owns, and the app label of its pods. */
export function ownedName(echoName: string): string {
  return `echo-${echoName}`;
}

/** The replicas an Echo asks for; a missing or nonsensical value means the CRD's default of 1. */
export function desiredReplicas(echo: Echo): number {
  const replicas = echo.spec?.replicas;
  return typeof replicas === 'number' && Number.isInteger(replicas) && replicas >= 0 ? replicas : 1;
}

function ownerReference(echo: StoredEcho): V1OwnerReference {
  // blockOwnerDeletion: a foreground delete of the Echo waits for what it owns, as kubebuilder operators do.
  return {
    apiVersion: ECHO.apiVersion,
    kind: ECHO.kind,
    name: echo.metadata.name,
    uid: echo.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

function ownedMetadata(echo: StoredEcho) {
  return {
    name: ownedName(echo.metadata.name),
    namespace: echo.metadata.namespace,
    labels: { app: ownedName(echo.metadata.name), [MANAGED_BY_LABEL]: FIELD_MANAGER },
    ownerReferences: [ownerReference(echo)],
  };
}

/**
 * The ConfigMap an Echo owns, as an apply configuration: only the fields the operator cares about, so fields that
 * others set (annotations by a person, say) are left alone by server-side apply.
 */
export function desiredConfigMap(echo: StoredEcho): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: ownedMetadata(echo),
    data: { message: echo.spec?.message ?? '' },
  };
}

/** The Deployment an Echo owns, as an apply configuration; its pods read the message from the ConfigMap. */
export function desiredDeployment(echo: StoredEcho, image: string = ECHO_IMAGE): V1Deployment {
  const app = ownedName(echo.metadata.name);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: ownedMetadata(echo),
    spec: {
      replicas: desiredReplicas(echo),
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app } },
        spec: {
          containers: [{
            name: 'echo',
            image,
            imagePullPolicy: 'IfNotPresent',
            ports: [{ name: 'http', containerPort: 8080 }],
            env: [{ name: 'ECHO_MESSAGE', valueFrom: { configMapKeyRef: { name: app, key: 'message' } } }],
          }],
        },
      },
    },
  };
}

/**
 * The name of the Echo that controls an object, from its controller owner reference; undefined for objects no
 * Echo controls. Checking the group (not the whole apiVersion) keeps objects owned through an older version ours.
 */
export function controllingEchoName(object: { metadata?: { ownerReferences?: readonly V1OwnerReference[] } }): string | undefined {
  const owner = object.metadata?.ownerReferences?.find((reference) => reference.controller === true);
  if (owner === undefined || owner.kind !== ECHO.kind) return undefined;
  return owner.apiVersion.split('/')[0] === ECHO.group ? owner.name : undefined;
}

/**
 * True when the Deployment runs the Echo's replicas, all updated and available. A Deployment whose controller has
 * not yet seen its latest spec (observedGeneration behind) says nothing reliable, so it is not available yet.
 */
function allReplicasAvailable(deployment: V1Deployment, replicas: number): boolean {
  const generation = deployment.metadata?.generation ?? 0;
  const status = deployment.status;
  return (status?.observedGeneration ?? 0) >= generation
    && deployment.spec?.replicas === replicas
    && (status?.updatedReplicas ?? 0) === replicas
    && (status?.availableReplicas ?? 0) === replicas;
}

/** The Ready condition's second-precision timestamp, as Kubernetes writes metav1.Time. */
function timestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The status an Echo should have, given the Deployment it owns (undefined when there is none). The Ready
 * condition keeps its lastTransitionTime while its status does not change, so writing the same status twice is a
 * no-op and does not wake the operator's own watch in a loop.
 */
export function desiredStatus(echo: StoredEcho, deployment: V1Deployment | undefined, now: Date): EchoStatus {
  const replicas = desiredReplicas(echo);
  const readyReplicas = deployment?.status?.readyReplicas ?? 0;
  const available = deployment?.status?.availableReplicas ?? 0;
  let ready: Pick<EchoCondition, 'status' | 'reason' | 'message'>;
  if (deployment === undefined) {
    ready = { status: 'False', reason: 'DeploymentMissing', message: `Deployment ${ownedName(echo.metadata.name)} does not exist` };
  } else if (allReplicasAvailable(deployment, replicas)) {
    ready = { status: 'True', reason: 'Available', message: `${available}/${replicas} replicas available` };
  } else {
    ready = { status: 'False', reason: 'Progressing', message: `${available}/${replicas} replicas available` };
  }
  const previous = echo.status?.conditions?.find((condition) => condition.type === 'Ready');
  const generation = echo.metadata.generation;
  const condition: EchoCondition = {
    type: 'Ready',
    ...ready,
    lastTransitionTime: previous !== undefined && previous.status === ready.status ? previous.lastTransitionTime : timestamp(now),
    ...(generation === undefined ? {} : { observedGeneration: generation }),
  };
  return {
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    readyReplicas,
    conditions: [condition],
  };
}

/** True when two statuses say the same thing, whatever order their fields came in. */
export function sameStatus(current: EchoStatus | undefined, desired: EchoStatus): boolean {
  if (current === undefined) return false;
  const conditionKey = (condition: EchoCondition) => [
    condition.type, condition.status, condition.reason, condition.message, condition.lastTransitionTime,
    condition.observedGeneration ?? null,
  ].join('\u0000');
  const conditions = (status: EchoStatus) => (status.conditions ?? []).map(conditionKey).sort().join('\u0001');
  return current.observedGeneration === desired.observedGeneration
    && (current.readyReplicas ?? 0) === (desired.readyReplicas ?? 0)
    && conditions(current) === conditions(desired);
}

/** The Ready condition of a status, for the operator's log line. */
export function readyCondition(status: EchoStatus): EchoCondition | undefined {
  return status.conditions?.find((condition) => condition.type === 'Ready');
}

/** Thrown for command-line input the operator cannot run with; the message says what to write instead. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** How the operator runs, from its flags and environment. */
export interface Settings {
  /** The one namespace whose Echoes it reconciles. */
  readonly namespace: string;
  /** The kubeconfig file; undefined means the usual lookup (KUBECONFIG, ~/.kube/config, in-cluster). */
  readonly kubeconfig: string | undefined;
  /** How long it waits before each reconcile, to play a slower version of itself. */
  readonly reconcileDelayMs: number;
  /** The image of the echo pods. */
  readonly echoImage: string;
  /**
   * A planted bug, to show a drift regression between two "versions" of the operator: with `configmap-message` it
   * creates its ConfigMap when it is missing but never writes an existing one, so a hand edit of the message (drift)
   * stays, while a deleted ConfigMap still comes back.
   */
  readonly ignoreDrift: IgnoredDrift | undefined;
}

/** The drift the planted bug of --ignore-drift leaves alone. */
export const IGNORABLE_DRIFT = ['configmap-message'] as const;
export type IgnoredDrift = (typeof IGNORABLE_DRIFT)[number];

function ignoredDrift(value: string | undefined): IgnoredDrift | undefined {
  if (value === undefined || value === '') return undefined;
  const known = IGNORABLE_DRIFT.find((drift) => drift === value);
  if (known === undefined) throw new UsageError(`--ignore-drift \`${value}\` is not a drift it can ignore: write ${IGNORABLE_DRIFT.join(' or ')}`);
  return known;
}

/** The usage text shown with a UsageError. */
export const USAGE = 'usage: controller.js --namespace NS [--kubeconfig FILE] [--reconcile-delay DURATION] [--echo-image IMAGE] [--ignore-drift FIELD]\n'
  + '  --namespace NS            the namespace whose Echoes to reconcile (required)\n'
  + '  --kubeconfig FILE         default: $KUBECONFIG, then ~/.kube/config, then the in-cluster service account\n'
  + '  --reconcile-delay 2s      wait this long before each reconcile (default: $ECHO_RECONCILE_DELAY, else 0s)\n'
  + `  --echo-image IMAGE        the image of the echo pods (default: $ECHO_IMAGE, else ${ECHO_IMAGE})\n`
  + '  --ignore-drift FIELD      a planted bug: configmap-message leaves hand edits of the ConfigMap (default: $ECHO_IGNORE_DRIFT, else none)';

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in a Go-style duration (`0`, `500ms`, `2s`, `1m30s`), the spelling Kubernetes flags use. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  if (!/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(trimmed)) {
    throw new UsageError(`\`${text}\` is not a duration: write e.g. 0s, 500ms, 2s or 1m30s`);
  }
  let total = 0;
  for (const [, amount = '0', unit = 's'] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(amount) * (DURATION_UNITS_MS[unit] ?? 0);
  }
  return Math.round(total);
}

/** The settings from the command line (without node and the script) and the environment. */
export function parseSettings(args: readonly string[], env: Readonly<Record<string, string | undefined>>): Settings {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        namespace: { type: 'string' },
        kubeconfig: { type: 'string' },
        'reconcile-delay': { type: 'string' },
        'echo-image': { type: 'string' },
        'ignore-drift': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const namespace = values.namespace;
  if (namespace === undefined || namespace === '') throw new UsageError('--namespace is required');
  // An empty value (a variable set to nothing) means "not given", as for most Kubernetes tools. KUBECONFIG is
  // left to client-node's own lookup, which also reads the colon-separated list form.
  const kubeconfig = values.kubeconfig || undefined;
  const delay = values['reconcile-delay'] || env['ECHO_RECONCILE_DELAY'] || '0s';
  const echoImage = values['echo-image'] || env['ECHO_IMAGE'] || ECHO_IMAGE;
  const ignoreDrift = ignoredDrift(values['ignore-drift'] || env['ECHO_IGNORE_DRIFT']);
  return { namespace, kubeconfig, reconcileDelayMs: parseDuration(delay), echoImage, ignoreDrift };
}

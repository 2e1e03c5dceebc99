/**
 * Scenario format v1alpha1: the one definition of what a scenario file may hold. The TypeScript types of the
 * document and the JSON Schema in docs/scenario.schema.json are both derived from the TypeBox schemas below, so the
 * contract, the code and editors' completion cannot drift apart. Cross-field checks live in rules.ts.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { Duration } from './duration.js';

/** The apiVersion this rebound reads. */
export const SCENARIO_API_VERSION = 'rebound.dev/v1alpha1';

/** Values used when a scenario leaves a field out; the schema shows them as `default` and the loader applies them. */
export const DEFAULTS = {
  settle: '1s',
  mustBreak: false,
  trials: 1,
  timeout: '10m',
  at: '0s',
  count: 1,
  checkMin: 1,
  httpStatus: 200,
  httpTimeout: '2s',
  propagationPolicy: 'Background',
  signal: 'KILL',
  loadMethod: 'GET',
  loadMaxInFlight: 100,
  loadTimeout: '2s',
  loadWarmup: '2s',
  loadMaxRequests: 1_000_000,
  patchType: 'merge',
  rolloutKind: 'Deployment',
  rollback: 'never',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Named string formats. Each has a `check` that returns what is wrong in words a user can act on; the validator
// registers them with Ajv, and the pattern (where one exists) is there for editors that do not know the format.

/** A string format of the scenario schema, with the message shown when a value does not have it. */
export interface StringFormat {
  readonly pattern?: string;
  /** undefined when `value` is fine, else what is wrong with it. */
  readonly check: (value: string) => string | undefined;
}

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';

/** The named formats the schema uses (`format: duration`, ...). */
export const FORMATS: Readonly<Record<FormatName, StringFormat>> = {
  duration: {
    pattern: '^\\+?(0|([0-9]+(\\.[0-9]+)?(ms|h|m|s))+)$',
    check: (value) => {
      try {
        Duration.parse(value);
        return undefined;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    },
  },
  'dns1123-label': {
    pattern: `^${DNS_LABEL}$`,
    check: (value) => (new RegExp(`^${DNS_LABEL}$`).test(value) && value.length <= 63
      ? undefined
      : `\`${value}\` is not a DNS-1123 label: use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit`),
  },
  'dns1123-subdomain': {
    pattern: `^${DNS_LABEL}(\\.${DNS_LABEL})*$`,
    check: (value) => (new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`).test(value) && value.length <= 253
      ? undefined
      : `\`${value}\` is not a valid object name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`),
  },
  'api-version': {
    pattern: `^(${DNS_LABEL}(\\.${DNS_LABEL})*/)?v[0-9]+((alpha|beta)[0-9]+)?$`,
    check: (value) => (new RegExp(`^(${DNS_LABEL}(\\.${DNS_LABEL})*/)?v[0-9]+((alpha|beta)[0-9]+)?$`).test(value)
      ? undefined
      : `\`${value}\` is not an apiVersion: write v1, apps/v1 or <group>/<version> such as example.com/v1alpha1`),
  },
  kind: {
    pattern: '^[A-Z][A-Za-z0-9]*$',
    check: (value) => (/^[A-Z][A-Za-z0-9]*$/.test(value)
      ? undefined
      : `\`${value}\` is not a kind: kinds are written in CamelCase, e.g. Deployment`),
  },
};

/** The names of the formats in FORMATS. */
export type FormatName = 'duration' | 'dns1123-label' | 'dns1123-subdomain' | 'api-version' | 'kind';

// ---------------------------------------------------------------------------------------------------------------
// Building blocks.

/** An object that rejects fields it does not declare, as every part of a scenario does. */
function Strict<T extends TProperties>(properties: T, options: { description?: string; title?: string } = {}) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/** A string with one of the named formats. */
function Formatted(format: FormatName, options: { description?: string; default?: string } = {}) {
  const { pattern } = FORMATS[format];
  return Type.String({ format, ...(pattern === undefined ? {} : { pattern }), ...options });
}

/** A string-literal union written as a JSON Schema `enum`, whose errors are one line instead of one per literal. */
function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

const DurationText = (description: string, defaultValue?: string) =>
  Formatted('duration', { description, ...(defaultValue === undefined ? {} : { default: defaultValue }) });

const Namespace = (description: string) => Formatted('dns1123-label', { description });

const Selector = (description: string) => Type.String({
  minLength: 1,
  description: `${description}; a label selector: k=v, k!=v, k in (a,b), k notin (a,b), k, !k, comma-separated`,
});

/**
 * The largest whole number a scenario may give for a count: beyond it YAML numbers are no longer read exactly
 * (99999999999999999999 reads as 100000000000000000000), so a huge count would silently mean another one.
 */
const MAX_WHOLE = Number.MAX_SAFE_INTEGER;

const Count = Type.Integer({ minimum: 1, maximum: MAX_WHOLE, description: `how many candidates to pick (default ${DEFAULTS.count}; not with percent)` });
const Percent = Type.Number({
  minimum: 1,
  maximum: 100,
  description: 'pick ceil(n * percent / 100) of the n candidates, at least 1 (not with count)',
});

const ObjectName = Type.String({ minLength: 1, description: 'metadata.name of the object' });
const ApiVersion = Formatted('api-version', { description: 'apiVersion of the object, e.g. apps/v1' });
const Kind = Formatted('kind', { description: 'kind of the object, e.g. Deployment' });

// ---------------------------------------------------------------------------------------------------------------
// Faults.

const podTargets = {
  selector: Selector('the pods to pick from'),
  namespace: Type.Optional(Namespace('namespace of the pods (default spec.namespace; others must be in spec.allowNamespaces)')),
  count: Type.Optional(Count),
  percent: Type.Optional(Percent),
};

const nodeTargets = {
  selector: Type.Optional(Selector('node labels of the nodes to pick from (default: every node)')),
  nodesOf: Type.Optional(Selector('pick from the nodes that host these pods')),
  namespace: Type.Optional(Namespace('namespace of the nodesOf pods (default spec.namespace)')),
  count: Type.Optional(Count),
  percent: Type.Optional(Percent),
};

const faultDuration = {
  duration: Type.Optional(DurationText('undo the fault after this long (default: at cleanup)')),
};

/** Taint effects, as Kubernetes spells them. */
const TaintEffectSchema = StringEnum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const, {
  description: 'the taint effect',
});

/** Signals processKill may send. */
const SignalSchema = StringEnum(
  ['KILL', 'TERM', 'INT', 'HUP', 'QUIT', 'STOP', 'CONT', 'USR1', 'USR2', 'ABRT'] as const,
  { description: `signal name without SIG (default ${DEFAULTS.signal})`, default: DEFAULTS.signal },
);

/** How dependents of a deleted object go, as in the Kubernetes DeleteOptions. */
const PropagationPolicySchema = StringEnum(['Background', 'Foreground', 'Orphan'] as const, {
  description: `what happens to the object's dependents (default ${DEFAULTS.propagationPolicy})`,
  default: DEFAULTS.propagationPolicy,
});

/** Kinds of workload that workloadAvailable checks. */
/** The kinds of workload rebound judges by their replicas (apps/v1), in the order reports list them. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet'] as const;

const WorkloadKindSchema = StringEnum(WORKLOAD_KINDS, {
  description: 'kind of the workload',
});

/** Kinds of workload that have replicas to scale. */
const ScalableKindSchema = StringEnum(['Deployment', 'StatefulSet', 'ReplicaSet'] as const, {
  description: 'kind of the workload',
});

/** Kinds of workload that roll out a new version of their pod template. */
const RolloutKindSchema = StringEnum(['Deployment', 'StatefulSet', 'DaemonSet'] as const, {
  description: 'kind of the workload (default Deployment)',
});

/** When a rollout fault re-declares the previous version (see harness/faults/rollout.ts). */
const RollbackSchema = Type.Union([
  StringEnum(['onStall', 'never'] as const, {
    description: "onStall: when the Deployment's Progressing condition turns False (ProgressDeadlineExceeded); never: leave the new version",
  }),
  Strict({ after: DurationText('re-declare the previous version this long after the rollout was written') }),
], { title: 'rollback', description: `when to re-declare the previous version (default ${DEFAULTS.rollback})` });

const rolloutTarget = {
  kind: Type.Optional(RolloutKindSchema),
  name: Formatted('dns1123-subdomain', { description: 'name of the workload' }),
  namespace: Type.Optional(Namespace('namespace of the workload (default spec.namespace)')),
};

const deleteObjectCommon = {
  apiVersion: ApiVersion,
  kind: Kind,
  namespace: Type.Optional(Namespace('namespace of the object (default spec.namespace)')),
  propagationPolicy: Type.Optional(PropagationPolicySchema),
};

const processSignal = { signal: Type.Optional(SignalSchema) };

/** How a patch is written, as `kubectl patch --type` says it. */
const PatchTypeSchema = StringEnum(['merge', 'strategic', 'json'] as const, {
  description: `merge (RFC 7386, every kind), strategic (built-in kinds only) or json (RFC 6902 operations); default ${DEFAULTS.patchType}`,
  default: DEFAULTS.patchType,
});

const patchCommon = {
  apiVersion: ApiVersion,
  kind: Kind,
  namespace: Type.Optional(Namespace('namespace of the object (default spec.namespace)')),
  type: Type.Optional(PatchTypeSchema),
  patch: Type.Unsafe<Record<string, unknown> | unknown[]>({
    type: ['object', 'array'],
    description: 'the patch: an object for merge and strategic, a list of JSON Patch operations for json',
  }),
};

/** The parameters of each fault kind, keyed by the kind as it is written in a scenario. */
const FAULT_PARAMS = {
  podKill: Strict({ ...podTargets }, { description: 'delete pods with grace period 0 (containers may run on until their kubelet notices)' }),
  podDelete: Strict({ ...podTargets }, { description: 'delete pods with their own grace period' }),
  containerKill: Strict({
    ...podTargets,
    container: Type.Optional(Type.String({ minLength: 1, description: "the container to kill (default: the pod's first)" })),
  }, { description: "kill one container's main process (providers with real containers)" }),
  nodeStop: Strict({
    ...nodeTargets,
    ...faultDuration,
    graceful: Type.Optional(Type.Boolean({
      default: false,
      description: 'an orderly shutdown instead of a kill (kind: docker stop, systemd shuts the node down; local: SIGTERM to its agent)',
    })),
  }, { description: 'the node stops answering' }),
  nodeRestart: Strict({ ...nodeTargets }, { description: 'the node restarts' }),
  nodePause: Strict({ ...nodeTargets, ...faultDuration }, { description: 'the node is frozen, not stopped' }),
  nodeDrain: Strict({ ...nodeTargets }, { description: 'cordon the node and evict its pods, honouring PodDisruptionBudgets' }),
  nodeCordon: Strict({ ...nodeTargets }, { description: 'mark the node unschedulable' }),
  nodeTaint: Strict({
    ...nodeTargets,
    key: Type.String({ minLength: 1, description: 'the taint key' }),
    value: Type.Optional(Type.String({ description: 'the taint value' })),
    effect: TaintEffectSchema,
  }, { description: 'add a taint to the node' }),
  networkPartition: Strict({ ...nodeTargets, ...faultDuration }, {
    description: 'cut the selected nodes off from the rest (providers with real networks)',
  }),
  deleteObject: Type.Union([
    Strict({ ...deleteObjectCommon, name: ObjectName }),
    Strict({
      ...deleteObjectCommon,
      selector: Selector('the objects to pick from'),
      count: Type.Optional(Count),
      percent: Type.Optional(Percent),
    }),
  ], { title: 'target', description: 'delete any object, by name or by selector' }),
  scale: Strict({
    kind: ScalableKindSchema,
    name: Formatted('dns1123-subdomain', { description: 'name of the workload' }),
    namespace: Type.Optional(Namespace('namespace of the workload (default spec.namespace)')),
    replicas: Type.Integer({ minimum: 0, maximum: 2_147_483_647, description: 'the new replica count' }),
  }, { description: 'scale a workload, as a controller or a person would' }),
  patch: Type.Union([
    Strict({ ...patchCommon, name: ObjectName }),
    Strict({ ...patchCommon, selector: Selector('the objects to pick from'), count: Type.Optional(Count), percent: Type.Optional(Percent) }),
  ], { title: 'target', description: 'change any object as kubectl patch or kubectl edit would (field manager rebound-patch)' }),
  rollout: Strict({
    ...rolloutTarget,
    set: Type.Optional(Strict({
      image: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 1 }), {
        description: 'container name to its new image',
      })),
      env: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.Record(Type.String({ pattern: '^[-._a-zA-Z][-._a-zA-Z0-9]*$' }), Type.String()), {
        description: 'container name to environment variables set (added or changed) in the new version',
      })),
      annotations: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.String(), {
        description: "annotations set on the pod template (e.g. the local cluster's rebound.dev/never-ready)",
      })),
    }, { description: "the new version: the workload's manifest in spec.desiredState with these changes (not with file)" })),
    file: Type.Optional(Type.String({
      minLength: 1,
      description: 'the new version as manifests (relative to this file, ${VAR}s substituted) that spec.desiredState declares too (not with set)',
    })),
    rollback: Type.Optional(RollbackSchema),
  }, { description: 'apply a new version of part of the desired state with server-side apply, as a release would' }),
  processKill: Type.Union([
    Strict({ process: Type.String({ minLength: 1, description: 'name of one of spec.processes' }), ...processSignal }),
    Strict({ pidFile: Type.String({ minLength: 1, description: 'a file holding the pid (relative to the scenario file)' }), ...processSignal }),
    Strict({ command: Type.String({ minLength: 1, description: 'a regular expression matched against full command lines, as pkill -f' }), ...processSignal }),
  ], { title: 'target', description: "kill a process on the harness's host" }),
} as const;

/** The fault kinds, as written in a scenario (`podKill`, `nodeStop`, ...). */
export type FaultKind = keyof typeof FAULT_PARAMS;

/** Every fault kind, in the order the format documents them. */
export const FAULT_KINDS = Object.keys(FAULT_PARAMS) as readonly FaultKind[];

/** Faults that act on nodes, and so may take `nodesOf`. */
export const NODE_FAULT_KINDS = [
  'nodeStop', 'nodeRestart', 'nodePause', 'nodeDrain', 'nodeCordon', 'nodeTaint', 'networkPartition',
] as const satisfies readonly FaultKind[];

/** The parameters of one fault kind, as written. */
export type FaultParamsDocument<K extends FaultKind> = Static<(typeof FAULT_PARAMS)[K]>;

/** One entry of spec.faults as written: exactly one kind key, and an optional `at`. */
export type FaultDocument = { [K in FaultKind]: { at?: string } & { [P in K]: FaultParamsDocument<K> } }[FaultKind];

const FaultSchema = Type.Unsafe<FaultDocument>(Type.Union(
  FAULT_KINDS.map((kind) => Strict({
    at: Type.Optional(DurationText('offset from the start of the trial (T0)', DEFAULTS.at)),
    [kind]: FAULT_PARAMS[kind],
  })),
  { title: 'fault kind', description: 'a fault: exactly one kind key, with an optional at' },
));

// ---------------------------------------------------------------------------------------------------------------
// Steady-state checks.

const quantity = {
  count: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_WHOLE, description: 'exactly this many (not with min)' })),
  min: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_WHOLE, description: `at least this many (not with count; default min: ${DEFAULTS.checkMin})` })),
};

const checkNamespace = {
  namespace: Type.Optional(Namespace('namespace to look in (default spec.namespace)')),
};

/** The parameters of each steady-state check kind. */
const CHECK_PARAMS = {
  workloadAvailable: Strict({
    kind: WorkloadKindSchema,
    name: Formatted('dns1123-subdomain', { description: 'name of the workload' }),
    ...checkNamespace,
  }, { description: 'observedGeneration current, updated and available replicas equal to desired' }),
  podsReady: Strict({ selector: Selector('the pods to count'), ...checkNamespace, ...quantity }, {
    description: 'pods Running and Ready, not terminating, not on a node rebound has stopped, paused or cut off',
  }),
  endpointsReady: Strict({
    service: Formatted('dns1123-label', { description: 'name of the Service' }),
    ...checkNamespace,
    ...quantity,
  }, { description: "ready endpoints in the Service's EndpointSlices, each counted once" }),
  nodesReady: Strict({ selector: Type.Optional(Selector('node labels (default: every node)')), ...quantity }, {
    description: 'Ready nodes',
  }),
  availableAtLeast: Strict({
    ...rolloutTarget,
    min: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_WHOLE, description: 'at least this many available replicas (not with percent)' })),
    percent: Type.Optional(Type.Number({
      minimum: 0,
      maximum: 100,
      description: 'at least ceil(replicas * percent / 100) available (not with min)',
    })),
  }, { description: "available replicas never below a floor; default: replicas minus the workload's own maxUnavailable" }),
  rolledOut: Strict({ ...rolloutTarget }, {
    description: 'every replica on the current revision, available, and no old pods left (observedGeneration current)',
  }),
  http: Strict({
    url: Type.String({ minLength: 1, description: 'the http:// or https:// URL to GET' }),
    status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599, default: DEFAULTS.httpStatus, description: 'the expected status' })),
    timeout: Type.Optional(DurationText('how long to wait for the answer', DEFAULTS.httpTimeout)),
  }, { description: 'a GET answered with the expected status' }),
  object: Strict({
    apiVersion: ApiVersion,
    kind: Kind,
    name: ObjectName,
    ...checkNamespace,
    jsonPath: Type.String({ minLength: 1, description: "kubectl's JSONPath, e.g. {.status.phase}" }),
    equals: Type.Optional(Type.Unsafe<string | number | boolean>({
      type: ['string', 'number', 'boolean'],
      description: 'the value must print as exactly this (not with matches)',
    })),
    matches: Type.Optional(Type.String({ description: 'a regular expression the value must match (not with equals)' })),
  }, { description: 'any object, custom resources included; a missing object or path does not hold' }),
  desiredStateHolds: Strict({
    kind: Type.Optional(Kind),
    name: Type.Optional(ObjectName),
  }, { description: 'every field rebound applied to the desired state (its server-side-apply managed fields) has the applied value; kind and name narrow it' }),
} as const;

/** The steady-state check kinds, as written in a scenario. */
export type CheckKind = keyof typeof CHECK_PARAMS;

/** Every check kind, in the order the format documents them. */
export const CHECK_KINDS = Object.keys(CHECK_PARAMS) as readonly CheckKind[];

/** The parameters of one check kind, as written. */
export type CheckParamsDocument<K extends CheckKind> = Static<(typeof CHECK_PARAMS)[K]>;

/** One entry of spec.steadyState as written: exactly one kind key. */
export type CheckDocument = { [K in CheckKind]: { [P in K]: CheckParamsDocument<K> } }[CheckKind];

const CheckSchema = Type.Unsafe<CheckDocument>(Type.Union(
  CHECK_KINDS.map((kind) => Strict({ [kind]: CHECK_PARAMS[kind] })),
  { title: 'check kind', description: 'a steady-state check: exactly one kind key' },
));

// ---------------------------------------------------------------------------------------------------------------
// The rest of the spec.

const DesiredStateEntrySchema = Type.Union([
  Strict({ file: Type.String({ minLength: 1, description: 'a YAML file of manifests, relative to this file; multi-document allowed' }) }),
  Strict({ inline: Type.Record(Type.String(), Type.Unknown(), { description: 'one Kubernetes manifest written in place' }) }),
], { title: 'source', description: 'manifests applied with server-side apply before the first trial' });

/** How a process is restarted when it exits. */
const RestartPolicySchema = StringEnum(['always', 'never'] as const, {
  description: 'always: restart it when it exits, as a Deployment would; never: leave it stopped',
});

const ProcessSchema = Strict({
  name: Formatted('dns1123-label', { description: 'the name processKill and the report use' }),
  command: Type.Array(Type.String(), {
    minItems: 1,
    description: 'the program and its arguments; ${KUBECONFIG} and ${NAMESPACE} are replaced at run time',
  }),
  env: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'extra environment variables' })),
  workingDir: Type.Optional(Type.String({ minLength: 1, description: 'the directory to run in, relative to this file (default: its directory)' })),
  restart: RestartPolicySchema,
  ready: Type.Optional(Type.Union([
    Strict({ log: Type.String({ minLength: 1, description: 'ready once a line of its output matches this regular expression' }) }),
    Strict({ http: Type.String({ minLength: 1, description: 'ready once a GET of this URL answers 2xx' }) }),
  ], { title: 'probe', description: 'when the process counts as started' })),
}, { description: 'a program the harness runs on its own host for the scenario' });

const ExpectSchema = Strict({
  recoveryWithin: DurationText('every trial must recover within this, counted from the first injection'),
  settle: Type.Optional(DurationText('the steady state must hold this long to count as recovered', DEFAULTS.settle)),
  maxDisruption: Type.Optional(DurationText('longest time the steady state may be broken in one stretch; 0s: it must never break (zero downtime)')),
  mustBreak: Type.Optional(Type.Boolean({ default: DEFAULTS.mustBreak, description: 'a trial whose steady state never broke is an ERROR' })),
  rolloutWithin: Type.Optional(DurationText('with rollout faults: each rollout (or its rollback) must be complete within this of its injection')),
}, { description: 'what recovery must look like' });

/** HTTP methods the built-in load driver sends. */
const HttpMethodSchema = StringEnum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const, {
  description: `the request method (default ${DEFAULTS.loadMethod})`,
  default: DEFAULTS.loadMethod,
});

const LoadTargetSchema = Strict({
  url: Type.String({ minLength: 1, description: 'the http:// URL; on kind a Service through ${NODE_PORT_<port>}, on the local cluster a server of spec.processes' }),
  method: Type.Optional(HttpMethodSchema),
  headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'request headers' })),
  body: Type.Optional(Type.String({ description: 'the request body' })),
  expectedStatuses: Type.Optional(Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), {
    minItems: 1,
    uniqueItems: true,
    description: "statuses that count as success (default k6's: 200-399); others count in http_req_failed",
  })),
}, { description: 'one HTTP request the driver sends, round robin with the others' });

const LoadHttpSchema = Strict({
  targets: Type.Array(LoadTargetSchema, { minItems: 1, description: 'the requests to send, round robin' }),
  rate: Type.Optional(Type.Integer({ minimum: 1, maximum: 20_000, description: "requests started per second whatever the server does, as k6's constant-arrival-rate (not with vus)" })),
  vus: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000, description: 'virtual users, each sending its next request when its last one ends (not with rate)' })),
  maxInFlight: Type.Optional(Type.Integer({
    minimum: 1,
    maximum: 10_000,
    default: DEFAULTS.loadMaxInFlight,
    description: "with rate: requests outstanding at most; a request due beyond it is dropped and counted (k6's dropped_iterations)",
  })),
  timeout: Type.Optional(DurationText('a request not answered within this fails', DEFAULTS.loadTimeout)),
}, { description: "rebound's built-in HTTP load driver" });

const LoadK6Schema = Strict({
  script: Type.String({ minLength: 1, description: 'a k6 script (JS, or TS as k6 runs it), relative to this file; its options carry its thresholds' }),
  env: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), {
    description: 'passed to k6 with -e NAME=value (__ENV in the script); ${NODE_PORT_<port>} and ${NAMESPACE} are replaced at run time',
  })),
}, { description: 'run a k6 script with the k6 on PATH (or --k6), and take its thresholds\' verdict from its end-of-test summary' });

const ThresholdSchema = Type.Union([
  Type.String({ minLength: 1, description: "a k6 threshold expression: <aggregation> <operator> <value>, e.g. 'p(95)<500'" }),
  Strict({
    threshold: Type.String({ minLength: 1, description: 'the expression' }),
    abortOnFail: Type.Optional(Type.Boolean({ description: 'end the trial (FAIL) as soon as the threshold is crossed' })),
    delayAbortEval: Type.Optional(DurationText('with abortOnFail: judge only once the load has run this long')),
  }),
], { title: 'threshold', description: "a k6 threshold, as a string or k6's object form" });

const LoadSchema = Strict({
  warmup: Type.Optional(DurationText('traffic before T0, not judged', DEFAULTS.loadWarmup)),
  maxRequests: Type.Optional(Type.Integer({
    minimum: 1,
    maximum: 10_000_000,
    default: DEFAULTS.loadMaxRequests,
    description: 'the most requests one trial sends; the driver stops there and says so',
  })),
  http: Type.Optional(LoadHttpSchema),
  k6: Type.Optional(LoadK6Schema),
  thresholds: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.Array(ThresholdSchema, { minItems: 1 }), {
    description: "with http: k6 metric (optionally with tags, e.g. http_req_duration{phase:recovery}) to thresholds, e.g. http_req_failed: ['rate<0.01']",
  })),
}, { description: 'traffic kept up through every trial (http: the built-in driver, or k6: a k6 script), judged with k6 thresholds' });

const SpecSchema = Strict({
  variables: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), {
    additionalProperties: false,
    description: 'defaults of ${VAR} variables (names of letters, digits and _); --var VAR=value (and --matrix) overrides them',
  })),
  namespace: Type.Optional(Namespace('where namespaced manifests and selectors go (default: a fresh rebound-<name>-<random> namespace)')),
  desiredState: Type.Optional(Type.Array(DesiredStateEntrySchema, { description: 'the Kubernetes objects of the system under test' })),
  allowNamespaces: Type.Optional(Type.Array(Namespace('a namespace faults may touch'), {
    uniqueItems: true,
    description: 'other namespaces faults may touch; kube-system never',
  })),
  processes: Type.Optional(Type.Array(ProcessSchema, { description: "programs run on the harness's host" })),
  steadyState: Type.Optional(Type.Array(CheckSchema, {
    minItems: 1,
    description: 'checks that must all hold at once (default: derived from desiredState)',
  })),
  derivedSteadyState: Type.Optional(Strict({
    desiredStateHolds: Type.Optional(Type.Boolean({ default: true, description: 'include desiredStateHolds: every field rebound applied has the applied value' })),
  }, { description: 'what the steady state derived from desiredState includes (only without steadyState)' })),
  faults: Type.Array(FaultSchema, { minItems: 1, description: 'injected in order of at (ties in file order)' }),
  expect: ExpectSchema,
  load: Type.Optional(LoadSchema),
  trials: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_WHOLE, default: DEFAULTS.trials, description: 'how many times to inject and recover' })),
  timeout: Type.Optional(DurationText('hard limit for the whole scenario', DEFAULTS.timeout)),
});

const MetadataSchema = Strict({
  name: Formatted('dns1123-label', { description: 'the scenario name, a DNS-1123 label' }),
  description: Type.Optional(Type.String({ description: 'what the scenario shows' })),
  labels: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'selectable with --selector' })),
});

/** The whole scenario document. */
export const ScenarioSchema = Strict({
  apiVersion: Type.Literal(SCENARIO_API_VERSION),
  kind: Type.Literal('Scenario'),
  metadata: MetadataSchema,
  spec: SpecSchema,
}, { title: 'rebound Scenario', description: 'A chaos scenario: desired state, steady state, faults, expected recovery.' });

/** A scenario document as written, once it has passed the schema. */
export type ScenarioDocument = Static<typeof ScenarioSchema>;
/** One spec.processes entry, as written. */
export type ProcessDocument = Static<typeof ProcessSchema>;
/** spec.load, as written. */
export type LoadDocument = Static<typeof LoadSchema>;
/** One threshold of spec.load.thresholds, as written. */
export type ThresholdDocument = Static<typeof ThresholdSchema>;
/** HTTP methods of load targets. */
export type HttpMethod = Static<typeof HttpMethodSchema>;
/** Kinds of workload, as Kubernetes spells them. */
export type WorkloadKind = Static<typeof WorkloadKindSchema>;
/** Kinds of workload that roll out. */
export type RolloutKind = Static<typeof RolloutKindSchema>;
/** Kinds of workload that scale acts on. */
export type ScalableKind = Static<typeof ScalableKindSchema>;
/** Taint effects. */
export type TaintEffect = Static<typeof TaintEffectSchema>;
/** Signal names. */
export type SignalName = Static<typeof SignalSchema>;
/** DeleteOptions propagation policies. */
export type PropagationPolicy = Static<typeof PropagationPolicySchema>;
/** Patch formats. */
export type PatchType = Static<typeof PatchTypeSchema>;
/** Process restart policies. */
export type RestartPolicy = Static<typeof RestartPolicySchema>;

/** The JSON Schema of the scenario format, as committed in docs/scenario.schema.json. */
export function scenarioJsonSchema(): Record<string, unknown> {
  // JSON round trip: drops TypeBox's symbol keys, leaving plain JSON Schema (draft-07, which Ajv reads by default).
  const plain = JSON.parse(JSON.stringify(ScenarioSchema)) as Record<string, unknown>;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://rebound.dev/schemas/scenario-v1alpha1.json',
    ...plain,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The normalized scenario: what the loader returns once a document passed the schema and the rules, with defaults
// applied, durations parsed, paths resolved and manifests loaded. The engine reads only this.

/** How many of a fault's candidates it picks: exactly `count`, or ceil(n * percent / 100) and at least 1. */
export type Selection = { readonly count: number; readonly percent?: undefined } | { readonly percent: number; readonly count?: undefined };

/** `count` means exactly, `min` at least. */
export type Quantity = { readonly count: number; readonly min?: undefined } | { readonly min: number; readonly count?: undefined };

/** Pods a fault acts on. */
export type PodTargets = { readonly selector: string; readonly namespace?: string } & Selection;

/** Nodes a fault acts on: by node labels (`selector`), by the pods they host (`nodesOf`), or any node (neither). */
export type NodeTargets = {
  readonly selector?: string;
  readonly nodesOf?: string;
  /** Namespace of the `nodesOf` pods. */
  readonly namespace?: string;
} & Selection;

/** The normalized parameters of each fault kind. */
export interface FaultParams {
  readonly podKill: PodTargets;
  readonly podDelete: PodTargets;
  readonly containerKill: PodTargets & { readonly container?: string };
  readonly nodeStop: NodeTargets & { readonly duration?: Duration; readonly graceful: boolean };
  readonly nodeRestart: NodeTargets;
  readonly nodePause: NodeTargets & { readonly duration?: Duration };
  readonly nodeDrain: NodeTargets;
  readonly nodeCordon: NodeTargets;
  readonly nodeTaint: NodeTargets & { readonly key: string; readonly value?: string; readonly effect: TaintEffect };
  readonly networkPartition: NodeTargets & { readonly duration?: Duration };
  readonly deleteObject: {
    readonly apiVersion: string;
    readonly kind: string;
    readonly namespace?: string;
    readonly propagationPolicy: PropagationPolicy;
  } & ({ readonly name: string; readonly selector?: undefined } | ({ readonly selector: string; readonly name?: undefined } & Selection));
  readonly scale: { readonly kind: ScalableKind; readonly name: string; readonly namespace?: string; readonly replicas: number };
  readonly patch: {
    readonly apiVersion: string;
    readonly kind: string;
    readonly namespace?: string;
    readonly type: PatchType;
    /** An object for merge and strategic, JSON Patch operations for json (the rules have checked which). */
    readonly patch: Readonly<Record<string, unknown>> | readonly unknown[];
  } & ({ readonly name: string; readonly selector?: undefined } | ({ readonly selector: string; readonly name?: undefined } & Selection));
  readonly rollout: RolloutParams;
  readonly processKill: { readonly signal: SignalName } & (
    | { readonly process: string }
    /** An absolute path. */
    | { readonly pidFile: string }
    /** A regular expression matched against full command lines. */
    | { readonly command: string });
}

/** When a rollout fault re-declares the previous version. */
export type Rollback = { readonly kind: 'onStall' } | { readonly kind: 'never' } | { readonly kind: 'after'; readonly after: Duration };

/** The new version of a rollout fault: changes to the declared workload, or manifests from a file. */
export type RolloutChange =
  | {
    readonly kind: 'set';
    readonly image: Readonly<Record<string, string>>;
    readonly env: Readonly<Record<string, Readonly<Record<string, string>>>>;
    readonly annotations: Readonly<Record<string, string>>;
  }
  /** `file` is absolute; its manifests are loaded and substituted like desiredState files. */
  | { readonly kind: 'file'; readonly file: string; readonly manifests: readonly Manifest[] };

/** The normalized parameters of a rollout fault. */
export interface RolloutParams {
  readonly kind: RolloutKind;
  readonly name: string;
  readonly namespace?: string;
  readonly change: RolloutChange;
  readonly rollback: Rollback;
}

/** The floor of availableAtLeast: explicit, or derived from the workload's own maxUnavailable. */
export type AvailabilityFloor = { readonly min: number } | { readonly percent: number } | { readonly derived: true };

/** Faults in the order they are injected: by `at`, ties in file order. */
export function faultsInOrder(faults: readonly Fault[]): Fault[] {
  return [...faults].sort((a, b) => a.at.toMilliseconds() - b.at.toMilliseconds() || a.index - b.index);
}

/** One spec.faults entry: its kind, its position in the file, when it fires and its parameters. */
export type Fault = {
  [K in FaultKind]: { readonly kind: K; readonly index: number; readonly at: Duration; readonly params: FaultParams[K] };
}[FaultKind];

/** The normalized parameters of each check kind. */
export interface CheckParams {
  readonly workloadAvailable: { readonly kind: WorkloadKind; readonly name: string; readonly namespace?: string };
  readonly podsReady: { readonly selector: string; readonly namespace?: string } & Quantity;
  readonly endpointsReady: { readonly service: string; readonly namespace?: string } & Quantity;
  readonly nodesReady: { readonly selector?: string } & Quantity;
  readonly availableAtLeast: { readonly kind: RolloutKind; readonly name: string; readonly namespace?: string; readonly floor: AvailabilityFloor };
  readonly rolledOut: { readonly kind: RolloutKind; readonly name: string; readonly namespace?: string };
  readonly http: { readonly url: string; readonly status: number; readonly timeout: Duration };
  readonly object: {
    readonly apiVersion: string;
    readonly kind: string;
    readonly name: string;
    readonly namespace?: string;
    readonly jsonPath: string;
  } & ({ readonly equals: string; readonly matches?: undefined } | { readonly matches: string; readonly equals?: undefined });
  readonly desiredStateHolds: { readonly kind?: string; readonly name?: string };
}

/** One spec.steadyState entry. */
export type SteadyStateCheck = {
  [K in CheckKind]: { readonly kind: K; readonly index: number; readonly params: CheckParams[K] };
}[CheckKind];

/** Where a manifest was written: its file, and the line, column and path of its first line. */
export interface ManifestSource {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** e.g. spec.desiredState[0].file[2] (the third document of that file) or spec.desiredState[1].inline */
  readonly path: string;
}

/** One Kubernetes object of the desired state, after ${VAR} substitution. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** metadata.namespace when the manifest sets it; otherwise spec.namespace applies to namespaced kinds. */
  readonly namespace?: string;
  /** The manifest as written (its apiVersion, kind and metadata.name checked by the loader). */
  readonly object: Readonly<Record<string, unknown>> & KubernetesObject;
  readonly source: ManifestSource;
}

/**
 * One spec.processes entry. User variables are substituted; `${KUBECONFIG}`, `${NAMESPACE}` and `$${` escapes are
 * left for `expandBuiltinVariables` at run time.
 */
export interface ProcessSpec {
  readonly name: string;
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** An absolute path. */
  readonly workingDir: string;
  readonly restart: RestartPolicy;
  readonly ready?: { readonly log: string; readonly http?: undefined } | { readonly http: string; readonly log?: undefined };
}

/** spec.expect with defaults applied. */
export interface Expectation {
  readonly recoveryWithin: Duration;
  readonly settle: Duration;
  readonly maxDisruption?: Duration;
  readonly mustBreak: boolean;
  readonly rolloutWithin?: Duration;
}

/** One request of the built-in load driver. */
export interface LoadTarget {
  /** Built-in variables (`${NODE_PORT_30080}`) are left for run time. */
  readonly url: string;
  readonly method: HttpMethod;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** null: k6's default expected response, 200-399. */
  readonly expectedStatuses: readonly number[] | null;
}

/** How the load is made: rebound's HTTP driver, or the user's k6 script. */
export type LoadDriverSpec =
  | {
    readonly kind: 'http';
    readonly targets: readonly LoadTarget[];
    readonly model: { readonly kind: 'rate'; readonly rate: number; readonly maxInFlight: number } | { readonly kind: 'vus'; readonly vus: number };
    readonly timeout: Duration;
  }
  | {
    readonly kind: 'k6';
    /** An absolute path. */
    readonly script: string;
    /** Built-in variables are left for run time. */
    readonly env: Readonly<Record<string, string>>;
  };

/** spec.load, normalized. */
export interface LoadSpec {
  readonly warmup: Duration;
  readonly maxRequests: number;
  readonly driver: LoadDriverSpec;
  /** As written; the load's runner parses them (the rules have checked them). Empty with k6. */
  readonly thresholds: Readonly<Record<string, readonly ThresholdDocument[]>>;
}

/** A valid scenario, normalized. */
export interface Scenario {
  /** The scenario file, as it was named to the loader. */
  readonly file: string;
  readonly apiVersion: typeof SCENARIO_API_VERSION;
  readonly kind: 'Scenario';
  readonly metadata: {
    readonly name: string;
    readonly description?: string;
    readonly labels: Readonly<Record<string, string>>;
  };
  readonly spec: {
    readonly namespace?: string;
    readonly desiredState: readonly Manifest[];
    readonly allowNamespaces: readonly string[];
    readonly processes: readonly ProcessSpec[];
    /** undefined when the scenario leaves it out: the engine derives it from desiredState. */
    readonly steadyState?: readonly SteadyStateCheck[];
    /** spec.derivedSteadyState; undefined: everything (desiredStateHolds included). */
    readonly derivedSteadyState?: { readonly desiredStateHolds: boolean };
    /** In file order; the engine injects them in order of `at`, ties in file order. */
    readonly faults: readonly Fault[];
    readonly expect: Expectation;
    readonly load?: LoadSpec;
    readonly trials: number;
    readonly timeout: Duration;
  };
}

/**
 * The RunResult model: what a run found, as results.json carries it. Other tools read this file, so it is
 * versioned: add fields freely, but a rename or removal bumps RESULT_SCHEMA_VERSION.
 *
 * The TypeScript types and the JSON Schema in docs/results.schema.json are both derived from the TypeBox schemas
 * below, so the file other tools read and the code that writes it cannot drift apart. Objects are left open
 * (no `additionalProperties: false`) because adding a field is allowed without a version bump: a reader built
 * against this version must still accept a file from a later rebound of the same version.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { ExitCode } from '../errors.js';

/** The version of the results.json layout. */
export const RESULT_SCHEMA_VERSION = 1;

/** Everything reporters and readers get is read-only, at every depth. */
type Frozen<T> = T extends readonly (infer E)[] ? readonly Frozen<E>[] : T extends object ? { readonly [K in keyof T]: Frozen<T[K]> } : T;

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time', description: 'An ISO 8601 timestamp (UTC).' });
const Milliseconds = Type.Number({ description: 'A duration in milliseconds.' });

const VerdictSchema = Type.Union([Type.Literal('PASS'), Type.Literal('FAIL'), Type.Literal('ERROR'), Type.Literal('ABORTED')], {
  description: 'PASS: every trial recovered in time; FAIL: the system did not heal as expected; ERROR: rebound could not do its job; '
    + 'ABORTED: the run was stopped by a signal (SIGINT, SIGTERM) or by its operator (the abort key of run --interactive) and undid what it had done.',
});

const TrialVerdictSchema = Type.Union([...VerdictSchema.anyOf, Type.Literal('SKIPPED')], {
  description: 'The verdicts of a scenario, and SKIPPED: the operator of run --interactive skipped the trial at its prompt, so nothing '
    + 'was injected or measured. A skipped trial does not count towards its scenario\'s verdict, and a scenario with no trial but '
    + 'skipped ones is an ERROR (nothing was verified).',
});

const StatsSchema = Type.Object({
  count: Type.Integer({ minimum: 1 }),
  min: Type.Number(),
  median: Type.Number(),
  p95: Type.Number({ description: 'Linear interpolation between closest ranks (R-7).' }),
  max: Type.Number(),
  mean: Type.Number(),
}, { description: 'Summary statistics over the trials that broke.' });

const PodRefSchema = Type.Object({
  name: Type.String(),
  uid: Type.String(),
  node: Nullable(Type.String()),
}, { description: 'A pod, or its replacement, as the replacement list names it.' });

const ReplacementSchema = Type.Object({
  pod: PodRefSchema,
  replacement: Nullable(PodRefSchema),
  owner: Type.Object({ kind: Type.String(), name: Type.String(), uid: Type.String() }, { description: 'The stable owner the pods were matched through.' }),
  phasesMs: Type.Record(Type.String(), Nullable(Milliseconds), {
    description: 'Each phase as the time since the previous one: created, scheduled, running, ready, endpointReady.',
  }),
  at: Type.Record(Type.String(), Nullable(Timestamp), {
    description: 'ISO timestamps of deleted, created, scheduled, running, ready, endpointReady.',
  }),
}, { description: 'One replaced pod and how long each step to its replacement took.' });

const FaultTargetSchema = Type.Object({
  kind: Type.String(),
  name: Type.String(),
  namespace: Type.Optional(Type.String()),
  uid: Type.Optional(Type.String()),
  node: Type.Optional(Type.String()),
  container: Type.Optional(Type.String({ description: 'containerKill: the container whose main process was killed.' })),
  owner: Type.Optional(Type.String({ description: 'patch: the controller (Kind/name) of the object before the patch.' })),
});

const FieldWriterSchema = Type.Object({
  manager: Type.String({ description: 'The field manager, e.g. kube-controller-manager, rebound-patch.' }),
  operation: Type.String({ description: 'Apply or Update.' }),
  time: Nullable(Type.String({ description: "The managedFields entry's time (the API server's clock, second precision)." })),
  subresource: Type.Optional(Type.String()),
}, { description: 'The manager owning a field in an object version, from its metadata.managedFields.' });

const DriftSchema = Type.Object({
  fields: Type.Array(Type.Object({
    object: Type.Object({ apiVersion: Type.String(), kind: Type.String(), name: Type.String(), namespace: Nullable(Type.String()) }),
    field: Type.String({ description: 'The path, e.g. spec.replicas or spec.template.spec.containers[name=web].image.' }),
    driftedAt: Timestamp,
    driftedBy: Nullable(FieldWriterSchema),
    restoredAt: Nullable(Timestamp),
    restoredBy: Nullable(FieldWriterSchema),
  }, { description: 'One stretch in which a field rebound applied did not have its applied value; restoredAt null: nobody wrote it back before the trial ended, and rebound reverted it.' })),
  orphans: Type.Array(Type.Object({
    name: Type.String(),
    namespace: Nullable(Type.String()),
    uid: Type.String(),
    formerOwner: Type.String({ description: 'Kind/name of its controller before the patch.' }),
  }), { description: 'Pods a patch took out of their controller (a label removed): they ran on unowned; revert deletes them.' }),
}, { description: 'The drift of the trial: the fields of the desired state (as rebound applied them) that changed, and who wrote them back.' });

const FaultSchema = Type.Object({
  index: Type.Integer({ minimum: 0, description: 'Position in spec.faults.' }),
  kind: Type.String(),
  atMs: Type.Number({ description: 'The `at` offset from T0.' }),
  injectedAt: Nullable(Timestamp),
  summary: Type.String(),
  targets: Type.Array(FaultTargetSchema),
  error: Nullable(Type.String()),
}, { description: 'One injected fault; with kind `observed` (rebound observe), a break someone else caused: index is the fault of spec.faults whose targets it touched (0 when only the steady state told), injectedAt when its first watch event arrived.' });

const TimelineSampleSchema = Type.Object({
  at: Timestamp,
  holds: Type.Boolean({ description: 'Whether the steady state held.' }),
  readyPods: Type.Integer({ minimum: 0 }),
  readyNodes: Type.Integer({ minimum: 0 }),
  readyEndpoints: Type.Integer({ minimum: 0 }),
}, { description: 'One point of the timeline chart.' });

const TimelineMarkerSchema = Type.Object({
  at: Timestamp,
  kind: Type.String({ description: 'injected, reverted, broken, recovered, note (rebound\'s), or operator: what the people running `run --interactive` decided at a prompt and the notes they typed (label `note: <text>`).' }),
  label: Type.String(),
}, { description: 'A labelled moment on the timeline (injected, broken, recovered, reverted...).' });

const ObjectSnapshotSchema = Type.Object({
  at: Timestamp,
  objects: Type.Array(Type.Object({
    kind: Type.String(),
    name: Type.String(),
    namespace: Nullable(Type.String()),
    uid: Nullable(Type.String()),
    summary: Type.Record(Type.String(), Type.Unknown()),
  })),
  omitted: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 1 }), {
    description: 'By kind, how many objects were left out: past 50 of a kind only healthy ones are, those that explain a break never.',
  })),
}, { description: 'The objects under check at one moment, each reduced to the fields that explain health.' });

const EventRecordSchema = Type.Object({
  at: Nullable(Timestamp),
  type: Type.String(),
  reason: Type.String(),
  object: Type.String({ description: 'kind/name of the object the event is about.' }),
  message: Type.String(),
  count: Type.Integer({ minimum: 0 }),
}, { description: 'A Kubernetes Event of the scenario\'s namespaces.' });

const NodeLossSchema = Type.Object({
  node: Type.String(),
  fault: Type.String({ description: 'The fault kind that took the node down.' }),
  at: Type.Object({
    injected: Timestamp,
    notReady: Nullable(Timestamp),
    tainted: Nullable(Timestamp),
    evicted: Nullable(Timestamp),
  }, { description: 'When rebound began the fault (a graceful stop takes seconds), the node was seen NotReady, tainted NoExecute, and its first pod evicted.' }),
  phasesMs: Type.Object({
    detection: Nullable(Milliseconds),
    taint: Nullable(Milliseconds),
    eviction: Nullable(Milliseconds),
  }, { description: 'detection: injected -> NotReady (grace period); taint: NotReady -> tainted; eviction: tainted -> first pod evicted (toleration seconds). Null: not observed.' }),
  evictedPods: Type.Integer({ minimum: 0 }),
}, { description: 'A node a node fault took away, phase by phase, up to the eviction of its pods (their replacements are in replacements).' });

const RestartSchema = Type.Object({
  pod: PodRefSchema,
  container: Type.String(),
  restartCountBefore: Type.Integer({ minimum: 0 }),
  restartCountAfter: Nullable(Type.Integer({ minimum: 0 })),
  at: Type.Object({ killed: Timestamp, restarted: Nullable(Timestamp), ready: Nullable(Timestamp) }),
  phasesMs: Type.Object({ restarted: Nullable(Milliseconds), ready: Nullable(Milliseconds) }, {
    description: 'restarted: killed -> the higher restartCount seen; ready: restarted -> the container ready again. Null: not observed.',
  }),
}, { description: 'A container containerKill killed, restarted in place by its kubelet (same pod).' });

const ThresholdResultSchema = Type.Object({
  metric: Type.String({ description: 'The metric as written, with its tags: http_req_duration{phase:recovery}.' }),
  expression: Type.String({ description: "The threshold as written: 'p(95)<500'." }),
  ok: Type.Boolean({ description: 'true: the threshold held.' }),
  value: Nullable(Type.Number({ description: "The measured value of the threshold's aggregation (null when the summary does not carry it)." })),
  abortOnFail: Type.Boolean(),
}, { description: 'One k6 threshold and its verdict.' });

const LoadSecondSchema = Type.Object({
  at: Timestamp,
  requests: Type.Integer({ minimum: 0, description: 'Requests started in this second.' }),
  failed: Type.Integer({ minimum: 0, description: 'Of those, failed (not an expected response).' }),
  p50: Nullable(Milliseconds),
  p95: Nullable(Milliseconds),
  p99: Nullable(Milliseconds),
}, { description: 'One second of load, by request start.' });

const LoadSchema = Type.Object({
  driver: Type.Union([Type.Literal('http'), Type.Literal('k6')]),
  window: Type.Object({ warmupFrom: Timestamp, from: Timestamp, to: Timestamp }, {
    description: 'warmupFrom: traffic began; from..to: the judged window (T0 to the end of the trial). With k6, its whole run is judged.',
  }),
  requests: Type.Integer({ minimum: 0, description: 'Requests in the judged window.' }),
  failed: Type.Integer({ minimum: 0 }),
  dropped: Type.Integer({ minimum: 0, description: 'Requests due that were not sent: maxInFlight requests were outstanding.' }),
  metrics: Type.Record(Type.String(), Type.Record(Type.String(), Type.Number()), {
    description: "k6's metrics by name, each with its aggregations (count, rate, avg, med, p(95)...), over the judged window.",
  }),
  thresholds: Type.Array(ThresholdResultSchema),
  abortedBy: Nullable(Type.String({ description: 'The abortOnFail threshold that ended the trial early.' })),
  stoppedBy: Nullable(Type.String({ description: 'maxRequests or the time limit, when the driver stopped before the trial ended.' })),
  perSecond: Type.Array(LoadSecondSchema, { description: 'From the warm-up to the end (built-in driver only).' }),
  series: Type.Object({
    binMs: Milliseconds,
    bins: Type.Array(LoadSecondSchema),
  }, { description: 'The same from T0 on, in slices fine enough for the chart (about 100 over the judged window; counts are per slice).' }),
  errorBudget: Nullable(Type.Object({
    from: Timestamp,
    to: Timestamp,
    requests: Type.Integer({ minimum: 0 }),
    failed: Type.Integer({ minimum: 0 }),
    longestFailureRun: Type.Object({ requests: Type.Integer({ minimum: 0 }), ms: Milliseconds }),
    p95Ms: Nullable(Milliseconds),
  }, { description: 'The requests between the injection and the recovery (or the end of the trial): what the disruption cost.' })),
  firstSuccessAfterInjectionMs: Nullable(Type.Number({ description: 'From the injection to the end of the first expected response of a request started after it.' })),
  note: Nullable(Type.String({ description: 'Anything a reader of these figures must know (k6 stopped early, ...).' })),
}, { description: 'The traffic of spec.load during the trial and its k6 thresholds.' });

const RolloutSchema = Type.Object({
  fault: Type.Integer({ minimum: 0, description: 'Index of the rollout fault in spec.faults.' }),
  kind: Type.String(),
  name: Type.String(),
  namespace: Type.String(),
  oldRevision: Nullable(Type.String({ description: "The revision its pods ran before: a Deployment's pod-template-hash, else controller-revision-hash." })),
  newRevision: Nullable(Type.String({ description: 'The revision of the new version, once a pod of it was seen.' })),
  oldReplicaSet: Nullable(Type.String({ description: 'Deployments: the ReplicaSet of the old revision.' })),
  newReplicaSet: Nullable(Type.String({ description: 'Deployments: the ReplicaSet of the new revision.' })),
  startedAt: Timestamp,
  completedAt: Nullable(Timestamp),
  rolloutTimeMs: Nullable(Type.Number({ description: 'From the write of the new version until every replica ran it, available.' })),
  stalledAt: Nullable(Type.String({ format: 'date-time', description: "When the Deployment's Progressing condition turned False (ProgressDeadlineExceeded)." })),
  rollback: Nullable(Type.Object({
    startedAt: Timestamp,
    completedAt: Nullable(Timestamp),
    timeMs: Nullable(Type.Number({ description: 'From the rollback write until every replica was back on the old revision, available.' })),
  }, { description: 'The previous version re-declared.' })),
  lowestAvailable: Nullable(Type.Integer({ minimum: 0, description: 'The fewest available replicas seen from the injection to the end of the trial.' })),
  floor: Nullable(Type.Integer({ minimum: 0, description: 'The availability floor: the steady state\'s availableAtLeast, else replicas minus maxUnavailable.' })),
  floorReason: Type.String({ description: 'How the floor was resolved.' }),
  revisions: Type.Array(Type.Object({ at: Timestamp, old: Type.Integer({ minimum: 0 }), new: Type.Integer({ minimum: 0 }) }), {
    description: 'Ready pods of the old and of the new revision, at every change.',
  }),
  error: Nullable(Type.String()),
}, { description: 'A rollout fault: its revisions, when it completed or stalled, its rollback, and the lowest availability.' });

const TrialSchema = Type.Object({
  trial: Type.Integer({ minimum: 1 }),
  verdict: TrialVerdictSchema,
  reason: Nullable(Type.String()),
  t0: Nullable(Timestamp),
  injectedAt: Nullable(Timestamp),
  brokenAt: Nullable(Timestamp),
  recoveredAt: Nullable(Timestamp),
  recoveryTimeMs: Nullable(Milliseconds),
  disruptionMs: Nullable(Milliseconds),
  undisrupted: Type.Boolean(),
  longestBreakMs: Nullable(Type.Number({ description: 'Longest time the steady state was broken in one stretch.' })),
  faults: Type.Array(FaultSchema),
  replacements: Type.Array(ReplacementSchema),
  nodeLoss: Type.Optional(Type.Array(NodeLossSchema, { description: 'Nodes taken down by node faults (absent in results written before rebound 0.2).' })),
  restarts: Type.Optional(Type.Array(RestartSchema, { description: 'Containers killed by containerKill and restarted in place.' })),
  rollouts: Type.Optional(Type.Array(RolloutSchema, { description: 'What the rollout faults did.' })),
  load: Type.Optional(LoadSchema),
  drift: Type.Optional(DriftSchema),
  recoveryUncertaintyMs: Type.Optional(Type.Number({
    description: 'Set when the recovery came to light only as the API server returned: it happened up to this long before recoveredAt (recoveryTimeMs is the latest it can have been).',
  })),
  outages: Type.Optional(Type.Array(Type.Object({
    from: Timestamp,
    to: Nullable(Timestamp),
    kinds: Type.Array(Type.String()),
    changes: Type.Integer({ minimum: 0, description: 'Changes the relists revealed; their moment is unknown within the outage.' }),
    cause: Type.String(),
  }), { description: 'Windows between injection and decision when the watches were blind (the API server away), to the relists that ended them.' })),
  placement: Type.Array(Type.Object({ pod: Type.String(), node: Nullable(Type.String()) }), {
    description: 'Where each pod of the scenario\'s namespace ran at the end of the trial (pods do not move back).',
  }),
  timeline: Type.Object({ samples: Type.Array(TimelineSampleSchema), markers: Type.Array(TimelineMarkerSchema) }),
  evidence: Type.Object({ brokenAt: Nullable(ObjectSnapshotSchema), recoveredAt: Nullable(ObjectSnapshotSchema) }, {
    description: 'Snapshots of the objects under check when the steady state first broke and when it came back for good.',
  }),
}, { description: 'One trial. t0 is when the initial steady state had held for settle: the trial\'s start.' });

const ScenarioResultSchema = Type.Object({
  name: Type.String(),
  file: Type.String(),
  variant: Nullable(Type.String({ description: '`VAR=value` of a --matrix variant (the name then ends with it in brackets), null otherwise.' })),
  description: Nullable(Type.String()),
  labels: Type.Record(Type.String(), Type.String()),
  verdict: VerdictSchema,
  reason: Nullable(Type.String()),
  namespace: Nullable(Type.String()),
  startedAt: Timestamp,
  finishedAt: Timestamp,
  expect: Type.Object({
    recoveryWithinMs: Milliseconds,
    settleMs: Milliseconds,
    maxDisruptionMs: Nullable(Milliseconds),
    mustBreak: Type.Boolean(),
  }),
  steadyState: Type.Array(Type.String()),
  trials: Type.Array(TrialSchema),
  stats: Type.Object({
    recoveryTimeMs: Nullable(StatsSchema),
    disruptionMs: Nullable(StatsSchema),
    brokenTrials: Type.Integer({ minimum: 0 }),
  }),
  processes: Type.Array(Type.Object({
    name: Type.String(),
    log: Type.String(),
    starts: Type.Integer({ minimum: 0 }),
    tail: Type.Array(Type.String()),
  }), { description: 'spec.processes: where each one\'s log is, how often it was started, and the end of its log.' }),
  events: Type.Array(EventRecordSchema, { description: 'Kubernetes Events of the scenario\'s namespaces during the run (the last 500).' }),
  cleanup: Type.Array(Type.String(), { description: 'Problems while undoing what the scenario did (they make the scenario an ERROR).' }),
}, { description: 'One scenario.' });

const EnvironmentSchema = Type.Object({
  provider: Type.String(),
  cluster: Type.String(),
  kubernetesVersion: Nullable(Type.String()),
  reboundVersion: Type.String(),
  nodeCount: Nullable(Type.Integer({ minimum: 0 })),
  timings: Type.Record(Type.String(), Type.Number()),
  machine: Type.Object({ cpus: Type.Integer({ minimum: 0 }), loadAverage: Type.Array(Type.Number()), platform: Type.String() }),
}, { description: 'Where and on what the run happened, so two runs can be compared fairly.' });

const RunResultSchema = Type.Object({
  schemaVersion: Type.Literal(RESULT_SCHEMA_VERSION),
  verdict: VerdictSchema,
  seed: Type.Integer({ minimum: 0 }),
  startedAt: Timestamp,
  finishedAt: Timestamp,
  environment: Nullable(EnvironmentSchema),
  vars: Type.Record(Type.String(), Type.String()),
  scenarios: Type.Array(ScenarioResultSchema),
  abortedBy: Type.Optional(Nullable(Type.String({ description: 'The signal that stopped the run (SIGINT, SIGTERM), or operator (the abort key of run --interactive); null or absent when it ran to its end.' }))),
  mode: Type.Optional(Type.Union([Type.Literal('run'), Type.Literal('observe')], {
    description: 'run (or absent): rebound applied the desired state and injected the faults; observe: rebound applied and injected nothing, '
      + 'it measured breaks someone else caused (faults of kind `observed`) by the same rules.',
  })),
}, { title: 'rebound results', description: 'A whole run, as results.json carries it.' });

/** The verdicts of the contract. */
export type Verdict = Static<typeof VerdictSchema>;
/** A trial's verdict: a scenario's, or SKIPPED by the operator. */
export type TrialVerdict = Static<typeof TrialVerdictSchema>;
/** Summary statistics over the trials that broke. */
export interface Stats extends Frozen<Static<typeof StatsSchema>> {}
/** A pod, or its replacement, as the replacement list names it. */
export interface PodRef extends Frozen<Static<typeof PodRefSchema>> {}
/** One replaced pod and how long each step to its replacement took. */
export interface ReplacementResult extends Frozen<Static<typeof ReplacementSchema>> {}
/** A node a node fault took away, phase by phase. */
export interface NodeLossResult extends Frozen<Static<typeof NodeLossSchema>> {}
/** A container killed and restarted in place. */
export interface RestartResult extends Frozen<Static<typeof RestartSchema>> {}
/** What one rollout fault did. */
export interface RolloutResult extends Frozen<Static<typeof RolloutSchema>> {}
/** One injected fault. */
export interface FaultResult extends Frozen<Static<typeof FaultSchema>> {}
/** Something a fault acted on, as reports name it (faults choose them; observe names what a break touched). */
export interface Target extends Frozen<Static<typeof FaultTargetSchema>> {}
/** One point of the timeline chart. */
export interface TimelineSample extends Frozen<Static<typeof TimelineSampleSchema>> {}
/** A labelled moment on the timeline (injected, broken, recovered, reverted...). */
export interface TimelineMarker extends Frozen<Static<typeof TimelineMarkerSchema>> {}
/** The objects under check at one moment, each reduced to the fields that explain health. */
export interface ObjectSnapshot extends Frozen<Static<typeof ObjectSnapshotSchema>> {}
/** A Kubernetes Event of the scenario's namespaces. */
export interface EventRecord extends Frozen<Static<typeof EventRecordSchema>> {}
/** A trial's load and thresholds. */
export interface LoadResult extends Frozen<Static<typeof LoadSchema>> {}
/** One threshold's verdict. */
export interface ThresholdResult extends Frozen<Static<typeof ThresholdResultSchema>> {}
/** A trial's drift. */
export interface DriftResult extends Frozen<Static<typeof DriftSchema>> {}
/** One trial. */
export interface TrialResult extends Frozen<Static<typeof TrialSchema>> {}
/** One scenario. */
export interface ScenarioResult extends Frozen<Static<typeof ScenarioResultSchema>> {}
/** Where and on what the run happened, so two runs can be compared fairly. */
export interface Environment extends Frozen<Static<typeof EnvironmentSchema>> {}
/** A whole run: results.json. */
export interface RunResult extends Frozen<Static<typeof RunResultSchema>> {}

/** The JSON Schema of results.json, as committed in docs/results.schema.json. */
export function resultsJsonSchema(): Record<string, unknown> {
  // JSON round trip: drops TypeBox's symbol keys, leaving plain JSON Schema (draft-07, which Ajv reads by default).
  const plain = JSON.parse(JSON.stringify(RunResultSchema)) as Record<string, unknown>;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `https://rebound.dev/schemas/results-v${RESULT_SCHEMA_VERSION}.json`,
    ...plain,
  };
}

/** The worst of several verdicts: ERROR over FAIL over PASS. */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('ABORTED')) return 'ABORTED';
  if (verdicts.includes('ERROR')) return 'ERROR';
  if (verdicts.includes('FAIL')) return 'FAIL';
  return 'PASS';
}

/**
 * The exit code of a verdict: 0 PASS, 1 FAIL, 2 ERROR; ABORTED: 128 + the signal's number (130 SIGINT, 143 SIGTERM;
 * the operator's abort key is a user's abort, as Ctrl-C: 130).
 */
export function exitCodeOf(verdict: Verdict, abortedBy?: string | null): ExitCode {
  if (verdict === 'ABORTED') return abortedBy === 'SIGTERM' ? 143 : 130;
  return verdict === 'PASS' ? 0 : verdict === 'FAIL' ? 1 : 2;
}

/**
 * Steady-state checks as small composable conditions, each judged from the World alone (no API calls, no clock):
 * the runner evaluates `all(...)` after every change and feeds the answer to the RecoveryDetector. The checks are
 * the scenario format's (workloadAvailable, podsReady, endpointsReady, nodesReady, http, object); deriveSteadyState
 * builds the default one from the desired state when a scenario leaves steadyState out.
 */
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { LabelSelector } from '../util/label-selector.js';
import type { CheckParams, Quantity, SteadyStateCheck, WorkloadKind } from '../scenario/schema.js';
import { objectText, type DesiredObject } from './desired-fields.js';
import { compileJsonPath } from './jsonpath.js';
import { sameValue, valueAt } from './managed-fields.js';
import {
  conditionOf,
  fieldOf,
  groupOf,
  isIdentified,
  isPod,
  specReplicas,
  statusNumber,
  type StatusCondition,
} from './objects.js';
import type { World } from './world.js';
import { availableAtLeast, rolledOut } from './rollout-checks.js';

import type { Condition, Counts } from './condition.js';

export type { Condition, Counts, Evaluation } from './condition.js';

/** Holds when every part holds; the detail lists the parts that do not. describe() gives one part per line. */
export function all(conditions: readonly Condition[]): Condition {
  return {
    parts: conditions,
    describe: () => (conditions.length === 0 ? 'nothing to check' : conditions.map((condition) => condition.describe()).join('\n')),
    evaluate: (world) => {
      const failing = conditions.map((condition) => condition.evaluate(world)).filter((evaluation) => !evaluation.holds);
      if (failing.length === 0) {
        return { holds: true, detail: conditions.length === 1 ? `${conditions[0]?.describe() ?? ''} holds` : `all ${conditions.length} checks hold` };
      }
      return { holds: false, detail: failing.map((evaluation) => evaluation.detail).join('; ') };
    },
  };
}

function quantityHolds(actual: number, quantity: Quantity): boolean {
  return quantity.count !== undefined ? actual === quantity.count : actual >= quantity.min;
}

function quantityText(actual: number, quantity: Quantity): string {
  return quantity.count !== undefined ? `${actual}/${quantity.count} ready` : `${actual} ready (min ${quantity.min})`;
}

/** The parameters of workloadAvailable; `replicas` is the count declared in the manifest, when there is one. */
export interface WorkloadAvailableSpec {
  readonly kind: WorkloadKind;
  readonly name: string;
  readonly namespace: string;
  /** Desired replicas; undefined: the live spec.replicas (default 1). Ignored for DaemonSets. */
  readonly replicas?: number;
}

/**
 * The workload's controller has seen its current spec (status.observedGeneration >= metadata.generation) and has
 * every desired replica updated and available. A DaemonSet wants desiredNumberScheduled == updatedNumberScheduled
 * == numberAvailable. A ReplicaSet has no updated count: it wants status.replicas equal to desired instead.
 */
export function workloadAvailable(spec: WorkloadAvailableSpec): Condition {
  const label = `workloadAvailable ${spec.kind}/${spec.name}`;
  return {
    describe: () => label,
    evaluate: (world) => {
      const workload = world.workload(spec.kind, spec.name, spec.namespace);
      if (workload === undefined) return { holds: false, detail: `${label}: not found in ${spec.namespace}` };
      const stale = staleGeneration(workload);
      if (stale !== undefined) return { holds: false, detail: `${label}: ${stale}` };
      const count = (field: string) => statusNumber(workload, field) ?? 0;
      if (spec.kind === 'DaemonSet') {
        const desired = count('desiredNumberScheduled');
        const updated = count('updatedNumberScheduled');
        const available = count('numberAvailable');
        return {
          holds: desired === updated && desired === available,
          detail: `${label}: ${available}/${desired} available, ${updated}/${desired} updated`,
        };
      }
      const desired = spec.replicas ?? specReplicas(workload) ?? 1;
      // StatefulSets before Kubernetes 1.22 report readyReplicas only.
      const available = statusNumber(workload, 'availableReplicas')
        ?? (spec.kind === 'StatefulSet' ? statusNumber(workload, 'readyReplicas') : undefined)
        ?? 0;
      const updated = spec.kind === 'ReplicaSet' ? count('replicas') : count('updatedReplicas');
      const updatedWord = spec.kind === 'ReplicaSet' ? 'existing' : 'updated';
      return {
        holds: updated === desired && available === desired,
        detail: `${label}: ${available}/${desired} available, ${updated}/${desired} ${updatedWord}`,
      };
    },
  };
}

/** Why the object's status describes an older spec than the current one, or undefined if it is current. */
function staleGeneration(object: KubernetesObject, condition?: StatusCondition): string | undefined {
  const generation = object.metadata?.generation;
  if (generation === undefined) return undefined;
  const observed = statusNumber(object, 'observedGeneration');
  if (observed !== undefined && observed < generation) {
    return `status is for generation ${observed}, the spec is at ${generation}`;
  }
  if (observed === undefined && condition === undefined && isWorkloadKind(object.kind)) {
    return `its controller has not reported on generation ${generation} yet`;
  }
  if (condition?.observedGeneration !== undefined && condition.observedGeneration < generation) {
    return `its ${condition.type} condition is for generation ${condition.observedGeneration}, the spec is at ${generation}`;
  }
  return undefined;
}

function isWorkloadKind(kind: string | undefined): kind is WorkloadKind {
  return kind === 'Deployment' || kind === 'StatefulSet' || kind === 'ReplicaSet' || kind === 'DaemonSet';
}

/** The parameters of podsReady. */
export type PodsReadySpec = { readonly selector: string; readonly namespace: string } & Quantity;

/**
 * Pods matching the selector that serve: Running and Ready, not terminating, not on a node rebound impaired.
 * Throws SelectorSyntaxError for a bad selector, when the condition is built.
 */
export function podsReady(spec: PodsReadySpec): Condition {
  const selector = LabelSelector.parse(spec.selector);
  const label = `podsReady ${spec.selector}`;
  return {
    describe: () => label,
    evaluate: (world) => {
      const ready = world.readyPodCount(spec.namespace, selector);
      return { holds: quantityHolds(ready, spec), detail: `${label}: ${quantityText(ready, spec)}`, counts: { readyPods: ready } };
    },
  };
}

/** The parameters of endpointsReady. */
export type EndpointsReadySpec = { readonly service: string; readonly namespace: string } & Quantity;

/** Ready endpoints across the Service's EndpointSlices, each endpoint counted once. */
export function endpointsReady(spec: EndpointsReadySpec): Condition {
  const label = `endpointsReady ${spec.service}`;
  return {
    describe: () => label,
    evaluate: (world) => {
      const slices = world.endpointSlicesOf(spec.namespace, spec.service);
      const ready = readyEndpoints(world, spec.namespace, spec.service).size;
      const none = slices.length === 0 ? ', no EndpointSlice yet' : '';
      return {
        holds: quantityHolds(ready, spec),
        detail: `${label}: ${quantityText(ready, spec)}${none}`,
        counts: { readyEndpoints: ready },
      };
    },
  };
}

/**
 * The keys of the Service's ready endpoints: the target's uid (an endpoint that moves between slices, or sits in
 * an IPv4 and an IPv6 slice, is one endpoint), else its addresses. An absent `ready` condition means ready, as
 * the EndpointSlice API says; an endpoint on a node rebound impaired does not serve, whatever its slice says.
 */
function readyEndpoints(world: World, namespace: string, service: string): Set<string> {
  const keys = new Set<string>();
  for (const slice of world.endpointSlicesOf(namespace, service)) {
    for (const endpoint of slice.endpoints ?? []) {
      if (endpoint.conditions?.ready === false) continue;
      const target = endpoint.targetRef;
      const uid = target?.uid;
      const key = uid !== undefined && uid !== '' ? `uid:${uid}` : `addresses:${[...(endpoint.addresses ?? [])].sort().join(',')}`;
      if (keys.has(key)) continue;
      const pod = target?.kind === 'Pod' ? podOf(world, uid, target.name, target.namespace ?? namespace) : undefined;
      const nodes = [endpoint.nodeName, pod?.spec?.nodeName];
      if (nodes.some((node) => node !== undefined && world.isImpaired(node))) continue;
      keys.add(key);
    }
  }
  return keys;
}

function podOf(world: World, uid: string | undefined, name: string | undefined, namespace: string): V1Pod | undefined {
  const byUid = uid !== undefined ? world.byUid(uid) : undefined;
  const found = byUid ?? (name !== undefined ? world.get('v1', 'Pod', name, namespace) : undefined);
  return found !== undefined && isPod(found) ? found : undefined;
}

/** The parameters of nodesReady. */
export type NodesReadySpec = { readonly selector?: string } & Quantity;

/** Nodes (matching the selector, if any) whose Ready condition is True and that rebound has not impaired. */
export function nodesReady(spec: NodesReadySpec): Condition {
  const selector = spec.selector === undefined ? undefined : LabelSelector.parse(spec.selector);
  const label = spec.selector === undefined ? 'nodesReady' : `nodesReady ${spec.selector}`;
  return {
    describe: () => label,
    evaluate: (world) => {
      const ready = world.readyNodeCount(selector);
      return { holds: quantityHolds(ready, spec), detail: `${label}: ${quantityText(ready, spec)}`, counts: { readyNodes: ready } };
    },
  };
}

/** The parameters of http: the prober stores its answers in the World under the url. */
export interface HttpSpec {
  readonly url: string;
}

/** The latest probe of the url (World.setProbe) was answered as expected; no answer yet does not hold. */
export function http(spec: HttpSpec): Condition {
  const label = `http ${spec.url}`;
  return {
    describe: () => label,
    evaluate: (world) => {
      const probe = world.probe(spec.url);
      if (probe === undefined) return { holds: false, detail: `${label}: no answer yet` };
      return { holds: probe.ok, detail: `${label}: ${probe.detail}` };
    },
  };
}

/** The parameters of object; `namespace` is ignored for cluster-scoped kinds. */
export type ObjectSpec = CheckParams['object'];

/**
 * The value printed by a kubectl JSONPath on any object equals a string or matches a regular expression (not
 * anchored, as grep; write ^...$ to match the whole value). A missing object or path does not hold. Throws
 * JsonPathSyntaxError or SyntaxError (bad regular expression) when the condition is built.
 */
export function object(spec: ObjectSpec): Condition {
  const template = compileJsonPath(spec.jsonPath);
  const pattern = spec.matches === undefined ? undefined : new RegExp(spec.matches);
  const label = `object ${spec.kind}/${spec.name} ${spec.jsonPath}`;
  return {
    describe: () => label,
    evaluate: (world) => {
      const found = lookUp(world, spec.apiVersion, spec.kind, spec.name, spec.namespace);
      if (found === undefined) return { holds: false, detail: `${label}: object not found` };
      const value = template(found);
      if (value === undefined) return { holds: false, detail: `${label}: path not found` };
      if (pattern !== undefined) {
        return { holds: pattern.test(value), detail: `${label}: ${JSON.stringify(value)}, want a match of /${spec.matches ?? ''}/` };
      }
      return { holds: value === spec.equals, detail: `${label}: ${JSON.stringify(value)}, want ${JSON.stringify(spec.equals)}` };
    },
  };
}

/** The object in `namespace`, or the cluster-scoped one of that name (a kind is one or the other, never both). */
function lookUp(world: World, apiVersion: string, kind: string, name: string, namespace: string | undefined): KubernetesObject | undefined {
  return (namespace !== undefined ? world.get(apiVersion, kind, name, namespace) : undefined) ?? world.get(apiVersion, kind, name);
}

/** What narrows desiredStateHolds to some objects of the desired state. */
export type DesiredStateHoldsSpec = CheckParams['desiredStateHolds'];

/** How a value is shown in a detail: short JSON. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The fields of one desired object that do not have the applied value now, in words; a missing object is one
 * entry. A Secret's values are never shown, its fields only named.
 */
export function driftedFields(world: World, object: DesiredObject): string[] {
  const live = lookUp(world, object.apiVersion, object.kind, object.name, object.namespace);
  const what = objectText(object);
  if (live === undefined) return [`${what} not found`];
  const drifted: string[] = [];
  for (const field of object.fields) {
    const now = valueAt(live, field.path);
    if (now.found && sameValue(now.value, field.value)) continue;
    if (!now.found) drifted.push(`${field.text} of ${what} is gone`);
    else if (object.secret) drifted.push(`${field.text} of ${what} differs from what rebound applied`);
    else drifted.push(`${field.text} of ${what} is ${shown(now.value)}, applied ${shown(field.value)}`);
  }
  return drifted;
}

/**
 * Every field rebound applied (desired-fields.ts: read from the server-side-apply managed fields at apply time)
 * has the applied value again, in the objects the watches deliver; `kind` and `name` narrow it.
 */
export function desiredStateHolds(objects: readonly DesiredObject[], narrowing: DesiredStateHoldsSpec = {}): Condition {
  const chosen = objects.filter((o) => (narrowing.kind === undefined || o.kind === narrowing.kind)
    && (narrowing.name === undefined || o.name === narrowing.name));
  const label = narrowing.kind === undefined && narrowing.name === undefined ? 'desiredStateHolds'
    : `desiredStateHolds ${narrowing.kind ?? '*'}/${narrowing.name ?? '*'}`;
  const fieldCount = chosen.reduce((sum, object) => sum + object.fields.length, 0);
  return {
    describe: () => label,
    evaluate: (world) => {
      if (chosen.length === 0) return { holds: false, detail: `${label}: no object of the desired state matches` };
      const drifted = chosen.flatMap((object) => driftedFields(world, object));
      if (drifted.length === 0) return { holds: true, detail: `${label}: ${fieldCount} field${fieldCount === 1 ? '' : 's'} as applied` };
      const more = drifted.length > 3 ? ` (and ${drifted.length - 3} more)` : '';
      return { holds: false, detail: `${label}: ${drifted.slice(0, 3).join('; ')}${more}` };
    },
  };
}

/**
 * The condition of one spec.steadyState entry. Unset namespaces default to `namespace` (the scenario's);
 * workloadAvailable wants the replicas declared in `manifests` (the desired state) when one declares that
 * workload, 1 when it omits them, and the live spec.replicas only when no manifest declares it.
 */
export function conditionFor(
  check: SteadyStateCheck,
  namespace: string,
  manifests: readonly KubernetesObject[] = [],
  desired: readonly DesiredObject[] = [],
): Condition {
  switch (check.kind) {
    case 'workloadAvailable': {
      const { kind, name } = check.params;
      const workloadNamespace = check.params.namespace ?? namespace;
      const manifest = manifests.find((candidate) => declares(candidate, kind, name, workloadNamespace, namespace));
      const replicas = manifest === undefined || kind === 'DaemonSet' ? undefined : specReplicas(manifest) ?? 1;
      return workloadAvailable({ kind, name, namespace: workloadNamespace, ...(replicas === undefined ? {} : { replicas }) });
    }
    case 'podsReady':
      return podsReady({ ...check.params, namespace: check.params.namespace ?? namespace });
    case 'endpointsReady':
      return endpointsReady({ ...check.params, namespace: check.params.namespace ?? namespace });
    case 'nodesReady':
      return nodesReady(check.params);
    case 'availableAtLeast':
    case 'rolledOut': {
      const workloadNamespace = check.params.namespace ?? namespace;
      const manifest = manifests.find((candidate) => declares(candidate, check.params.kind, check.params.name, workloadNamespace, namespace));
      const replicas = manifest === undefined || check.params.kind === 'DaemonSet' ? undefined : specReplicas(manifest) ?? 1;
      if (check.kind === 'rolledOut') return rolledOut(check.params.kind, check.params.name, workloadNamespace, replicas);
      return availableAtLeast({ ...check.params, namespace: workloadNamespace, ...(replicas === undefined ? {} : { replicas }) });
    }
    case 'http':
      return http(check.params);
    case 'object':
      return object({ ...check.params, namespace: check.params.namespace ?? namespace });
    case 'desiredStateHolds':
      return desiredStateHolds(desired, check.params);
  }
}

function declares(manifest: KubernetesObject, kind: WorkloadKind, name: string, namespace: string, defaultNamespace: string): boolean {
  return manifest.kind === kind
    && groupOf(manifest.apiVersion ?? '') === 'apps'
    && manifest.metadata?.name === name
    && (manifest.metadata.namespace ?? defaultNamespace) === namespace;
}

/**
 * The scenario's spec.steadyState: every check at once. Throws SelectorSyntaxError, JsonPathSyntaxError or
 * SyntaxError (a bad `matches`) for a check the scenario rules should have refused.
 */
export function buildCondition(
  checks: readonly SteadyStateCheck[],
  namespace: string,
  manifests: readonly KubernetesObject[] = [],
  desired: readonly DesiredObject[] = [],
): Condition {
  return all(checks.map((check) => conditionFor(check, namespace, manifests, desired)));
}

/**
 * A workload that a rollout fault of the scenario rolls out. The derived steady state checks it with availableAtLeast
 * at its own maxUnavailable floor instead of workloadAvailable, which breaks during any rollout; that the rollout
 * (or its rollback) completes is what the trial waits for besides the steady state.
 */
/**
 * The objects of the desired state a rollout fault does not roll out. A rolled-out workload gets a new desired state
 * during the trial, by design: its fields are the rollout's business (rolledOut, rolloutWithin), not drift.
 */
export function notRolledOut(desired: readonly DesiredObject[], rolling: readonly RolloutTarget[], namespace: string): DesiredObject[] {
  const rolled = (object: DesiredObject): boolean => rolling.some((r) => r.kind === object.kind && r.name === object.name
    && (r.namespace ?? namespace) === (object.namespace ?? namespace));
  return desired.filter((object) => !rolled(object));
}

export interface RolloutTarget {
  readonly kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  readonly name: string;
  readonly namespace?: string;
}

/**
 * The default steady state of a desired state: every Deployment, StatefulSet and ReplicaSet available at the
 * replicas its manifest declares (1 when it omits them), every DaemonSet available on the nodes it targets, every
 * Service with a selector with at least one ready endpoint, every Pod ready, and every other object reporting a
 * Ready or Available condition having it True (see reportsReady for objects that do not report one yet); and,
 * given the fields rebound applied (`desired`, empty when spec.derivedSteadyState turns it off), desiredStateHolds.
 */
export function deriveSteadyState(
  manifests: readonly KubernetesObject[],
  namespace: string,
  desired: readonly DesiredObject[] = [],
  rolling: readonly RolloutTarget[] = [],
): Condition {
  const conditions: Condition[] = [];
  for (const manifest of manifests) {
    if (!isIdentified(manifest)) continue;
    const name = manifest.metadata.name;
    const objectNamespace = manifest.metadata.namespace ?? namespace;
    const group = groupOf(manifest.apiVersion);
    if (group === 'apps' && isWorkloadKind(manifest.kind)) {
      const replicas = manifest.kind === 'DaemonSet' ? undefined : specReplicas(manifest) ?? 1;
      const kind = manifest.kind;
      if (kind !== 'ReplicaSet' && rolling.some((r) => r.kind === kind && r.name === name && (r.namespace ?? namespace) === objectNamespace)) {
        // A workload a rollout fault rolls out: the trial judges what it promised while rolling (see RolloutTarget).
        const declared = replicas === undefined ? {} : { replicas };
        conditions.push(availableAtLeast({ kind, name, namespace: objectNamespace, floor: { derived: true }, ...declared }));
        continue;
      }
      conditions.push(workloadAvailable({ kind: manifest.kind, name, namespace: objectNamespace, ...(replicas === undefined ? {} : { replicas }) }));
    } else if (group === '' && manifest.kind === 'Service') {
      if (hasSelector(manifest)) conditions.push(endpointsReady({ service: name, namespace: objectNamespace, min: 1 }));
    } else if (group === '' && manifest.kind === 'Pod') {
      conditions.push(podReady(name, objectNamespace));
    } else {
      conditions.push(reportsReady({ apiVersion: manifest.apiVersion, kind: manifest.kind, name, namespace: objectNamespace }));
    }
  }
  const held = notRolledOut(desired, rolling, namespace);
  if (held.some((object) => object.fields.length > 0)) conditions.push(desiredStateHolds(held));
  return all(conditions);
}

function hasSelector(service: KubernetesObject): boolean {
  const selector = fieldOf(fieldOf(service, 'spec'), 'selector');
  return typeof selector === 'object' && selector !== null && Object.keys(selector).length > 0;
}

/** A bare pod of the desired state serves (nothing recreates it, so a killed one never recovers). */
function podReady(name: string, namespace: string): Condition {
  const label = `pod ${name} ready`;
  return {
    describe: () => label,
    evaluate: (world) => {
      const pod = world.get('v1', 'Pod', name, namespace);
      if (pod === undefined || !isPod(pod)) return { holds: false, detail: `${label}: not found in ${namespace}` };
      return world.isPodReady(pod) ? { holds: true, detail: `${label}: ready` } : { holds: false, detail: `${label}: not ready` };
    },
  };
}

/**
 * Any other object: its Ready (and Available) condition True and current (not for an older generation).
 * Whether an object without such a condition holds is decided from what the World has seen of its kind, because
 * a ConfigMap never reports readiness while a custom resource just created has not reported yet: once any object
 * of the kind has shown a Ready or Available condition, every object of the kind must show it True (and must
 * exist: an operator must recreate what a fault deleted); until then the kind is taken as one without readiness
 * and the object holds.
 */
function reportsReady(spec: { apiVersion: string; kind: string; name: string; namespace: string }): Condition {
  const label = `${spec.kind}/${spec.name} ready`;
  return {
    describe: () => label,
    evaluate: (world) => {
      const reportsReadiness = world.kindReportsReadiness(spec.apiVersion, spec.kind);
      const found = lookUp(world, spec.apiVersion, spec.kind, spec.name, spec.namespace);
      if (found === undefined) {
        return reportsReadiness
          ? { holds: false, detail: `${label}: not found` }
          : { holds: true, detail: `${label}: not seen, and its kind reports no readiness` };
      }
      const conditions = [conditionOf(found, 'Ready'), conditionOf(found, 'Available')].filter((c) => c !== undefined);
      if (conditions.length === 0) {
        return reportsReadiness
          ? { holds: false, detail: `${label}: no Ready or Available condition yet` }
          : { holds: true, detail: `${label}: its kind reports no readiness` };
      }
      for (const condition of conditions) {
        const stale = staleGeneration(found, condition);
        if (stale !== undefined) return { holds: false, detail: `${label}: ${stale}` };
        if (condition.status !== 'True') {
          const why = condition.reason !== undefined ? ` (${condition.reason})` : '';
          return { holds: false, detail: `${label}: ${condition.type} is ${condition.status}${why}` };
        }
      }
      return { holds: true, detail: `${label}: ${conditions.map((c) => c.type).join(' and ')} True` };
    },
  };
}

/**
 * Ready pods and endpoints of the scenario's namespace and ready nodes of the cluster, counted as the checks count
 * them, for the timeline.
 */
export function countsOf(world: World, namespace: string): Required<Counts> {
  const readyPods = world.readyPodCount(namespace);
  const readyNodes = world.readyNodeCount();
  const services = new Set<string>();
  for (const slice of world.endpointSlices(namespace)) {
    const service = slice.metadata?.labels?.['kubernetes.io/service-name'];
    if (service !== undefined) services.add(service);
  }
  let readyEndpointCount = 0;
  for (const service of services) readyEndpointCount += readyEndpoints(world, namespace, service).size;
  return { readyPods, readyNodes, readyEndpoints: readyEndpointCount };
}

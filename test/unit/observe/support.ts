import type { KubernetesObject } from '@kubernetes/client-node';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCondition, countsOf, deriveSteadyState, type Condition } from '../../../harness/observe/conditions.js';
import { RecoveryDetector, type RecoveryResult } from '../../../harness/observe/detector.js';
import type { WatchEvent } from '../../../harness/observe/events.js';
import { ReplacementTracker, type Placement, type Replacement } from '../../../harness/observe/replacements.js';
import { Timeline, type TimelineSample } from '../../../harness/observe/timeline.js';
import { World } from '../../../harness/observe/world.js';
import { Duration } from '../../../harness/scenario/duration.js';
import type { CheckDocument, CheckKind, SteadyStateCheck } from '../../../harness/scenario/schema.js';

/** The repository root, from dist/test/unit/observe once compiled. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** Where the recorded watch-event sequences are. */
export const WATCH_FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'watch');

/** A spec.steadyState entry as the loader normalizes it, from the form a scenario writes. */
export function checkOf(document: CheckDocument, index = 0): SteadyStateCheck {
  const [kind] = Object.keys(document) as CheckKind[];
  const params = (document as Record<string, Record<string, unknown>>)[kind ?? ''] ?? {};
  const quantity = params['count'] === undefined && params['min'] === undefined ? { min: 1 } : {};
  switch (kind) {
    case 'http':
      return {
        kind,
        index,
        params: {
          url: String(params['url']),
          status: typeof params['status'] === 'number' ? params['status'] : 200,
          timeout: Duration.parse(typeof params['timeout'] === 'string' ? params['timeout'] : '2s'),
        },
      };
    case 'object': {
      const { equals, ...rest } = params;
      return { kind, index, params: { ...rest, ...(equals === undefined ? {} : { equals: String(equals) }) } } as SteadyStateCheck;
    }
    default:
      return { kind, index, params: { ...params, ...quantity } } as SteadyStateCheck;
  }
}

/** One step of a recorded fixture: a watch event, or what the runner tells observe/ besides. */
export type FixtureStep =
  | WatchEvent
  | { readonly at: number; readonly type: 'INJECTED'; readonly fault: number }
  | { readonly at: number; readonly type: 'IMPAIR' | 'RESTORE'; readonly node: string }
  | { readonly at: number; readonly type: 'PROBE'; readonly url: string; readonly ok: boolean; readonly detail: string };

/** The figures a fixture expects; times are offsets from its epoch. */
export interface FixtureExpectation {
  readonly status: 'recovered' | 'failed';
  readonly injectedAt: number;
  readonly lastInjectionAt: number;
  readonly brokenAt: number | null;
  readonly recoveredAt: number | null;
  readonly decidedAt: number;
  readonly recoveryTimeMs: number | null;
  readonly disruptionMs: number | null;
  readonly undisrupted: boolean;
  readonly longestBreakMs: number;
  readonly breaks: number;
  readonly replacements: readonly Replacement[];
  readonly placement?: readonly Placement[];
  /** The timeline's sample in force at these moments. */
  readonly counts?: readonly TimelineSample[];
}

/** A recorded trial: events (times relative to `epoch`), the steady state, and the expected figures. */
export interface Fixture {
  readonly description: string;
  readonly epoch: number;
  readonly namespace: string;
  readonly checks?: readonly CheckDocument[];
  /** Derive the steady state from `manifests` (no checks). */
  readonly derive?: boolean;
  readonly manifests?: readonly KubernetesObject[];
  readonly expect: { readonly recoveryWithinMs: number; readonly settleMs: number };
  readonly faults: number;
  readonly t0: number;
  readonly events: readonly FixtureStep[];
  readonly expected: FixtureExpectation;
}

/** Every fixture of test/fixtures/watch, by file name. */
export async function loadFixtures(): Promise<{ name: string; fixture: Fixture }[]> {
  const names = (await readdir(WATCH_FIXTURES)).filter((name) => name.endsWith('.json')).sort();
  return Promise.all(names.map(async (name) => ({ name, fixture: JSON.parse(await readFile(join(WATCH_FIXTURES, name), 'utf8')) as Fixture })));
}

/** What a replay produced, with times made relative to the fixture's epoch again. */
export interface ReplayOutcome {
  readonly result: RecoveryResult;
  readonly replacements: Replacement[];
  readonly placement: Placement[];
  readonly timeline: Timeline;
  /** Every time the driver called tick(), relative. */
  readonly ticks: number[];
}

/**
 * Replays a fixture the way the runner drives observe/: every event goes to the World and the tracker (the raw
 * event, or with `changes` what World.apply reported), the steady state is evaluated after each and fed to the
 * detector, and tick() is called whenever nextDeadline() comes before the next recorded step (a timer firing), then
 * until the detector decides.
 */
export function replay(fixture: Fixture, feed: 'events' | 'changes' = 'events'): ReplayOutcome {
  const { epoch, namespace } = fixture;
  const world = new World();
  const manifests = fixture.manifests ?? [];
  const condition: Condition = fixture.derive === true
    ? deriveSteadyState(manifests, namespace)
    : buildCondition((fixture.checks ?? []).map((check, index) => checkOf(check, index)), namespace, manifests);
  const timeline = new Timeline();
  const ticks: number[] = [];
  let detector: RecoveryDetector | undefined;
  let tracker: ReplacementTracker | undefined;

  const evaluate = (at: number): void => {
    const { holds } = condition.evaluate(world);
    timeline.sample(at, holds, countsOf(world, namespace));
    detector?.observe(at, holds);
  };
  const startTrial = (): void => {
    tracker = new ReplacementTracker(world);
    detector = new RecoveryDetector({ ...fixture.expect, faults: fixture.faults });
    evaluate(epoch + fixture.t0);
  };
  const runTimersBefore = (limit: number): void => {
    for (let guard = 0; detector !== undefined && detector.status === 'waiting'; guard += 1) {
      if (guard > 1000) throw new Error('the detector keeps asking for ticks');
      const deadline = detector.nextDeadline();
      if (deadline === undefined || deadline >= limit) return;
      ticks.push(deadline - epoch);
      detector.tick(deadline);
    }
  };

  for (const step of fixture.events) {
    const at = epoch + step.at;
    if (detector === undefined && at >= epoch + fixture.t0) startTrial();
    runTimersBefore(at);
    switch (step.type) {
      case 'INJECTED':
        detector?.injected(at, step.fault);
        break;
      case 'IMPAIR':
        world.impairNode(step.node, at);
        evaluate(at);
        break;
      case 'RESTORE':
        world.restoreNode(step.node, at);
        evaluate(at);
        break;
      case 'PROBE':
        world.setProbe(step.url, at, step.ok, step.detail);
        evaluate(at);
        break;
      default: {
        const event: WatchEvent = { ...step, at };
        const changes = world.apply(event);
        // The tracker takes the raw events or what they changed in the World (stale ones dropped, relists diffed).
        if (feed === 'events') tracker?.apply(event);
        else for (const change of changes) tracker?.apply(change);
        evaluate(at);
      }
    }
  }
  if (detector === undefined) startTrial();
  runTimersBefore(Number.POSITIVE_INFINITY);
  if (detector === undefined || tracker === undefined) throw new Error('the trial never started');
  return {
    result: detector.result(),
    replacements: tracker.replacements().map((replacement) => relativeReplacement(replacement, epoch)),
    placement: tracker.placement(namespace),
    timeline,
    ticks,
  };
}

function relativeReplacement(replacement: Replacement, epoch: number): Replacement {
  const at: Record<string, number | null> = {};
  for (const [phase, moment] of Object.entries(replacement.at)) at[phase] = moment === null ? null : moment - epoch;
  return { ...replacement, at: at as unknown as Replacement['at'] };
}

/** A time of the result, relative to the epoch. */
export function relative(value: number | null, epoch: number): number | null {
  return value === null ? null : value - epoch;
}

// ---------------------------------------------------------------------------------------------------------------
// Small builders for focused tests: just the fields observe/ reads.

/** What a test pod is made of. */
export interface PodOptions {
  readonly name: string;
  readonly uid?: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly node?: string;
  readonly phase?: string;
  readonly ready?: boolean;
  readonly deleting?: boolean;
  readonly owner?: { kind: string; name: string; uid: string };
  readonly resourceVersion?: string;
  /** A DaemonSet pod not yet bound: its node comes from node affinity on metadata.name. */
  readonly affinityNode?: string;
}

/** A Pod as a watch delivers it. */
export function podObject(options: PodOptions): KubernetesObject {
  const ready = options.ready ?? true;
  const phase = options.phase ?? (options.node === undefined ? 'Pending' : 'Running');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: options.name,
      namespace: options.namespace ?? 'web',
      uid: options.uid ?? `uid-${options.name}`,
      labels: options.labels ?? { app: 'web' },
      ...(options.resourceVersion === undefined ? {} : { resourceVersion: options.resourceVersion }),
      ...(options.deleting === true ? { deletionTimestamp: '2026-01-01T00:00:30Z' as unknown as Date, deletionGracePeriodSeconds: 30 } : {}),
      ...(options.owner === undefined ? {} : { ownerReferences: [{ apiVersion: 'apps/v1', ...options.owner, controller: true }] }),
    },
    spec: {
      containers: [{ name: 'app', image: 'nginx:1.27' }],
      ...(options.node === undefined ? {} : { nodeName: options.node }),
      ...(options.affinityNode === undefined ? {} : {
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [options.affinityNode] }] }] } } },
      }),
    },
    status: {
      phase,
      conditions: [
        ...(options.node === undefined ? [] : [{ type: 'PodScheduled', status: 'True' }]),
        ...(phase === 'Running' ? [{ type: 'Ready', status: ready ? 'True' : 'False' }] : []),
      ],
    },
  } as KubernetesObject;
}

/** A Node. */
export function nodeObject(name: string, options: { ready?: boolean; labels?: Record<string, string> } = {}): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-node-${name}`, labels: { 'kubernetes.io/hostname': name, ...options.labels } },
    status: { conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }] },
  } as KubernetesObject;
}

/** One endpoint of a test EndpointSlice. */
export interface EndpointOptions {
  readonly ip: string;
  readonly pod?: string;
  readonly uid?: string;
  readonly node?: string;
  /** undefined: no ready condition at all (which means ready). */
  readonly ready?: boolean;
}

/** An EndpointSlice of `service`. */
export function sliceObject(name: string, service: string, endpoints: readonly EndpointOptions[], namespace = 'web'): KubernetesObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace, uid: `uid-slice-${name}`, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: endpoints.map((endpoint) => ({
      addresses: [endpoint.ip],
      ...(endpoint.ready === undefined ? {} : { conditions: { ready: endpoint.ready } }),
      ...(endpoint.node === undefined ? {} : { nodeName: endpoint.node }),
      ...(endpoint.pod === undefined ? {} : { targetRef: { kind: 'Pod', namespace, name: endpoint.pod, uid: endpoint.uid ?? `uid-${endpoint.pod}` } }),
    })),
  } as KubernetesObject;
}

/** A Service selecting `selector`. */
export function serviceObject(name: string, selector: Record<string, string> | undefined, namespace = 'web'): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, uid: `uid-svc-${name}` },
    spec: { ports: [{ port: 80 }], ...(selector === undefined ? {} : { selector }) },
  } as KubernetesObject;
}

/** A workload (or any object) with the given spec, status and metadata extras. */
export function objectOf(
  apiVersion: string,
  kind: string,
  name: string,
  parts: {
    namespace?: string | null; uid?: string; generation?: number; spec?: Record<string,
      unknown>; status?: Record<string,
      unknown>; owner?: { kind: string; name: string; uid: string },
  } = {},
): KubernetesObject {
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      ...(parts.namespace === null ? {} : { namespace: parts.namespace ?? 'web' }),
      uid: parts.uid ?? `uid-${kind}-${name}`,
      ...(parts.generation === undefined ? {} : { generation: parts.generation }),
      ...(parts.owner === undefined ? {} : { ownerReferences: [{ apiVersion: 'apps/v1', ...parts.owner, controller: true }] }),
    },
    ...(parts.spec === undefined ? {} : { spec: parts.spec }),
    ...(parts.status === undefined ? {} : { status: parts.status }),
  };
}

/** A World holding `objects` (each ADDED at time 0). */
export function worldOf(...objects: KubernetesObject[]): World {
  const world = new World();
  for (const object of objects) world.apply({ at: 0, type: 'ADDED', object });
  return world;
}

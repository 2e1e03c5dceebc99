/**
 * The World's ready counts (readyPodCount, readyNodeCount) are kept event by event rather than recounted: after any
 * sequence of watch events, relists, impairments and restores they must equal a count made from scratch, for every
 * namespace and selector asked, whether it was first asked before the events or after.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { WatchEvent } from '../../../harness/observe/events.js';
import { World } from '../../../harness/observe/world.js';
import { LabelSelector } from '../../../harness/util/label-selector.js';
import { nodeObject, podObject } from './support.js';

const NAMES = ['a', 'b', 'c', 'd'];
const NODES = ['n1', 'n2'];
const NAMESPACES = ['web', 'db'];
const SELECTORS = [undefined, 'app=web', 'tier in (front)', '!tier'].map((text) => (text === undefined ? undefined : LabelSelector.parse(text)));

type Step =
  | { kind: 'pod'; type: 'ADDED' | 'MODIFIED' | 'DELETED'; name: string; namespace: string; uid: number; node: string | undefined;
    ready: boolean; deleting: boolean; labels: Record<string, string>; version: number }
  | { kind: 'node'; type: 'ADDED' | 'MODIFIED' | 'DELETED'; name: string; ready: boolean; pool: boolean }
  | { kind: 'relist'; namespace: string; keep: readonly boolean[] }
  | { kind: 'impair' | 'restore'; node: string };

const labelsArbitrary = fc.constantFrom<Record<string, string>>({ app: 'web' }, { app: 'web', tier: 'front' }, { app: 'db', tier: 'back' }, {});
const type = fc.constantFrom<'ADDED' | 'MODIFIED' | 'DELETED'>('ADDED', 'MODIFIED', 'MODIFIED', 'DELETED');
const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({
    kind: fc.constant('pod' as const), type, name: fc.constantFrom(...NAMES), namespace: fc.constantFrom(...NAMESPACES),
    uid: fc.integer({ min: 1, max: 2 }), node: fc.option(fc.constantFrom(...NODES), { nil: undefined }), ready: fc.boolean(),
    deleting: fc.boolean(), labels: labelsArbitrary, version: fc.integer({ min: 1, max: 40 }),
  }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('node' as const), type, name: fc.constantFrom(...NODES), ready: fc.boolean(), pool: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('relist' as const), namespace: fc.constantFrom(...NAMESPACES), keep: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('impair' as const, 'restore' as const), node: fc.constantFrom(...NODES) }) },
);

function podOf(step: Extract<Step, { kind: 'pod' }>): KubernetesObject {
  return podObject({
    name: step.name, namespace: step.namespace, uid: `${step.namespace}-${step.name}-${step.uid}`, labels: step.labels,
    ready: step.ready, deleting: step.deleting, resourceVersion: String(step.version), ...(step.node === undefined ? {} : { node: step.node }),
  });
}

/** The pods a relist of `namespace` returns: those held that `keep` keeps, by name order. */
function relisted(world: World, namespace: string, keep: readonly boolean[]): WatchEvent {
  const objects = world.pods(namespace).filter((_, index) => keep[index % keep.length] === true);
  return { at: 0, type: 'RELIST', apiVersion: 'v1', kind: 'Pod', namespace, objects };
}

function play(world: World, step: Step, at: number): void {
  switch (step.kind) {
    case 'pod':
      world.apply({ at, type: step.type, object: podOf(step) });
      return;
    case 'node':
      world.apply({ at, type: step.type, object: nodeObject(step.name, { ready: step.ready, labels: step.pool ? { pool: 'blue' } : {} }) });
      return;
    case 'relist':
      world.apply({ ...relisted(world, step.namespace, step.keep), at });
      return;
    case 'impair':
      world.impairNode(step.node, at);
      return;
    case 'restore':
      world.restoreNode(step.node, at);
  }
}

/** Every count asked of `world`, and the same counted from scratch. */
function counts(world: World): { kept: number[]; fresh: number[] } {
  const kept: number[] = [];
  const fresh: number[] = [];
  for (const namespace of [undefined, ...NAMESPACES]) {
    for (const selector of SELECTORS) {
      kept.push(world.readyPodCount(namespace, selector));
      fresh.push(world.pods(namespace, selector).filter((pod) => world.isPodReady(pod)).length);
    }
  }
  for (const selector of [undefined, LabelSelector.parse('pool=blue')]) {
    kept.push(world.readyNodeCount(selector));
    fresh.push(world.nodes(selector).filter((node) => world.isNodeReady(node)).length);
  }
  return { kept, fresh };
}

describe('observe: World ready counts, kept event by event', () => {
  it('equal a count from scratch after every step of any sequence of events, relists, impairments and restores', () => {
    fc.assert(fc.property(fc.array(stepArbitrary, { maxLength: 60 }), fc.boolean(), (steps, askFirst) => {
      const world = new World();
      if (askFirst) counts(world);
      steps.forEach((step, index) => {
        play(world, step, index + 1);
        const { kept, fresh } = counts(world);
        expect(kept, `after step ${index}: ${JSON.stringify(step)}`).to.deep.equal(fresh);
      });
    }), { numRuns: 300 });
  });

  it('counts a pod that became ready, one that is terminating, and none on a node rebound impaired', () => {
    const world = new World();
    const selector = LabelSelector.parse('app=web');
    expect(world.readyPodCount('web', selector)).to.equal(0);
    world.apply({ at: 1, type: 'ADDED', object: podObject({ name: 'a', node: 'n1', ready: false, resourceVersion: '1' }) });
    world.apply({ at: 2, type: 'ADDED', object: podObject({ name: 'b', node: 'n2', resourceVersion: '2' }) });
    expect(world.readyPodCount('web', selector)).to.equal(1);
    world.apply({ at: 3, type: 'MODIFIED', object: podObject({ name: 'a', node: 'n1', resourceVersion: '3' }) });
    expect(world.readyPodCount('web', selector)).to.equal(2);
    world.apply({ at: 4, type: 'MODIFIED', object: podObject({ name: 'b', node: 'n2', deleting: true, resourceVersion: '4' }) });
    expect(world.readyPodCount('web', selector)).to.equal(1);
    world.impairNode('n1', 5);
    expect(world.readyPodCount('web', selector)).to.equal(0);
    world.restoreNode('n1', 6);
    expect(world.readyPodCount('web', selector)).to.equal(1);
    expect(world.readyPodCount('db', selector)).to.equal(0);
    expect(world.readyPodCount(undefined)).to.equal(1);
  });
});

import { expect } from 'chai';
import type * as k8s from '@kubernetes/client-node';
import { FaultError } from '../../../harness/faults/errors.js';
import { RandomStream } from '../../../harness/util/random.js';
import { chooseTargets } from '../../../harness/faults/select.js';

const pod = (name: string, created: string, uid: string): k8s.KubernetesObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, uid, creationTimestamp: new Date(created) },
});

const pods = [
  pod('c', '2026-01-01T00:00:03Z', 'u3'),
  pod('a', '2026-01-01T00:00:01Z', 'u1'),
  pod('b2', '2026-01-01T00:00:02Z', 'u2b'),
  pod('b1', '2026-01-01T00:00:02Z', 'u2a'),
  pod('d', '2026-01-01T00:00:04Z', 'u4'),
];
const names = (chosen: k8s.KubernetesObject[]): (string | undefined)[] => chosen.map((p) => p.metadata?.name);

describe('target selection', () => {
  it('is replayable: the same seed, scenario, trial and fault choose the same targets whatever the input order', () => {
    const first = chooseTargets(pods, { count: 2 }, RandomStream.derive(42, 'web', 1, 0), 'podKill');
    const again = chooseTargets([...pods].reverse(), { count: 2 }, RandomStream.derive(42, 'web', 1, 0), 'podKill');
    expect(names(first)).to.deep.equal(names(again));
  });

  it('draws a different stream per trial and per fault', () => {
    const choices = new Set<string>();
    for (let trial = 1; trial <= 8; trial += 1) {
      choices.add(names(chooseTargets(pods, { count: 1 }, RandomStream.derive(42, 'web', trial, 0), 'podKill')).join());
    }
    expect(choices.size, 'different pods over 8 trials').to.be.greaterThan(1);
  });

  it('takes ceil(n * percent / 100) and at least 1', () => {
    expect(chooseTargets(pods, { percent: 50 }, RandomStream.derive(1, 's', 1, 0), 'x')).to.have.length(3);
    expect(chooseTargets(pods, { percent: 1 }, RandomStream.derive(1, 's', 1, 0), 'x')).to.have.length(1);
    expect(chooseTargets(pods, { percent: 100 }, RandomStream.derive(1, 's', 1, 0), 'x')).to.have.length(5);
  });

  it('is an error with no candidate, or a count above the candidates', () => {
    expect(() => chooseTargets([], { count: 1 }, RandomStream.derive(1, 's', 1, 0), 'podKill app=web')).to.throw(FaultError, /no candidate for podKill app=web/);
    expect(() => chooseTargets(pods, { count: 6 }, RandomStream.derive(1, 's', 1, 0), 'podKill')).to.throw(FaultError, /asks for 6 targets but only 5/);
  });

  it('shuffles uniformly enough (every pod is picked first about as often)', () => {
    const counts = new Map<string, number>();
    for (let seed = 0; seed < 2000; seed += 1) {
      const [first] = names(chooseTargets(pods, { count: 1 }, RandomStream.derive(seed, 's', 1, 0), 'x'));
      counts.set(String(first), (counts.get(String(first)) ?? 0) + 1);
    }
    for (const count of counts.values()) expect(count).to.be.within(300, 500);
  });

  it('orders by creation time before the shuffle, the uid breaking ties only', () => {
    // Created in the order p1..p4, with uids in the opposite order: the documented order is by time.
    const byTime = [pod('p1', '2026-01-01T00:00:01Z', 'z'), pod('p2', '2026-01-01T00:00:02Z', 'y'), pod('p3', '2026-01-01T00:00:03Z', 'x'), pod('p4', '2026-01-01T00:00:04Z', 'w')];
    for (let seed = 1; seed <= 6; seed += 1) {
      const chosen = chooseTargets([...byTime].reverse(), { count: 2 }, RandomStream.derive(seed, 'web', 1, 0), 'podKill');
      const expected = RandomStream.derive(seed, 'web', 1, 0).shuffle([...byTime]).slice(0, 2);
      expect(names(chosen), `seed ${seed}`).to.deep.equal(names(expected));
    }
  });
});

import { expect } from 'chai';
import { Timeline } from '../../../harness/observe/timeline.js';

const counts = (readyPods: number, readyNodes = 2, readyEndpoints = readyPods) => ({ readyPods, readyNodes, readyEndpoints });

describe('observe: Timeline, edges', () => {
  it('keeps a sample when any one count changes, each count stored as given', () => {
    const timeline = new Timeline();
    timeline.sample(0, true, counts(3, 2, 3));
    timeline.sample(10, true, counts(3, 1, 3));
    timeline.sample(20, true, counts(3, 1, 2));
    timeline.sample(30, true, counts(2, 1, 2));
    timeline.sample(40, true, counts(2, 1, 2));
    expect(timeline.samples()).to.deep.equal([
      { at: 0, holds: true, readyPods: 3, readyNodes: 2, readyEndpoints: 3 },
      { at: 10, holds: true, readyPods: 3, readyNodes: 1, readyEndpoints: 3 },
      { at: 20, holds: true, readyPods: 3, readyNodes: 1, readyEndpoints: 2 },
      { at: 30, holds: true, readyPods: 2, readyNodes: 1, readyEndpoints: 2 },
    ]);
  });

  it('a later evaluation of the same moment replaces it even when it equals nothing before', () => {
    const timeline = new Timeline();
    timeline.sample(5, true, counts(3));
    timeline.sample(5, false, counts(2));
    expect(timeline.samples().map((s) => [s.at, s.holds, s.readyPods])).to.deep.equal([[5, false, 2]]);
  });

  it('bounds the window inclusively at both ends, and opens it with the state in force before it', () => {
    const timeline = new Timeline();
    timeline.sample(0, true, counts(3));
    timeline.sample(20, false, counts(2));
    timeline.sample(40, true, counts(3));
    expect(timeline.samples(20, 40).map((s) => [s.at, s.holds])).to.deep.equal([[20, false], [40, true]]);
    expect(timeline.samples(21, 39).map((s) => [s.at, s.holds])).to.deep.equal([[21, false]]);
    expect(timeline.samples(undefined, 20).map((s) => s.at)).to.deep.equal([0, 20]);
    expect(timeline.samples(50).map((s) => [s.at, s.holds])).to.deep.equal([[50, true]]);
    // Before the first sample there is no state in force.
    expect(timeline.samples(-10, 10).map((s) => s.at)).to.deep.equal([0]);
    expect(new Timeline().samples(0)).to.deep.equal([]);
  });

  it('keeps markers of the same moment in the order they were added, and bounds them inclusively', () => {
    const timeline = new Timeline();
    timeline.mark(100, 'injected', 'first');
    timeline.mark(100, 'broken', 'second');
    timeline.mark(100, 'note', 'third');
    timeline.mark(200, 'recovered', 'last');
    expect(timeline.markers().map((m) => m.label)).to.deep.equal(['first', 'second', 'third', 'last']);
    expect(timeline.markers(100, 100).map((m) => m.label)).to.deep.equal(['first', 'second', 'third']);
    expect(timeline.markers(101).map((m) => m.label)).to.deep.equal(['last']);
    expect(timeline.markers(undefined, 199).map((m) => m.label)).to.deep.equal(['first', 'second', 'third']);
    expect(timeline.markers()[0]).to.deep.equal({ at: 100, kind: 'injected', label: 'first' });
  });

  it('keeps at most maxSamples markers, dropping the oldest', () => {
    const timeline = new Timeline({ maxSamples: 3 });
    for (let at = 0; at < 5; at += 1) timeline.mark(at, 'note', `m${at}`);
    expect(timeline.markers().map((m) => m.label)).to.deep.equal(['m2', 'm3', 'm4']);
  });

  it('keeps at least two samples whatever maxSamples says', () => {
    const timeline = new Timeline({ maxSamples: 0 });
    timeline.sample(0, true, counts(1));
    timeline.sample(1, true, counts(2));
    expect(timeline.samples().map((s) => s.at)).to.deep.equal([0, 1]);
    timeline.sample(2, true, counts(3));
    expect(timeline.samples().map((s) => s.at)).to.deep.equal([1, 2]);
  });

  it('thins every other sample that does not change holds, keeping the first, the changes and the last', () => {
    const timeline = new Timeline({ maxSamples: 6 });
    for (let at = 0; at < 7; at += 1) timeline.sample(at, at < 4, counts(at));
    // Seven samples, one over: of the samples that do not change holds, 2 and 5 (each after one kept) go; 4 (holds
    // turns false) and 6 (the last) stay.
    expect(timeline.samples().map((s) => [s.at, s.holds])).to.deep.equal([[0, true], [1, true], [3, true], [4, false], [6, false]]);
  });

  it('drops the oldest samples when thinning alone cannot get under the bound', () => {
    const timeline = new Timeline({ maxSamples: 3 });
    for (let at = 0; at < 4; at += 1) timeline.sample(at, at % 2 === 0, counts(1));
    expect(timeline.samples().map((s) => [s.at, s.holds])).to.deep.equal([[1, false], [2, true], [3, false]]);
  });
});

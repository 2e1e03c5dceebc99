import { expect } from 'chai';
import { Timeline } from '../../../harness/observe/timeline.js';

const counts = (readyPods: number) => ({ readyPods, readyNodes: 2, readyEndpoints: readyPods });

describe('observe: Timeline', () => {
  it('appends a sample on every change and coalesces identical ones', () => {
    const timeline = new Timeline();
    timeline.sample(0, true, counts(3));
    timeline.sample(10, true, counts(3));
    timeline.sample(20, false, counts(2));
    timeline.sample(30, false, counts(2));
    timeline.sample(40, true, counts(3));
    expect(timeline.samples().map((s) => [s.at, s.holds, s.readyPods])).to.deep.equal([[0, true, 3], [20, false, 2], [40, true, 3]]);
  });

  it('keeps the last evaluation of a moment, and takes a stamp that goes back as the last moment', () => {
    const timeline = new Timeline();
    timeline.sample(0, true, counts(3));
    timeline.sample(20, false, counts(2));
    timeline.sample(20, true, counts(3));
    expect(timeline.samples().map((s) => [s.at, s.holds])).to.deep.equal([[0, true]]);
    timeline.sample(30, false, counts(2));
    timeline.sample(25, false, counts(1));
    expect(timeline.samples().map((s) => [s.at, s.readyPods])).to.deep.equal([[0, 3], [30, 1]]);
  });

  it('stays within maxSamples, keeping every change of holds', () => {
    const timeline = new Timeline({ maxSamples: 50 });
    for (let at = 0; at < 1000; at += 1) timeline.sample(at, Math.floor(at / 100) % 2 === 0, counts(at % 7));
    const samples = timeline.samples();
    expect(samples.length).to.be.at.most(50);
    const changes = samples.filter((s, i) => i > 0 && s.holds !== samples[i - 1]?.holds).map((s) => s.at);
    expect(changes).to.deep.equal([100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(samples.at(-1)?.at).to.equal(999);
  });

  it('gives the samples of a window, starting with the state in force when it opens', () => {
    const timeline = new Timeline();
    timeline.sample(0, true, counts(3));
    timeline.sample(20, false, counts(2));
    timeline.sample(40, true, counts(3));
    expect(timeline.samples(10, 30).map((s) => [s.at, s.holds])).to.deep.equal([[10, true], [20, false]]);
    expect(timeline.samples(20).map((s) => s.at)).to.deep.equal([20, 40]);
  });

  it('keeps markers in time order, whatever order they are added in', () => {
    const timeline = new Timeline();
    timeline.mark(100, 'injected', 'podKill: web-abc');
    timeline.mark(50, 'note', 'trial 1 T0');
    timeline.mark(300, 'recovered', 'steady state back');
    timeline.mark(120, 'broken', 'steady state broken');
    expect(timeline.markers().map((m) => m.kind)).to.deep.equal(['note', 'injected', 'broken', 'recovered']);
    expect(timeline.markers(100, 200).map((m) => m.at)).to.deep.equal([100, 120]);
  });
});

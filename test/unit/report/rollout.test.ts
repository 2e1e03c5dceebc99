import { expect } from 'chai';
import { rolloutLines } from '../../../harness/report/figures.js';
import { renderHtml } from '../../../harness/report/html.js';
import { renderMarkdown } from '../../../harness/report/markdown.js';
import type { RolloutResult } from '../../../harness/report/result.js';
import { FIXTURES, loadFixture } from './support.js';

const base: RolloutResult = {
  fault: 0, kind: 'Deployment', name: 'web', namespace: 'ns',
  oldRevision: 'aaa', newRevision: 'bbb', oldReplicaSet: 'web-aaa', newReplicaSet: 'web-bbb',
  startedAt: '2026-01-01T00:00:00.000Z', completedAt: null, rolloutTimeMs: null, stalledAt: '2026-01-01T00:00:06.000Z',
  rollback: { startedAt: '2026-01-01T00:00:06.010Z', completedAt: '2026-01-01T00:00:06.400Z', timeMs: 390 },
  lowestAvailable: 3, floor: 3, floorReason: '4 replicas - maxUnavailable 25% (1)', revisions: [], error: null,
};

describe('report: rollout lines', () => {
  it('says the revisions, the stall, the rollback and its time, and the lowest availability against the floor', () => {
    expect(rolloutLines(base)).to.deep.equal([
      'rollout of Deployment web: web-aaa → web-bbb',
      'stalled (Progressing=False, ProgressDeadlineExceeded) 6.00s after it started',
      'rolled back: written 6.01s after it started, every replica back on the old revision 390ms later',
      'lowest availability 3, floor 3 (4 replicas - maxUnavailable 25% (1))',
    ]);
  });

  it('says when the floor was crossed, and when a rollout completed', () => {
    const lines = rolloutLines({ ...base, stalledAt: null, rollback: null, completedAt: '2026-01-01T00:00:01.200Z', rolloutTimeMs: 1200, lowestAvailable: 0 });
    expect(lines).to.include('completed in 1.20s');
    expect(lines).to.include('lowest availability 0, floor 3 (4 replicas - maxUnavailable 25% (1)): CROSSED');
  });

  it('shows a recorded rollout in summary.md and as two revision series on the HTML timeline', async () => {
    const result = await loadFixture(FIXTURES.rolloutUnavailable);
    const rollout = result.scenarios[0]?.trials[0]?.rollouts?.[0];
    expect(rollout?.rollback?.timeMs ?? 0).to.be.above(0);
    const markdown = renderMarkdown(result);
    expect(markdown).to.contain('### Rollouts: fail-rollout-unavailable');
    expect(markdown).to.match(/- trial 1 \(FAIL\): rollout of Deployment rollout-web: rollout-web-\w+ → rollout-web-\w+\n {2}- stalled/);
    expect(markdown).to.contain('  - lowest availability 0, floor 3 (min 3): CROSSED');
    const html = renderHtml(result);
    expect(html).to.contain('rollout-web: old revision ready');
    expect(html).to.contain('rollout-web: new revision ready');
    expect(html).to.contain('<h4>Rollouts</h4>');
  });
});

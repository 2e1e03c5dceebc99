import { expect } from 'chai';
import { driftLines } from '../../../harness/report/figures.js';
import { renderHtml } from '../../../harness/report/html.js';
import { renderJUnit } from '../../../harness/report/junit.js';
import { renderMarkdown } from '../../../harness/report/markdown.js';
import { editable, FIXTURES, loadFixture } from './support.js';

describe('report: drift', () => {
  it('names the drifted field, who wrote it, and that rebound reverted it when nobody did', async () => {
    const result = await loadFixture(FIXTURES.driftReplicas);
    const trial = result.scenarios[0]?.trials[0];
    expect(trial?.drift?.fields[0]).to.deep.include({ field: 'spec.replicas', restoredAt: null, restoredBy: null });
    const line = 'drift: spec.replicas of Deployment/web (written by rebound-patch): not restored by the system; rebound reverted it after the trial';
    expect(trial && driftLines(trial)).to.deep.equal([line]);
    expect(renderMarkdown(result)).to.contain('### Drift: fail-drift-replicas').and.to.contain('drift: spec.replicas of Deployment/web');
    expect(renderJUnit(result)).to.contain(line);
    expect(renderHtml(result)).to.contain('<h4>Drift</h4>').and.to.contain('spec.replicas of Deployment/web');
  });

  it('says who restored a field and how long it took', async () => {
    const result = editable(await loadFixture(FIXTURES.driftReplicas));
    const field = result.scenarios[0]?.trials[0]?.drift?.fields[0];
    if (!field) throw new Error('the fixture has a drifted field');
    field.restoredAt = new Date(Date.parse(field.driftedAt) + 1250).toISOString();
    field.restoredBy = { manager: 'argocd-controller', operation: 'Apply', time: field.driftedAt };
    const trial = result.scenarios[0]?.trials[0];
    expect(trial && driftLines(trial)[0]).to.match(/restored by argocd-controller \(Apply\) after 1\.25 ?s$/);
  });

  it('reports the pods a patch orphaned', async () => {
    const result = await loadFixture(FIXTURES.driftPodRelabel);
    for (const trial of result.scenarios[0]?.trials ?? []) {
      expect(trial.verdict).to.equal('PASS');
      const [orphan] = trial.drift?.orphans ?? [];
      expect(driftLines(trial)).to.deep.equal([`orphan: pod ${orphan?.name ?? '?'} left ${orphan?.formerOwner ?? '?'} and ran on unowned; rebound deleted it after the trial`]);
      expect(orphan?.formerOwner).to.match(/^ReplicaSet\/web-/);
    }
  });
});

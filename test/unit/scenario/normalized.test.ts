import { expect } from 'chai';
import { baseScenario, loadData, removeTemporaryFolders, show } from './support.js';

type Doc = ReturnType<typeof baseScenario>;
interface Part { kind: string; params: Record<string, unknown> }
interface Loaded { spec: { faults: Part[]; steadyState: Part[] } }

/** The base scenario with these faults and checks, loaded: the normalized parameters, as the run receives them. */
async function normalized(faults: unknown[], steadyState: unknown[]): Promise<Loaded['spec']> {
  const doc: Doc = baseScenario();
  doc.spec = { ...doc.spec, faults, steadyState };
  const result = await loadData(doc);
  expect(result.errors, show(result.errors)).to.deep.equal([]);
  return (result.scenario as unknown as Loaded).spec;
}

/** A value with Durations printed, so expectations can be written as the scenario file writes them. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (v !== null && typeof v === 'object' && 'toMilliseconds' in v ? String(v) : v))) as unknown;
}

describe('scenario: what the loader hands the run (normalized parameters)', () => {
  after(removeTemporaryFolders);

  it('keeps node targets and durations of nodePause and networkPartition', async () => {
    const { faults } = await normalized([
      { nodePause: { nodesOf: 'app=web', namespace: 'web', duration: '20s' } },
      { networkPartition: { selector: 'zone=a', duration: '15s' } },
    ], [{ podsReady: { selector: 'app=web', count: 3 } }]);
    expect(plain(faults.map((f) => [f.kind, f.params]))).to.deep.equal([
      ['nodePause', { nodesOf: 'app=web', namespace: 'web', count: 1, duration: '20s' }],
      ['networkPartition', { selector: 'zone=a', count: 1, duration: '15s' }],
    ]);
  });

  it('gives a rollout\'s set each of image, env and annotations, as given', async () => {
    const { faults } = await normalized([
      { rollout: { name: 'web', set: { image: { web: 'app:v2' }, env: { web: { MODE: 'x' } }, annotations: { a: 'b' } } } },
    ], [{ podsReady: { selector: 'app=web', count: 3 } }]);
    expect((faults[0]?.params as { change: unknown }).change).to.deep.equal({ kind: 'set', image: { web: 'app:v2' }, env: { web: { MODE: 'x' } }, annotations: { a: 'b' } });
  });

  it('fills the checks\' defaults and keeps what was given', async () => {
    const { steadyState } = await normalized([{ podKill: { selector: 'app=web' } }], [
      { workloadAvailable: { kind: 'Deployment', name: 'web', namespace: 'other' } },
      { availableAtLeast: { name: 'web', min: 2 } },
      { availableAtLeast: { kind: 'StatefulSet', name: 'db', percent: 50 } },
      { availableAtLeast: { name: 'web' } },
      { rolledOut: { name: 'web', namespace: 'other' } },
      { object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', jsonPath: '{.spec.replicas}', equals: 3 } },
      { object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', jsonPath: '{.metadata.name}', matches: '^we' } },
    ]);
    expect(steadyState.map((c) => [c.kind, c.params])).to.deep.equal([
      ['workloadAvailable', { kind: 'Deployment', name: 'web', namespace: 'other' }],
      ['availableAtLeast', { kind: 'Deployment', name: 'web', floor: { min: 2 } }],
      ['availableAtLeast', { kind: 'StatefulSet', name: 'db', floor: { percent: 50 } }],
      ['availableAtLeast', { kind: 'Deployment', name: 'web', floor: { derived: true } }],
      ['rolledOut', { kind: 'Deployment', name: 'web', namespace: 'other' }],
      ['object', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', jsonPath: '{.spec.replicas}', equals: '3' }],
      ['object', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', jsonPath: '{.metadata.name}', matches: '^we' }],
    ]);
  });
});

import { expect } from 'chai';
import type { Comparison, ScenarioComparison, SideSummary } from '../../../harness/compare/compare.js';
import { bracket, pClause, percentText, pText, times } from '../../../harness/compare/format.js';
import { renderMarkdown, renderTable, warningsOf } from '../../../harness/compare/render.js';
import { LOCAL_ENVIRONMENT } from './support.js';

// The output of a comparison written by hand (no statistics run): every line of compare.md and of the terminal table.

const side = (times: number[], extra: Partial<SideSummary> = {}): SideSummary => ({
  trials: times.length, recoveryTimesMs: times, medianMs: times.length ? times[Math.floor(times.length / 2)] : null,
  p95Ms: times.length ? Math.max(...times) : null, undisrupted: 0, unrecovered: 0, errors: 0, ...extra,
});

const web: ScenarioComparison = {
  name: 'web|front',
  verdict: 'regressed',
  reason: 'slower beyond the allowed x1.10 (+10%): *median* x1.30',
  baseline: side([1000, 2000, 3000]),
  candidate: side([1500, 2600, 3900], { trials: 5, undisrupted: 1, unrecovered: 1 }),
  ratio: { estimate: 1.3, lower: 1.125, upper: Infinity, confidence: 0.95, resamples: 500 },
  test: { u: 8, p: 0.00004, method: 'exact', ties: false },
  neededPerSide: null,
  warnings: ['the scenario itself differs between the runs (steadyState)'],
  load: [{
    figure: 'failedRequests', baseline: [1, 2], candidate: [30, 40], baselineMedian: 1.5, candidateMedian: 35,
    test: null, verdict: 'regressed', reason: 'more failed requests',
  }],
};

const db: ScenarioComparison = {
  name: 'db',
  verdict: 'inconclusive',
  reason: 'too few trials',
  baseline: side([1000], { trials: 2, errors: 1 }),
  candidate: side([]),
  ratio: null,
  test: null,
  neededPerSide: 4,
  warnings: [],
  load: [],
};

const cache: ScenarioComparison = { ...db, name: 'cache', verdict: 'improved', reason: 'faster', neededPerSide: null, candidate: side([500]) };

const comparison: Comparison = {
  schemaVersion: 1,
  verdict: 'regressed',
  options: { maxRegression: 0.1, alpha: 0.05, seed: 7, resamples: 500 },
  baseline: { file: 'base/results.json', startedAt: '2026-01-01T00:00:00.000Z', verdict: 'PASS', environment: LOCAL_ENVIRONMENT },
  candidate: {
    file: null, startedAt: '2026-01-02T00:00:00.000Z', verdict: 'FAIL',
    environment: { ...LOCAL_ENVIRONMENT, kubernetesVersion: null, nodeCount: null },
  },
  warnings: ['node count differs'],
  varsChanged: [{ name: 'IMAGE', baseline: 'v1', candidate: null }, { name: 'TAG', baseline: null, candidate: 'x' }],
  scenarios: [web, db, cache],
  onlyInBaseline: [],
  onlyInCandidate: [],
};

describe('compare output, line by line', () => {
  it('writes compare.md: the runs, the settings, the warnings, the table and a section per scenario', () => {
    expect(renderMarkdown(comparison).split('\n')).to.deep.equal([
      '# rebound compare',
      '',
      '- Baseline: `base/results.json`, started 2026-01-01T00:00:00.000Z, PASS; local, Kubernetes v1.34.4, 3 nodes, rebound 0.1.0',
      '- Candidate: started 2026-01-02T00:00:00.000Z, FAIL; local, Kubernetes unknown, ? nodes, rebound 0.1.0',
      '- Regression allowed: +10%; significance: p < 0.05 (two-sided Mann-Whitney U); ratio of medians with a 95% percentile bootstrap interval '
        + '(500 resamples, seed 7)',
      '- Vars that differ: `IMAGE` v1 -> (unset), `TAG` (unset) -> x',
      '',
      '> [!WARNING]',
      '> **The two runs may not be comparable (2 warnings):**',
      '> - node count differs',
      '> - web\\|front: the scenario itself differs between the runs (steadyState)',
      '',
      '**REGRESSED: 3 scenarios compared (1 regressed, 1 improved, 0 unchanged, 1 inconclusive)**',
      '',
      '| Scenario | Baseline median | Baseline p95 | Candidate median | Candidate p95 | Ratio [95% CI] | p | n (baseline/candidate) | Verdict |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      '| web\\|front | 2.00s | 3.00s | 2.60s | 3.90s | x1.30 \\[1.13, unbounded\\] | \\<0.0001 (exact) | 3/3 | **regressed** |',
      '| db | 1.00s | 1.00s | - | - | - | - | 1/0 | inconclusive (need 4+ per side) |',
      '| cache | 1.00s | 1.00s | 0.50s | 0.50s | - | - | 1/1 | improved |',
      '',
      '## web\\|front: regressed',
      '',
      'slower beyond the allowed x1.10 (+10%): \\*median\\* x1.30',
      '',
      '- Baseline: 3 trials, 3 measured: 1.00s, 2.00s, 3.00s',
      '- Candidate: 5 trials, 3 measured (left out: 1 never broke, 1 did not recover in time): 1.50s, 2.60s, 3.90s',
      '- Under load: regressed: more failed requests (per trial: 1, 2 -> 30, 40)',
      '- **Warning**: the scenario itself differs between the runs (steadyState)',
      '',
      '## db: inconclusive',
      '',
      'too few trials',
      '',
      '- Baseline: 2 trials, 1 measured (left out: 1 ERROR): 1.00s',
      '- Candidate: 0 trials, 0 measured',
      '',
      '## cache: improved',
      '',
      'faster',
      '',
      '- Baseline: 2 trials, 1 measured (left out: 1 ERROR): 1.00s',
      '- Candidate: 1 trial, 1 measured: 0.50s',
      '',
    ]);
  });

  it('leaves out what a comparison does not have: vars, warnings, scenarios, an environment', () => {
    const bare: Comparison = {
      ...comparison, verdict: 'unchanged', warnings: [], varsChanged: [], scenarios: [],
      baseline: { ...comparison.baseline, environment: null },
    };
    const markdown = renderMarkdown(bare);
    expect(markdown).to.equal([
      '# rebound compare',
      '',
      '- Baseline: `base/results.json`, started 2026-01-01T00:00:00.000Z, PASS; environment unknown',
      '- Candidate: started 2026-01-02T00:00:00.000Z, FAIL; local, Kubernetes unknown, ? nodes, rebound 0.1.0',
      '- Regression allowed: +10%; significance: p < 0.05 (two-sided Mann-Whitney U); ratio of medians with a 95% percentile bootstrap interval '
        + '(500 resamples, seed 7)',
      '',
      '**UNCHANGED: 0 scenarios compared (0 regressed, 0 improved, 0 unchanged, 0 inconclusive)**',
      '',
    ].join('\n'));
    const one: Comparison = { ...bare, scenarios: [cache], warnings: ['only one'] };
    expect(renderMarkdown(one)).to.contain('> **The two runs may not be comparable (1 warning):**');
    expect(renderMarkdown(one)).to.contain('**UNCHANGED: 1 scenario compared (0 regressed, 1 improved, 0 unchanged, 0 inconclusive)**');
  });

  it('prints the terminal table aligned, the reasons under it, and the verdict last', () => {
    expect(renderTable(comparison)).to.deep.equal([
      'SCENARIO   BASE MEDIAN  BASE P95  CAND MEDIAN  CAND P95  RATIO [CI]               P                N (B/C)  VERDICT',
      'web|front  2.00s        3.00s     2.60s        3.90s     x1.30 [1.13, unbounded]  <0.0001 (exact)  3/3      regressed',
      'db         1.00s        1.00s     -            -         -                        -                1/0      inconclusive (need 4+ per side)',
      'cache      1.00s        1.00s     0.50s        0.50s     -                        -                1/1      improved',
      '',
      'web|front: regressed: slower beyond the allowed x1.10 (+10%): *median* x1.30',
      '  under load: regressed: more failed requests',
      'db: inconclusive: too few trials',
      'cache: improved: faster',
      '',
      'REGRESSED: 3 scenarios compared (1 regressed, 1 improved, 0 unchanged, 1 inconclusive)',
    ]);
    expect(warningsOf(comparison)).to.deep.equal(['node count differs', 'web|front: the scenario itself differs between the runs (steadyState)']);
  });

  it('writes figures the same way everywhere', () => {
    expect(times(1.305)).to.equal('x1.30');
    expect(times(null)).to.equal('unbounded');
    expect(times(Infinity)).to.equal('unbounded');
    expect(bracket(0.5, 2)).to.equal('[0.50, 2.00]');
    expect(bracket(null, Infinity)).to.equal('[unbounded, unbounded]');
    expect(percentText(0.1)).to.equal('10%');
    expect(percentText(0.025)).to.equal('2.5%');
    expect(percentText(1 / 3)).to.equal('33.33%');
    expect(pText(0.0001)).to.equal('0.0001');
    expect(pText(0.0000999)).to.equal('<0.0001');
    expect(pText(0.031746)).to.equal('0.032');
    expect(pText(1)).to.equal('1');
    expect(pClause(0.031746)).to.equal('p = 0.032');
    expect(pClause(0.00001)).to.equal('p < 0.0001');
  });
});

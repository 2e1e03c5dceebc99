import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { compareRuns, gate, type Comparison } from '../../../harness/compare/compare.js';
import { compareDisruptionLoad } from '../../../harness/compare/disruption-load.js';
import { environmentWarnings } from '../../../harness/compare/environment.js';
import { checkCompareSettings, parseAlpha, parseMaxRegression } from '../../../harness/compare/options.js';
import { renderMarkdown, renderTable, warningsOf, writeComparison } from '../../../harness/compare/render.js';
import { UsageError } from '../../../harness/errors.js';
import { LOCAL_ENVIRONMENT, noisy, runOf, scenarioOf, type TrialSpec } from './support.js';

// 500 bootstrap resamples rather than the default 10,000: the verdicts of these cases are the same either way and the
// tests stay quick (a mutation run repeats them once per mutant). One test below runs with the default.
const OPTIONS = { maxRegression: 0.1, alpha: 0.05, seed: 3, resamples: 500 };

function only(comparison: Comparison): Comparison['scenarios'][number] {
  expect(comparison.scenarios).to.have.length(1);
  return comparison.scenarios[0];
}

describe('compareRuns: verdicts', () => {
  it('calls a candidate 30% slower over 10 trials each a regression', () => {
    const baseline = runOf([scenarioOf('web', noisy(1, 'baseline', 10, 2000))]);
    const candidate = runOf([scenarioOf('web', noisy(1, 'candidate', 10, 2600))]);
    const comparison = compareRuns(baseline, candidate, OPTIONS);
    const web = only(comparison);
    expect(web.verdict).to.equal('regressed');
    expect(web.test?.method).to.equal('exact');
    expect(web.test?.p).to.be.below(0.05);
    expect(web.ratio?.estimate).to.be.closeTo(1.3, 0.08);
    expect(web.ratio?.lower).to.be.above(1.1);
    expect(web.reason).to.contain('slower beyond the allowed x1.10 (+10%)');
    expect(comparison.verdict).to.equal('regressed');
  });

  it('never calls identical distributions a regression, over 20 seeds of noise', () => {
    const verdicts = [];
    for (let seed = 1; seed <= 20; seed += 1) {
      const baseline = runOf([scenarioOf('web', noisy(seed, 'baseline', 10, 2000, 0.2))]);
      const candidate = runOf([scenarioOf('web', noisy(seed, 'candidate', 10, 2000, 0.2))]);
      verdicts.push(only(compareRuns(baseline, candidate, { ...OPTIONS, seed })).verdict);
    }
    expect(verdicts).to.not.include('regressed');
    expect(verdicts.filter((v) => v === 'unchanged').length).to.be.at.least(18);
  });

  it('calls 3 against 3 inconclusive, however large the slowdown, and says how many trials would do', () => {
    const comparison = compareRuns(runOf([scenarioOf('web', [2000, 2100, 1900])]), runOf([scenarioOf('web', [4000, 4200, 3800])]), OPTIONS);
    const web = only(comparison);
    expect(web).to.deep.include({ verdict: 'inconclusive', neededPerSide: 4 });
    expect(web.reason).to.contain('need at least 4 per side');
    expect(web.reason).to.contain('the smallest possible p is 0.1');
    // The figures are still there to read.
    expect(web.ratio?.estimate).to.equal(2);
    expect(comparison.verdict).to.equal('inconclusive');
    // A stricter alpha needs more.
    expect(only(compareRuns(runOf([scenarioOf('web', [1, 2, 3, 4])]), runOf([scenarioOf('web', [5, 6, 7, 8])]), { ...OPTIONS, alpha: 0.01 })).neededPerSide).to.equal(5);
  });

  it('calls a scenario with no recovery time on one side inconclusive', () => {
    // Three against three: too few for the recovery rates to differ significantly (p = 1/20), so no regression either.
    const candidate = runOf([scenarioOf('web', [{ verdict: 'FAIL' }, { verdict: 'FAIL' }, { verdict: 'FAIL' }])]);
    const web = only(compareRuns(runOf([scenarioOf('web', [1, 2, 3])]), candidate, OPTIONS));
    expect(web).to.deep.include({ verdict: 'inconclusive', ratio: null, test: null, neededPerSide: 4 });
    expect(web.reason).to.contain('the candidate has no trial that broke and recovered');
  });

  it('calls a candidate 30% faster improved', () => {
    const web = only(compareRuns(runOf([scenarioOf('web', noisy(4, 'b', 10, 2000))]), runOf([scenarioOf('web', noisy(4, 'c', 10, 1400))]), OPTIONS));
    expect(web.verdict).to.equal('improved');
    expect(web.ratio?.upper).to.be.below(1);
  });

  it('lets a significant slowdown within the allowance pass as unchanged, and says so', () => {
    const web = only(compareRuns(runOf([scenarioOf('web', noisy(5, 'b', 12, 2000, 0.01))]), runOf([scenarioOf('web', noisy(5, 'c', 12, 2100, 0.01))]), OPTIONS));
    expect(web.test?.p).to.be.below(0.05);
    expect(web.verdict).to.equal('unchanged');
    expect(web.reason).to.match(/^slower, within the allowed x1\.10/);
    // With no allowance at all, the same 5% is a regression.
    const strict = only(compareRuns(runOf([scenarioOf('web', noisy(5, 'b', 12, 2000, 0.01))]), runOf([scenarioOf('web', noisy(5, 'c', 12, 2100, 0.01))]), { ...OPTIONS, maxRegression: 0 }));
    expect(strict.verdict).to.equal('regressed');
  });

  it('does not call a regression the interval of the medians does not confirm, and says more trials would settle it', () => {
    // Seed 12 of very noisy data (+-30%): the ranks differ (p < 0.05) and the median is 30% up, but the interval reaches 1.
    const baseline = runOf([scenarioOf('web', noisy(12, 'b', 10, 2000, 0.3))]);
    const candidate = runOf([scenarioOf('web', noisy(12, 'c', 10, 2600, 0.3))]);
    const web = only(compareRuns(baseline, candidate, OPTIONS));
    expect(web.test?.p).to.be.below(0.05);
    expect(web.ratio?.estimate).to.be.above(1.1);
    expect(web.ratio?.lower).to.be.at.most(1);
    expect(web.verdict).to.equal('unchanged');
    expect(web.reason).to.contain('interval of the median ratio includes 1');
    expect(web.reason).to.contain('more trials would settle it');
  });

  it('has the error rates compare.ts documents: about 1% false alarms, about 93% of 30% slowdowns caught', () => {
    // 10 trials a side, noise +-20% (uniform), 100 seeds each; 300 resamples to keep the test quick. The counts on
    // these seeds: 1 false alarm and 95 caught with 300 resamples, and the same with the default 10,000.
    const regressions = (factor: number): number => {
      let count = 0;
      for (let seed = 1; seed <= 100; seed += 1) {
        const baseline = runOf([scenarioOf('web', noisy(seed, 'baseline', 10, 2000, 0.2))]);
        const candidate = runOf([scenarioOf('web', noisy(seed, 'candidate', 10, 2000 * factor, 0.2))]);
        if (only(compareRuns(baseline, candidate, { ...OPTIONS, seed, resamples: 300 })).verdict === 'regressed') count += 1;
      }
      return count;
    };
    expect(regressions(1)).to.be.at.most(3);
    expect(regressions(1.3)).to.be.at.least(85);
  });

  it('rolls the run up: regressed if any scenario regressed, and gate() says so', () => {
    const baseline = runOf([scenarioOf('web', noisy(6, 'b1', 10, 2000)), scenarioOf('db', noisy(6, 'b2', 10, 5000))]);
    const candidate = runOf([scenarioOf('web', noisy(6, 'c1', 10, 2000)), scenarioOf('db', noisy(6, 'c2', 10, 8000))]);
    const result = gate(baseline, candidate, OPTIONS);
    expect(result.comparison.scenarios.map((s) => [s.name, s.verdict])).to.deep.equal([['web', 'unchanged'], ['db', 'regressed']]);
    expect(result.regressed).to.equal(true);
    expect(result.comparison.verdict).to.equal('regressed');
    expect(gate(baseline, baseline, OPTIONS)).to.deep.include({ regressed: false });
    expect(gate(baseline, baseline, OPTIONS).comparison.verdict).to.equal('unchanged');
  });

  it('is reproducible: the same inputs and seed give the same comparison, recorded with its settings', () => {
    const baseline = runOf([scenarioOf('web', noisy(7, 'b', 10, 2000))]);
    const candidate = runOf([scenarioOf('web', noisy(7, 'c', 10, 2200))]);
    const first = compareRuns(baseline, candidate, OPTIONS);
    expect(compareRuns(baseline, candidate, OPTIONS)).to.deep.equal(first);
    expect(first.options).to.deep.equal({ maxRegression: 0.1, alpha: 0.05, seed: 3, resamples: 500 });
    // Left out, the seed is 0 and the resamples 10,000.
    const byDefault = compareRuns(baseline, candidate, { maxRegression: 0.1, alpha: 0.05 });
    expect(byDefault.options).to.deep.equal({ maxRegression: 0.1, alpha: 0.05, seed: 0, resamples: 10_000 });
    expect(byDefault.scenarios[0]?.ratio?.resamples).to.equal(10_000);
  });

  it('refuses settings out of range with a usage error', () => {
    const run = runOf([scenarioOf('web', [1, 2, 3, 4])]);
    expect(() => compareRuns(run, run, { maxRegression: -0.1, alpha: 0.05 })).to.throw(UsageError);
    expect(() => compareRuns(run, run, { maxRegression: 0.1, alpha: 1.5 })).to.throw(UsageError);
  });
});

describe('compareRuns: which trials count', () => {
  it('takes median and p95 over the trials that broke and recovered (values from numpy)', () => {
    // numpy.median / numpy.percentile(x, 95) of [1200, 1350, 1350, 1420, 1500, 1610, 1700, 1700, 1850, 2100]: 1555.0 and 1987.4999999999998
    const times = [1200, 1350, 1350, 1420, 1500, 1610, 1700, 1700, 1850, 2100];
    const web = only(compareRuns(runOf([scenarioOf('web', times)]), runOf([scenarioOf('web', [...times].reverse())]), OPTIONS));
    expect(web.baseline.medianMs).to.equal(1555);
    expect(web.baseline.p95Ms).to.be.closeTo(1987.5, 1e-9);
    expect(web.candidate.medianMs).to.equal(1555);
    expect(web.verdict).to.equal('unchanged');
    expect(web.ratio?.estimate).to.equal(1);
    expect(web.test?.p).to.equal(1);
  });

  it('leaves out undisrupted, unrecovered and ERROR trials, counts them, and keeps a FAIL that did recover', () => {
    const trials = [
      1000, 1100, 1200, 1300,
      { undisrupted: true },
      { verdict: 'FAIL' as const },
      { verdict: 'FAIL' as const, recoveryTimeMs: 1400 },
      { verdict: 'ERROR' as const },
    ];
    const baseline = runOf([scenarioOf('web', [1000, 1100, 1200, 1300, 1400])]);
    const web = only(compareRuns(baseline, runOf([scenarioOf('web', trials)]), OPTIONS));
    expect(web.candidate).to.deep.include({ trials: 8, undisrupted: 1, unrecovered: 1, errors: 1 });
    expect(web.candidate.recoveryTimesMs).to.deep.equal([1000, 1100, 1200, 1300, 1400]);
    expect(web.warnings.join('\n')).to.contain('the candidate did not recover in time in 1 of 8 trials (baseline: 0 of 5)');
    expect(web.warnings.join('\n')).to.contain('ERROR, ABORTED or SKIPPED trials left out: 0 baseline, 1 candidate');
  });

  it('finds a candidate that recovers less often: regressed when Fisher\'s exact test says so, else only a warning', () => {
    const recovered = [900, 950, 1000, 1050];
    const never = [{ verdict: 'FAIL' as const }, { verdict: 'FAIL' as const }, { verdict: 'FAIL' as const }, { verdict: 'FAIL' as const }];
    const four = only(compareRuns(runOf([scenarioOf('drift', recovered)]), runOf([scenarioOf('drift', never)]), OPTIONS));
    expect(four.verdict).to.equal('regressed');
    expect(four.reason).to.match(/^recovers less often: the candidate did not recover in time in 4 of 4 trials that broke, the baseline in 0 of 4 \(Fisher's exact test, one-sided, p = 0\.014/);
    // Two against two can never be significant (p = 1/6): the figures are too few to call it.
    const two = only(compareRuns(runOf([scenarioOf('drift', recovered.slice(0, 2))]), runOf([scenarioOf('drift', never.slice(0, 2))]), OPTIONS));
    expect(two.verdict).to.equal('inconclusive');
    expect(two.warnings.join('\n')).to.contain('the candidate did not recover in time in 2 of 2 trials');
    // The baseline failing as often is no regression of the candidate's.
    const same = only(compareRuns(runOf([scenarioOf('drift', never)]), runOf([scenarioOf('drift', never)]), OPTIONS));
    expect(same.verdict).to.not.equal('regressed');
  });

  it('lists scenarios present in one run only, and compares the rest', () => {
    const baseline = runOf([scenarioOf('web', [1, 2, 3, 4]), scenarioOf('gone', [1, 2, 3, 4])]);
    const candidate = runOf([scenarioOf('web', [1, 2, 3, 4]), scenarioOf('new', [1, 2, 3, 4])]);
    const comparison = compareRuns(baseline, candidate, OPTIONS);
    expect(comparison.scenarios.map((s) => s.name)).to.deep.equal(['web']);
    expect(comparison).to.deep.include({ onlyInBaseline: ['gone'], onlyInCandidate: ['new'] });
    expect(comparison.warnings).to.include('not in the candidate, so not compared: gone');
  });

  it('warns when the scenario itself changed between the runs', () => {
    const web = only(compareRuns(runOf([scenarioOf('web', [1, 2, 3, 4])]), runOf([scenarioOf('web', [1, 2, 3, 4], ['podsReady app=web 5'])]), OPTIONS));
    expect(web.warnings.join('\n')).to.contain('the scenario itself differs between the runs (steadyState)');
  });
});

describe('compareRuns: environment fingerprints', () => {
  const times = [1000, 1100, 1200, 1300];

  it('says nothing when the environments match', () => {
    expect(compareRuns(runOf([scenarioOf('web', times)]), runOf([scenarioOf('web', times)]), OPTIONS).warnings).to.deep.equal([]);
  });

  it('warns about every difference that moves recovery times', () => {
    const other = {
      ...LOCAL_ENVIRONMENT,
      provider: 'kind',
      kubernetesVersion: 'v1.33.1',
      reboundVersion: '0.2.0',
      nodeCount: 5,
      timings: { ...LOCAL_ENVIRONMENT.timings, nodeMonitorGracePeriodSeconds: 40 },
      machine: { cpus: 2, loadAverage: [2.4, 2, 1], platform: 'linux' },
    };
    const warnings = compareRuns(runOf([scenarioOf('web', times)]), runOf([scenarioOf('web', times)], other), OPTIONS).warnings.join('\n');
    expect(warnings).to.contain('provider differs: local (baseline) vs kind (candidate)');
    expect(warnings).to.contain('Kubernetes version differs: v1.34.4 (baseline) vs v1.33.1 (candidate)');
    expect(warnings).to.contain('rebound version differs: 0.1.0 (baseline) vs 0.2.0 (candidate)');
    expect(warnings).to.contain('node count differs: 3 (baseline) vs 5 (candidate)');
    expect(warnings).to.contain('timing nodeMonitorGracePeriodSeconds differs: 6 (baseline) vs 40 (candidate)');
    expect(warnings).to.contain('machine load differs: 0.20 (baseline) vs 1.20 (candidate) per CPU');
    expect(warnings).to.not.contain('CPU count');
  });

  it('leaves a small load difference alone and warns when a run has no fingerprint', () => {
    const calm = { ...LOCAL_ENVIRONMENT, machine: { ...LOCAL_ENVIRONMENT.machine, loadAverage: [1.2, 1, 1] } };
    expect(compareRuns(runOf([scenarioOf('web', times)]), runOf([scenarioOf('web', times)], calm), OPTIONS).warnings).to.deep.equal([]);
    expect(compareRuns(runOf([scenarioOf('web', times)], null), runOf([scenarioOf('web', times)]), OPTIONS).warnings)
      .to.deep.equal(['the baseline does not record its environment: cannot check that the two runs are comparable']);
  });

  it('records --var values that differ, without a warning', () => {
    const comparison = compareRuns(
      runOf([scenarioOf('web', times)], LOCAL_ENVIRONMENT, { IMAGE: 'echo:v1', SAME: 'x' }),
      runOf([scenarioOf('web', times)], LOCAL_ENVIRONMENT, { IMAGE: 'echo:v2', SAME: 'x', DELAY: '2s' }),
      OPTIONS,
    );
    expect(comparison.varsChanged).to.deep.equal([
      { name: 'DELAY', baseline: null, candidate: '2s' },
      { name: 'IMAGE', baseline: 'echo:v1', candidate: 'echo:v2' },
    ]);
    expect(comparison.warnings).to.deep.equal([]);
  });
});

describe('compare output', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'rebound-compare-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const regressed = (): Comparison => compareRuns(
    runOf([scenarioOf('web', noisy(1, 'baseline', 10, 2000)), scenarioOf('db', [1000, 1100, 1200])]),
    runOf([scenarioOf('web', noisy(1, 'candidate', 10, 2600)), scenarioOf('db', [1000, 1100, 1200])], { ...LOCAL_ENVIRONMENT, nodeCount: 5 }),
    { ...OPTIONS, files: { baseline: 'base/results.json', candidate: 'cand/results.json' } },
  );

  it('writes compare.md with the warnings above a table of every scenario', () => {
    const markdown = renderMarkdown(regressed());
    const warning = markdown.indexOf('node count differs');
    const table = markdown.indexOf('| Scenario | Baseline median | Baseline p95 | Candidate median | Candidate p95 | Ratio [95% CI] | p |');
    expect(warning).to.be.above(0);
    expect(table).to.be.above(warning);
    expect(markdown).to.contain('> [!WARNING]');
    expect(markdown).to.match(/\| web \| 2\.\d\ds \| 2\.\d\ds \| 2\.\d\ds \| 2\.\d\ds \| x1\.\d\d \\\[1\.\d\d, 1\.\d\d\\\] \| (\\<)?[\d.]+ \(exact\) \| 10\/10 \| \*\*regressed\*\* \|/);
    expect(markdown).to.contain('| db | 1.10s | 1.19s | 1.10s | 1.19s | x1.00 \\[');
    expect(markdown).to.contain('inconclusive (need 4+ per side)');
    expect(markdown).to.contain('**REGRESSED: 2 scenarios compared (1 regressed, 0 improved, 0 unchanged, 1 inconclusive)**');
    expect(markdown).to.contain('`base/results.json`');
  });

  it('prints an aligned table for the terminal, and gathers every warning', () => {
    const comparison = regressed();
    const lines = renderTable(comparison);
    expect(lines[0]).to.match(/^SCENARIO +BASE MEDIAN +BASE P95 +CAND MEDIAN +CAND P95 +RATIO \[CI\] +P +N \(B\/C\) +VERDICT$/);
    expect(lines.some((l) => /^web +.*regressed$/.test(l))).to.equal(true);
    expect(lines.at(-1)).to.equal('REGRESSED: 2 scenarios compared (1 regressed, 0 improved, 0 unchanged, 1 inconclusive)');
    expect(warningsOf(comparison)[0]).to.contain('node count differs');
  });

  it('writes compare.json, versioned, holding the comparison', () => {
    const comparison = regressed();
    const files = writeComparison(join(dir, 'out'), comparison);
    expect(files).to.deep.equal({ markdown: join(dir, 'out', 'compare.md'), json: join(dir, 'out', 'compare.json') });
    const written = JSON.parse(readFileSync(files.json, 'utf8')) as Comparison;
    expect(written.schemaVersion).to.equal(1);
    expect(written).to.deep.equal(JSON.parse(JSON.stringify(comparison)));
    expect(readFileSync(files.markdown, 'utf8')).to.equal(renderMarkdown(comparison));
  });
});

describe('compare options', () => {
  it('reads --max-regression as a percentage or a fraction', () => {
    expect(parseMaxRegression('10%')).to.be.closeTo(0.1, 1e-12);
    expect(parseMaxRegression('2.5%')).to.be.closeTo(0.025, 1e-12);
    expect(parseMaxRegression('0%')).to.equal(0);
    expect(parseMaxRegression('0.1')).to.be.closeTo(0.1, 1e-12);
    expect(parseMaxRegression('150%')).to.be.closeTo(1.5, 1e-12);
  });

  it('refuses what it would have to guess at, naming the option', () => {
    for (const bad of ['10', '-5%', 'ten', '', '5%%']) {
      expect(() => parseMaxRegression(bad), bad).to.throw(UsageError, /^--max-regression /);
    }
  });

  it('reads --alpha between 0 and 1', () => {
    expect(parseAlpha('0.05')).to.equal(0.05);
    expect(parseAlpha('1%')).to.be.closeTo(0.01, 1e-12);
    for (const bad of ['0', '1', '5', 'x', '-0.05']) expect(() => parseAlpha(bad), bad).to.throw(UsageError, /^--alpha /);
  });
});

describe('compare under load: what the disruption cost the clients', () => {
  const settings = { maxRegression: 0.1, alpha: 0.05, resamples: 500 };
  const underLoad = (recoveryMs: number, failed: number, p95Ms: number): TrialSpec => ({
    recoveryTimeMs: recoveryMs,
    load: { errorBudget: { failed, p95Ms } },
  });

  it('regresses a scenario whose failed requests grew, even when its recovery time did not', () => {
    const baseline = runOf([scenarioOf('web', [1000, 1010, 990, 1005, 995, 1000].map((ms, i) => underLoad(ms, 2 + (i % 2), 5)))]);
    const candidate = runOf([scenarioOf('web', [1000, 1010, 990, 1005, 995, 1000].map((ms, i) => underLoad(ms, 40 + i, 5)))]);
    const comparison = compareRuns(baseline, candidate, settings);
    const scenario = comparison.scenarios[0];
    expect(scenario?.verdict).to.equal('regressed');
    expect(scenario?.reason).to.match(/^failed requests during the disruption: more beyond the allowed \+10%: median 2\.5 -> 42\.5/);
    expect(scenario?.load.map((l) => [l.figure, l.verdict])).to.deep.equal([['failedRequests', 'regressed'], ['p95LatencyMs', 'unchanged']]);
    expect(comparison.verdict).to.equal('regressed');
  });

  it('leaves a scenario unchanged when both runs lost the same requests, and says when too few trials had load', () => {
    const same = (seed: number) => runOf([scenarioOf('web', [1000, 1010, 990, 1005, 995, 1000].map((ms, i) => underLoad(ms, 3 + ((i + seed) % 2), 5 + (i % 3))))]);
    const comparison = compareRuns(same(0), same(1), settings);
    expect(comparison.scenarios[0]?.load.every((l) => l.verdict === 'unchanged')).to.equal(true);
    expect(comparison.scenarios[0]?.verdict).to.not.equal('regressed');
    const few = compareRuns(runOf([scenarioOf('web', [underLoad(1000, 1, 5), underLoad(1000, 1, 5)])]), runOf([scenarioOf('web', [underLoad(1000, 50, 5), underLoad(1000, 60, 5)])]), settings);
    expect(few.scenarios[0]?.load[0]?.verdict).to.equal('inconclusive');
    // Runs without load compare as before: no load figures.
    expect(compareRuns(runOf([scenarioOf('web', [1000, 1000])]), runOf([scenarioOf('web', [1000, 1000])]), settings).scenarios[0]?.load).to.deep.equal([]);
  });
});

describe('compare under load: each figure on its own', () => {
  const settings = { maxRegression: 0.1, alpha: 0.05 };
  const trials = (failed: number[], p95: (number | null)[] = failed.map(() => 5), verdict: 'PASS' | 'ERROR' = 'PASS'): TrialSpec[] =>
    failed.map((f, i) => ({ verdict, recoveryTimeMs: 1000, load: { errorBudget: { failed: f, p95Ms: p95[i] ?? null } } }));
  const figure = (b: TrialSpec[], c: TrialSpec[], which = 0, options = settings) =>
    compareDisruptionLoad(scenarioOf('web', b), scenarioOf('web', c), options)[which];

  it('calls fewer failed requests improved, and more within the allowance unchanged', () => {
    const improved = figure(trials([40, 41, 42, 43]), trials([1, 2, 3, 4]));
    expect(improved).to.deep.include({ verdict: 'improved', baselineMedian: 41.5, candidateMedian: 2.5 });
    expect(improved?.reason).to.equal('failed requests during the disruption: fewer: median 41.5 -> 2.5, p = 0.029');
    expect(improved?.test?.method).to.equal('exact');
    const within = figure(trials([100, 101, 102, 103]), trials([104, 105, 106, 107]));
    expect(within?.verdict).to.equal('unchanged');
    expect(within?.reason).to.equal('failed requests during the disruption: within the allowance: median 101.5 -> 105.5, p = 0.029');
    const strict = figure(trials([100, 101, 102, 103]), trials([104, 105, 106, 107]), 0, { ...settings, maxRegression: 0 });
    expect(strict?.reason).to.equal('failed requests during the disruption: more beyond the allowed +0%: median 101.5 -> 105.5, p = 0.029');
    const noise = figure(trials([1, 5, 2, 6]), trials([2, 4, 3, 5]));
    expect(noise?.reason).to.match(/^failed requests during the disruption: no significant difference: median 3\.5 -> 3\.5, p = /);
  });

  it('regresses over a baseline that lost nothing', () => {
    const over = figure(trials([0, 0, 0, 0]), trials([1, 2, 3, 4]));
    expect(over?.verdict).to.equal('regressed');
  });

  it('compares p95 latency as its own figure, leaving out trials without one', () => {
    const p95 = figure(trials([1, 1, 1, 1, 1], [10, 11, 12, 13, null]), trials([1, 1, 1, 1, 1], [50, 51, 52, 53, 54]), 1);
    expect(p95).to.deep.include({ figure: 'p95LatencyMs', baseline: [10, 11, 12, 13], verdict: 'regressed' });
    expect(p95?.reason).to.match(/^p95 latency during the disruption \(ms\): more beyond the allowed \+10%: median 11\.5 -> 52/);
  });

  it('leaves out ERROR trials, and is inconclusive with too few per side, or none on one side', () => {
    const errors = figure(trials([1, 2, 3, 4]), [...trials([9, 9, 9, 9], undefined, 'ERROR'), ...trials([5])]);
    expect(errors).to.deep.include({ candidate: [5], verdict: 'inconclusive', test: null });
    expect(errors?.reason).to.equal('failed requests during the disruption: too few trials (4 baseline, 1 candidate); need at least 4 per side');
    // 4 against 3: the smallest p is 2/35 = 0.057, not below 0.05.
    expect(figure(trials([1, 2, 3, 4]), trials([50, 51, 52]))?.verdict).to.equal('inconclusive');
    expect(figure(trials([1, 2, 3, 4]), trials([50, 51, 52, 53]))?.verdict).to.equal('regressed');
    const oneSided = compareDisruptionLoad(scenarioOf('web', trials([1, 2, 3, 4])), scenarioOf('web', [1000, 1000]), settings);
    expect(oneSided.map((l) => [l.figure, l.verdict, l.candidateMedian])).to.deep.equal([['failedRequests', 'inconclusive', null], ['p95LatencyMs', 'inconclusive', null]]);
  });
});

describe('compare: environment fingerprints, one difference at a time', () => {
  const machine = (cpus: number, loadAverage: number[], platform = 'linux') => ({ ...LOCAL_ENVIRONMENT, machine: { cpus, loadAverage, platform } });

  it('names the side that records no environment, or neither', () => {
    expect(environmentWarnings(LOCAL_ENVIRONMENT, null)).to.deep.equal(['the candidate does not record its environment: cannot check that the two runs are comparable']);
    expect(environmentWarnings(null, null)).to.deep.equal(['neither run records its environment: cannot check that the two runs are comparable']);
  });

  it('warns about the machine: CPU count, platform, a timing only one run has', () => {
    expect(environmentWarnings(LOCAL_ENVIRONMENT, machine(4, [0.8, 0, 0], 'darwin'))).to.deep.equal([
      'CPU count differs: 2 (baseline) vs 4 (candidate): the machines differ',
      'platform differs: linux (baseline) vs darwin (candidate): the machines differ',
    ]);
    const timed = { ...LOCAL_ENVIRONMENT, timings: { ...LOCAL_ENVIRONMENT.timings, podEvictionTimeoutSeconds: 5 } };
    expect(environmentWarnings(LOCAL_ENVIRONMENT, timed)).to.deep.equal([
      'timing podEvictionTimeoutSeconds differs: unknown (baseline) vs 5 (candidate): failure detection is tuned differently',
    ]);
    expect(environmentWarnings(LOCAL_ENVIRONMENT, { ...LOCAL_ENVIRONMENT, kubernetesVersion: null })).to.deep.equal([
      'Kubernetes version differs: v1.34.4 (baseline) vs unknown (candidate): the controllers themselves changed',
    ]);
  });

  it('warns about load per CPU beyond 0.5 apart, and not without a load average or CPUs', () => {
    // 0.5 per CPU against 1.0: exactly 0.5 apart (all exact in binary), no warning.
    expect(environmentWarnings(machine(2, [1]), machine(2, [2]))).to.deep.equal([]);
    expect(environmentWarnings(machine(2, [2]), machine(2, [1]))).to.deep.equal([]);
    expect(environmentWarnings(LOCAL_ENVIRONMENT, machine(2, [1.5]))).to.deep.equal([
      'machine load differs: 0.20 (baseline) vs 0.75 (candidate) per CPU (1-minute load average when the run started): a busy machine heals slower',
    ]);
    expect(environmentWarnings(machine(2, [9]), machine(2, []))).to.deep.equal([]);
    expect(environmentWarnings(machine(0, [9]), machine(0, [0]))).to.deep.equal([]);
  });
});

describe('compare options: every spelling', () => {
  it('reads percentages and fractions with spaces, decimals and a leading point', () => {
    expect(parseMaxRegression(' 10 % ')).to.be.closeTo(0.1, 1e-12);
    expect(parseMaxRegression('.5%')).to.be.closeTo(0.005, 1e-12);
    expect(parseMaxRegression('12.75%')).to.be.closeTo(0.1275, 1e-12);
    expect(parseMaxRegression(' 0.25 ')).to.be.closeTo(0.25, 1e-12);
    expect(parseMaxRegression('.25')).to.be.closeTo(0.25, 1e-12);
    expect(parseAlpha(' 0.01 ')).to.equal(0.01);
    expect(parseAlpha('.05')).to.equal(0.05);
    expect(parseAlpha('2.5 %')).to.be.closeTo(0.025, 1e-12);
    expect(parseAlpha('.5%')).to.be.closeTo(0.005, 1e-12);
    expect(parseAlpha('0.125')).to.equal(0.125);
  });

  it('refuses 1 and more as a bare number, and anything around the number', () => {
    expect(() => parseMaxRegression('1')).to.throw(UsageError, '--max-regression 1: write a percentage such as 10% (or the fraction 0.1)');
    expect(() => parseMaxRegression('1.5', '--gate')).to.throw(UsageError, /^--gate 1\.5: write a percentage/);
    for (const bad of ['x10%', '10%x', '0.1x', 'x0.1', '1.%', '1.', '. 5%', '10 %%', '.x%', '0.x']) {
      expect(() => parseMaxRegression(bad), bad).to.throw(UsageError, /^--max-regression /);
    }
    for (const bad of ['x0.05', '0.05x', '5%x', 'x5%', '1.%', '.x', '0.x5']) expect(() => parseAlpha(bad), bad).to.throw(UsageError, /^--alpha /);
    expect(() => parseAlpha('2', '--level')).to.throw(UsageError, '--level 2: the significance level must be a number between 0 and 1, such as 0.05');
  });

  it('checks settings given in code with the command line\'s words', () => {
    expect(() => checkCompareSettings({ maxRegression: 0, alpha: 0.5, seed: 0 })).to.not.throw();
    expect(() => checkCompareSettings({ maxRegression: NaN, alpha: 0.05 })).to.throw(UsageError, 'max regression NaN: must be a fraction of 0 or more (0.1 for 10%)');
    expect(() => checkCompareSettings({ maxRegression: Infinity, alpha: 0.05 })).to.throw(UsageError, 'max regression Infinity');
    for (const alpha of [0, 1]) {
      expect(() => checkCompareSettings({ maxRegression: 0.1, alpha })).to.throw(UsageError, `alpha ${alpha}: must be between 0 and 1, such as 0.05`);
    }
    for (const seed of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1]) {
      expect(() => checkCompareSettings({ maxRegression: 0.1, alpha: 0.05, seed })).to.throw(UsageError, `seed ${seed}: must be a whole number of 0 or more`);
    }
  });
});

describe('compareRuns: the rest of the verdicts and warnings', () => {
  const four = [1000, 1100, 1200, 1300];

  it('names each side with no recovery time, and both', () => {
    const none = [{ verdict: 'FAIL' as const }];
    const reason = (b: TrialSpec[], c: TrialSpec[]): string => only(compareRuns(runOf([scenarioOf('web', b)]), runOf([scenarioOf('web', c)]), OPTIONS)).reason;
    expect(reason(none, four)).to.equal('the baseline has no trial that broke and recovered: nothing to compare; need at least 4 per side');
    expect(reason(four, none)).to.equal('the candidate has no trial that broke and recovered: nothing to compare; need at least 4 per side');
    expect(reason(none, none)).to.equal('neither run has a trial that broke and recovered: nothing to compare; need at least 4 per side');
  });

  it('says why too few trials can never be significant, with the figures', () => {
    const web = only(compareRuns(runOf([scenarioOf('web', [1000, 1100, 1200])]), runOf([scenarioOf('web', [2000, 2200, 2400])]), OPTIONS));
    expect(web.reason).to.match(/^too few trials: 3 baseline and 3 candidate recovery times can never give p < 0\.05 \(the smallest possible p is 0\.1\); need at least 4 per side \(median x2\.00 \[[\d.]+, [\d.]+\], p = 0\.1\)$/);
    // At alpha 0.1, 3 against 3 (smallest p exactly 0.1) still cannot be below it.
    expect(only(compareRuns(runOf([scenarioOf('web', [1000, 1100, 1200])]), runOf([scenarioOf('web', [2000, 2200, 2400])]), { ...OPTIONS, alpha: 0.1 })).verdict)
      .to.equal('inconclusive');
  });

  it('words each verdict with its figures', () => {
    const compare = (b: number[], c: number[], extra = {}) => only(compareRuns(runOf([scenarioOf('web', b)]), runOf([scenarioOf('web', c)]), { ...OPTIONS, ...extra }));
    const same = compare(four, [1050, 1150, 1250, 1350]);
    expect(same.verdict).to.equal('unchanged');
    expect(same.reason).to.match(/^no significant difference: median x1\.04 \[[\d.]+, [\d.]+\], p = [\d.]+ \(not below 0\.05\)$/);
    const faster = compare(four, [500, 550, 600, 650]);
    expect(faster.verdict).to.equal('improved');
    expect(faster.reason).to.match(/^faster: median x0\.50 \[0\.\d\d, 0\.\d\d\], p = 0\.029$/);
    const within = compare([1000, 1001, 1002, 1003], [1050, 1051, 1052, 1053]);
    expect(within.reason).to.equal('slower, within the allowed x1.10 (+10%): median x1.05 [1.05, 1.05], p = 0.029');
    expect(within.verdict).to.equal('unchanged');
  });

  it('rolls up: improved when nothing regressed or was inconclusive, inconclusive with no scenario in common', () => {
    const faster = compareRuns(runOf([scenarioOf('web', four)]), runOf([scenarioOf('web', [500, 550, 600, 650])]), OPTIONS);
    expect(faster.verdict).to.equal('improved');
    const both = compareRuns(runOf([scenarioOf('web', four), scenarioOf('db', four)]), runOf([scenarioOf('web', [500, 550, 600, 650]), scenarioOf('db', four)]), OPTIONS);
    expect(both.verdict).to.equal('improved');
    const disjoint = compareRuns(runOf([scenarioOf('web', four)]), runOf([scenarioOf('db', four), scenarioOf('api', four)]), OPTIONS);
    expect(disjoint.verdict).to.equal('inconclusive');
    expect(disjoint.warnings).to.deep.equal(['not in the candidate, so not compared: web', 'not in the baseline, so not compared: db, api']);
    const gone = compareRuns(runOf([scenarioOf('web', four), scenarioOf('db', four), scenarioOf('api', four)]), runOf([scenarioOf('web', four)]), OPTIONS);
    expect(gone.warnings).to.deep.equal(['not in the candidate, so not compared: db, api']);
  });

  it('compares the first of a scenario named twice, and says so for each side', () => {
    const comparison = compareRuns(
      runOf([scenarioOf('web', four), scenarioOf('web', [9000, 9000, 9000, 9000])]),
      runOf([scenarioOf('web', four), scenarioOf('web', [1, 2, 3, 4])]),
      OPTIONS,
    );
    expect(comparison.warnings).to.deep.equal([
      'the baseline has scenario web more than once: only the first is compared',
      'the candidate has scenario web more than once: only the first is compared',
    ]);
    expect(only(comparison).verdict).to.equal('unchanged');
  });

  it('leaves ABORTED and SKIPPED trials out like ERROR ones, and warns of errors on either side', () => {
    const trials: TrialSpec[] = [...four, { verdict: 'ABORTED' as const, recoveryTimeMs: 100 }, { verdict: 'SKIPPED' as const, undisrupted: true }];
    const web = only(compareRuns(runOf([scenarioOf('web', trials)]), runOf([scenarioOf('web', four)]), OPTIONS));
    expect(web.baseline).to.deep.include({ trials: 6, undisrupted: 0, unrecovered: 0, errors: 2 });
    expect(web.baseline.recoveryTimesMs).to.deep.equal(four);
    expect(web.warnings).to.deep.equal(['ERROR, ABORTED or SKIPPED trials left out: 2 baseline, 0 candidate']);
    const clean = only(compareRuns(runOf([scenarioOf('web', four)]), runOf([scenarioOf('web', four)]), OPTIONS));
    expect(clean.warnings).to.deep.equal([]);
  });

  it('warns of a candidate that recovered less often, in full, and not of one that recovered as often', () => {
    const withFail: TrialSpec[] = [...four, { verdict: 'FAIL' as const }];
    const web = only(compareRuns(runOf([scenarioOf('web', four)]), runOf([scenarioOf('web', withFail)]), OPTIONS));
    expect(web.warnings).to.deep.equal([
      'the candidate did not recover in time in 1 of 5 trials (baseline: 0 of 4); those have no recovery time and are left out of the figures, '
        + 'and the candidate run FAILs on them',
    ]);
    expect(web.verdict).to.equal('unchanged');
    expect(only(compareRuns(runOf([scenarioOf('web', withFail)]), runOf([scenarioOf('web', withFail)]), OPTIONS)).warnings).to.deep.equal([]);
  });

  it('names every expectation that changed between the runs, and a steady state changed in any way', () => {
    const changed: ReturnType<typeof scenarioOf> = {
      ...scenarioOf('web', four, ['a', 'b']),
      expect: { recoveryWithinMs: 60_000, settleMs: 2000, maxDisruptionMs: 5000, mustBreak: true },
    };
    const web = only(compareRuns(runOf([scenarioOf('web', four, ['a'])]), runOf([changed]), OPTIONS));
    expect(web.warnings).to.deep.equal([
      'the scenario itself differs between the runs (expect.recoveryWithinMs, expect.maxDisruptionMs, steadyState): the times may not measure the same thing',
    ]);
    // One check whose text holds a line break is not the two checks either side of it.
    const split = only(compareRuns(runOf([scenarioOf('web', four, ['a\nb'])]), runOf([scenarioOf('web', four, ['a', 'b'])]), OPTIONS));
    expect(split.warnings.join('\n')).to.contain('(steadyState)');
  });

  it('a load regression regresses the scenario and keeps the recovery time\'s reason, unless that regressed already', () => {
    const load = (failed: number) => (ms: number): TrialSpec => ({ recoveryTimeMs: ms, load: { errorBudget: { failed, p95Ms: null } } });
    const web = only(compareRuns(runOf([scenarioOf('web', four.map(load(0)))]), runOf([scenarioOf('web', four.map(load(9)))]), OPTIONS));
    expect(web.verdict).to.equal('regressed');
    expect(web.reason).to.match(/^failed requests during the disruption: more beyond the allowed \+10%: median 0 -> 9, p = 0\.013 \(recovery time: unchanged: no significant difference: /);
    const slower = [2000, 2200, 2400, 2600];
    const both = only(compareRuns(runOf([scenarioOf('web', four.map(load(0)))]), runOf([scenarioOf('web', slower.map(load(9)))]), OPTIONS));
    expect(both.reason).to.match(/^slower beyond the allowed/);
  });
});

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Comparison } from '../../harness/compare/compare.js';
import { readResults, rebound } from '../support/cli.js';
import { testCluster, TEST_CLUSTER } from '../support/cluster.js';

const SCENARIO = 'test/fixtures/engine/ready-delay.yaml';

const comparison = (dir: string): Comparison => JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')) as Comparison;

/**
 * The comparison gate on real runs: recovery times differ by a known amount because the replacement pod's
 * readiness delay (a kwok annotation) is set through --var.
 */
describe('comparing runs on the local cluster (integration)', function () {
  this.timeout(20 * 60_000);
  let out: string;
  const runDir = (name: string): string => join(out, name);
  const run = async (name: string, delay: string, seed: number, trials: number, extra: string[] = []): Promise<number> => {
    const result = await rebound(['run', SCENARIO, '--cluster', TEST_CLUSTER, '--out', runDir(name), '--seed', String(seed),
      '--trials', String(trials), '--var', `READY_DELAY=${delay}`, ...extra]);
    if (!existsSync(join(runDir(name), 'results.json'))) throw new Error(`run ${name} wrote no results: ${result.stderr.slice(-2000)}`);
    return result.code;
  };

  before(async () => {
    await testCluster();
    out = mkdtempSync(join(tmpdir(), 'rebound-compare-'));
    // Baseline-like runs (1 s to ready) with different seeds, and one slower run (2 s to ready).
    expect(await run('fast-1', '1s', 1, 6)).to.equal(0);
    expect(await run('fast-2', '1s', 2, 6)).to.equal(0);
    expect(await run('fast-3', '1s', 3, 6)).to.equal(0);
    expect(await run('slow', '2s', 4, 6)).to.equal(0);
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('calls a run whose replacement pods take 1 s longer to be ready regressed, with exit code 1', async () => {
    const result = await rebound(['compare', join(runDir('fast-1'), 'results.json'), join(runDir('slow'), 'results.json'), '--out', join(out, 'cmp-slow')]);
    expect(result.code, result.stderr).to.equal(1);
    const found = comparison(join(out, 'cmp-slow'));
    expect(found.verdict).to.equal('regressed');
    const [scenario] = found.scenarios;
    expect(scenario?.ratio?.estimate).to.be.within(1.6, 2.4);
    expect(existsSync(join(out, 'cmp-slow', 'compare.md'))).to.equal(true);
  });

  it('never calls two runs with the same settings regressed, whichever runs and bootstrap seeds', async () => {
    for (const [a, b] of [['fast-1', 'fast-2'], ['fast-2', 'fast-3'], ['fast-3', 'fast-1']] as const) {
      for (const seed of [1, 2, 3]) {
        const dir = join(out, `cmp-${a}-${b}-${seed}`);
        const result = await rebound(['compare', join(runDir(a), 'results.json'), join(runDir(b), 'results.json'), '--seed', String(seed), '--out', dir]);
        expect(result.code, `${a} vs ${b}, seed ${seed}: ${result.stdout}`).to.equal(0);
        expect(comparison(dir).verdict).to.not.equal('regressed');
      }
    }
  });

  it('says inconclusive for 3 trials against 3, and how many are needed', async () => {
    expect(await run('few-fast', '1s', 5, 3)).to.equal(0);
    expect(await run('few-slow', '2s', 6, 3)).to.equal(0);
    const result = await rebound(['compare', join(runDir('few-fast'), 'results.json'), join(runDir('few-slow'), 'results.json'), '--out', join(out, 'cmp-few')]);
    expect(result.code).to.equal(0);
    const [scenario] = comparison(join(out, 'cmp-few')).scenarios;
    expect(scenario?.verdict).to.equal('inconclusive');
    expect(scenario?.neededPerSide).to.equal(4);
  });

  it('gates a run against a committed baseline (--baseline), and writes one (--update-baseline)', async () => {
    const baseline = join(out, 'baseline.json');
    expect(await run('as-baseline', '1s', 7, 5, ['--baseline', baseline, '--update-baseline'])).to.equal(0);
    expect(existsSync(baseline)).to.equal(true);
    expect(await run('gated', '2s', 8, 5, ['--baseline', baseline])).to.equal(1);
    expect(comparison(runDir('gated')).verdict).to.equal('regressed');
  });

  it('runs --matrix variants interleaved trial by trial and compares them', async () => {
    const code = await run('matrix', '1s', 9, 4, ['--matrix', 'READY_DELAY=1s,2s']);
    expect(code).to.equal(1);
    const report = readResults(runDir('matrix'));
    const starts = report.scenarios.flatMap((s) => s.trials.map((t) => ({ variant: s.variant, t0: Date.parse(t.t0 ?? '') })))
      .sort((x, y) => x.t0 - y.t0).map((x) => x.variant);
    expect(starts).to.deep.equal(['READY_DELAY=1s', 'READY_DELAY=2s', 'READY_DELAY=1s', 'READY_DELAY=2s',
      'READY_DELAY=1s', 'READY_DELAY=2s', 'READY_DELAY=1s', 'READY_DELAY=2s']);
    expect(comparison(runDir('matrix')).verdict).to.equal('regressed');
  });
});

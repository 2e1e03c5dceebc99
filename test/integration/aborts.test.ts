import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { abortOnce, abortPlan, leftovers } from '../support/aborts.js';
import { testCluster, TEST_CLUSTER } from '../support/cluster.js';

/** How many randomized aborts the test runs (bench/abort-reliability.ts runs more, for RELIABILITY.md). */
const RUNS = Number(process.env.REBOUND_ABORT_RUNS ?? 30);
const SEED = 2026;

describe(`${RUNS} randomized aborts of real runs (SIGINT, SIGTERM, SIGKILL + recover) leave the cluster as they found it (integration)`, function () {
  this.timeout(RUNS * 5 * 60_000);
  let dir: string;
  before(async () => {
    await testCluster();
    dir = mkdtempSync(join(tmpdir(), 'rebound-aborts-'));
    // The series starts from a clean cluster, or it would blame the first abort for what came before.
    expect(await leftovers(TEST_CLUSTER)).to.deep.equal([]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('every node Ready and schedulable, no rebound taint, no scenario namespace, no stopped or paused agent, no process, no journal', async () => {
    const failures: string[] = [];
    const bySignal = new Map<string, number>();
    for (let index = 0; index < RUNS; index += 1) {
      const plan = abortPlan(SEED, index);
      const outcome = await abortOnce(TEST_CLUSTER, join(dir, `run-${index}`), plan);
      bySignal.set(plan.signal, (bySignal.get(plan.signal) ?? 0) + 1);
      const line = `#${index} ${plan.signal} after ${(plan.delayMs / 1000).toFixed(1)} s of ${plan.scenario}: exit ${outcome.code}${outcome.endedFirst ? ' (ended before the signal)' : ''}`
        + `${outcome.recoverCode === null ? '' : `, recover ${outcome.recoverCode}`}, clean after ${(outcome.cleanMs / 1000).toFixed(1)} s`;
      process.stderr.write(`      ${line}${outcome.problems.length > 0 ? `: ${outcome.problems.join('; ')}` : ''}\n`);
      if (outcome.problems.length > 0) failures.push(`${line}: ${outcome.problems.join('; ')}`);
      // A graceful stop exits 130 or 143 (or the run had ended by itself first, or had not begun).
      if (!outcome.gracefulExit) failures.push(`${line}: exit code ${outcome.code}, not 130/143`);
    }
    expect(failures).to.deep.equal([]);
    expect([...bySignal.keys()].sort(), 'every signal drawn').to.deep.equal(['SIGINT', 'SIGKILL', 'SIGTERM']);
  });
});

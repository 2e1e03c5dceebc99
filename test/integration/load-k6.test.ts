import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readResults, REPO, rebound } from '../support/cli.js';
import { testCluster, TEST_CLUSTER } from '../support/cluster.js';

const SCENARIO = join('test', 'fixtures', 'load', 'k6-health.yaml');

/**
 * spec.load.k6 through `rebound run`. k6 is not on this machine and is never built or downloaded here (AGPL), so the
 * k6 that --k6 names is a stand-in: it records its command line, then replays the recorded k6 v1.1.0 run of
 * fail.js (its summary and exit code 99). What is checked is that the verdict k6 gives reaches the trial.
 */
describe('spec.load.k6 through rebound run (a stand-in k6 replaying a recorded k6 run)', function () {
  this.timeout(10 * 60_000);
  let dir: string;
  let k6: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rebound-load-k6-'));
    k6 = join(dir, 'k6');
    writeFileSync(k6, `#!/bin/sh
printf '%s\\n' "$@" > ${JSON.stringify(join(dir, 'args.txt'))}
prev=""
for a in "$@"; do if [ "$prev" = "--summary-export" ]; then cp ${JSON.stringify(join(REPO, 'test', 'fixtures', 'k6', 'fail.summary-export.json'))} "$a"; fi; prev="$a"; done
sleep 2
exit 99
`);
    chmodSync(k6, 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start without a k6, and refuses --k6 where no scenario runs k6, before touching a cluster', async () => {
    const missing = await rebound(['run', SCENARIO, '--cluster', 'never-started'], { env: { PATH: '/usr/bin:/bin' } });
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.match(/spec\.load\.k6 runs a k6 script, but no k6 is on PATH\. Install k6 .* or pass --k6 PATH/);
    const useless = await rebound(['run', join('scenarios', 'http-health.yaml'), '--k6', k6, '--cluster', 'never-started']);
    expect(useless.code).to.equal(2);
    expect(useless.stderr).to.match(/--k6 .*: no scenario of this run has spec\.load\.k6/);
  });

  it("fails the trial on the thresholds k6 crossed, naming them, with k6's figures in the results", async () => {
    await testCluster();
    const out = join(dir, 'run');
    const result = await rebound(['run', SCENARIO, '--cluster', TEST_CLUSTER, '--k6', k6, '--out', out]);
    const scenario = readResults(out).scenarios[0];
    const trial = scenario?.trials[0];
    expect(trial?.verdict, `${trial?.reason}\n${result.stderr.slice(-2000)}`).to.equal('FAIL');
    expect(result.code).to.equal(1);
    expect(trial?.recoveryTimeMs, 'recovered in time: k6 failed it').to.be.a('number');
    expect(trial?.reason).to.match(/^load thresholds crossed: /);
    expect(trial?.reason).to.include('http_req_failed rate<0.01 (rate=0.3311)');
    expect(trial?.load?.driver).to.equal('k6');
    const args = readFileSync(join(dir, 'args.txt'), 'utf8').trim().split('\n');
    expect(args[args.length - 1]).to.equal(join(REPO, 'test', 'fixtures', 'k6', 'fail.js'));
    expect(args).to.include('BASE=http://127.0.0.1:18490');
    // ${NAMESPACE} is a built-in: replaced at run time with the scenario's namespace.
    expect(args).to.include(`NS=${scenario?.namespace ?? ''}`);
  });
});

import { expect } from 'chai';
import { rebound } from '../../support/cli.js';

// The other CLI tests run the command line in process (reboundInProcess); these run bin/rebound.js as a user does,
// for what only a real process shows: the exit code main() ends with, and what reaches the terminal.
describe('the rebound process (bin/rebound.js)', function () {
  this.timeout(60_000);

  it('exits 0 and prints what it found for valid input', async () => {
    const result = await rebound(['validate', 'scenarios/deployment-pod-kill.yaml']);
    expect(result.code).to.equal(0);
    expect(result.stdout).to.match(/^ok scenarios\/deployment-pod-kill\.yaml: deployment-pod-kill /);
  });

  it('exits 2 with one line naming the file, line and field for bad input, and no stack trace', async () => {
    const result = await rebound(['validate', 'test/fixtures/bad-scenarios/unknown-fault-kind.yaml']);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(/unknown-fault-kind\.yaml:\d+:\d+/);
    expect(result.stderr).not.to.match(/\n\s+at /);
  });

  it('exits 2 on a usage error', async () => {
    const result = await rebound(['run', 'scenarios/deployment-pod-kill.yaml', '--trials', '0']);
    expect(result.code).to.equal(2);
    expect(result.stderr.trim().split('\n')).to.have.length(1);
    expect(result.stderr).to.match(/^rebound: .*--trials/);
  });
});

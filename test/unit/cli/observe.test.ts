import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { kubeconfigWith } from '../../support/kubeconfig-file.js';
import { reboundInProcess as rebound, type Outcome } from '../../support/cli.js';

/** One line on stderr, exit 2, no stack trace: how every refusal looks. */
function refused(outcome: Outcome, message: string): void {
  expect(outcome.code, outcome.stderr).to.equal(2);
  expect(outcome.stderr).to.contain(message);
  expect(outcome.stderr).to.not.contain('    at ');
}

// In child processes, so here rather than in test/unit/run: the mutation rooms that run that folder (observe, judge,
// faults) gain nothing from it (a child process never sees Stryker's active mutant), and under a shared machine's
// load its spawned commands outlasted the 60 s timeout in a dry run of the faults room.
describe('rebound observe: refusals before anything is watched', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => { dir = mkdtempSync(join(tmpdir(), 'rebound-observe-cli-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const scenario = (extra: string[]): string => [
    'apiVersion: rebound.dev/v1alpha1', 'kind: Scenario', 'metadata: { name: watched }', 'spec:',
    '  steadyState: [ { podsReady: { selector: app=web, count: 3 } } ]',
    ...extra,
    '  expect: { recoveryWithin: 30s }', '',
  ].join('\n');

  it('needs the namespace the workloads run in: --namespace, or spec.namespace', async () => {
    const file = join(dir, 'no-namespace.yaml');
    writeFileSync(file, scenario(['  faults: [ { podKill: { selector: app=web } } ]']));
    refused(await rebound(['observe', file, '--out', join(dir, 'out-ns')]), `${file}: observe needs the namespace the workloads run in: give --namespace NAME`);
    expect(existsSync(join(dir, 'out-ns')), 'no report folder for bad input').to.equal(false);
  });

  it('refuses what it cannot honour: spec.processes, spec.load, a processKill fault', async () => {
    refused(await rebound(['observe', 'scenarios/http-health.yaml', '--namespace', 'x']), 'spec.processes: observe starts no process');
    refused(await rebound(['observe', 'scenarios/fail-load-front-kill.yaml', '--namespace', 'x']), 'spec.processes: observe starts no process');
    const file = join(dir, 'process-kill.yaml');
    writeFileSync(file, scenario(['  namespace: web', '  faults: [ { podKill: { selector: app=web } }, { processKill: { command: "my-operator" } } ]']));
    refused(await rebound(['observe', file]), `${file}: spec.faults[1]: observe cannot see a processKill happen`);
  });

  it('rejects a bad --duration, --trials and --var, and more than one scenario', async () => {
    refused(await rebound(['observe', 'scenarios/deployment-pod-kill.yaml', '--namespace', 'x', '--duration', '5x']), '--duration 5x:');
    refused(await rebound(['observe', 'scenarios/deployment-pod-kill.yaml', '--namespace', 'x', '--duration', '0s']), '--duration 0s: give a positive duration');
    refused(await rebound(['observe', 'scenarios/deployment-pod-kill.yaml', '--namespace', 'x', '--trials', '0']), '--trials 0 is not valid');
    refused(await rebound(['observe', 'scenarios/deployment-pod-kill.yaml', '--var', 'NOEQUALS']), 'NOEQUALS');
    const two = join(dir, 'two');
    mkdirSync(two);
    writeFileSync(join(two, 'a.yaml'), scenario(['  faults: [ { podKill: { selector: app=web } } ]']));
    writeFileSync(join(two, 'b.yaml'), scenario(['  faults: [ { podKill: { selector: app=web } } ]']).replace('name: watched', 'name: watched-too'));
    refused(await rebound(['observe', two, '--namespace', 'x']), 'observe watches one scenario; name one scenario file (found 2)');
  });

  it('selects the cluster as run does: a context off the allowlist refused; a local cluster that is not up is not started', async () => {
    const kubeconfig = kubeconfigWith(dir, 'prod-eu');
    refused(await rebound(['observe', 'scenarios/deployment-pod-kill.yaml', '--namespace', 'x', '--kubeconfig', kubeconfig, '--out', join(dir, 'out-guard')]), 'refusing kube context "prod-eu"');
    refused(await rebound(['observe', 'scenarios/deployment-pod-kill.yaml', '--namespace', 'x', '--cluster', 'observe-never-up', '--out', join(dir, 'out-local')]), 'no local cluster named "observe-never-up"');
    expect(existsSync(join(process.env.HOME ?? '', '.rebound', 'clusters', 'observe-never-up')), 'no cluster was made').to.equal(false);
  });
});

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { existingKindClusters, requireKindState } from '../../harness/cluster/kind/cluster.js';
import { ContainerEngine } from '../../harness/cluster/kind/engine.js';
import { rebound } from '../support/cli.js';
import { KIND_TEST_CLUSTER, skipWithoutDocker } from '../support/kind.js';

/** Processes whose command line mentions `text` (other than this test's own). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(text)) found.push(`${pid}: ${cmdline.trim()}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

// Last of the kind suites (mocha runs the files in name order): the shared cluster goes down here, through the CLI.
describe('kind provider: cluster down', function () {
  this.timeout(10 * 60_000);
  let engine: ContainerEngine;

  before(async function () {
    await skipWithoutDocker(this, 'kind teardown');
    engine = await ContainerEngine.detect();
    if (!existingKindClusters().includes(KIND_TEST_CLUSTER)) {
      throw new Error(`the kind test cluster ${KIND_TEST_CLUSTER} is not there to bring down: an earlier kind suite failed to create it`);
    }
  });

  it('cluster down leaves no container, network or process of the cluster', async function () {
    const state = requireKindState(KIND_TEST_CLUSTER);
    const down = await rebound(['cluster', 'down', '--provider', 'kind', '--name', KIND_TEST_CLUSTER]);
    expect(down.code, down.stderr).to.equal(0);
    expect(await engine.containersLabelled(`io.x-k8s.kind.cluster=${KIND_TEST_CLUSTER}`)).to.deep.equal([]);
    expect(await engine.networkExists(state.network)).to.equal(false);
    const all = execFileSync('docker', ['ps', '-a', '--format', '{{.Names}}'], { encoding: 'utf8' });
    expect(all.split('\n').filter((n) => n.startsWith(`${KIND_TEST_CLUSTER}-`))).to.deep.equal([]);
    expect(processesMentioning(`${KIND_TEST_CLUSTER}-control-plane`)).to.deep.equal([]);
  });
});

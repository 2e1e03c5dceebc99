import { down, up } from '../../harness/cluster/local/cluster.js';
import type { ClusterState } from '../../harness/cluster/local/state.js';

/** The name of the local cluster the integration tests share; never the user's own `local`. */
export const TEST_CLUSTER = process.env.REBOUND_TEST_CLUSTER ?? 'it';

let shared: Promise<ClusterState> | undefined;
let startedHere = false;

const log = (line: string): void => { process.stderr.write(`      [cluster] ${line}\n`); };

/**
 * The shared 3-node test cluster, brought up on first use (building the binaries on a fresh machine) and brought
 * down after the whole run by the root hook below, when this run started it.
 */
export function testCluster(): Promise<ClusterState> {
  shared ??= up({ name: TEST_CLUSTER, nodes: 3 }, log).then(({ state, reused }) => {
    startedHere = !reused;
    return state;
  });
  return shared;
}

/** Brings the shared cluster down if this run brought it up. */
export async function releaseTestCluster(): Promise<void> {
  if (shared && startedHere) {
    shared = undefined;
    await down(TEST_CLUSTER, log);
  }
}

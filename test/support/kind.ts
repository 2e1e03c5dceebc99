import { existingKindClusters, kindDown, kindUp, type KindClusterState } from '../../harness/cluster/kind/cluster.js';
import { ContainerEngine } from '../../harness/cluster/kind/engine.js';

/** The name of the kind cluster the kind suites share; never the user's own `rebound`. */
export const KIND_TEST_CLUSTER = process.env.REBOUND_KIND_TEST_CLUSTER ?? 'it-kind';

/**
 * Why the kind suites cannot run here, or undefined when they can. They need a Docker engine that answers
 * (`npm run setup:kind` installs and starts one); without it they are skipped, loudly, and counted as skipped.
 */
export async function kindSkipReason(): Promise<string | undefined> {
  try {
    await ContainerEngine.detect();
    return undefined;
  } catch (error) {
    return `${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * For a kind suite's `before`: skips the suite, loudly (a WARNING naming the reason, and mocha counts its tests as
 * skipped), when no Docker engine answers.
 */
export async function skipWithoutDocker(context: Mocha.Context, suite: string): Promise<void> {
  const reason = await kindSkipReason();
  if (reason) {
    console.warn(`\n  WARNING: the ${suite} suite is SKIPPED: ${reason}\n`);
    context.skip();
  }
}

/** Deletes the shared kind test cluster if a suite left it behind (a failed test before its `cluster down`). */
export async function releaseKindTestCluster(log: (line: string) => void): Promise<void> {
  if (existingKindClusters().includes(KIND_TEST_CLUSTER)) await kindDown(KIND_TEST_CLUSTER, log);
}

/** The shared kind test cluster: the one the first suite created, or a new one (3 nodes, fast failure detection). */
export async function ensureKindTestCluster(log: (line: string) => void): Promise<KindClusterState> {
  const { state } = await kindUp({ name: KIND_TEST_CLUSTER, nodes: 3, failureDetection: 'fast' }, log);
  return state;
}

import { releaseTestCluster } from './cluster.js';
import { releaseKindTestCluster } from './kind.js';

/** Mocha root hooks: the shared test clusters go down once every suite has run. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(5 * 60_000);
    await releaseTestCluster();
    await releaseKindTestCluster((line) => process.stderr.write(`      [kind] ${line}\n`));
  },
};

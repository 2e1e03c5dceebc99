import { releaseTestCluster } from './cluster.js';

/** Mocha root hooks: the shared test cluster goes down once every suite has run. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await releaseTestCluster();
  },
};

/**
 * rebound's layering, checked in `npm test` (test/unit/layering.test.ts runs depcruise over harness/):
 *   cli -> run -> (scenario, faults, observe, cluster, load, report, config)
 * with the shared helpers (random streams, statistics, selectors, clocks, sleep) in util/, which every room may use.
 * A rule broken here is a design change: move the code to where the layering wants it, do not widen the rule.
 */
const room = (name) => `^harness/${name}/`;

module.exports = {
  forbidden: [
    { name: 'nothing-imports-cli', severity: 'error', comment: 'the command line is the top: nothing below it may depend on it',
      from: { path: '^harness/', pathNot: room('cli') }, to: { path: room('cli') } },
    { name: 'no-cluster-below-run', severity: 'error', comment: 'scenario, observe and report judge recorded data; they never talk to a cluster',
      from: { path: `${room('(scenario|observe|report)')}` }, to: { path: room('cluster') } },
    { name: 'run-is-above-the-rooms', severity: 'error', comment: 'run drives the rooms below it; none of them may depend on run',
      from: { path: '^harness/', pathNot: room('(cli|run)') }, to: { path: room('run') } },
    { name: 'faults-and-observe-apart', severity: 'error', comment: 'faults act, observe watches: neither depends on the other',
      from: { path: room('faults') }, to: { path: room('observe') } },
    { name: 'observe-and-faults-apart', severity: 'error', comment: 'faults act, observe watches: neither depends on the other',
      from: { path: room('observe') }, to: { path: room('faults') } },
    { name: 'faults-use-providers-through-their-interface', severity: 'error', comment: 'a fault reaches nodes and containers through ClusterHandle, not a provider\'s internals',
      from: { path: room('faults') }, to: { path: '^harness/cluster/(local|kind|providers)/' } },
    { name: 'util-is-a-leaf', severity: 'error', comment: 'shared helpers depend on no room',
      from: { path: room('util') }, to: { path: '^harness/', pathNot: room('util') } },
    { name: 'no-circular', severity: 'error', comment: 'a cycle between modules',
      from: { path: '^harness/' }, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|node_modules|test)/' },
  },
};

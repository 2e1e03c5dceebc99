/**
 * `npm run bench:memory -- [scenario.yaml] [--young-generation fixed]`: where the memory of a `rebound run
 * --reporter json` goes before its first watch event (issue 12: a run's peak RSS at most 150 MB). It loads what such
 * a run loads, in the order it loads it, and prints after each step (after a full GC) the resident set, V8's heap
 * (used, and committed by its spaces) and its young generation's capacity; then the process's peak RSS. No cluster:
 * the run's modules are loaded and a scenario is checked, nothing is applied.
 *
 * Like bin/rebound.js it leaves V8's young generation its default growth (up to 2 x 16 MB); `--young-generation
 * fixed` keeps it at its first size, to see what that would save (BENCHMARKS.md says why bin/rebound.js does not).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { packageRoot } from '../harness/util/paths.js';

interface Options {
  readonly scenario: string;
  readonly grow: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  let scenario = join(packageRoot(), 'scenarios', 'deployment-pod-kill.yaml');
  let grow = true;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--young-generation' && (argv[i + 1] === 'grow' || argv[i + 1] === 'fixed')) grow = argv[(i += 1)] === 'grow';
    else if (!arg.startsWith('-')) scenario = arg;
    else throw new Error(`unknown argument ${arg}; use [scenario.yaml] [--young-generation grow|fixed]`);
  }
  return { scenario, grow };
}

const MB = 1024 * 1024;

function megabytes(bytes: number): string {
  return (bytes / MB).toFixed(1).padStart(6);
}

/** One line: the step, then the process's memory after a full collection. */
function measure(step: string, collect: () => void): void {
  collect();
  const memory = process.memoryUsage();
  const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  process.stdout.write(`${step.padEnd(44)} rss ${megabytes(memory.rss)}  heap used ${megabytes(memory.heapUsed)}`
    + `  heap committed ${megabytes(memory.heapTotal)}  young generation ${megabytes(young?.space_size ?? 0)}`
    + `  external ${megabytes(memory.external)}\n`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run it with node --expose-gc: each step is measured after a full collection');
  if (!options.grow) setFlagsFromString('--semi-space-growth-factor=1');
  process.stdout.write(`young generation: ${options.grow ? "V8's default growth (as bin/rebound.js)" : 'kept at its first size (bin/rebound.js does not)'}\n`);
  measure('node', collect);
  await import('../harness/cli/main.js');
  measure('the CLI (yargs, the commands\' declarations)', collect);
  await import('../harness/run/command.js');
  measure('the run command\'s modules (client-node, Ajv)', collect);
  const { createReporters } = await import('../harness/report/registry.js');
  const out = mkdtempSync(join(tmpdir(), 'rebound-memory-'));
  try {
    await createReporters(['json'], out);
    measure('the json reporter', collect);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const { loadScenarioFile } = await import('../harness/scenario/loader.js');
  const loaded = await loadScenarioFile(options.scenario, { vars: {} });
  if (loaded.scenario === undefined) throw new Error(`${options.scenario} is not a valid scenario: ${loaded.errors.map((e) => e.message).join('; ')}`);
  measure(`a scenario checked (${loaded.scenario.metadata.name})`, collect);
  process.stdout.write(`peak rss ${megabytes(process.resourceUsage().maxRSS * 1024)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`memory-steps: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

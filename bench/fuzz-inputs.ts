/**
 * The fuzz targets of test/unit/fuzz/ with many inputs (default 10,000, shared evenly among the targets): scenario
 * files mutated from the real scenarios and fixtures and as raw bytes, manifest files, durations, quantities,
 * `--var` and `--selector`. Every input is checked for the same properties as in `npm test` (no crash, every issue
 * one line at file:line:col in its file with its field path, valid input reads back the same); failures are
 * counted, not stopped at. Prints figures; the last run's are in RELIABILITY.md.
 * Run: `npm run bench:fuzz [-- count [seed]]`.
 */
import { cpus } from 'node:os';
import fc from 'fast-check';
import { FUZZ_SEED, FUZZ_TARGETS, removeFuzzWorkspaces, roundTrips } from '../test/unit/fuzz/targets.js';

const COUNT = Number(process.argv[2] ?? 10_000);
const SEED = Number(process.argv[3] ?? FUZZ_SEED);
/** An input still being checked after this long counts as a hang. */
const HANG_MS = 30_000;

function usage(): never {
  console.error('usage: npm run bench:fuzz [-- count [seed]]  (count: inputs in all, at least one per target; seed: a whole number)');
  process.exit(2);
}

async function checkWithin(check: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HANG_MS / 1000} s (a hang)`)), HANG_MS);
  });
  try {
    await Promise.race([check(), hang]);
  } finally {
    clearTimeout(timer);
  }
}

function shown(value: unknown): string {
  const text = JSON.stringify(value, (_, inner: unknown) => (inner instanceof Uint8Array ? Buffer.from(inner).toString('base64') : inner)) ?? String(value);
  return text.length > 400 ? `${text.slice(0, 400)}... (${text.length} characters)` : text;
}

async function main(): Promise<void> {
  if (!Number.isSafeInteger(COUNT) || COUNT < FUZZ_TARGETS.length || !Number.isSafeInteger(SEED)) usage();
  console.log(`fuzzing ${COUNT} inputs over ${FUZZ_TARGETS.length} targets, seed ${SEED}, Node ${process.version}, ${cpus().length} cores`);
  const rows: { name: string; inputs: number; failures: number; seconds: number }[] = [];
  const started = performance.now();
  try {
    for (const [index, target] of FUZZ_TARGETS.entries()) {
      const inputs = Math.floor(COUNT / FUZZ_TARGETS.length) + (index < COUNT % FUZZ_TARGETS.length ? 1 : 0);
      const samples = fc.sample(target.arbitrary, { seed: SEED + index, numRuns: inputs });
      const begin = performance.now();
      let failures = 0;
      for (const sample of samples) {
        try {
          await checkWithin(() => target.check(sample));
        } catch (error) {
          failures += 1;
          if (failures <= 3) console.log(`  FAILED ${target.name}: ${error instanceof Error ? error.message : String(error)}\n    input: ${shown(sample)}`);
        }
      }
      const seconds = (performance.now() - begin) / 1000;
      rows.push({ name: target.name, inputs: samples.length, failures, seconds });
      const valid = index === 0 ? ` (${roundTrips.count} of them valid scenarios, read back the same written as JSON)` : '';
      console.log(`${target.name}: ${samples.length} inputs${valid}, ${failures} failures, ${seconds.toFixed(1)} s`);
    }
  } finally {
    removeFuzzWorkspaces();
  }
  const inputs = rows.reduce((sum, row) => sum + row.inputs, 0);
  const failures = rows.reduce((sum, row) => sum + row.failures, 0);
  console.log(`\n${inputs} inputs (seed ${SEED}), ${failures} failures, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (failures > 0) process.exitCode = 1;
}

await main();

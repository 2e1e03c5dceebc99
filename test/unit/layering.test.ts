/**
 * The layering of harness/ (.dependency-cruiser.cjs): cli -> run -> the rooms (none of which imports run), nothing
 * imports cli, observe and faults apart, util a leaf, no cycles. A backwards import fails `npm test`
 * here; the second test plants one in a scratch tree to show the rule bites.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { REPO } from '../support/cli.js';

const run = promisify(execFile);
const DEPCRUISE = join(REPO, 'node_modules', '.bin', 'depcruise');
const CONFIG = join(REPO, '.dependency-cruiser.cjs');

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

async function violations(cwd: string): Promise<Violation[]> {
  const { stdout } = await run(DEPCRUISE, ['harness', '--config', CONFIG, '--output-type', 'json'], { cwd, maxBuffer: 64 * 1024 * 1024 })
    .catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('layering of harness/ (dependency-cruiser)', function () {
  this.timeout(120_000);

  it('has no backwards import, no cycle', async () => {
    const found = await violations(REPO);
    expect(found.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).to.deep.equal([]);
  });

  it('catches planted backwards imports (observe importing a fault, a type of run) and an import of cli', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'rebound-layering-'));
    try {
      for (const room of ['observe', 'faults', 'report', 'cli', 'run', 'scenario']) mkdirSync(join(scratch, 'harness', room), { recursive: true });
      writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
      writeFileSync(join(scratch, 'harness', 'faults', 'kill.ts'), 'export const kill = 1;\n');
      writeFileSync(join(scratch, 'harness', 'cli', 'main.ts'), 'export const main = 1;\n');
      writeFileSync(join(scratch, 'harness', 'observe', 'watch.ts'), "import { kill } from '../faults/kill.js';\nexport const watch = kill;\n");
      writeFileSync(join(scratch, 'harness', 'report', 'json.ts'), "import { main } from '../cli/main.js';\nexport const json = main;\n");
      writeFileSync(join(scratch, 'harness', 'run', 'args.ts'), 'export interface RunArgs { readonly trials: number }\n');
      // A type-only import counts too: it ties the room to run's shape all the same.
      writeFileSync(join(scratch, 'harness', 'scenario', 'load.ts'), "import type { RunArgs } from '../run/args.js';\nexport type Loaded = RunArgs;\n");
      const found = await violations(scratch);
      expect(found.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort()).to.deep.equal([
        'nothing-imports-cli: harness/report/json.ts -> harness/cli/main.ts',
        'observe-and-faults-apart: harness/observe/watch.ts -> harness/faults/kill.ts',
        'run-is-above-the-rooms: harness/scenario/load.ts -> harness/run/args.ts',
      ]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

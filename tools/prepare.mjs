#!/usr/bin/env node
// Makes a fresh clone runnable with nothing done first: installs the npm dependencies when they are missing or
// older than package-lock.json, then compiles the TypeScript into dist/. Every npm script starts with it, so
// `npm run demo` and `npm test` work straight after `git clone`.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const installed = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');

function run(command, args, what) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : `exit code ${result.status}`;
    console.error(`rebound: ${what} failed (${why}); fix the error above and run the command again.`);
    process.exit(2);
  }
}

if (!existsSync(installed) || statSync(lock).mtimeMs > statSync(installed).mtimeMs) {
  console.error('rebound: installing npm dependencies (npm ci) ...');
  run('npm', ['ci', '--no-fund', '--no-audit'], 'npm ci');
}
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')],
  'compiling TypeScript');

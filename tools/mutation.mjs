#!/usr/bin/env node
// `npm run test:mutation [-- ROOM ...] [--concurrency N] [--mutate GLOB] [--no-check]`: mutation testing
// (StrykerJS) of the rooms in tools/mutation-rooms.mjs, all of them unless named. Each room is one Stryker run in its
// own process, with the room's break threshold, its report in reports/mutation/<room>/ (index.html, mutation.json);
// a table of the scores per room comes last. Exit 1 when a room scores under its threshold, 2 on a usage error or a
// failed run.
// --mutate narrows one room to some of its files (or lines: `harness/observe/detector.ts:120-180`); that run
// reports to reports/mutation/<room>-part/ and its score is of those files only.
// --no-check leaves out the TypeScript checker (reports to <room>-nocheck/): the checker takes most of a run's
// time; without it a mutant that would not compile runs as JavaScript and counts as killed or survived, so the
// score is close to the checked one but not the same.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stryker } from '@stryker-mutator/core';
import { rooms } from './mutation-rooms.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

function fail(message) {
  console.error(`rebound: ${message}`);
  process.exit(2);
}

function option(name) {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined) fail(`${name} needs a value`);
  args.splice(at, 2);
  return value;
}

/** One room, in this process: Stryker with the room's files, threshold and report paths. */
function outName(name, mutate, check) {
  return `${name}${mutate ? '-part' : ''}${check ? '' : '-nocheck'}`;
}

async function runOne(name, concurrency, mutate, check) {
  const room = rooms[name];
  const out = outName(name, mutate, check);
  // .mocharc.cjs turns these into the spec; Stryker's test processes inherit it.
  process.env.REBOUND_SUITES = room.suites.join(',');
  const options = {
    configFile: join(root, 'stryker.config.mjs'),
    mutate: mutate ? [mutate] : room.mutate,
    thresholds: { high: 90, low: room.break, break: room.break },
    htmlReporter: { fileName: `reports/mutation/${out}/index.html` },
    jsonReporter: { fileName: `reports/mutation/${out}/mutation.json` },
    ...(concurrency ? { concurrency: Number(concurrency) } : {}),
    ...(check ? {} : { checkers: [] }),
  };
  await new Stryker(options).runMutationTest();
}

/** Score as Stryker counts it: detected / (detected + undetected); ignored and compile errors are left out. */
function score(name) {
  const file = join(root, 'reports', 'mutation', name, 'mutation.json');
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const count = {};
  for (const entry of Object.values(report.files)) {
    for (const mutant of entry.mutants) count[mutant.status] = (count[mutant.status] ?? 0) + 1;
  }
  const n = (status) => count[status] ?? 0;
  const detected = n('Killed') + n('Timeout');
  const undetected = n('Survived') + n('NoCoverage');
  const covered = detected + n('Survived');
  return {
    detected, survived: n('Survived'), noCoverage: n('NoCoverage'), ignored: n('Ignored'),
    compileErrors: n('CompileError') + n('RuntimeError'),
    score: detected + undetected ? (100 * detected) / (detected + undetected) : 100,
    covered: covered ? (100 * detected) / covered : 100,
  };
}

const one = option('--one');
const concurrency = option('--concurrency');
const mutate = option('--mutate');
const noCheck = args.indexOf('--no-check');
if (noCheck >= 0) args.splice(noCheck, 1);
const check = noCheck < 0;
if (one) {
  if (!rooms[one]) fail(`${one} is not a room`);
  try {
    await runOne(one, concurrency, mutate, check);
  } catch (error) {
    console.error(error);
    process.exit(2);
  }
} else {
  const unknown = args.filter((name) => !rooms[name]);
  if (unknown.length) fail(`not a room: ${unknown.join(', ')} (the rooms: ${Object.keys(rooms).join(', ')})`);
  const chosen = args.length ? args : Object.keys(rooms);
  if (mutate && chosen.length !== 1) fail('--mutate narrows one room: name it');
  const build = spawnSync(process.execPath, [join(root, 'tools', 'prepare.mjs')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(2);
  const results = [];
  for (const name of chosen) {
    const started = Date.now();
    const passOn = ['--one', name, ...(concurrency ? ['--concurrency', concurrency] : []), ...(mutate ? ['--mutate', mutate] : []),
      ...(check ? [] : ['--no-check'])];
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...passOn], { cwd: root, stdio: 'inherit' });
    const out = outName(name, mutate, check);
    results.push({ name, status: run.status, minutes: (Date.now() - started) / 60000, figures: score(out) });
  }
  console.log('\nroom      break  score  covered  killed  survived  no-cov  ignored  compile-err  minutes');
  let worst = 0;
  for (const { name, status, minutes, figures } of results) {
    if (!figures || (status !== 0 && status !== 1)) {
      console.log(`${name.padEnd(9)} the run failed (exit ${status})`);
      worst = 2;
      continue;
    }
    const f = figures;
    const under = f.score < rooms[name].break;
    if (under) worst = Math.max(worst, 1);
    console.log([name.padEnd(9), String(rooms[name].break).padStart(5), f.score.toFixed(1).padStart(6),
      f.covered.toFixed(1).padStart(8), String(f.detected).padStart(7), String(f.survived).padStart(9),
      String(f.noCoverage).padStart(7), String(f.ignored).padStart(8), String(f.compileErrors).padStart(12),
      minutes.toFixed(1).padStart(8), under ? '  UNDER THE THRESHOLD' : ''].join(' '));
  }
  process.exit(worst);
}

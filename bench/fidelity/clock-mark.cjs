// Preloaded (`node --require`) into a `rebound run` that the bench profiles with --cpu-prof: writes, next to the
// profile, the wall-clock time (ms) and the monotonic time (us) of the process's time origin, so that the profile's
// monotonic sample times can be set against the audit log's wall-clock timestamps (bench/fidelity/profile.ts).
'use strict';
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');

const dirArg = process.execArgv.find((arg) => arg.startsWith('--cpu-prof-dir='));
if (dirArg !== undefined) {
  const dir = dirArg.slice('--cpu-prof-dir='.length);
  mkdirSync(dir, { recursive: true });
  const monotonicUs = Number(process.hrtime.bigint() / 1000n);
  const sinceOriginMs = performance.now();
  writeFileSync(join(dir, `clock-mark-${process.pid}.json`), JSON.stringify({
    pid: process.pid,
    timeOriginWallMs: performance.timeOrigin,
    timeOriginMonotonicUs: monotonicUs - sinceOriginMs * 1000,
  }));
}

#!/usr/bin/env node
// The installed entry point: the compiled CLI lives in dist/ (built by `npm run build`).
import { setFlagsFromString } from 'node:v8';

// V8's young generation stays at its first size (two 1 MB semi-spaces) instead of growing to 2 x 16 MB while the
// modules load, which it then keeps for the whole run: about 20 MB of rebound's peak memory (issue 12). Set here, at
// run time, because V8 reads the growth factor each time it would grow the space; --max-semi-space-size is read once
// at start-up and would need the node command line. The modules are imported after it, dynamically, for the same
// reason. BENCHMARKS.md ("Fidelity", peak RSS) has its cost in scavenges and its effect on recovery times.
setFlagsFromString('--semi-space-growth-factor=1');
const { main } = await import('../dist/harness/cli/main.js');

main(process.argv.slice(2));

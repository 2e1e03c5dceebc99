#!/usr/bin/env node
// Summarizes a V8 heap snapshot (node --heapsnapshot-signal=SIGUSR2, or v8.writeHeapSnapshot): the self size of the
// heap by object type and constructor, and, for each constructor named with --from, what is reachable from its
// instances (every object counted once: an upper bound of what they retain). Used to find where rebound's memory goes
// at scale (BENCHMARKS.md, Scale). Usage: node tools/heap-summary.mjs FILE.heapsnapshot [--top N] [--from Name ...]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
if (!file) {
  console.error('usage: node tools/heap-summary.mjs FILE.heapsnapshot [--top N] [--from Constructor ...]');
  process.exit(2);
}
const top = Number(args[args.indexOf('--top') + 1]) || 25;
const from = args.flatMap((a, i) => (a === '--from' && args[i + 1] ? [args[i + 1]] : []));

const snapshot = JSON.parse(readFileSync(file, 'utf8'));
const meta = snapshot.snapshot.meta;
const nodeFields = meta.node_fields.length;
const edgeFields = meta.edge_fields.length;
const nodeTypes = meta.node_types[0];
const edgeTypes = meta.edge_types[0];
const [typeAt, nameAt, sizeAt, edgeCountAt] = ['type', 'name', 'self_size', 'edge_count'].map((f) => meta.node_fields.indexOf(f));
const [edgeTypeAt, edgeNodeAt] = ['type', 'to_node'].map((f) => meta.edge_fields.indexOf(f));
const { nodes, edges, strings } = snapshot;
const count = nodes.length / nodeFields;

// Where each node's edges start.
const firstEdge = new Uint32Array(count + 1);
for (let i = 0, e = 0; i < count; i += 1) {
  firstEdge[i] = e;
  e += nodes[i * nodeFields + edgeCountAt] * edgeFields;
  firstEdge[i + 1] = e;
}

const mb = (bytes) => (bytes / 1048576).toFixed(1);
const labelOf = (i) => {
  const type = nodeTypes[nodes[i * nodeFields + typeAt]];
  const name = strings[nodes[i * nodeFields + nameAt]];
  // Strings are named by their content: group them by their type alone.
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string') return `(${type})`;
  if (type === 'code' || type === 'hidden' || type === 'array' || type === 'number') return `(${type}) ${name.slice(0, 40)}`;
  return `${type} ${name.slice(0, 60)}`;
};

let total = 0;
const byLabel = new Map();
for (let i = 0; i < count; i += 1) {
  const size = nodes[i * nodeFields + sizeAt];
  total += size;
  const label = labelOf(i);
  const entry = byLabel.get(label) ?? { size: 0, n: 0 };
  entry.size += size;
  entry.n += 1;
  byLabel.set(label, entry);
}
console.log(`${file}: ${count} objects, ${mb(total)} MB self size`);
console.log(`\nby type and constructor (top ${top}):`);
for (const [label, { size, n }] of [...byLabel].sort((a, b) => b[1].size - a[1].size).slice(0, top)) {
  console.log(`${mb(size).padStart(8)} MB ${String(n).padStart(9)}  ${label}`);
}

// Reachable from the instances of a constructor, through strong edges, not through other instances of the roots' own
// kinds' owners (the graph's back-pointers would otherwise reach everything).
const weak = edgeTypes.indexOf('weak');
const shortcut = edgeTypes.indexOf('shortcut');
for (const name of from) {
  const seen = new Uint8Array(count);
  const stack = [];
  for (let i = 0; i < count; i += 1) {
    if (nodeTypes[nodes[i * nodeFields + typeAt]] === 'object' && strings[nodes[i * nodeFields + nameAt]] === name) {
      stack.push(i);
      seen[i] = 1;
    }
  }
  const roots = stack.length;
  let size = 0;
  const inside = new Map();
  while (stack.length > 0) {
    const i = stack.pop();
    const self = nodes[i * nodeFields + sizeAt];
    size += self;
    const label = labelOf(i);
    inside.set(label, (inside.get(label) ?? 0) + self);
    for (let e = firstEdge[i]; e < firstEdge[i + 1]; e += edgeFields) {
      const type = edges[e + edgeTypeAt];
      if (type === weak || type === shortcut) continue;
      const to = edges[e + edgeNodeAt] / nodeFields;
      const toType = nodeTypes[nodes[to * nodeFields + typeAt]];
      // Code, closures' contexts and the global object lead back to the whole program.
      if (seen[to] || toType === 'code' || toType === 'closure' || toType === 'hidden' || toType === 'synthetic') continue;
      seen[to] = 1;
      stack.push(to);
    }
  }
  console.log(`\nreachable from ${roots} ${name}: ${mb(size)} MB (objects, arrays and strings; not through closures or code)`);
  for (const [label, bytes] of [...inside].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`${mb(bytes).padStart(8)} MB  ${label}`);
}

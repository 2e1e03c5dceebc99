import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Duration } from '../../../harness/scenario/duration.js';
import { CHECK_KINDS, FAULT_KINDS, faultsInOrder, NODE_FAULT_KINDS, scenarioJsonSchema, type Fault } from '../../../harness/scenario/schema.js';
import { REPO_ROOT } from './support.js';

const COMMITTED = join(REPO_ROOT, 'docs', 'scenario.schema.json');

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every schema node with its JSON pointer. */
function* nodes(value: unknown, pointer = '#'): Generator<[string, Json]> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* nodes(item, `${pointer}/${index}`);
  } else if (isObject(value)) {
    yield [pointer, value];
    for (const [key, child] of Object.entries(value)) yield* nodes(child, `${pointer}/${key}`);
  }
}

describe('scenario JSON Schema', () => {
  it('matches the committed docs/scenario.schema.json', async () => {
    const committed = await readFile(COMMITTED, 'utf8').catch(() => '(missing)');
    const generated = `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
    expect(committed === generated, 'docs/scenario.schema.json is out of date with harness/scenario/schema.ts; '
      + 'regenerate it with `node bin/rebound.js schema --out docs/scenario.schema.json` (after building) and commit it').to.equal(true);
  });

  it('is plain draft-07 JSON Schema with an id', () => {
    const schema = scenarioJsonSchema();
    expect(schema.$schema).to.equal('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).to.equal('https://rebound.dev/schemas/scenario-v1alpha1.json');
    expect(JSON.parse(JSON.stringify(schema))).to.deep.equal(schema);
  });

  it('rejects unknown fields in every object except inline manifests', () => {
    const open: string[] = [];
    for (const [pointer, node] of nodes(scenarioJsonSchema())) {
      if (node.type === 'object' && node.additionalProperties !== false && !isObject(node.patternProperties)) open.push(pointer);
    }
    expect(open).to.deep.equal([]);
    const inline = [...nodes(scenarioJsonSchema())].filter(([pointer]) => pointer.endsWith('/properties/inline')).map(([, node]) => node);
    expect(inline).to.have.length(1);
    expect(inline[0]?.patternProperties).to.deep.equal({ '^(.*)$': {} });
  });

  it('documents every fault kind and check kind, each with a description', () => {
    const schema = scenarioJsonSchema();
    const spec = (schema.properties as Json).spec as Json;
    const properties = spec.properties as Json;
    const faultBranches = ((properties.faults as Json).items as Json).anyOf as Json[];
    const checkBranches = ((properties.steadyState as Json).items as Json).anyOf as Json[];
    const kindsOf = (branches: Json[]): string[] => branches.map((branch) => (branch.required as string[])[0] ?? '');
    expect(kindsOf(faultBranches)).to.deep.equal([...FAULT_KINDS]);
    expect(kindsOf(checkBranches)).to.deep.equal([...CHECK_KINDS]);
    expect(FAULT_KINDS).to.include.members([...NODE_FAULT_KINDS]);
    for (const branch of [...faultBranches, ...checkBranches]) {
      const kind = (branch.required as string[])[0] ?? '';
      expect(((branch.properties as Json)[kind] as Json).description, kind).to.be.a('string');
    }
  });

  it('declares the defaults the loader applies', () => {
    const text = JSON.stringify(scenarioJsonSchema());
    for (const fragment of ['"default":"1s"', '"default":"10m"', '"default":1', '"default":false', '"default":"0s"', '"default":200', '"default":"2s"', '"default":"KILL"', '"default":"Background"']) {
      expect(text).to.contain(fragment);
    }
  });
});

describe('faults in the order they are injected', () => {
  const fault = (index: number, at: string): Fault => ({ kind: 'podKill', index, at: Duration.parse(at), params: { selector: 'app=web', count: 1, gracePeriodSeconds: 0 } } as unknown as Fault);

  it('orders by `at`, ties in file order, and leaves the scenario\'s own list as it was', () => {
    const written = [fault(0, '10s'), fault(1, '0s'), fault(2, '2s'), fault(3, '0s'), fault(4, '1500ms')];
    const order = faultsInOrder(written);
    expect(order.map((f) => f.index)).to.deep.equal([1, 3, 4, 2, 0]);
    expect(written.map((f) => f.index), 'the scenario keeps its file order').to.deep.equal([0, 1, 2, 3, 4]);
  });
});

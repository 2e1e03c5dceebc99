import { expect } from 'chai';
import { object } from '../../../harness/observe/conditions.js';
import { compileJsonPath, JsonPathSyntaxError } from '../../../harness/observe/jsonpath.js';
import { objectOf, worldOf } from './support.js';

// kubectl's JSONPath as the object check prints it: these are the values `equals` compares with and the detail shows.
const cache = objectOf('example.com/v1', 'Cache', 'c', {
  spec: { replicas: 3, labels: { 'app.kubernetes.io/name': 'cache' } },
  status: {
    phase: 'Running',
    ready: true,
    lag: 1.5,
    none: null,
    shards: [10, 20, 30, 40],
    conditions: [
      { type: 'Ready', status: 'True', reason: 'A}b' },
      { type: 'Available', status: 'False', reason: 'Quoted "x"' },
    ],
    nested: { b: 1, a: { d: [{ z: 1, y: 2 }], c: 'x' } },
  },
});

const print = (template: string, value: unknown = cache): string | undefined => compileJsonPath(template)(value);
const refused = (template: string): string => {
  try {
    compileJsonPath(template);
  } catch (error) {
    expect(error).to.be.instanceOf(JsonPathSyntaxError);
    return (error as Error).message;
  }
  throw new Error(`${template} was accepted`);
};

describe('observe: kubectl JSONPath', () => {
  it('prints strings bare, numbers and booleans as text, null as null, objects as JSON with sorted keys', () => {
    expect(print('{.status.phase}')).to.equal('Running');
    expect(print('{.status.ready}')).to.equal('true');
    expect(print('{.status.lag}')).to.equal('1.5');
    expect(print('{.status.none}')).to.equal('null');
    expect(print('{.status.nested}')).to.equal('{"a":{"c":"x","d":[{"y":2,"z":1}]},"b":1}');
    expect(print('{.status.shards}')).to.equal('[10,20,30,40]');
  });

  it('prints several results separated by a space, and finds nothing as undefined', () => {
    expect(print('{.status.conditions[*].type}')).to.equal('Ready Available');
    expect(print('{.status.shards[*]}')).to.equal('10 20 30 40');
    expect(print('{.status.missing}')).to.equal(undefined);
    expect(print('{.status.shards[9]}')).to.equal(undefined);
    expect(compileJsonPath('{.status.phase}')(undefined)).to.equal(undefined);
    expect(compileJsonPath('{.status.phase}')(null)).to.equal(undefined);
    expect(compileJsonPath('{.status.phase}')(() => 1)).to.equal(undefined);
  });

  it('takes the path forms kubectl takes: with or without braces, $ or @ first, a leading dot left out, spaces', () => {
    for (const template of ['{.status.phase}', '.status.phase', ' .status.phase ', 'status.phase', '{status.phase}', '{$.status.phase}', '{@.status.phase}', '{ .status.phase }']) {
      expect(print(template), template).to.equal('Running');
    }
  });

  it('keeps the template text around the actions, and quoted literals inside them', () => {
    expect(print('phase={.status.phase}, ready={.status.ready}!')).to.equal('phase=Running, ready=true!');
    expect(print('{"x"}{.status.phase}{"\\u0041}"}')).to.equal('xRunningA}');
    // One path that finds nothing makes the whole template find nothing.
    expect(print('{.status.phase}/{.status.missing}')).to.equal(undefined);
  });

  it('selects by index, slice, wildcard, filter and recursive descent', () => {
    expect(print('{.status.shards[0]}')).to.equal('10');
    expect(print('{.status.shards[1:3]}')).to.equal('20 30');
    expect(print('{.status.shards[-1:]}')).to.equal('40');
    expect(print('{.status.shards[?(@ > 25)]}')).to.equal('30 40');
    expect(print('{.status.conditions[?(@.type=="Ready")].status}')).to.equal('True');
    expect(print("{.status.conditions[?(@.type=='Available')].reason}")).to.equal('Quoted "x"');
    expect(print('{.status.conditions[1:].type}')).to.equal('Available');
    expect(print('{.status.*}')?.split(' ').slice(0, 4)).to.deep.equal(['Running', 'true', '1.5', 'null']);
    expect(print('{..type}')).to.equal('Ready Available');
    expect(print('{.status..c}')).to.equal('x');
    expect(print('{.}')).to.equal(JSON.stringify(JSON.parse(print('{$}') ?? 'null')));
  });

  it('reads a `}` or an escaped quote inside a filter\'s string as part of it, not the end of the action', () => {
    expect(print('{.status.conditions[?(@.reason=="A}b")].type}')).to.equal('Ready');
    expect(print("{.status.conditions[?(@.reason=='A}b')].type}")).to.equal('Ready');
    expect(print('{.status.conditions[?(@.reason=="Quoted \\"x\\"")].type}')).to.equal('Available');
    expect(print('{.status.conditions[?(@.reason=="A]b" || @.type=="Available")].type}')).to.equal('Available');
  });

  it('reads a label key with escaped dots as one field name', () => {
    expect(print('{.spec.labels.app\\.kubernetes\\.io/name}')).to.equal('cache');
    expect(print('{.spec.labels.app.kubernetes.io/name}')).to.equal(undefined);
  });

  it('refuses what it cannot evaluate, saying what to write instead', () => {
    expect(refused('{}')).to.equal('invalid jsonPath `{}`: an empty `{}`; write a path such as {.status.phase}');
    expect(refused('{ }')).to.equal('invalid jsonPath `{ }`: an empty `{}`; write a path such as {.status.phase}');
    const range = '{range} and {end} are not supported; select one value, e.g. {.items[0].status.phase}';
    expect(refused('{range .items[*]}{.name}{end}')).to.equal(`invalid jsonPath \`{range .items[*]}{.name}{end}\`: ${range}`);
    expect(refused('{end}')).to.equal(`invalid jsonPath \`{end}\`: ${range}`);
    expect(print('{.status.rangeStart}')).to.equal(undefined);
    expect(refused('a{.status')).to.equal('invalid jsonPath `a{.status`: the `{` at character 2 is never closed');
    expect(refused('{"a\\"}')).to.equal('invalid jsonPath `{"a\\"}`: the `{` at character 1 is never closed');
    expect(refused('{"a" + "b"}')).to.equal('invalid jsonPath `{"a" + "b"}`: `"a" + "b"` is not a quoted string');
    expect(refused('{"a"b}')).to.equal('invalid jsonPath `{"a"b}`: `"a"b` is not a quoted string');
    // jsonpath-plus cannot parse a filter on plain values without spaces around its operator: refused at once.
    expect(refused('{.items[?(@=="x")]}')).to.equal('invalid jsonPath `{.items[?(@=="x")]}`: the filter `[?(@=="x")]` cannot be evaluated '
      + '(Unexpected "@" at character 0); put spaces around its operators, e.g. [?(@ == "x")]');
    expect(print('{.items[?(@ == "x")]}', { items: ['x', 'y'] })).to.equal('x');
    expect(print('{.items[?(@.type=="Ready")].status}', { items: [{ type: 'Ready', status: 'True' }] })).to.equal('True');
    expect(refused('{..}')).to.equal('invalid jsonPath `{..}`: `..` needs a field name after it');
    expect(refused('{.status..}')).to.equal('invalid jsonPath `{.status..}`: `..` needs a field name after it');
    expect(refused('{.status.shards[0}')).to.equal('invalid jsonPath `{.status.shards[0}`: the `[` at character 15 of `.status.shards[0` is never closed');
    expect(refused('{.status.shards[0]x}')).to.equal('invalid jsonPath `{.status.shards[0]x}`: unexpected `x` at character 18 of `.status.shards[0]x`');
    expect(refused('{.spec.labels.a;b}')).to.equal('invalid jsonPath `{.spec.labels.a;b}`: the field name `a;b` holds characters rebound cannot look up');
    for (const name of ['a^b', "a'b", 'a"b', 'a#b', 'a`b', 'a]b']) {
      expect(refused(`.spec.${name}`)).to.contain(`the field name \`${name}\` holds characters`);
    }
  });

  it('goes into brackets nested in brackets and reads `..[n]`', () => {
    expect(print('{..shards[0]}')).to.equal('10');
    expect(print('{.status.conditions[?(@.type==["Ready"][0])].status}')).to.equal('True');
  });

  it('is what the object check compares and shows', () => {
    const world = worldOf(cache);
    const check = (jsonPath: string, want: { equals: string } | { matches: string }) =>
      object({ apiVersion: 'example.com/v1', kind: 'Cache', name: 'c', namespace: 'web', jsonPath, ...want }).evaluate(world);
    expect(check('{.status.nested.a}', { equals: '{"c":"x","d":[{"y":2,"z":1}]}' })).to.deep.equal({
      holds: true, detail: 'object Cache/c {.status.nested.a}: "{\\"c\\":\\"x\\",\\"d\\":[{\\"y\\":2,\\"z\\":1}]}", want "{\\"c\\":\\"x\\",\\"d\\":[{\\"y\\":2,\\"z\\":1}]}"',
    });
    expect(check('{.status.shards[1:3]}', { equals: '20 30' }).holds).to.equal(true);
    expect(check('{.status.shards[?(@ < 15)]}', { matches: '^10$' })).to.deep.equal({
      holds: true, detail: 'object Cache/c {.status.shards[?(@ < 15)]}: "10", want a match of /^10$/',
    });
  });

  it('reads quotes and escapes inside brackets, `..[n]`, and field names that begin like a keyword', () => {
    const odd = { items: [{ name: 'a"]', v: 1 }, { name: "b']", v: 2 }], end: 'E', range: 'R' };
    expect(print('{.items[?(@.name=="a\\"]")].v}', odd)).to.equal('1');
    expect(print("{.items[?(@.name=='b\\']')].v}", odd)).to.equal('2');
    expect(print('{.items..[0]}', { items: [[5, 6], [7]] })).to.equal('[5,6] 5 7');
    expect(print('{.end}{.range}', odd)).to.equal('ER');
    expect(refused('{.spec.a\\}')).to.equal('invalid jsonPath `{.spec.a\\}`: the field name `a\\` holds characters rebound cannot look up');
  });

  it('finds nothing, rather than failing, where a filter reads a field an item lacks', () => {
    expect(print('{.status.conditions[?(@.missing.deep=="x")].type}')).to.equal(undefined);
  });

  it('names its error', () => {
    expect(() => compileJsonPath('{}')).to.throw(JsonPathSyntaxError).with.property('name', 'JsonPathSyntaxError');
  });
});

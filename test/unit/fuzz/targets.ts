/**
 * The fuzz targets of rebound's bad-input surface: scenario files (structure-aware mutations of the real scenarios
 * and fixtures, and raw bytes), manifest files, `--var`, `--selector`, durations and quantities. Each target is an
 * input generator and a check of the properties every input must have; `fuzz.test.ts` runs them in `npm test` with
 * a fixed seed and a small count, `bench/fuzz-inputs.ts` with a large one.
 *
 * The properties: nothing throws but the project's typed errors (the loader throws nothing at all: it returns
 * issues); every issue is one line at file:line:col inside the file it names, with the field path; what is valid
 * reads back the same when written out again.
 */
import { AssertionError } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { LineCounter, parse, parseDocument, stringify } from 'yaml';
import { UsageError } from '../../../harness/errors.js';
import { loadScenarios } from '../../../harness/run/command.js';
import { Duration, DurationSyntaxError } from '../../../harness/scenario/duration.js';
import { formatIssue, type ValidationIssue } from '../../../harness/scenario/issues.js';
import { loadScenarioFile, parseVarAssignments, type LoadResult } from '../../../harness/scenario/loader.js';
import { LabelSelector, SelectorSyntaxError } from '../../../harness/scenario/rules.js';

/** The repository root, from dist/test/unit/fuzz once compiled. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** The seed every fuzz run in `npm test` uses, so a failure there is the same failure on every machine. */
export const FUZZ_SEED = 20261202;

/** Values for the variables the seed scenarios use, so that the unmutated seeds are valid. */
const VARS: Readonly<Record<string, string>> = { IMAGE: 'nginx:1.27', READY_DELAY: '2s', RECONCILE_DELAY: '1s' };

/** One fuzz target: how to make inputs, and the check every input must pass (it throws an AssertionError if not). */
export interface FuzzTarget<T = unknown> {
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<T>;
  readonly check: (input: T) => Promise<void>;
  /** Inputs per run in `npm test`; the bench shares its count out in these proportions. */
  readonly runs: number;
}

function fail(message: string): never {
  throw new AssertionError({ message });
}

// ---------------------------------------------------------------------------------------------------------------
// Where fuzzed files are written: one temporary folder per seed folder, holding links to everything the seeds use
// (manifests, k6 scripts, servers), so a mutated scenario still finds its manifest files.

interface Workspace {
  readonly folder: string;
  readonly scenario: string;
}

const workspaces = new Map<string, Workspace>();

function workspaceFor(seedFolder: string): Workspace {
  const known = workspaces.get(seedFolder);
  if (known !== undefined) return known;
  const folder = mkdtempSync(join(tmpdir(), 'rebound-fuzz-'));
  for (const entry of readdirSync(seedFolder)) symlinkSync(join(seedFolder, entry), join(folder, entry));
  const workspace = { folder, scenario: join(folder, 'fuzzed-scenario.yaml') };
  workspaces.set(seedFolder, workspace);
  return workspace;
}

/** Removes the temporary folders the targets wrote into. */
export function removeFuzzWorkspaces(): void {
  for (const { folder } of workspaces.values()) rmSync(folder, { recursive: true, force: true });
  workspaces.clear();
}

// ---------------------------------------------------------------------------------------------------------------
// Seeds: the real scenarios and the fixtures, valid and invalid.

/** A scenario file the mutations start from. */
export interface Seed {
  readonly file: string;
  readonly text: string;
}

const SEED_FOLDERS = ['scenarios', 'scenarios/kind', 'test/fixtures/good-scenarios', 'test/fixtures/bad-scenarios'];

let seedCache: Seed[] | undefined;

/** Every scenario file of the seed folders. */
export function seeds(): readonly Seed[] {
  seedCache ??= SEED_FOLDERS.flatMap((folder) => readdirSync(join(REPO_ROOT, folder))
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => join(REPO_ROOT, folder, name))
    .map((file) => ({ file, text: readFileSync(file, 'utf8') }))
    .filter((seed) => /^kind:\s*Scenario\s*$/m.test(seed.text)));
  return seedCache;
}

const MANIFEST_SEEDS = ['scenarios/manifests', 'test/fixtures/good-scenarios/manifests'];

function manifestSeeds(): readonly string[] {
  return MANIFEST_SEEDS.flatMap((folder) => readdirSync(join(REPO_ROOT, folder))
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => readFileSync(join(REPO_ROOT, folder, name), 'utf8')));
}

// ---------------------------------------------------------------------------------------------------------------
// Nasty values.

const VALID_DURATION_UNITS = ['h', 'm', 's', 'ms'] as const;

/** Duration text near the accepted form: valid ones and the ways to get it slightly or badly wrong. */
export const durationText: fc.Arbitrary<string> = fc.oneof(
  fc.array(fc.tuple(fc.nat({ max: 100_000 }), fc.option(fc.stringMatching(/^\d{1,4}$/), { nil: undefined }), fc.constantFrom(...VALID_DURATION_UNITS)), { minLength: 1, maxLength: 4 })
    .map((parts) => parts.map(([whole, fraction, unit]) => `${whole}${fraction === undefined ? '' : `.${fraction}`}${unit}`).join('')),
  fc.tuple(fc.constantFrom('', '+', '-', ' ', '\t', '++', '+-'), fc.stringMatching(/^\d{0,25}(\.\d{0,8})?$/), fc.constantFrom('', 'h', 'm', 's', 'ms', 'us', 'µs', 'ns', 'd', 'S', 'M', 'sec', 'e3s', ' s', 's ', 'ms5', 's0'))
    .map(([sign, number, unit]) => `${sign}${number}${unit}`),
  fc.constantFrom('0', '+', '+0', '-0', '0s', '', ' ', '.5s', '1.s', '1e3s', 'Infinitys', 'NaNms', '1h-1m', '１s', '٣s', '1 s', '1s1s', `${'9'.repeat(400)}h`,
    '9007199254740991ms', '9007199254740992ms', '2562047h47m16.854775807s', '0.0001s', '1.0001s', '5m0.5s'),
  fc.string({ maxLength: 12 }),
);

/** Strings that have broken parsers before: unicode, control characters, variables, YAML words. */
const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.constantFrom('', ' ', '\t', '\n', '\r\n', '\u0000', '\uFEFF', '\ud800', '\udfff', '\u202e', 'é', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '😀', 'ǅ',
    '${UNDEFINED_VAR}', '${', '${}', '${IMAGE', '$${IMAGE}', '${IMAGE}', '${KUBECONFIG}', '${NODE_PORT_30080}', '${1X}',
    'app=web', 'app in (a,b)', '!app', 'kube-system', 'default', '__proto__', 'constructor', 'toString', 'hasOwnProperty',
    'true', 'null', '~', 'yes', '0x1F', '1_000', '0o17', '.inf', '-.inf', '.nan', '1e400', '-1', '3.0', '[', ']', '{', '}', '*a', '&a', '!!str', '? x', '- x',
    'x'.repeat(300), 'a'.repeat(64), `${'a'.repeat(63)}.${'b'.repeat(200)}`, '/etc/passwd', '../../../../etc/passwd', '$(touch /tmp/rebound-pwned)', '`id`', '; rm -rf /'),
  durationText,
);

const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -3, max: 200 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, -1, 0.5, 1.5, 99.9999, 100, 101, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, 1e21, 1e308, -1e308,
    Number.MIN_VALUE, Infinity, -Infinity, Number.NaN),
);

/** Any value a mutation may put in a scenario. */
export const nastyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyString,
    nastyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(nastyString, fc.constantFrom('podKill', 'count', 'selector', 'at', 'file', 'inline', 'kind', 'name')), tie('value'), { maxKeys: 3 }),
  ),
})).value;

// ---------------------------------------------------------------------------------------------------------------
// Structure-aware mutations.

type Json = unknown;
type PathStep = string | number;

/** Every path into `data`, the root first. */
function pathsOf(data: Json, prefix: PathStep[] = [], into: PathStep[][] = []): PathStep[][] {
  into.push(prefix);
  if (Array.isArray(data)) data.forEach((item, index) => pathsOf(item, [...prefix, index], into));
  else if (isRecord(data)) for (const [key, value] of Object.entries(data)) pathsOf(value, [...prefix, key], into);
  return into;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function getAt(data: Json, path: readonly PathStep[]): Json {
  let value = data;
  for (const step of path) value = Array.isArray(value) ? value[step as number] : isRecord(value) ? value[step] : undefined;
  return value;
}

/** `data` with the value at `path` replaced by `make(old)`, or removed when `make` gives `REMOVE`. */
const REMOVE = Symbol('remove');
function setAt(data: Json, path: readonly PathStep[], make: (old: Json) => Json | typeof REMOVE): Json {
  if (path.length === 0) {
    const made = make(data);
    return made === REMOVE ? null : made;
  }
  const [step, ...rest] = path;
  if (Array.isArray(data) && typeof step === 'number') {
    const copy = [...data];
    if (rest.length === 0 && make(copy[step]) === REMOVE) copy.splice(step, 1);
    else copy[step] = setAt(copy[step], rest, make);
    return copy;
  }
  if (isRecord(data) && typeof step === 'string') {
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(data)) {
      if (key !== step) {
        Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
        continue;
      }
      const made = rest.length === 0 ? make(value) : setAt(value, rest, make);
      if (made !== REMOVE) Object.defineProperty(copy, key, { value: made, enumerable: true, writable: true, configurable: true });
    }
    // A field the data does not have yet is added (at the end, as a user would).
    if (!Object.prototype.hasOwnProperty.call(data, step)) {
      const made = rest.length === 0 ? make(undefined) : setAt(undefined, rest, make);
      if (made !== REMOVE) Object.defineProperty(copy, step, { value: made, enumerable: true, writable: true, configurable: true });
    }
    return copy;
  }
  return data;
}

/** A value of another type that a confused user might have written instead. */
function retype(value: Json, variant: number): Json {
  switch (variant % 6) {
    case 0: return typeof value === 'string' ? (Number.isNaN(Number.parseFloat(value)) ? 42 : Number.parseFloat(value)) : JSON.stringify(value) ?? 'undefined';
    case 1: return [value];
    case 2: return isRecord(value) ? Object.values(value) : Array.isArray(value) ? Object.fromEntries(value.map((item, index) => [
      String(index),
      item,
    ])) : { value };
    case 3: return null;
    case 4: return typeof value === 'number' ? -value : value === true ? 'true' : true;
    default: return typeof value === 'number' ? value + 0.5 : typeof value === 'string' ? `${value}s` : {};
  }
}

/** One change to a scenario's data. */
type DataMutation =
  | { readonly op: 'drop' | 'duplicate'; readonly pick: number }
  | { readonly op: 'replace' | 'add'; readonly pick: number; readonly value: unknown; readonly key: string }
  | { readonly op: 'retype'; readonly pick: number; readonly variant: number }
  | { readonly op: 'rename'; readonly pick: number; readonly variant: number };

const dataMutation: fc.Arbitrary<DataMutation> = fc.oneof(
  fc.record({ op: fc.constantFrom('drop' as const, 'duplicate' as const), pick: fc.nat() }),
  fc.record({ op: fc.constantFrom('replace' as const, 'add' as const), pick: fc.nat(), value: nastyValue, key: fc.oneof(nastyString, fc.constantFrom('count', 'percent', 'at', 'duration', 'namespace', 'selector', 'nodesOf')) }),
  fc.record({ op: fc.constant('retype' as const), pick: fc.nat(), variant: fc.nat() }),
  fc.record({ op: fc.constant('rename' as const), pick: fc.nat(), variant: fc.nat() }),
);

function applyDataMutation(data: Json, mutation: DataMutation): Json {
  const paths = pathsOf(data);
  const path = paths[mutation.pick % paths.length] ?? [];
  const last = path[path.length - 1];
  switch (mutation.op) {
    case 'drop':
      return setAt(data, path, () => REMOVE);
    case 'duplicate':
      if (typeof last === 'number') return setAt(data, path.slice(0, -1), (list) => (Array.isArray(list) ? [...list, list[last]] : list));
      return setAt(data, path, (value) => [value, value]);
    case 'replace':
      return setAt(data, path, () => mutation.value);
    case 'add':
      return setAt(
        data,
        path,
        (value) => (isRecord(value) ? { ...value, [mutation.key]: mutation.value } : Array.isArray(value) ? [...value, mutation.value] : value),
      );
    case 'retype':
      return setAt(data, path, (value) => retype(value, mutation.variant));
    case 'rename': {
      if (typeof last !== 'string') return data;
      const renamed = [last.toUpperCase(), last.slice(1), `${last}s`, `${last} `, last.replace(/[aeiou]/, 'é'), `${last.slice(0, -1)}\u200b${last.slice(-1)}`][mutation.variant % 6] ?? last;
      return setAt(data, path.slice(0, -1), (parent) => (isRecord(parent)
        ? Object.fromEntries(Object.entries(parent).map(([key, value]) => [key === last ? renamed : key, value]))
        : parent));
    }
  }
}

/** One change to a file's text: what YAML allows or forbids that plain data cannot show. */
type TextMutation =
  | { readonly op: 'bom' | 'crlf' | 'cr' | 'empty' | 'comments-only' | 'second-document' | 'alias-bomb' | 'strip-newlines' }
  | { readonly op: 'tabs' | 'duplicate-line' | 'delete-line' | 'anchor-alias' | 'undefined-alias' | 'tag' | 'merge-key'; readonly line: number; readonly other: number }
  | { readonly op: 'truncate' | 'insert'; readonly at: number; readonly text: string }
  | { readonly op: 'nest'; readonly line: number; readonly depth: number; readonly flow: boolean }
  | { readonly op: 'huge-number'; readonly line: number; readonly digits: number };

const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ op: fc.constantFrom('bom' as const, 'crlf' as const, 'cr' as const, 'empty' as const, 'comments-only' as const, 'second-document' as const, 'alias-bomb' as const, 'strip-newlines' as const) }),
  fc.record({ op: fc.constantFrom('tabs' as const, 'duplicate-line' as const, 'delete-line' as const, 'anchor-alias' as const, 'undefined-alias' as const, 'tag' as const, 'merge-key' as const), line: fc.nat(), other: fc.nat() }),
  fc.record({ op: fc.constantFrom('truncate' as const, 'insert' as const), at: fc.nat(), text: fc.oneof(nastyString, fc.constantFrom(':', ': ', '- ', '"', "'", '#', '&x ', '*x', '|', '>', '---\n', '...\n', '%YAML 1.1\n', '\t', '\u0085', '\u2028')) }),
  fc.record({ op: fc.constant('nest' as const), line: fc.nat(), depth: fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 500, max: 4000 })), flow: fc.boolean() }),
  fc.record({ op: fc.constant('huge-number' as const), line: fc.nat(), digits: fc.integer({ min: 16, max: 400 }) }),
);

/** The value part of a `key: value` line, as [prefix up to the value, value], or undefined. */
function splitValue(line: string): [string, string] | undefined {
  const match = /^(\s*(?:- )?[^\s#:][^:#]*:\s+)(\S.*)$/.exec(line);
  return match?.[1] === undefined || match[2] === undefined ? undefined : [match[1], match[2]];
}

function applyTextMutation(text: string, mutation: TextMutation): string {
  const lines = text.split('\n');
  const pickLine = (n: number): number => n % Math.max(1, lines.length);
  const withValue = (n: number): number | undefined => {
    const candidates = lines.map((line, index) => (splitValue(line) === undefined ? -1 : index)).filter((index) => index >= 0);
    return candidates.length === 0 ? undefined : candidates[n % candidates.length];
  };
  switch (mutation.op) {
    case 'bom': return `\uFEFF${text}`;
    case 'crlf': return text.replace(/\n/g, '\r\n');
    case 'cr': return text.replace(/\n/g, '\r');
    case 'empty': return '';
    case 'comments-only': return lines.map((line) => `# ${line}`).join('\n');
    case 'second-document': return `${text}\n---\n${text}`;
    case 'strip-newlines': return text.replace(/\n/g, ' ');
    case 'alias-bomb': {
      const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
      for (let level = 1; level < 9; level += 1) {
        const previous = String.fromCharCode(96 + level);
        levels.push(`${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(9).fill(`*${previous}`).join(',')}]`);
      }
      return `${text}\nbomb:\n${levels.map((line) => `  ${line}`).join('\n')}\n`;
    }
    case 'tabs': {
      const index = pickLine(mutation.line);
      lines[index] = (lines[index] ?? '').replace(/^( +)/, (spaces) => '\t'.repeat(Math.max(1, spaces.length >> (mutation.other % 2))));
      return lines.join('\n');
    }
    case 'duplicate-line': {
      const index = pickLine(mutation.line);
      lines.splice(index, 0, lines[index] ?? '');
      return lines.join('\n');
    }
    case 'delete-line':
      lines.splice(pickLine(mutation.line), 1);
      return lines.join('\n');
    case 'anchor-alias':
    case 'undefined-alias':
    case 'tag':
    case 'merge-key': {
      const from = withValue(mutation.line);
      const to = withValue(mutation.other);
      if (from === undefined || to === undefined) return text;
      const [fromPrefix, fromValue] = splitValue(lines[from] ?? '') ?? ['', ''];
      const [toPrefix] = splitValue(lines[to] ?? '') ?? ['', ''];
      if (mutation.op === 'anchor-alias') {
        lines[from] = `${fromPrefix}&anchor ${fromValue}`;
        lines[to] = `${toPrefix}*anchor`;
      } else if (mutation.op === 'undefined-alias') {
        lines[to] = `${toPrefix}*nowhere`;
      } else if (mutation.op === 'tag') {
        lines[from] = `${fromPrefix}${['!!binary', '!!int', '!!float', '!!str', '!!set', '!!map', '!!seq', '!!timestamp', '!custom', '!<tag:example.com,2000:x>'][mutation.other % 10] ?? ''} ${fromValue}`;
      } else {
        const indent = /^\s*(?:- )?/.exec(lines[to] ?? '')?.[0].replace('- ', '  ') ?? '';
        lines.splice(to, 0, `${indent}<<: {count: 1, namespace: default}`);
      }
      return lines.join('\n');
    }
    case 'truncate': return text.slice(0, mutation.at % (text.length + 1));
    case 'insert': {
      const at = mutation.at % (text.length + 1);
      return `${text.slice(0, at)}${mutation.text}${text.slice(at)}`;
    }
    case 'nest': {
      const index = withValue(mutation.line);
      if (index === undefined) return text;
      const [prefix, value] = splitValue(lines[index] ?? '') ?? ['', ''];
      const [open, close] = mutation.flow ? ['[', ']'] : ['{x: ', '}'];
      lines[index] = `${prefix}${open.repeat(mutation.depth)}${value}${close.repeat(mutation.depth)}`;
      return lines.join('\n');
    }
    case 'huge-number': {
      const index = withValue(mutation.line);
      if (index === undefined) return text;
      const [prefix] = splitValue(lines[index] ?? '') ?? ['', ''];
      lines[index] = `${prefix}${'9'.repeat(mutation.digits)}`;
      return lines.join('\n');
    }
  }
}

/** A mutated file: the seed it came from and its text. */
export interface Mutant {
  readonly seed: string;
  readonly text: string;
}

/** Up to a few data mutations, then maybe a few text ones, of one of `texts`. */
function mutantsOf(texts: readonly { readonly name: string; readonly text: string }[]): fc.Arbitrary<Mutant> {
  return fc.record({
    pick: fc.nat(),
    data: fc.array(dataMutation, { maxLength: 3 }),
    text: fc.array(textMutation, { maxLength: 2 }),
    style: fc.constantFrom('block' as const, 'flow' as const, 'original' as const),
  }).map(({ pick, data, text: textMutations, style }) => {
    const seed = texts[pick % texts.length] ?? { name: '', text: '' };
    let text = seed.text;
    if (data.length > 0 || style !== 'original') {
      let value: Json;
      try {
        value = parse(seed.text, { maxAliasCount: 100, logLevel: 'error' });
      } catch {
        value = null;
      }
      for (const mutation of data) value = applyDataMutation(value, mutation);
      text = style === 'flow' ? JSON.stringify(value, null, 1) ?? '' : stringify(value);
    }
    for (const mutation of textMutations) text = applyTextMutation(text, mutation);
    return { seed: seed.name, text };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The properties of a load.

/** Messages of issues about the file or the document as a whole, which have no field to name. */
const DOCUMENT_LEVEL = [
  /^YAML: /,
  /^the file holds no YAML document/,
  /^a scenario file holds one YAML document/,
  /^cannot read the YAML: /,
  /^must be a map /,
  /^missing required field /,
];

/** What no message shown to a user may contain: a crash's words or a stack. */
const CRASH = /TypeError|RangeError|ReferenceError|SyntaxError|Maximum call stack|is not a function|Cannot read prop|undefined \(reading|\n\s+at |\[object Object\]/;

const fileTexts = new Map<string, string>();

function textOf(file: string, written: Readonly<Record<string, string>>): string | undefined {
  if (written[file] !== undefined) return written[file];
  if (!fileTexts.has(file)) {
    try {
      fileTexts.set(file, readFileSync(file, 'utf8'));
    } catch {
      return undefined;
    }
  }
  return fileTexts.get(file);
}

/** Checks the properties every issue of a load has; `written` holds the text of the files the target wrote. */
export function checkIssues(result: LoadResult, written: Readonly<Record<string, string>>): void {
  if ((result.scenario === undefined) === (result.errors.length === 0)) {
    fail(`a result has a scenario exactly when it has no errors; here ${result.errors.length} errors and ${result.scenario === undefined ? 'no' : 'a'} scenario`);
  }
  for (const issue of [...result.errors, ...result.warnings]) checkIssue(issue, written);
}

function checkIssue(issue: ValidationIssue, written: Readonly<Record<string, string>>): void {
  const shown = formatIssue(issue);
  const text = textOf(issue.file, written);
  if (text === undefined) fail(`issue names a file that cannot be read: ${shown}`);
  // Lines as the YAML library counts them (LF only), columns 1-based, the one after a line's end included.
  const lines = text.split('\n');
  if (!Number.isInteger(issue.line) || issue.line < 1 || issue.line > lines.length) fail(`line ${issue.line} is not in ${issue.file} (${lines.length} lines): ${shown}`);
  const line = lines[issue.line - 1] ?? '';
  if (!Number.isInteger(issue.column) || issue.column < 1 || issue.column > line.length + 1) fail(`column ${issue.column} is not on line ${issue.line} (${line.length} characters): ${shown}`);
  if (issue.severity !== 'error' && issue.severity !== 'warning') fail(`severity ${String(issue.severity)}: ${shown}`);
  if (issue.message.trim() === '') fail(`empty message: ${shown}`);
  if (/[\n\r]/.test(shown)) fail(`issue is not one line: ${JSON.stringify(shown)}`);
  if (CRASH.test(`${issue.message} ${issue.hint ?? ''}`)) fail(`issue shows a crash: ${shown}`);
  if (issue.path === '' && !DOCUMENT_LEVEL.some((pattern) => pattern.test(issue.message))) fail(`issue has no field path: ${shown}`);
}

/** The scenario as data without where it came from: what a round trip must keep. */
function withoutPlaces(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, inner: unknown) => (key === 'source' || key === 'file' ? undefined : inner))) as unknown;
}

/** Loads `text` as a scenario in the seed's folder; never rejects when the loader keeps its promise. */
async function loadWritten(seedFolder: string, text: string | Uint8Array): Promise<{ result: LoadResult; file: string; text: string }> {
  const { scenario } = workspaceFor(seedFolder);
  writeFileSync(scenario, text);
  const read = readFileSync(scenario, 'utf8');
  let result: LoadResult;
  try {
    result = await loadScenarioFile(scenario, { vars: VARS });
  } catch (error) {
    fail(`loadScenarioFile threw ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  }
  return { result, file: scenario, text: read };
}

/** How many fuzzed scenario files were valid and went through the round trip: the property is not vacuous. */
export const roundTrips = { count: 0 };

/** A valid scenario written out again as JSON (which is YAML) loads to the same scenario. */
async function checkRoundTrip(seedFolder: string, text: string, first: LoadResult): Promise<void> {
  if (first.scenario === undefined) return;
  roundTrips.count += 1;
  const data: unknown = parse(text.replace(/^\uFEFF/, ''), { maxAliasCount: 1000, logLevel: 'error' });
  const again = await loadWritten(seedFolder, JSON.stringify(data, null, 2));
  checkIssues(again.result, { [again.file]: again.text });
  if (again.result.scenario === undefined) fail(`valid scenario is invalid written as JSON: ${again.result.errors.map(formatIssue).join('; ')}`);
  if (!isDeepStrictEqual(withoutPlaces(first.scenario), withoutPlaces(again.result.scenario))) fail('valid scenario reads back different when written as JSON');
}

// ---------------------------------------------------------------------------------------------------------------
// The targets.

const seedTexts = (): { name: string; text: string }[] => seeds().map((seed) => ({ name: seed.file, text: seed.text }));

/** Mutations of the real scenarios and fixtures, loaded next to the files they use. */
const scenarioMutants: FuzzTarget<Mutant> = {
  name: 'scenario file (mutated)',
  runs: 250,
  arbitrary: fc.constant(null).chain(() => mutantsOf(seedTexts())),
  check: async (mutant) => {
    const folder = dirname(mutant.seed);
    const { result, file, text } = await loadWritten(folder, mutant.text);
    checkIssues(result, { [file]: text });
    await checkRoundTrip(folder, text, result);
  },
};

/** Raw bytes, and seeds with bytes flipped: invalid UTF-8, NULs, anything. */
const scenarioBytes: FuzzTarget<{ seed: string; bytes: Uint8Array }> = {
  name: 'scenario file (raw bytes)',
  runs: 150,
  arbitrary: fc.oneof(
    fc.uint8Array({ maxLength: 600 }).map((bytes) => ({ seed: seeds()[0]?.file ?? '', bytes })),
    fc.record({
      pick: fc.nat(),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
    }).map(({ pick, flips }) => {
      const seed = seeds()[pick % seeds().length] ?? { file: '', text: '' };
      const bytes = new Uint8Array(Buffer.from(seed.text, 'utf8'));
      for (const [at, byte] of flips) if (bytes.length > 0) bytes[at % bytes.length] = byte;
      return { seed: seed.file, bytes };
    }),
  ),
  check: async ({ seed, bytes }) => {
    const { result, file, text } = await loadWritten(dirname(seed), bytes);
    checkIssues(result, { [file]: text });
  },
};

/** A valid scenario whose manifest file is a mutation of the real manifests: issues must point into that file. */
const manifestMutants: FuzzTarget<Mutant> = {
  name: 'manifest file (mutated)',
  runs: 100,
  arbitrary: fc.constant(null).chain(() => mutantsOf(manifestSeeds().map((text, index) => ({ name: String(index), text })))),
  check: async (mutant) => {
    const folder = join(REPO_ROOT, 'test/fixtures/good-scenarios');
    const { folder: workspace } = workspaceFor(folder);
    const manifest = join(workspace, 'fuzzed-manifests.yaml');
    writeFileSync(manifest, mutant.text);
    const scenario = stringify({
      apiVersion: 'rebound.dev/v1alpha1',
      kind: 'Scenario',
      metadata: { name: 'fuzzed-manifests' },
      spec: { namespace: 'fuzz', desiredState: [{ file: 'fuzzed-manifests.yaml' }], faults: [{ podKill: { selector: 'app=web' } }], expect: { recoveryWithin: '30s' } },
    });
    const { result, file, text } = await loadWritten(folder, scenario);
    fileTexts.delete(manifest);
    checkIssues(result, { [file]: text, [manifest]: readFileSync(manifest, 'utf8') });
  },
};

/** Durations: parsed, or refused with a DurationSyntaxError; what is read is whole, safe and prints back the same. */
const durations: FuzzTarget<string> = {
  name: 'durations (Duration.parse)',
  runs: 2000,
  arbitrary: fc.oneof(durationText, fc.string({ unit: 'binary', maxLength: 40 })),
  check: (text) => {
    let parsed: Duration;
    try {
      parsed = Duration.parse(text);
    } catch (error) {
      if (!(error instanceof DurationSyntaxError)) fail(`Duration.parse(${JSON.stringify(text)}) threw ${String(error)}`);
      if (/[\n\r\u2028\u2029]/.test(error.message)) fail(`message is not one line: ${JSON.stringify(error.message)}`);
      return Promise.resolve();
    }
    const ms = parsed.toMilliseconds();
    if (!Number.isSafeInteger(ms) || ms < 0) fail(`Duration.parse(${JSON.stringify(text)}) = ${ms} ms`);
    const expected = expectedMilliseconds(text);
    if (expected !== ms) fail(`Duration.parse(${JSON.stringify(text)}) = ${ms} ms, expected ${String(expected)}`);
    const again = Duration.parse(parsed.toString());
    if (!again.equals(parsed)) fail(`${JSON.stringify(text)} prints as ${parsed.toString()}, which reads back as ${again.toMilliseconds()} ms`);
    return Promise.resolve();
  },
};

/** An independent reading of Go-style duration text, for comparison: undefined for what is not one. */
function expectedMilliseconds(text: string): number | undefined {
  const trimmed = text.trim().replace(/^\+/, '');
  if (trimmed === '0') return 0;
  if (!/^(\d+(\.\d+)?(h|ms|m|s))+$/.test(trimmed)) return undefined;
  const scale: Record<string, bigint> = { h: 3_600_000n, m: 60_000n, s: 1000n, ms: 1n };
  let micro = 0n;
  for (const [, whole = '0', fraction = '', unit = 's'] of trimmed.matchAll(/(\d+)(?:\.(\d+))?(h|ms|m|s)/g)) {
    const size = scale[unit] ?? 1n;
    const exact = (BigInt(whole) * 10n ** BigInt(fraction.length) + BigInt(fraction || '0')) * size;
    micro += exact * 10n ** BigInt(30 - fraction.length);
  }
  const unitOf = 10n ** 30n;
  if (micro % unitOf !== 0n) return undefined;
  const ms = micro / unitOf;
  return ms > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(ms);
}

/** The duration fields the durations target sets in the base scenario. */
const DURATION_FIELDS: readonly (readonly PathStep[])[] = [
  ['spec', 'timeout'],
  ['spec', 'faults', 0, 'at'],
  ['spec', 'expect', 'maxDisruption'],
];

/** Where the YAML library puts the value at `path` in `text`, as 1-based line and column. */
function placeOf(text: string, path: readonly PathStep[]): { line: number; col: number } | undefined {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  const node = document.getIn(path, true) as { range?: [number, number] } | undefined;
  return node?.range === undefined ? undefined : lineCounter.linePos(node.range[0]);
}

/** Base scenario used by the field targets: valid, with every field the targets set present. */
function baseData(): Record<string, unknown> {
  return {
    apiVersion: 'rebound.dev/v1alpha1',
    kind: 'Scenario',
    metadata: { name: 'fuzzed-field' },
    spec: {
      namespace: 'fuzz',
      steadyState: [{ podsReady: { selector: 'app=web', count: 3 } }, { nodesReady: { min: 1 } }],
      faults: [{ at: '0s', podKill: { selector: 'app=web', count: 1 } }],
      expect: { recoveryWithin: '1h', maxDisruption: '30s' },
      timeout: '24h',
    },
  };
}

/** A value of a duration field: refused at that field's place exactly when it is no duration; read as written. */
const durationFields: FuzzTarget<{ field: number; value: unknown }> = {
  name: 'durations in a scenario',
  runs: 150,
  arbitrary: fc.record({
    field: fc.nat({ max: DURATION_FIELDS.length - 1 }),
    value: fc.oneof({ weight: 4, arbitrary: durationText }, { weight: 1, arbitrary: nastyValue }),
  }),
  check: async ({ field, value }) => {
    const path = DURATION_FIELDS[field] ?? [];
    const text = stringify(setAt(baseData(), path, () => value));
    const { result, file, text: written } = await loadWritten(join(REPO_ROOT, 'test/fixtures/good-scenarios'), text);
    checkIssues(result, { [file]: written });
    let duration: Duration | undefined;
    try {
      duration = typeof value === 'string' ? Duration.parse(value) : undefined;
    } catch {
      duration = undefined;
    }
    const shownPath = formatPathSteps(path);
    const atField = result.errors.filter((issue) => issue.path === shownPath);
    if (duration === undefined) {
      const place = placeOf(written, path);
      if (!atField.some((issue) => place !== undefined && issue.line === place.line && issue.column === place.col)) {
        fail(`${JSON.stringify(value)} at ${shownPath} is not refused at ${place?.line}:${place?.col}: ${result.errors.map(formatIssue).join('; ')}`);
      }
      return;
    }
    // A valid duration may still break a rule (`at` after recoveryWithin...); it is then refused by that rule.
    if (result.scenario === undefined) return;
    const read = shownPath === 'spec.timeout' ? result.scenario.spec.timeout
      : shownPath === 'spec.faults[0].at' ? result.scenario.spec.faults[0]?.at
      : result.scenario.spec.expect.maxDisruption;
    if (read === undefined || !read.equals(duration)) fail(`${JSON.stringify(value)} at ${shownPath} read as ${String(read)}`);
  },
};

function formatPathSteps(path: readonly PathStep[]): string {
  return path.map((step, index) => (typeof step === 'number' ? `[${step}]` : index === 0 ? step : `.${step}`)).join('');
}

/** Quantities: each field with its accepted range. */
const QUANTITY_FIELDS: readonly {
  readonly path: readonly PathStep[];
  /** Where the normalized scenario holds it. */
  readonly read: readonly PathStep[];
  readonly min: number;
  readonly max: number;
  /** Whether a fraction is allowed (a percentage is). */
  readonly fraction?: boolean;
  /** A field that cannot go with this one, removed first. */
  readonly drop?: readonly PathStep[];
}[] = [
  { path: ['spec', 'faults', 0, 'podKill', 'count'], read: ['spec', 'faults', 0, 'params', 'count'], min: 1, max: Number.MAX_SAFE_INTEGER },
  { path: ['spec', 'faults', 0, 'podKill', 'percent'], read: ['spec', 'faults', 0, 'params', 'percent'], min: 1, max: 100, fraction: true, drop: ['spec', 'faults', 0, 'podKill', 'count'] },
  { path: ['spec', 'steadyState', 0, 'podsReady', 'count'], read: ['spec', 'steadyState', 0, 'params', 'count'], min: 0, max: Number.MAX_SAFE_INTEGER },
  { path: ['spec', 'steadyState', 1, 'nodesReady', 'min'], read: ['spec', 'steadyState', 1, 'params', 'min'], min: 1, max: Number.MAX_SAFE_INTEGER },
  { path: ['spec', 'trials'], read: ['spec', 'trials'], min: 1, max: Number.MAX_SAFE_INTEGER },
];

/** A quantity: refused at its place exactly when it is not a number of its kind in range; read as written. */
const quantities: FuzzTarget<{ field: number; value: unknown }> = {
  name: 'quantities in a scenario (count, min, percent, trials)',
  runs: 150,
  arbitrary: fc.record({
    field: fc.nat({ max: QUANTITY_FIELDS.length - 1 }),
    value: fc.oneof({ weight: 4, arbitrary: nastyNumber }, { weight: 1, arbitrary: nastyValue }),
  }),
  check: async ({ field, value }) => {
    const spec = QUANTITY_FIELDS[field] ?? { path: [], read: [], min: 0, max: 0 };
    let data: Json = setAt(baseData(), spec.path, () => value);
    if (spec.drop !== undefined) data = setAt(data, spec.drop, () => REMOVE);
    const text = stringify(data);
    const { result, file, text: written } = await loadWritten(join(REPO_ROOT, 'test/fixtures/good-scenarios'), text);
    checkIssues(result, { [file]: written });
    // What YAML reads back is what counts: 1e400 is Infinity, 2.0 is 2.
    const read = getAt(parse(written, { logLevel: 'error' }), spec.path);
    const valid = typeof read === 'number' && (spec.fraction === true || Number.isInteger(read)) && read >= spec.min && read <= spec.max;
    const shownPath = formatPathSteps(spec.path);
    const atField = result.errors.filter((issue) => issue.path === shownPath);
    if (!valid) {
      const place = placeOf(written, spec.path);
      if (!atField.some((issue) => place !== undefined && issue.line === place.line && issue.column === place.col)) {
        fail(`${JSON.stringify(read)} at ${shownPath} is not refused at ${place?.line}:${place?.col}: ${result.errors.map(formatIssue).join('; ')}`);
      }
      return;
    }
    if (atField.length > 0) fail(`${read} at ${shownPath} is refused: ${atField.map(formatIssue).join('; ')}`);
    if (result.scenario === undefined) return;
    const normalized = getAt(withoutPlaces(result.scenario), spec.read);
    if (normalized !== read) fail(`${read} at ${shownPath} read as ${JSON.stringify(normalized)}`);
  },
};

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const variableName = fc.oneof(fc.stringMatching(VARIABLE_NAME), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'IMAGE', '_'));

/** `--var` assignments: a map of exactly what was given (the last of a name wins), or one UsageError line. */
const varAssignments: FuzzTarget<string[]> = {
  name: '--var assignments',
  runs: 1500,
  arbitrary: fc.array(fc.oneof(
    fc.tuple(variableName, nastyString).map(([name, value]) => `${name}=${value}`),
    nastyString,
    fc.tuple(nastyString, nastyString).map(([name, value]) => `${name}=${value}`),
  ), { maxLength: 5 }),
  check: (assignments) => {
    const expected = new Map<string, string>();
    let valid = true;
    for (const assignment of assignments) {
      const equals = assignment.indexOf('=');
      const name = assignment.slice(0, Math.max(0, equals));
      if (equals === -1 || !VARIABLE_NAME.test(name)) valid = false;
      else expected.set(name, assignment.slice(equals + 1));
    }
    let vars: Record<string, string>;
    try {
      vars = parseVarAssignments(assignments);
    } catch (error) {
      if (!(error instanceof UsageError)) fail(`parseVarAssignments threw ${String(error)}`);
      if (valid) fail(`valid assignments ${JSON.stringify(assignments)} refused: ${error.message}`);
      if (!error.message.startsWith('--var ')) fail(`the error does not name the flag: ${error.message}`);
      return Promise.resolve();
    }
    if (!valid) fail(`invalid assignments ${JSON.stringify(assignments)} accepted`);
    const own = Object.getOwnPropertyNames(vars).sort();
    if (!isDeepStrictEqual(own, [...expected.keys()].sort())) fail(`--var ${JSON.stringify(assignments)} gave the names ${JSON.stringify(own)}`);
    for (const [name, value] of expected) {
      if (Object.getOwnPropertyDescriptor(vars, name)?.value !== value) fail(`--var ${name}=${JSON.stringify(value)} gave ${JSON.stringify(Object.getOwnPropertyDescriptor(vars, name)?.value)}`);
    }
    return Promise.resolve();
  },
};

const labelName = fc.stringMatching(/^[a-z0-9]([-a-z0-9_.]{0,10}[a-z0-9])?$/);
const labelKey = fc.oneof(labelName, fc.tuple(fc.stringMatching(/^[a-z0-9]{1,5}(\.[a-z0-9]{1,5}){0,2}$/), labelName).map(([prefix, name]) => `${prefix}/${name}`));
const requirement = fc.oneof(
  fc.tuple(labelKey, fc.constantFrom('=', '==', '!='), fc.oneof(labelName, fc.constant(''))).map(([key, op, value]) => `${key}${op}${value}`),
  fc.tuple(labelKey, fc.constantFrom(' in ', ' notin '), fc.array(labelName, { minLength: 1, maxLength: 3 })).map(([key, op, values]) => `${key}${op}(${values.join(',')})`),
  labelKey,
  labelKey.map((key) => `!${key}`),
);
const validSelector = fc.array(requirement, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(','));

/** `--selector`: a selector that prints back to itself, or one SelectorSyntaxError line (a UsageError in the CLI). */
const selectors: FuzzTarget<{ text: string; generated: boolean }> = {
  name: '--selector',
  runs: 1500,
  arbitrary: fc.oneof(
    validSelector.map((text) => ({ text, generated: true })),
    fc.tuple(validSelector, fc.nat(), nastyString).map(([text, at, insert]) => ({ text: `${text.slice(0, at % (text.length + 1))}${insert}${text.slice(at % (text.length + 1))}`, generated: false })),
    nastyString.map((text) => ({ text, generated: false })),
  ),
  check: async ({ text, generated }) => {
    let selector: LabelSelector;
    try {
      selector = LabelSelector.parse(text);
    } catch (error) {
      if (!(error instanceof SelectorSyntaxError)) fail(`LabelSelector.parse(${JSON.stringify(text)}) threw ${String(error)}`);
      if (generated) fail(`valid selector ${JSON.stringify(text)} refused: ${error.message}`);
      // The run command turns it into a UsageError that names the flag.
      try {
        await loadScenarios([join(REPO_ROOT, 'scenarios', 'fail-bare-pod.yaml')], {}, text);
        fail(`--selector ${JSON.stringify(text)} was accepted by the run command`);
      } catch (usage) {
        if (!(usage instanceof UsageError) || !usage.message.startsWith('--selector ')) fail(`--selector ${JSON.stringify(text)}: ${String(usage)}`);
      }
      return;
    }
    const again = LabelSelector.parse(selector.toString());
    if (!isDeepStrictEqual(again.requirements, selector.requirements)) fail(`${JSON.stringify(text)} prints as ${selector.toString()}, which reads back different`);
  },
};

/** Every target, in the order the figures list them. */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  erase(scenarioMutants), erase(scenarioBytes), erase(manifestMutants), erase(durations), erase(durationFields), erase(quantities),
  erase(varAssignments), erase(selectors),
];

/** A target whose input type the runners need not know: they only pass its inputs back to it. */
function erase<T>(target: FuzzTarget<T>): FuzzTarget {
  return { name: target.name, runs: target.runs, arbitrary: target.arbitrary, check: (input) => target.check(input as T) };
}

/** Mutated scenarios the loader refuses, written to files, with their error count: the CLI test runs `validate` on them. */
export async function invalidScenarioFiles(count: number, seed: number): Promise<{ file: string; errors: number }[]> {
  const chosen: { file: string; errors: number }[] = [];
  for (const sample of fc.sample(mutantsOf(seedTexts()), { seed, numRuns: count * 10 })) {
    if (chosen.length >= count) break;
    const { folder } = workspaceFor(dirname(sample.seed));
    const file = join(folder, `fuzzed-cli-${chosen.length}.yaml`);
    writeFileSync(file, sample.text);
    const result = await loadScenarioFile(file, { vars: VARS });
    if (result.errors.length > 0) chosen.push({ file, errors: result.errors.length });
  }
  return chosen;
}

/** The `--var` options that make the seed scenarios valid, for the CLI. */
export const VAR_OPTIONS: readonly string[] = Object.entries(VARS).flatMap(([name, value]) => ['--var', `${name}=${value}`]);

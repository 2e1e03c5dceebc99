/**
 * Validation issues: what is wrong in a scenario, where (file:line:col and the path in the document), and how to fix
 * it. Also turns the JSON Schema validator's raw output into one clear finding per problem.
 */
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import { ReboundError } from '../errors.js';
import { FORMATS, scenarioJsonSchema, type FormatName } from './schema.js';
import { textOf } from '../util/text-of.js';

/** How bad an issue is: an error makes the scenario invalid, a warning does not. */
export type Severity = 'error' | 'warning';

/** One step of a path in a document: a map key or a list index. */
export type PathSegment = string | number;

/** One problem in a scenario, placed in its file. */
export interface ValidationIssue {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** Where in the document, e.g. spec.faults[1].podKill.count; empty for problems with the file itself. */
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
  readonly severity: Severity;
}

/** A problem found in a document before it is placed in its file; the loader maps `path` to a line and column. */
export interface Finding {
  readonly path: readonly PathSegment[];
  readonly message: string;
  readonly hint?: string;
  readonly severity: Severity;
  /** Point at the key of the last path segment rather than its value (an unknown field, a missing one). */
  readonly at?: 'key' | 'value';
}

/** `spec.faults[1].podKill.count`; keys that are not plain words are quoted: `labels["app.kubernetes.io/name"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** `file:line:col: path: message (hint: ...)`, the form editors and CI annotations recognise. */
export function formatIssue(issue: ValidationIssue): string {
  const path = issue.path === '' ? '' : `${issue.path}: `;
  const hint = issue.hint === undefined ? '' : ` (hint: ${issue.hint})`;
  return `${issue.file}:${issue.line}:${issue.column}: ${path}${issue.message}${hint}`;
}

/** "did you mean X?" when one of `candidates` is close enough to `word` to be a likely typo of it. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0 || word === '') return undefined;
  const lowered = candidates.map((candidate) => candidate.toLowerCase());
  const best = closest(word.toLowerCase(), lowered);
  const edits = distance(word.toLowerCase(), best);
  // Close relative to the length (a swap of two letters costs 2), yet `x` does not "mean" `at`.
  if (edits > Math.max(2, Math.floor(best.length * 0.4)) || edits >= word.length) return undefined;
  const suggestion = candidates[lowered.indexOf(best)];
  return suggestion === undefined ? undefined : `did you mean ${suggestion}?`;
}

/** A scenario, or several, failed validation; the details are the formatted errors, one per line. */
export class ScenarioInvalidError extends ReboundError {
  readonly issues: readonly ValidationIssue[];

  constructor(invalid: readonly { readonly file: string; readonly errors: readonly ValidationIssue[] }[]) {
    const count = (n: number): string => `${n} error${n === 1 ? '' : 's'}`;
    const files = invalid.filter((entry) => entry.errors.length > 0);
    const total = files.reduce((sum, entry) => sum + entry.errors.length, 0);
    const [only] = files;
    // The details name every file again, line by line; the message stays one readable line.
    const message = files.length === 1 && only !== undefined
      ? `${only.file} is not a valid scenario (${count(total)})`
      : `${files.length} scenario files are invalid (${count(total)})${files.length <= 3 ? `: ${files.map((entry) => entry.file).join(', ')}` : ''}`;
    const issues = files.flatMap((entry) => entry.errors);
    super(message, issues.map(formatIssue));
    this.issues = issues;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The schema check.

interface Compiled {
  readonly validate: ValidateFunction;
  readonly root: AnySchemaObject;
}

function compile(): Compiled {
  // verbose: errors carry the failing data and schema, which the messages below need. code.optimize: false: Ajv's
  // optimizer passes over the generated code (some 440 kB of it, from allErrors and verbose) cost about 100 ms and
  // 9 MB of peak memory at every start, and checking a scenario is not the hot path.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, code: { optimize: false } });
  for (const [name, format] of Object.entries(FORMATS)) {
    ajv.addFormat(name, { type: 'string', validate: (value: string) => format.check(value) === undefined });
  }
  const root = scenarioJsonSchema();
  return { validate: ajv.compile(root), root };
}

// Built when the module loads, never lazily: a validator built by the first check of a process would be built under
// whatever mutant is active then (mutation testing loads the modules once and switches mutants in place) and serve
// every later one. Every command that imports this module checks a scenario, except `recover` (through its config).
const compiled: Compiled = compile();

/** Every way `document` (plain data from YAML) breaks the scenario schema, one finding per problem. */
export function checkSchema(document: unknown): Finding[] {
  const { validate, root } = compiled;
  if (validate(document)) return [];
  return new SchemaErrors(root, document).collapse(validate.errors ?? []);
}

type Json = Record<string, unknown>;

function isJsonObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tick(word: string): string {
  return `\`${word}\``;
}

function listWords(words: readonly string[], conjunction: 'or' | 'and'): string {
  const ticked = words.map(tick);
  if (ticked.length <= 1) return ticked.join('');
  return `${ticked.slice(0, -1).join(', ')} ${conjunction} ${ticked[ticked.length - 1] ?? ''}`;
}

/** A value as a message shows it: `the number 30`, `a list`, `"abc"`. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return JSON.stringify(value);
  return `the ${typeof value} ${textOf(value)}`;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  object: 'a map',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'null',
};

/** Ajv's errors for one document, turned into findings. */
class SchemaErrors {
  constructor(private readonly root: AnySchemaObject, private readonly document: unknown) {}

  collapse(errors: readonly ErrorObject[]): Finding[] {
    const findings: Finding[] = [];
    let pending = [...errors];
    // A union (a fault, a check, ...) fails with the errors of every branch. Resolve the outermost first, keeping
    // only the branch the data meant (its kind key), so nested unions are resolved the same way in turn.
    for (;;) {
      const unions = pending.filter((error) => error.keyword === 'anyOf' || error.keyword === 'oneOf');
      const union = unions.reduce<ErrorObject | undefined>(
        (outer, error) => (outer === undefined || depth(error.schemaPath) < depth(outer.schemaPath) ? error : outer),
        undefined,
      );
      if (union === undefined) break;
      const belongs = (error: ErrorObject): boolean => error !== union
        && error.schemaPath.startsWith(`${union.schemaPath}/`)
        && (error.instancePath === union.instancePath || error.instancePath.startsWith(`${union.instancePath}/`));
      const members = pending.filter(belongs);
      pending = pending.filter((error) => error !== union && !belongs(error));
      pending.push(...this.resolveUnion(union, members, findings));
    }
    for (const error of pending) {
      const finding = this.describe(error);
      if (finding !== undefined) findings.push(finding);
    }
    const seen = new Set<string>();
    return findings.filter((finding) => {
      const key = `${formatPath(finding.path)}\u0000${finding.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  /** The errors of the branch the data chose, or none after explaining why no branch could be chosen. */
  private resolveUnion(union: ErrorObject, members: readonly ErrorObject[], findings: Finding[]): ErrorObject[] {
    const branches = (Array.isArray(union.schema) ? union.schema : []) as unknown[];
    const path = this.toPath(union.instancePath);
    const title = typeof union.parentSchema?.title === 'string' ? union.parentSchema.title : 'variant';
    // `fault kind` and `check kind` unions are named by their key; others (file | inline, ...) are alternatives.
    const entity = title.endsWith(' kind') ? title.slice(0, -' kind'.length) : undefined;
    const keysOf = (index: number): string[] => discriminators(branches, index);
    const allKeys = branches.flatMap((_, index) => keysOf(index));
    const data = union.data;

    // A union of words and maps (rollback: onStall | never | { after }): a value that is neither says both.
    const words = branches.flatMap((branch) => (isJsonObject(branch) && Array.isArray(branch.enum) ? branch.enum.map(String) : []));
    if (!isJsonObject(data) && words.length > 0) {
      findings.push({
        path,
        severity: 'error',
        message: `must be ${listWords(words, 'or')}${allKeys.length > 0 ? `, or a map with ${listWords(allKeys, 'or')}` : ''} (got ${describeValue(data)})`,
      });
      return [];
    }
    if (!isJsonObject(data)) {
      const hint = typeof data === 'string' && allKeys.includes(data) ? `write \`${data}: ${valueOf(branches, data)}\`` : undefined;
      findings.push({
        path,
        severity: 'error',
        message: `must be a map with ${entity === undefined ? 'one of' : `the ${title} as its key:`} ${listWords(allKeys, 'or')} (got ${describeValue(data)})`,
        ...(hint === undefined ? {} : { hint }),
      });
      return [];
    }

    const present = Object.keys(data).filter((key) => allKeys.includes(key));
    if (present.length === 0) {
      const propertiesOf = (branch: unknown): string[] =>
        (isJsonObject(branch) && isJsonObject(branch.properties) ? Object.keys(branch.properties) : []);
      const known = new Set(branches.flatMap(propertiesOf));
      const unknown = Object.keys(data).filter((key) => !known.has(key));
      for (const key of unknown) {
        const suggestion = didYouMean(key, entity === undefined ? [...known] : allKeys);
        findings.push({
          path: [...path, key],
          at: 'key',
          severity: 'error',
          message: entity === undefined ? `unknown field ${tick(key)}` : `unknown ${title} ${tick(key)}`,
          hint: suggestion ?? `expected ${entity === undefined ? '' : 'one of '}${listWords(allKeys, 'or')}`,
        });
      }
      if (unknown.length === 0) {
        findings.push({
          path,
          at: 'key',
          severity: 'error',
          message: entity === undefined
            ? `needs one of ${listWords(allKeys, 'or')}`
            : `missing the ${title}: one of ${listWords(allKeys, 'or')}`,
        });
      }
      return [];
    }

    if (present.length > 1) {
      findings.push({
        path: [...path, present[1] ?? ''],
        at: 'key',
        severity: 'error',
        message: entity === undefined
          ? `${listWords(present, 'and')} cannot be used together; give one`
          : `a ${entity} has exactly one kind, found ${listWords(present, 'and')}`,
        hint: entity === undefined ? undefined : `write each ${entity} as its own list entry`,
      });
      return [];
    }

    const chosenKey = present[0] ?? '';
    const index = branches.findIndex((_, i) => keysOf(i).includes(chosenKey));
    const prefix = `${union.schemaPath}/${index}/`;
    const kept: ErrorObject[] = [];
    for (const error of members.filter((member) => member.schemaPath.startsWith(prefix))) {
      // A field that belongs to another alternative: say which, rather than calling it unknown.
      const extra = error.keyword === 'additionalProperties' && error.instancePath === union.instancePath
        ? String(error.params.additionalProperty)
        : undefined;
      const owners = extra === undefined ? [] : branches.flatMap((branch, i) =>
        (isJsonObject(branch) && isJsonObject(branch.properties) && extra in branch.properties ? keysOf(i) : []));
      if (extra !== undefined && owners.length > 0) {
        findings.push({
          path: [...path, extra],
          at: 'key',
          severity: 'error',
          message: `${tick(extra)} cannot be used with ${tick(chosenKey)}`,
          hint: `${tick(extra)} goes with ${listWords(owners, 'or')}`,
        });
      } else {
        kept.push(error);
      }
    }
    return kept;
  }

  private describe(error: ErrorObject): Finding | undefined {
    const path = this.toPath(error.instancePath);
    const schema = error.parentSchema ?? {};
    const data = error.data;
    const make = (message: string, extra: { hint?: string | undefined; at?: 'key'; path?: readonly PathSegment[] } = {}): Finding => ({
      path: extra.path ?? path,
      message,
      severity: 'error',
      ...(extra.hint === undefined ? {} : { hint: extra.hint }),
      ...(extra.at === undefined ? {} : { at: extra.at }),
    });
    switch (error.keyword) {
      case 'required':
        return make(`missing required field ${tick(String(error.params.missingProperty))}`, { at: 'key' });
      case 'additionalProperties': {
        const field = String(error.params.additionalProperty);
        const known = isJsonObject(schema.properties) ? Object.keys(schema.properties) : [];
        return make(`unknown field ${tick(field)}`, {
          path: [...path, field],
          at: 'key',
          hint: didYouMean(field, known) ?? this.elsewhere(error, field) ?? (known.length > 0 ? `known fields: ${known.join(', ')}` : undefined),
        });
      }
      case 'type': {
        const expected = String(error.params.type).split(',').map((type) => TYPE_WORDS[type] ?? type);
        let hint: string | undefined;
        if (schema.format === 'duration' && typeof data === 'number') hint = `add a unit, e.g. ${data}s`;
        else if (expected.includes('a string') && (typeof data === 'number' || typeof data === 'boolean')) hint = `quote it: "${String(data)}"`;
        else if (data === null) hint = 'an empty value is null; write the value, or leave the field out';
        const wanted = schema.format === 'duration' ? ['a duration such as 30s'] : expected;
        return make(`must be ${wanted.join(' or ')} (got ${describeValue(data)})`, { hint });
      }
      case 'enum': {
        const allowed = Array.isArray(error.params.allowedValues) ? error.params.allowedValues.map(String) : [];
        return make(`must be one of ${allowed.join(', ')} (got ${describeValue(data)})`, { hint: didYouMean(String(data), allowed) });
      }
      case 'const':
        return make(`must be ${String(error.params.allowedValue)} (got ${describeValue(data)})`);
      case 'format': {
        const format = FORMATS[String(error.params.format) as FormatName] as (typeof FORMATS)[FormatName] | undefined;
        return make((typeof data === 'string' ? format?.check(data) : undefined) ?? `must be a ${String(error.params.format)}`);
      }
      case 'pattern':
        // Patterns of named formats are for editors; the format error above says the same in words.
        return typeof schema.format === 'string' ? undefined : make(`must match ${String(error.params.pattern)} (got ${describeValue(data)})`);
      case 'minimum':
      case 'maximum': {
        const { minimum, maximum } = schema;
        // Counts bounded only by what YAML reads exactly say so when too large, and keep "at least" when too small.
        const wholeNumberBound = maximum === Number.MAX_SAFE_INTEGER;
        if (typeof minimum === 'number' && typeof maximum === 'number' && !wholeNumberBound) return make(`must be between ${minimum} and ${maximum} (got ${describeValue(data)})`);
        if (wholeNumberBound && error.keyword === 'maximum') return make(`is too large: at most ${maximum}, the largest whole number YAML reads exactly (got ${describeValue(data)})`);
        return make(`must be at ${error.keyword === 'minimum' ? 'least' : 'most'} ${String(error.params.limit)} (got ${describeValue(data)})`);
      }
      case 'minItems': {
        const limit = Number(error.params.limit);
        const hint = path[path.length - 1] === 'steadyState' ? 'leave steadyState out to derive it from desiredState' : undefined;
        return make(limit === 1 ? 'must not be empty' : `must have at least ${limit} entries`, { hint });
      }
      case 'minLength':
        return make(Number(error.params.limit) === 1 ? 'must not be empty' : `must be at least ${String(error.params.limit)} characters long`);
      case 'maxLength':
        return make(`must be at most ${String(error.params.limit)} characters long`);
      case 'uniqueItems': {
        const later = Math.max(Number(error.params.i), Number(error.params.j));
        const earlier = Math.min(Number(error.params.i), Number(error.params.j));
        return make(`repeats entry [${earlier}]`, { path: [...path, later] });
      }
      default:
        return make(error.message ?? `fails ${error.keyword}`);
    }
  }

  /** A hint for a field written one level too deep or too shallow, e.g. `at` inside `podKill`. */
  private elsewhere(error: ErrorObject, field: string): string | undefined {
    const objectPointer = error.schemaPath.replace(/\/additionalProperties$/, '');
    const up = /^(.*)\/properties\/([^/]+)$/.exec(objectPointer);
    if (up?.[1] !== undefined && up[2] !== undefined) {
      const parent = resolvePointer(this.root, up[1]);
      if (isJsonObject(parent) && isJsonObject(parent.properties) && field in parent.properties) {
        return `${tick(field)} goes one level up, next to ${tick(decodePointerSegment(up[2]))}`;
      }
    }
    const properties: unknown = error.parentSchema?.properties;
    if (isJsonObject(properties)) {
      for (const [name, child] of Object.entries(properties)) {
        const variants = isJsonObject(child) && Array.isArray(child.anyOf) ? child.anyOf : [child];
        if (variants.some((variant) => isJsonObject(variant) && isJsonObject(variant.properties) && field in variant.properties)) {
          return `${tick(field)} goes inside ${tick(name)}`;
        }
      }
    }
    return undefined;
  }

  /** A JSON pointer into the document as path segments, numbers where the document has a list. */
  private toPath(pointer: string): PathSegment[] {
    if (pointer === '') return [];
    const path: PathSegment[] = [];
    let value: unknown = this.document;
    for (const raw of pointer.slice(1).split('/')) {
      const segment = decodePointerSegment(raw);
      if (Array.isArray(value)) {
        const index = Number(segment);
        path.push(index);
        value = value[index];
      } else {
        path.push(segment);
        value = isJsonObject(value) ? value[segment] : undefined;
      }
    }
    return path;
  }
}

/** The names a union's branch is recognised by: its required keys that no other branch has. */
function discriminators(branches: readonly unknown[], index: number): string[] {
  const branch = branches[index];
  if (!isJsonObject(branch) || !Array.isArray(branch.required)) return [];
  return branch.required.map(String).filter((key) => branches.every((other, i) =>
    i === index || !isJsonObject(other) || !isJsonObject(other.properties) || !(key in other.properties)));
}

/** How a hint writes the value of `key` in the branch that has it: `{ ... }` for a map (or a shape not known), `...` for a scalar. */
function valueOf(branches: readonly unknown[], key: string): string {
  const branch = branches.find((candidate) => isJsonObject(candidate) && isJsonObject(candidate.properties) && key in candidate.properties);
  const value = isJsonObject(branch) && isJsonObject(branch.properties) ? branch.properties[key] : undefined;
  return isJsonObject(value) && typeof value.type === 'string' && value.type !== 'object' ? '...' : '{ ... }';
}

function depth(schemaPath: string): number {
  return schemaPath.split('/').length;
}

function decodePointerSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function resolvePointer(root: unknown, pointer: string): unknown {
  let value = root;
  for (const raw of pointer.replace(/^#/, '').split('/').slice(1)) {
    const segment = decodePointerSegment(raw);
    value = Array.isArray(value) ? value[Number(segment)] : isJsonObject(value) ? value[segment] : undefined;
  }
  return value;
}

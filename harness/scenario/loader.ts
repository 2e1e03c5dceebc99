/**
 * Loading a scenario: YAML with positions -> ${VAR} substitution -> schema -> rules -> manifests -> normalized
 * Scenario. Every user mistake becomes an issue at file:line:col; nothing here throws for one, so `validate` can
 * report all of them at once.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize as normalizePath, resolve } from 'node:path';
import { LineCounter, isAlias, isMap, isNode, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import { nodePortVariable, PUBLISHED_NODE_PORTS } from '../util/node-ports.js';
import { UsageError } from '../errors.js';
import { oneLine } from '../util/one-line.js';
import { Duration } from './duration.js';
import { checkSchema, didYouMean, formatPath, type Finding, type PathSegment, type ValidationIssue } from './issues.js';
import { checkRules } from './rules.js';
import {
  CHECK_KINDS,
  DEFAULTS,
  FAULT_KINDS,
  SCENARIO_API_VERSION,
  type CheckDocument,
  type CheckKind,
  type CheckParams,
  type CheckParamsDocument,
  type Fault,
  type FaultDocument,
  type FaultKind,
  type FaultParams,
  type FaultParamsDocument,
  type LoadDocument,
  type LoadSpec,
  type Manifest,
  type ManifestSource,
  type ProcessDocument,
  type ProcessSpec,
  type Quantity,
  type Scenario,
  type ScenarioDocument,
  type Selection,
  type SteadyStateCheck,
} from './schema.js';

/** Options of `loadScenarioFile`. */
export interface LoadOptions {
  /** Values for `${VAR}` in manifests and processes, from `--var VAR=value`. */
  readonly vars?: Readonly<Record<string, string>>;
}

/** What loading one scenario file found: the scenario when it is valid, and every issue either way. */
export interface LoadResult {
  /** The scenario file, as named to the loader. */
  readonly file: string;
  /** Present exactly when `errors` is empty. */
  readonly scenario?: Scenario;
  readonly errors: readonly ValidationIssue[];
  readonly warnings: readonly ValidationIssue[];
}

/**
 * Variables that processes and http checks get at run time; the loader leaves them in place. NODE_PORT_<port> is
 * only given by providers that publish NodePorts (kind).
 */
const BUILTIN_VARIABLES = ['KUBECONFIG', 'NAMESPACE', ...PUBLISHED_NODE_PORTS.map(nodePortVariable)] as const;

/** The values of the built-in variables: the two every run has, and those of its cluster's provider. */
export type BuiltinVariables = Readonly<Record<'KUBECONFIG' | 'NAMESPACE', string>> & Readonly<Record<string, string>>;

/** Loads, validates and normalizes one scenario file. Never throws for a mistake in the files it reads. */
export async function loadScenarioFile(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  const issues: ValidationIssue[] = [];
  const source = await readScenarioSource(file, issues);
  if (source?.document === undefined) return result(file, issues);
  const { document } = source;
  const placer = new Placer(source, document);
  // spec.variables gives defaults; --var overrides them. The schema checks their names and values below.
  const vars = { ...variableDefaults(document), ...options.vars };

  // Variables first, in the YAML tree: the scalar nodes still know where they are in the file.
  for (const { finding, offset } of substituteInScenario(source, document, vars)) issues.push(placer.place(finding, offset));
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    issues.push(placer.place({ path: [], severity: 'error', message: `cannot read the YAML: ${messageOf(error)}` }));
    return result(file, issues);
  }

  const schemaFindings = checkSchema(data);
  issues.push(...schemaFindings.map((finding) => placer.place(finding)));
  const manifests = await loadDesiredState(data, placer, vars, issues);
  const rolloutFiles = await loadRolloutFiles(data, placer, vars, manifests, issues);
  if (schemaFindings.length > 0) return result(file, issues);

  // The schema passed, so the data has the document's shape.
  const scenarioDocument = data as ScenarioDocument;
  issues.push(...checkRules(scenarioDocument).map((finding) => placer.place(finding)));
  await checkK6Script(scenarioDocument, placer, issues);
  if (issues.some((issue) => issue.severity === 'error')) return result(file, issues);
  return result(file, issues, normalize(file, scenarioDocument, manifests, rolloutFiles));
}

/** spec.load.k6.script names a readable file (relative to the scenario file, as the user wrote it). */
async function checkK6Script(document: ScenarioDocument, scenario: Placer, issues: ValidationIssue[]): Promise<void> {
  const script = document.spec.load?.k6?.script;
  if (script === undefined) return;
  const file = isAbsolute(script) ? script : normalizePath(join(dirname(scenario.source.file), script));
  await readText(file, (problem) => {
    issues.push(scenario.place({
      path: ['spec', 'load', 'k6', 'script'],
      severity: 'error',
      message: `k6 script ${file}: ${problem}`,
      hint: 'paths are relative to the scenario file',
    }));
  });
}

/** The string defaults of spec.variables, read from the YAML tree before anything is substituted. */
function variableDefaults(document: Document.Parsed): Record<string, string> {
  const spec = document.get('spec', true);
  const variables = isMap(spec) ? spec.get('variables', true) : undefined;
  const defaults: Record<string, string> = {};
  if (!isMap(variables)) return defaults;
  for (const pair of variables.items) {
    const value = isScalar(pair.value) ? pair.value.value : undefined;
    const name = keyText(pair.key);
    if (typeof value === 'string' && VARIABLE_NAME.test(name)) setVariable(defaults, name, value);
  }
  return defaults;
}

/**
 * Replaces the built-in variables (`${KUBECONFIG}`, `${NAMESPACE}`, `${NODE_PORT_30080}`...) and `$${` escapes that
 * the loader left in spec.processes and http checks; the runner calls it before it starts a process or a probe.
 * Throws when one is not given (a NodePort variable on a provider that publishes none), naming the variable.
 */
export function expandBuiltinVariables(value: string, builtins: BuiltinVariables): string {
  const { value: expanded, problems } = substitute(value, builtins, new Set(), true);
  const missing = problems[0];
  if (missing) {
    const name = missing.needle.replace(/^\$\{|\}$/g, '');
    const why = name.startsWith('NODE_PORT_') ? ` (the published NodePorts are ${PUBLISHED_NODE_PORTS.join(', ')}, on the local and kind providers)` : '';
    throw new UsageError(`${missing.needle} in "${value}" has no value on this cluster${why}`);
  }
  return expanded;
}

/** `--var K=V` options as a map; throws UsageError for a malformed one. */
export function parseVarAssignments(assignments: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    const name = equals === -1 ? assignment : assignment.slice(0, equals);
    if (equals === -1 || !VARIABLE_NAME.test(name)) {
      throw new UsageError(`--var ${assignment}: write --var NAME=value, NAME made of letters, digits and _ (not starting with a digit)`);
    }
    setVariable(vars, name, assignment.slice(equals + 1));
  }
  return vars;
}

/**
 * Sets a variable as an own property whatever its name: a plain assignment of `__proto__` (a valid variable name)
 * would change the map's prototype instead and the variable would silently not exist.
 */
function setVariable(vars: Record<string, string>, name: string, value: string): void {
  Object.defineProperty(vars, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Scenario files named on the command line: files as given, directories searched for YAML files of kind Scenario. */
export async function expandScenarioArgs(args: readonly string[]): Promise<{ files: string[]; errors: ValidationIssue[] }> {
  const files: string[] = [];
  const errors: ValidationIssue[] = [];
  const fileProblem = (file: string, message: string): ValidationIssue => ({ file, line: 1, column: 1, path: '', message, severity: 'error' });
  for (const arg of args) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(arg)).isDirectory();
    } catch (error) {
      errors.push(fileProblem(arg, isMissing(error) ? 'no such file or directory' : `cannot read it: ${messageOf(error)}`));
      continue;
    }
    if (!isDirectory) {
      if (!files.includes(arg)) files.push(arg);
      continue;
    }
    const found = await findScenarios(arg);
    if (found.length === 0) errors.push(fileProblem(arg, 'no scenario files here (*.yaml or *.yml with kind: Scenario)'));
    for (const scenario of found) if (!files.includes(scenario)) files.push(scenario);
  }
  return { files, errors };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading YAML with positions.

/** One YAML file as read: its text, its line table and its documents. */
interface Source {
  readonly file: string;
  readonly text: string;
  readonly lineCounter: LineCounter;
  /** The one document of a scenario; undefined when the file has none or could not be parsed. */
  readonly document?: Document.Parsed;
}

function result(file: string, issues: readonly ValidationIssue[], scenario?: Scenario): LoadResult {
  const sorted = issues.map(shownOnOneLine).sort((a, b) =>
    Number(a.file !== file) - Number(b.file !== file) || a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  const errors = sorted.filter((issue) => issue.severity === 'error');
  return {
    file,
    ...(errors.length === 0 && scenario !== undefined ? { scenario } : {}),
    errors,
    warnings: sorted.filter((issue) => issue.severity === 'warning'),
  };
}

/**
 * An issue whose texts cannot break its line: messages quote what the user wrote (a key, a value), and YAML keys
 * and values may hold line breaks and other control characters; they are shown escaped, as JSON writes them.
 */
function shownOnOneLine(issue: ValidationIssue): ValidationIssue {
  return {
    ...issue,
    path: oneLine(issue.path),
    message: oneLine(issue.message),
    ...(issue.hint === undefined ? {} : { hint: oneLine(issue.hint) }),
  };
}

async function readText(file: string, reportAt: (message: string) => void): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    reportAt(isMissing(error) ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot read it: ${messageOf(error)}`);
    return undefined;
  }
}

/** The scenario file parsed, or undefined with issues when it cannot be read at all. */
async function readScenarioSource(file: string, issues: ValidationIssue[]): Promise<Source | undefined> {
  const text = await readText(file, (message) => issues.push({ file, line: 1, column: 1, path: '', message, severity: 'error' }));
  if (text === undefined) return undefined;
  const { documents, lineCounter, issues: syntax } = parseYaml(file, text);
  issues.push(...syntax);
  const source = { file, text, lineCounter };
  if (syntax.some((issue) => issue.severity === 'error')) return source;
  const [first, second] = documents;
  if (first === undefined) {
    issues.push({ file, line: 1, column: 1, path: '', message: 'the file holds no YAML document; a scenario starts with apiVersion: rebound.dev/v1alpha1', severity: 'error' });
    return source;
  }
  if (second !== undefined) {
    const at = lineCounter.linePos(second.contents?.range[0] ?? 0);
    issues.push({
      file, line: at.line, column: at.col, path: '', severity: 'error',
      message: `a scenario file holds one YAML document; this is document 2 of ${documents.length}`,
      hint: 'put each scenario in its own file',
    });
    return source;
  }
  return { ...source, document: first };
}

/**
 * Where each line of `text` starts, for positions. Made from the text itself, not by the YAML parser: after some
 * syntax errors (a stray byte in a key) the parser stops reporting the newlines it passes, and every later
 * position would land on a wrong line, beyond its end. Lines end at LF, as the YAML parser reads them.
 */
function lineTable(text: string): LineCounter {
  const counter = new LineCounter();
  counter.addNewLine(0);
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) counter.addNewLine(at + 1);
  return counter;
}

/** The non-empty documents of a YAML stream, with syntax errors as issues. */
function parseYaml(file: string, text: string): { documents: Document.Parsed[]; lineCounter: LineCounter; issues: ValidationIssue[] } {
  const lineCounter = lineTable(text);
  const all = parseAllDocuments(text, { prettyErrors: false });
  const issues: ValidationIssue[] = [];
  for (const document of all) {
    for (const [problems, severity] of [[document.errors, 'error'], [document.warnings, 'warning']] as const) {
      let tooDeep = false;
      for (const problem of problems) {
        // The YAML library reads nested collections recursively and reports a stack overflow at every level it
        // unwinds through; one error in words, at the first, says it all.
        if (problem.code === 'RESOURCE_EXHAUSTION') {
          if (tooDeep) continue;
          tooDeep = true;
        }
        const at = lineCounter.linePos(problem.pos[0]);
        const message = problem.code === 'RESOURCE_EXHAUSTION'
          ? 'YAML: nested too deeply to read (lists or maps inside each other hundreds of levels deep)'
          : `YAML: ${firstLine(problem.message)}`;
        issues.push({ file, line: at.line, column: at.col, path: '', message, severity });
      }
    }
  }
  // A stream may end in `---` or hold only comments: those documents are not manifests nor scenarios.
  const empty = (document: Document.Parsed): boolean =>
    document.contents === null || (isScalar(document.contents) && document.contents.value === null);
  return { documents: all.filter((document) => !empty(document)), lineCounter, issues };
}

/** Places findings about one YAML document in its file. */
class Placer {
  constructor(
    readonly source: Source,
    private readonly document: Document.Parsed,
    /** Shown before each finding's path: where this document sits in the scenario. */
    private readonly displayPrefix: readonly PathSegment[] = [],
  ) {}

  /** The issue for `finding`, at `offset` in the file when known, else where its path is. */
  place(finding: Finding, offset?: number): ValidationIssue {
    const at = this.source.lineCounter.linePos(offset ?? locate(this.document, finding.path, finding.at ?? 'value'));
    return {
      file: this.source.file,
      line: at.line,
      column: at.col,
      path: this.pathText(finding.path),
      message: finding.message,
      ...(finding.hint === undefined ? {} : { hint: finding.hint }),
      severity: finding.severity,
    };
  }

  /** Where the value at `path` starts, as a manifest's source. */
  manifestSource(path: readonly PathSegment[]): ManifestSource {
    const at = this.source.lineCounter.linePos(locate(this.document, path, 'value'));
    return { file: this.source.file, line: at.line, column: at.col, path: this.pathText(path) };
  }

  private pathText(path: readonly PathSegment[]): string {
    return formatPath([...this.displayPrefix, ...path]);
  }
}

/**
 * The offset in the file of the node at `path`: its key when asked for or when the value is empty, and the deepest
 * node that exists when the path goes further than the document (a missing field, a default).
 */
function locate(document: Document.Parsed, path: readonly PathSegment[], at: 'key' | 'value'): number {
  let current: unknown = document.contents;
  let key: Node | undefined;
  for (const segment of path) {
    const node = isAlias(current) ? current.resolve(document) : current;
    let next: unknown;
    let nextKey: Node | undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(segment));
      if (pair !== undefined) {
        nextKey = isNode(pair.key) ? pair.key : undefined;
        next = pair.value ?? pair.key;
      }
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
    }
    if (next === undefined) return offsetOf(key) ?? offsetOf(current) ?? 0;
    current = next;
    key = nextKey;
  }
  const emptyValue = isScalar(current) && current.value === null && current.range?.[0] === current.range?.[1];
  if ((at === 'key' || emptyValue) && key !== undefined) return offsetOf(key) ?? 0;
  return offsetOf(current) ?? offsetOf(key) ?? 0;
}

function offsetOf(node: unknown): number | undefined {
  return isNode(node) ? node.range?.[0] : undefined;
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

// ---------------------------------------------------------------------------------------------------------------
// ${VAR} substitution.

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface SubstitutionProblem {
  readonly message: string;
  readonly hint?: string;
  /** What to look for in the scalar's source text to point at the column of the problem. */
  readonly needle: string;
}

/**
 * `${NAME}` replaced from `vars`; `keep` names are left as they are, and `$${` becomes `${` when `unescape`. An
 * unknown variable is a problem, never an empty string.
 */
function substitute(
  value: string,
  vars: Readonly<Record<string, string>>,
  keep: ReadonlySet<string>,
  unescape: boolean,
): { value: string; problems: SubstitutionProblem[] } {
  const problems: SubstitutionProblem[] = [];
  let out = '';
  let i = 0;
  while (i < value.length) {
    if (value.startsWith('$${', i)) {
      out += unescape ? '${' : '$${';
      i += 3;
      continue;
    }
    if (!value.startsWith('${', i)) {
      out += value[i] ?? '';
      i += 1;
      continue;
    }
    const close = value.indexOf('}', i + 2);
    if (close === -1) {
      problems.push({ message: '`${` without a closing `}`', hint: 'write $${ for a literal ${', needle: value.slice(i) });
      out += value.slice(i);
      break;
    }
    const name = value.slice(i + 2, close);
    const reference = value.slice(i, close + 1);
    if (!VARIABLE_NAME.test(name)) {
      problems.push({ message: `\`${reference}\` is not a variable: names are letters, digits and _`, hint: 'write $${ for a literal ${', needle: reference });
      out += reference;
    } else if (keep.has(name)) {
      out += reference;
    } else if (Object.prototype.hasOwnProperty.call(vars, name)) {
      out += vars[name] ?? '';
    } else {
      const suggestion = didYouMean(name, Object.keys(vars));
      problems.push({
        message: `unknown variable ${name}`,
        hint: suggestion ?? `pass it with --var ${name}=value`,
        needle: reference,
      });
      out += reference;
    }
    i = close + 1;
  }
  return { value: out, problems };
}

/** A substitution problem with the offset in the file of the variable it is about. */
interface PlacedFinding {
  readonly finding: Finding;
  readonly offset: number;
}

/** Substitutes in every string value (not key) under `node`, returning problems at the variables' offsets. */
function substituteTree(
  text: string,
  node: unknown,
  path: readonly PathSegment[],
  vars: Readonly<Record<string, string>>,
  keep: ReadonlySet<string>,
  unescape: boolean,
  skipKeys: ReadonlySet<string> = new Set(),
): PlacedFinding[] {
  const found: PlacedFinding[] = [];
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = keyText(pair.key);
      if (!skipKeys.has(key)) found.push(...substituteTree(text, pair.value, [...path, key], vars, keep, unescape));
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => found.push(...substituteTree(text, item, [...path, index], vars, keep, unescape)));
  } else if (isScalar(node) && typeof node.value === 'string') {
    const { value, problems } = substitute(node.value, vars, keep, unescape);
    node.value = value;
    const [start, end] = node.range ?? [0, 0];
    for (const problem of problems) {
      // The needle is found in the source text when the scalar is written plainly; else point at the scalar.
      const index = text.slice(start, end).indexOf(problem.needle);
      found.push({
        offset: index === -1 ? start : start + index,
        finding: { path, message: problem.message, severity: 'error', ...(problem.hint === undefined ? {} : { hint: problem.hint }) },
      });
    }
  }
  return found;
}

/** Substitutes in the inline manifests and the processes of the scenario document. */
function substituteInScenario(source: Source, document: Document.Parsed, vars: Readonly<Record<string, string>>): PlacedFinding[] {
  const found: PlacedFinding[] = [];
  const spec = document.get('spec', true);
  if (!isMap(spec)) return found;
  const desiredState = spec.get('desiredState', true);
  if (isSeq(desiredState)) {
    desiredState.items.forEach((entry, index) => {
      if (isMap(entry)) {
        found.push(...substituteTree(source.text, entry.get('inline', true), ['spec', 'desiredState', index, 'inline'], vars, new Set(), true));
      }
    });
  }
  const steadyState = spec.get('steadyState', true);
  if (isSeq(steadyState)) {
    steadyState.items.forEach((entry, index) => {
      const http = isMap(entry) ? entry.get('http', true) : undefined;
      // Only the URL is a template; built-ins (NODE_PORT_...) and $${ stay for the runner.
      if (isMap(http)) {
        found.push(...substituteTree(source.text, http.get('url', true), ['spec', 'steadyState', index, 'http', 'url'], vars, new Set(BUILTIN_VARIABLES), false));
      }
    });
  }
  const load = spec.get('load', true);
  if (isMap(load)) {
    // Targets and k6's environment are templates; built-ins (NODE_PORT_...) and $${ stay for the runner.
    const http = load.get('http', true);
    if (isMap(http)) found.push(...substituteTree(source.text, http.get('targets', true), ['spec', 'load', 'http', 'targets'], vars, new Set(BUILTIN_VARIABLES), false));
    const k6 = load.get('k6', true);
    if (isMap(k6)) found.push(...substituteTree(source.text, k6.get('env', true), ['spec', 'load', 'k6', 'env'], vars, new Set(BUILTIN_VARIABLES), false));
  }
  const processes = spec.get('processes', true);
  if (isSeq(processes)) {
    processes.items.forEach((entry, index) => {
      // Built-ins and $${ stay for the runner; names and policies are not templates.
      found.push(...substituteTree(source.text, entry, ['spec', 'processes', index], vars, new Set(BUILTIN_VARIABLES), false, new Set(['name', 'restart'])));
    });
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// Desired state.

async function loadDesiredState(
  data: unknown,
  scenario: Placer,
  vars: Readonly<Record<string, string>>,
  issues: ValidationIssue[],
): Promise<Manifest[]> {
  const entries = isRecord(data) && isRecord(data.spec) && Array.isArray(data.spec.desiredState) ? data.spec.desiredState : [];
  const manifests: Manifest[] = [];
  for (const [index, entry] of entries.entries()) {
    // Entries the schema rejects are reported there; load the well-formed ones so their problems show too.
    if (!isRecord(entry)) continue;
    const entryPath: PathSegment[] = ['spec', 'desiredState', index];
    if (isRecord(entry.inline) && entry.file === undefined) {
      const path = [...entryPath, 'inline'];
      const problems = manifestProblems(entry.inline).map((finding) => ({ ...finding, path: [...path, ...finding.path] }));
      issues.push(...problems.map((finding) => scenario.place(finding)));
      if (problems.length === 0) manifests.push(manifestOf(entry.inline, scenario.manifestSource(path)));
    } else if (typeof entry.file === 'string' && entry.file !== '' && entry.inline === undefined) {
      manifests.push(...await loadManifestFile(entry.file, entryPath, scenario, vars, issues));
    }
  }
  warnDuplicates(manifests, issues);
  return manifests;
}

async function loadManifestFile(
  name: string,
  entryPath: readonly PathSegment[],
  scenario: Placer,
  vars: Readonly<Record<string, string>>,
  issues: ValidationIssue[],
): Promise<Manifest[]> {
  // Named as the user would from where they stand: the scenario's folder joined with the entry.
  const file = isAbsolute(name) ? name : normalizePath(join(dirname(scenario.source.file), name));
  const text = await readText(file, (problem) => {
    issues.push(scenario.place({
      path: [...entryPath, 'file'],
      severity: 'error',
      message: `manifest file ${file}: ${problem}`,
      hint: 'paths are relative to the scenario file',
    }));
  });
  if (text === undefined) return [];
  const parsed = parseYaml(file, text);
  issues.push(...parsed.issues);
  if (parsed.issues.some((issue) => issue.severity === 'error')) return [];
  if (parsed.documents.length === 0) {
    issues.push(scenario.place({ path: [...entryPath, 'file'], severity: 'warning', message: `manifest file ${file} holds no manifests` }));
  }
  const source: Source = { file, text, lineCounter: parsed.lineCounter };
  const manifests: Manifest[] = [];
  parsed.documents.forEach((document, index) => {
    const prefix = [...entryPath, 'file', index];
    const placer = new Placer(source, document, prefix);
    const substitutions = substituteTree(text, document.contents, [], vars, new Set(), true);
    issues.push(...substitutions.map(({ finding, offset }) => placer.place(finding, offset)));
    let object: unknown;
    try {
      object = document.toJS({ maxAliasCount: 1000 });
    } catch (error) {
      issues.push(placer.place({ path: [], severity: 'error', message: `cannot read the YAML: ${messageOf(error)}` }));
      return;
    }
    const problems = manifestProblems(object);
    issues.push(...problems.map((finding) => placer.place(finding)));
    if (problems.length === 0 && substitutions.length === 0 && isRecord(object)) manifests.push(manifestOf(object, placer.manifestSource([])));
  });
  return manifests;
}

/**
 * The manifests of each rollout fault's `file:`, by the fault's index, loaded like desiredState files. Every object
 * must also be declared in the desired state (the rollback re-declares that version), and the file must hold the
 * workload the fault names (whose progress is followed).
 */
async function loadRolloutFiles(
  data: unknown,
  scenario: Placer,
  vars: Readonly<Record<string, string>>,
  desired: readonly Manifest[],
  issues: ValidationIssue[],
): Promise<Map<number, Manifest[]>> {
  const loaded = new Map<number, Manifest[]>();
  const faults = isRecord(data) && isRecord(data.spec) && Array.isArray(data.spec.faults) ? data.spec.faults : [];
  const defaultNamespace = isRecord(data) && isRecord(data.spec) && typeof data.spec.namespace === 'string' ? data.spec.namespace : '';
  const identity = (m: Manifest) => `${m.apiVersion.split('/').slice(0, -1).join('/')}/${m.kind}/${m.namespace ?? defaultNamespace}/${m.name}`;
  const declared = new Set(desired.map(identity));
  for (const [index, entry] of faults.entries()) {
    const params = isRecord(entry) ? entry.rollout : undefined;
    if (!isRecord(params) || typeof params.file !== 'string' || params.file === '') continue;
    const path: PathSegment[] = ['spec', 'faults', index, 'rollout'];
    const before = issues.length;
    const manifests = await loadManifestFile(params.file, path, scenario, vars, issues);
    // A file that could not be read, or whose every object was refused, has said so already; one that reads well
    // and holds no objects (comments only) would roll out nothing, and is refused here.
    const refused = issues.slice(before).some((issue) => issue.severity === 'error');
    loaded.set(index, manifests);
    for (const manifest of manifests) {
      if (declared.has(identity(manifest))) continue;
      issues.push({
        file: manifest.source.file, line: manifest.source.line, column: manifest.source.column, path: manifest.source.path, severity: 'error',
        message: `${manifest.kind} ${manifest.name} of the rollout file is not declared in spec.desiredState, so a rollback could not re-declare its previous version`,
      });
    }
    const kind = typeof params.kind === 'string' ? params.kind : DEFAULTS.rolloutKind;
    if ((manifests.length > 0 || !refused) && !manifests.some((m) => m.kind === kind && m.name === params.name && m.apiVersion === 'apps/v1')) {
      issues.push(scenario.place({ path: [...path, 'file'], severity: 'error', message: `the rollout file ${params.file} holds no ${kind} ${String(params.name)}, the workload this fault names` }));
    }
  }
  return loaded;
}

/** What a manifest needs before server-side apply can take it. */
function manifestProblems(object: unknown): Finding[] {
  const problem = (path: PathSegment[], message: string, hint?: string): Finding =>
    ({ path, message, severity: 'error', at: 'key', ...(hint === undefined ? {} : { hint }) });
  if (!isRecord(object)) return [problem([], 'a manifest must be a map with apiVersion, kind and metadata')];
  const findings: Finding[] = [];
  for (const field of ['apiVersion', 'kind'] as const) {
    const value = object[field];
    if (typeof value !== 'string' || value === '') {
      findings.push(problem(value === undefined ? [] : [field], value === undefined
        ? `manifest has no ${field}`
        : `${field} must be a non-empty string`, field === 'kind' ? 'e.g. kind: Deployment' : 'e.g. apiVersion: apps/v1'));
    }
  }
  const metadata = object.metadata;
  if (!isRecord(metadata)) {
    findings.push(problem(metadata === undefined ? [] : ['metadata'], metadata === undefined ? 'manifest has no metadata' : 'metadata must be a map', 'e.g. metadata: { name: web }'));
  } else {
    if (typeof metadata.name !== 'string' || metadata.name === '') {
      findings.push(problem(metadata.name === undefined ? ['metadata'] : ['metadata', 'name'], metadata.name === undefined
        ? 'manifest has no metadata.name'
        : 'metadata.name must be a non-empty string', 'rebound tracks what it applies by name (generateName is not supported)'));
    }
    if (metadata.namespace !== undefined && typeof metadata.namespace !== 'string') {
      findings.push(problem(['metadata', 'namespace'], 'metadata.namespace must be a string'));
    }
  }
  return findings;
}

function manifestOf(object: Record<string, unknown>, source: ManifestSource): Manifest {
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  return {
    apiVersion: String(object.apiVersion),
    kind: String(object.kind),
    name: String(metadata.name),
    ...(typeof metadata.namespace === 'string' ? { namespace: metadata.namespace } : {}),
    object,
    source,
  };
}

/** The same object twice is applied twice, the second silently winning: say so. */
function warnDuplicates(manifests: readonly Manifest[], issues: ValidationIssue[]): void {
  const seen = new Map<string, Manifest>();
  for (const manifest of manifests) {
    const group = manifest.apiVersion.includes('/') ? manifest.apiVersion.slice(0, manifest.apiVersion.indexOf('/')) : '';
    const identity = `${group}/${manifest.kind}/${manifest.namespace ?? ''}/${manifest.name}`;
    const first = seen.get(identity);
    if (first === undefined) {
      seen.set(identity, manifest);
      continue;
    }
    issues.push({
      file: manifest.source.file,
      line: manifest.source.line,
      column: manifest.source.column,
      path: manifest.source.path,
      message: `${manifest.kind} ${manifest.name} is declared twice; this one overrides ${first.source.file}:${first.source.line}`,
      severity: 'warning',
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Normalization: the document with defaults applied, durations parsed and paths resolved.

function normalize(
  file: string,
  document: ScenarioDocument,
  manifests: readonly Manifest[],
  rolloutFiles: ReadonlyMap<number, Manifest[]> = new Map(),
): Scenario {
  const { metadata, spec } = document;
  const directory = dirname(resolve(file));
  return {
    file,
    apiVersion: SCENARIO_API_VERSION,
    kind: 'Scenario',
    metadata: {
      name: metadata.name,
      ...(metadata.description === undefined ? {} : { description: metadata.description }),
      labels: { ...metadata.labels },
    },
    spec: {
      ...(spec.namespace === undefined ? {} : { namespace: spec.namespace }),
      desiredState: manifests,
      allowNamespaces: [...(spec.allowNamespaces ?? [])],
      processes: (spec.processes ?? []).map((process) => normalizeProcess(process, directory)),
      ...(spec.steadyState === undefined ? {} : { steadyState: spec.steadyState.map(normalizeCheck) }),
      ...(spec.derivedSteadyState === undefined ? {} : {
        derivedSteadyState: { desiredStateHolds: spec.derivedSteadyState.desiredStateHolds ?? true },
      }),
      faults: spec.faults.map((entry, index) => normalizeFault(entry, index, directory, rolloutFiles.get(index) ?? [])),
      expect: {
        recoveryWithin: Duration.parse(spec.expect.recoveryWithin),
        settle: Duration.parse(spec.expect.settle ?? DEFAULTS.settle),
        ...(spec.expect.maxDisruption === undefined ? {} : { maxDisruption: Duration.parse(spec.expect.maxDisruption) }),
        mustBreak: spec.expect.mustBreak ?? DEFAULTS.mustBreak,
        ...(spec.expect.rolloutWithin === undefined ? {} : { rolloutWithin: Duration.parse(spec.expect.rolloutWithin) }),
      },
      ...(spec.load === undefined ? {} : { load: normalizeLoad(spec.load, directory) }),
      trials: spec.trials ?? DEFAULTS.trials,
      timeout: Duration.parse(spec.timeout ?? DEFAULTS.timeout),
    },
  };
}

function normalizeLoad(load: LoadDocument, directory: string): LoadSpec {
  const common = {
    warmup: Duration.parse(load.warmup ?? DEFAULTS.loadWarmup),
    maxRequests: load.maxRequests ?? DEFAULTS.loadMaxRequests,
    thresholds: load.thresholds ?? {},
  };
  if (load.k6 !== undefined) return { ...common, driver: { kind: 'k6', script: resolve(directory, load.k6.script), env: { ...load.k6.env } } };
  // The rules have made sure that one of http and k6 is there, and one of rate and vus.
  const http = load.http;
  if (http === undefined) throw new Error('internal: spec.load has neither http nor k6 yet passed the rules');
  return {
    ...common,
    driver: {
      kind: 'http',
      targets: http.targets.map((target) => ({
        url: target.url,
        method: target.method ?? DEFAULTS.loadMethod,
        headers: { ...target.headers },
        ...optional('body', target.body),
        expectedStatuses: target.expectedStatuses ?? null,
      })),
      model: http.vus !== undefined ? { kind: 'vus', vus: http.vus } : { kind: 'rate', rate: http.rate ?? 1, maxInFlight: http.maxInFlight ?? DEFAULTS.loadMaxInFlight },
      timeout: Duration.parse(http.timeout ?? DEFAULTS.loadTimeout),
    },
  };
}

function normalizeProcess(process: ProcessDocument, directory: string): ProcessSpec {
  return {
    name: process.name,
    command: [...process.command],
    env: { ...process.env },
    workingDir: resolve(directory, process.workingDir ?? '.'),
    restart: process.restart,
    ...(process.ready === undefined ? {} : { ready: 'log' in process.ready ? { log: process.ready.log } : { http: process.ready.http } }),
  };
}

function selection(params: { count?: number; percent?: number }): Selection {
  return params.percent === undefined ? { count: params.count ?? DEFAULTS.count } : { percent: params.percent };
}

function quantity(params: { count?: number; min?: number }): Quantity {
  return params.count === undefined ? { min: params.min ?? DEFAULTS.checkMin } : { count: params.count };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function podTargets(params: { selector: string; namespace?: string; count?: number; percent?: number }): FaultParams['podKill'] {
  return { selector: params.selector, ...optional('namespace', params.namespace), ...selection(params) };
}

function nodeTargets(params: FaultParamsDocument<'nodeRestart'>): FaultParams['nodeRestart'] {
  return {
    ...optional('selector', params.selector),
    ...optional('nodesOf', params.nodesOf),
    ...optional('namespace', params.namespace),
    ...selection(params),
  };
}

function lasting(params: { duration?: string }): { duration?: Duration } {
  return optional('duration', params.duration === undefined ? undefined : Duration.parse(params.duration));
}

/** How a fault kind's parameters are normalized; a rollout's are given the manifests of its file. */
type FaultNormalizer<K extends FaultKind> = (params: FaultParamsDocument<K>, directory: string, manifests: readonly Manifest[]) => FaultParams[K];
/** One normalizer per fault kind; the mapped type makes a new kind without one a compile error. */
const FAULT_NORMALIZERS: { readonly [K in FaultKind]: FaultNormalizer<K> } = {
  podKill: podTargets,
  podDelete: podTargets,
  containerKill: (params) => ({ ...podTargets(params), ...optional('container', params.container) }),
  nodeStop: (params) => ({ ...nodeTargets(params), ...lasting(params), graceful: params.graceful ?? false }),
  nodeRestart: nodeTargets,
  nodePause: (params) => ({ ...nodeTargets(params), ...lasting(params) }),
  nodeDrain: nodeTargets,
  nodeCordon: nodeTargets,
  nodeTaint: (params) => ({ ...nodeTargets(params), key: params.key, ...optional('value', params.value), effect: params.effect }),
  networkPartition: (params) => ({ ...nodeTargets(params), ...lasting(params) }),
  deleteObject: (params) => {
    const common = {
      apiVersion: params.apiVersion,
      kind: params.kind,
      ...optional('namespace', params.namespace),
      propagationPolicy: params.propagationPolicy ?? DEFAULTS.propagationPolicy,
    };
    return 'name' in params ? { ...common, name: params.name } : { ...common, selector: params.selector, ...selection(params) };
  },
  scale: (params) => ({ kind: params.kind, name: params.name, ...optional('namespace', params.namespace), replicas: params.replicas }),
  patch: (params) => {
    const common = {
      apiVersion: params.apiVersion,
      kind: params.kind,
      ...optional('namespace', params.namespace),
      type: params.type ?? DEFAULTS.patchType,
      patch: params.patch,
    };
    return 'name' in params ? { ...common, name: params.name } : { ...common, selector: params.selector, ...selection(params) };
  },
  rollout: (params, directory, manifests) => ({
    kind: params.kind ?? DEFAULTS.rolloutKind,
    name: params.name,
    ...optional('namespace', params.namespace),
    change: params.file !== undefined
      ? { kind: 'file', file: resolve(directory, params.file), manifests }
      : { kind: 'set', image: { ...params.set?.image }, env: { ...params.set?.env }, annotations: { ...params.set?.annotations } },
    rollback: typeof params.rollback === 'object' ? { kind: 'after', after: Duration.parse(params.rollback.after) } : { kind: params.rollback ?? DEFAULTS.rollback },
  }),
  processKill: (params, directory) => {
    const signal = params.signal ?? DEFAULTS.signal;
    if ('process' in params) return { signal, process: params.process };
    if ('pidFile' in params) return { signal, pidFile: resolve(directory, params.pidFile) };
    return { signal, command: params.command };
  },
};

function normalizeFault(entry: FaultDocument, index: number, directory: string, manifests: readonly Manifest[]): Fault {
  const kind = FAULT_KINDS.find((candidate) => candidate in entry);
  if (kind === undefined) throw new Error(`internal: spec.faults[${index}] has no kind yet passed the schema`);
  // TypeScript cannot correlate `kind` with `params` across the union; both come from the same key.
  return { kind, index, at: Duration.parse(entry.at ?? DEFAULTS.at), params: normalizeFaultParams(kind, entry, directory, manifests) } as Fault;
}

function normalizeFaultParams<Kind extends FaultKind>(
  kind: Kind,
  entry: FaultDocument,
  directory: string,
  manifests: readonly Manifest[],
): FaultParams[Kind] {
  const byKind: Partial<Record<FaultKind, unknown>> = entry;
  // The schema passed: the value under the kind's key has that kind's parameters.
  return FAULT_NORMALIZERS[kind](byKind[kind] as FaultParamsDocument<Kind>, directory, manifests);
}

/** One normalizer per check kind. */
const CHECK_NORMALIZERS: { readonly [Kind in CheckKind]: (params: CheckParamsDocument<Kind>) => CheckParams[Kind] } = {
  workloadAvailable: (params) => ({ kind: params.kind, name: params.name, ...optional('namespace', params.namespace) }),
  podsReady: (params) => ({ selector: params.selector, ...optional('namespace', params.namespace), ...quantity(params) }),
  endpointsReady: (params) => ({ service: params.service, ...optional('namespace', params.namespace), ...quantity(params) }),
  nodesReady: (params) => ({ ...optional('selector', params.selector), ...quantity(params) }),
  availableAtLeast: (params) => ({
    kind: params.kind ?? DEFAULTS.rolloutKind,
    name: params.name,
    ...optional('namespace', params.namespace),
    floor: params.min !== undefined ? { min: params.min } : params.percent !== undefined ? { percent: params.percent } : { derived: true },
  }),
  rolledOut: (params) => ({ kind: params.kind ?? DEFAULTS.rolloutKind, name: params.name, ...optional('namespace', params.namespace) }),
  http: (params) => ({
    url: params.url,
    status: params.status ?? DEFAULTS.httpStatus,
    timeout: Duration.parse(params.timeout ?? DEFAULTS.httpTimeout),
  }),
  object: (params) => {
    const common = {
      apiVersion: params.apiVersion,
      kind: params.kind,
      name: params.name,
      ...optional('namespace', params.namespace),
      jsonPath: params.jsonPath,
    };
    // JSONPath prints values as text, so `equals: 3` and `equals: "3"` mean the same.
    return params.equals === undefined ? { ...common, matches: params.matches ?? '' } : { ...common, equals: String(params.equals) };
  },
  desiredStateHolds: (params) => ({ ...optional('kind', params.kind), ...optional('name', params.name) }),
};

function normalizeCheck(entry: CheckDocument, index: number): SteadyStateCheck {
  const kind = CHECK_KINDS.find((candidate) => candidate in entry);
  if (kind === undefined) throw new Error(`internal: spec.steadyState[${index}] has no kind yet passed the schema`);
  return { kind, index, params: normalizeCheckParams(kind, entry) } as SteadyStateCheck;
}

function normalizeCheckParams<Kind extends CheckKind>(kind: Kind, entry: CheckDocument): CheckParams[Kind] {
  const byKind: Partial<Record<CheckKind, unknown>> = entry;
  // The schema passed: the value under the kind's key has that kind's parameters.
  return CHECK_NORMALIZERS[kind](byKind[kind] as CheckParamsDocument<Kind>);
}

// ---------------------------------------------------------------------------------------------------------------
// Finding scenario files.

const SCENARIO_KIND = /^kind:[ \t]*["']?Scenario["']?[ \t]*(#.*)?$/m;

async function findScenarios(directory: string): Promise<string[]> {
  const found: string[] = [];
  // An unreadable folder holds no scenario we could load; the user named its parent, not it.
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    // Dependencies and hidden folders hold no scenarios of the project.
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      found.push(...await findScenarios(path));
    } else if (/\.ya?ml$/.test(entry.name)) {
      // A text test rather than a parse: a scenario broken enough not to parse must still be found and reported.
      const text = await readFile(path, 'utf8').catch(() => '');
      if (SCENARIO_KIND.test(text)) found.push(path);
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

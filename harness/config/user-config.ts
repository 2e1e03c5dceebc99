/**
 * The user's config files: which kube contexts rebound may touch besides test clusters', and defaults for `run`.
 * Two places, both optional: ~/.rebound/config.yaml (the person's) and rebound.config.yaml in the scenarios' folder
 * or a parent of it (the project's, committed with the scenarios). Every problem is reported with its position.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { ContextAllowance } from '../cluster/context-guard.js';
import { PROVIDER_KINDS, type ProviderKind } from '../cluster/provider.js';
import { ReboundError } from '../errors.js';
import { REPORTER_NAMES } from '../report/registry.js';
import { formatIssue, formatPath, type PathSegment, type ValidationIssue } from '../scenario/issues.js';
import { reboundHome } from '../util/paths.js';

/** The project's config file, looked for next to the scenarios and in the folders above them. */
export const PROJECT_CONFIG_FILE = 'rebound.config.yaml';

/** The person's config file: ~/.rebound/config.yaml (under $REBOUND_HOME when set). */
export function personalConfigFile(): string {
  return join(reboundHome(), 'config.yaml');
}

const text = Type.String({ minLength: 1 });

/** The schema of a config file; anything it does not name is refused (a setting that does nothing is a mistake). */
const ConfigFileSchema = Type.Object({
  allowContexts: Type.Optional(Type.Array(text, { description: 'kube contexts (globs) rebound may touch besides kind-*, rebound-*, kwok-* on this machine' })),
  defaults: Type.Optional(Type.Object({
    provider: Type.Optional(Type.Union(PROVIDER_KINDS.map((kind) => Type.Literal(kind)))),
    cluster: Type.Optional(text),
    kubeconfig: Type.Optional(text),
    context: Type.Optional(text),
    out: Type.Optional(text),
    reporter: Type.Optional(Type.Array(Type.Union(REPORTER_NAMES.map((name) => Type.Literal(name))), { minItems: 1 })),
    k6: Type.Optional(text),
  }, { additionalProperties: false })),
}, { additionalProperties: false });

type ConfigFile = Static<typeof ConfigFileSchema>;

/** Defaults for `run`, each with the file it came from; paths are absolute. */
export interface RunDefaults {
  readonly provider?: ProviderKind;
  readonly cluster?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly out?: string;
  readonly reporter?: readonly string[];
  readonly k6?: string;
}

/** The defaults that choose the cluster. */
const CLUSTER_FIELDS = ['provider', 'cluster', 'kubeconfig', 'context'] as const;

/** What the config files say, merged: the project's defaults over the person's, allowed contexts from both. */
export interface UserConfig {
  /** The files read, the person's first. */
  readonly files: readonly string[];
  readonly allowances: readonly ContextAllowance[];
  readonly defaults: RunDefaults;
}

/** A config file is not valid; the details are its problems, one `file:line:col: path: message` per line. */
export class ConfigInvalidError extends ReboundError {
  constructor(readonly issues: readonly ValidationIssue[]) {
    const [first] = issues;
    super(issues.length === 1 && first ? formatIssue(first) : `${first?.file ?? 'config file'}: ${issues.length} errors`,
      issues.length === 1 ? [] : issues.map(formatIssue));
  }
}

const validate = new Ajv({ allErrors: true, strict: false }).compile<ConfigFile>(ConfigFileSchema);

/** The node at `path`, or its key when `key` (an unknown field is pointed at by its name). */
function offsetOf(document: Document.Parsed, path: readonly PathSegment[], key: boolean): number {
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1];
  const parent = parentPath.length === 0 ? document.contents : document.getIn(parentPath, true);
  if (key && isMap(parent)) {
    const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
    if (pair && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
  }
  const node = path.length === 0 ? document.contents : document.getIn(path, true);
  if (node && typeof node === 'object' && 'range' in node && Array.isArray(node.range)) return node.range[0] as number;
  if (parent && typeof parent === 'object' && 'range' in parent && Array.isArray(parent.range)) return parent.range[0] as number;
  return 0;
}

function messageOf(error: ErrorObject): { path: PathSegment[]; message: string; key: boolean } {
  const path: PathSegment[] = error.instancePath.split('/').slice(1).map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment.replace(/~1/g, '/').replace(/~0/g, '~')));
  if (error.keyword === 'additionalProperties') {
    const field = String((error.params as { additionalProperty: string }).additionalProperty);
    const known = Object.keys(path.length === 0 ? ConfigFileSchema.properties : ConfigFileSchema.properties.defaults.properties);
    return { path: [...path, field], message: `unknown field ${field} (known: ${known.join(', ')})`, key: true };
  }
  if (error.keyword === 'anyOf' || error.keyword === 'const') {
    const allowed = path[0] === 'defaults' && path[1] === 'provider' ? PROVIDER_KINDS.join(', ') : REPORTER_NAMES.join(', ');
    return { path, message: `must be one of ${allowed}`, key: false };
  }
  return { path, message: error.message ?? 'is not valid', key: false };
}

/** Reads and checks one config file; throws ConfigInvalidError with every problem found. */
function readConfigFile(file: string): ConfigFile {
  const source = readFileSync(file, 'utf8');
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const issue = (offset: number, path: readonly PathSegment[], message: string): ValidationIssue => {
    const at = lineCounter.linePos(offset);
    return { file, line: at.line, column: at.col, path: formatPath(path), message, severity: 'error' };
  };
  const syntax = document.errors.map((problem) => issue(problem.pos[0], [], problem.message.split('\n')[0] ?? problem.message));
  if (syntax.length > 0) throw new ConfigInvalidError(syntax);
  const value: unknown = document.toJS() ?? {};
  if (validate(value)) return value;
  // A wrong type deep inside also fails its anyOf parent: report the deepest, most useful one per place.
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  for (const error of validate.errors ?? []) {
    if (error.keyword === 'anyOf' && (validate.errors ?? []).some((other) => other !== error && other.instancePath === error.instancePath && other.keyword !== 'const')) continue;
    const { path, message, key } = messageOf(error);
    const found = issue(offsetOf(document, path, key), path, message);
    const id = `${found.line}:${found.column}:${found.path}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push(found);
  }
  throw new ConfigInvalidError(issues.sort((a, b) => a.line - b.line || a.column - b.column));
}

/** `~/x` and paths relative to the config file's folder, made absolute. */
function pathFrom(file: string, value: string): string {
  if (value === '~' || value.startsWith('~/')) return join(homedir(), value.slice(1));
  return resolve(dirname(file), value);
}

/** The project's config file for these scenario paths: the nearest rebound.config.yaml at or above each. */
function projectConfigFile(paths: readonly string[]): string | undefined {
  const found = new Set<string>();
  for (const path of paths) {
    let dir = resolve(path);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) dir = dirname(dir);
    for (;;) {
      const candidate = join(dir, PROJECT_CONFIG_FILE);
      if (existsSync(candidate)) {
        found.add(candidate);
        break;
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  if (found.size > 1) {
    throw new ReboundError(`the scenarios given have different ${PROJECT_CONFIG_FILE} files (${[...found].join(', ')}); run the scenarios of each project separately.`);
  }
  return [...found][0];
}

/** Reads the person's and the project's config files (either may be missing) for a run of these scenario paths. */
export function loadUserConfig(scenarioPaths: readonly string[]): UserConfig {
  const files = [personalConfigFile(), projectConfigFile(scenarioPaths)].filter((file): file is string => file !== undefined && existsSync(file));
  const allowances: ContextAllowance[] = [];
  let defaults: RunDefaults = {};
  for (const file of files) {
    const config = readConfigFile(file);
    if (config.allowContexts) allowances.push({ patterns: config.allowContexts, from: file });
    const given = config.defaults ?? {};
    // Which cluster to use is one setting: a file that names any part of it replaces all of an earlier file's.
    const notCluster = ([field]: [string, unknown]): boolean => !(CLUSTER_FIELDS as readonly string[]).includes(field);
    const kept = namesCluster(given) ? Object.fromEntries(Object.entries(defaults).filter(notCluster)) : defaults;
    defaults = {
      ...kept,
      ...given,
      ...(given.kubeconfig === undefined ? {} : { kubeconfig: pathFrom(file, given.kubeconfig) }),
      ...(given.out === undefined ? {} : { out: pathFrom(file, given.out) }),
      ...(given.k6 === undefined ? {} : { k6: pathFrom(file, given.k6) }),
    };
  }
  return { files, allowances, defaults };
}

/** The parts of a command line that choose the cluster. */
export interface ClusterChoice {
  readonly provider?: ProviderKind;
  readonly cluster?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
}

/** True when any part of the cluster choice is given. */
export function namesCluster(choice: ClusterChoice): boolean {
  return CLUSTER_FIELDS.some((field) => choice[field] !== undefined);
}

/**
 * The cluster is one choice: the config files' (provider, cluster, kubeconfig, context) applies only when the
 * command line names no part of it, so a --cluster given never mixes with a kubeconfig from a file.
 */
export function withClusterChoice<T extends ClusterChoice>(given: T, config: UserConfig): T {
  if (namesCluster(given)) return given;
  const chosen: { -readonly [K in keyof ClusterChoice]: ClusterChoice[K] } = {};
  for (const field of CLUSTER_FIELDS) {
    const value = config.defaults[field];
    if (value !== undefined) Object.assign(chosen, { [field]: value });
  }
  return { ...given, ...chosen };
}

/** The contexts a command may touch besides test clusters' on this machine: --allow-context's and the config files'. */
export function allowancesOf(allowContext: readonly string[], config: UserConfig): ContextAllowance[] {
  return [...(allowContext.length > 0 ? [{ patterns: [...allowContext], from: '--allow-context' }] : []), ...config.allowances];
}

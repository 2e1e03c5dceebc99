/**
 * Cross-field rules: what the schema cannot say about one field alone (settle against recoveryWithin, count against
 * percent, names that must exist elsewhere, selectors' syntax). They run on a document that passed the schema, each
 * pushing findings with their path, and all of them run so a user sees every problem at once.
 */
import { BUILTIN_METRICS, BUILTIN_TAGS, LOAD_PHASES } from '../load/metric.js';
import { parseThresholds } from '../load/thresholds.js';
import { Duration } from './duration.js';
import { didYouMean, type Finding, type PathSegment, type Severity } from './issues.js';
import {
  DEFAULTS,
  FAULT_KINDS,
  CHECK_KINDS,
  NODE_FAULT_KINDS,
  type CheckDocument,
  type CheckKind,
  type FaultDocument,
  type FaultKind,
  type ScenarioDocument,
} from './schema.js';

export { LabelSelector, SelectorSyntaxError, type SelectorOperator, type SelectorRequirement } from '../util/label-selector.js';
import { LabelSelector, labelKeyProblem, labelValueProblem } from '../util/label-selector.js';

// ---------------------------------------------------------------------------------------------------------------
// The rules.

interface ReportOptions {
  readonly hint?: string | undefined;
  readonly severity?: Severity;
  readonly at?: 'key' | 'value';
}

interface RuleContext {
  readonly document: ScenarioDocument;
  readonly faults: readonly FaultEntry[];
  readonly checks: readonly CheckEntry[];
  readonly report: (path: readonly PathSegment[], message: string, options?: ReportOptions) => void;
}

interface FaultEntry {
  readonly kind: FaultKind;
  readonly index: number;
  /** Path of the parameters: spec.faults[i].<kind> */
  readonly path: readonly PathSegment[];
  readonly entry: FaultDocument;
  readonly params: Readonly<Record<string, unknown>>;
}

interface CheckEntry {
  readonly kind: CheckKind;
  readonly path: readonly PathSegment[];
  readonly params: Readonly<Record<string, unknown>>;
}

type Rule = (context: RuleContext) => void;

/** Every rule's findings for a document that passed the schema. */
export function checkRules(document: ScenarioDocument): Finding[] {
  const findings: Finding[] = [];
  const context: RuleContext = {
    document,
    faults: document.spec.faults.flatMap((entry, index) => {
      const kind = FAULT_KINDS.find((candidate) => candidate in entry);
      const params = kind === undefined ? undefined : (entry as Record<string, unknown>)[kind];
      return kind === undefined || !isRecord(params) ? [] : [{ kind, index, entry, params, path: ['spec', 'faults', index, kind] }];
    }),
    checks: (document.spec.steadyState ?? []).flatMap((entry: CheckDocument, index) => {
      const kind = CHECK_KINDS.find((candidate) => candidate in entry);
      const params = kind === undefined ? undefined : (entry as Record<string, unknown>)[kind];
      return kind === undefined || !isRecord(params) ? [] : [{ kind, params, path: ['spec', 'steadyState', index, kind] }];
    }),
    report: (path, message, options = {}) => {
      findings.push({
        path,
        message,
        severity: options.severity ?? 'error',
        ...(options.hint === undefined ? {} : { hint: options.hint }),
        ...(options.at === undefined ? {} : { at: options.at }),
      });
    },
  };
  for (const rule of RULES) rule(context);
  return findings;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function has(params: Readonly<Record<string, unknown>>, key: string): boolean {
  return params[key] !== undefined;
}

function text(params: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = params[key];
  return typeof value === 'string' ? value : undefined;
}

function duration(value: string | undefined, fallback: string): Duration {
  return Duration.parse(value ?? fallback);
}

function regexProblem(source: string): string | undefined {
  try {
    new RegExp(source);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error);
  }
}

function urlProblem(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? undefined : `\`${url}\` is not an http:// or https:// URL`;
  } catch {
    return `\`${url}\` is not a URL; write e.g. http://localhost:8080/healthz`;
  }
}

const isNodeFault = (kind: FaultKind): boolean => (NODE_FAULT_KINDS as readonly FaultKind[]).includes(kind);

/**
 * Durations that must not be zero: a zero recoveryWithin or timeout could never be met. (maxDisruption may be 0s:
 * zero downtime, what a drain under a PodDisruptionBudget or a rolling update promises.)
 */
const positiveDurations: Rule = ({ document, faults, checks, report }) => {
  const { expect, timeout } = document.spec;
  const fields: [readonly PathSegment[], string | undefined][] = [
    [['spec', 'expect', 'recoveryWithin'], expect.recoveryWithin],
    [['spec', 'timeout'], timeout],
    ...faults.map((fault): [readonly PathSegment[], string | undefined] => [[...fault.path, 'duration'], text(fault.params, 'duration')]),
    ...checks.map((check): [readonly PathSegment[], string | undefined] => [[...check.path, 'timeout'], check.kind === 'http' ? text(check.params, 'timeout') : undefined]),
  ];
  for (const [path, value] of fields) {
    if (value !== undefined && Duration.parse(value).toMilliseconds() === 0) report(path, 'must be longer than 0s');
  }
};

/** Recovery is declared once the steady state held for `settle`, which must fit inside `recoveryWithin`. */
const settleShorterThanRecovery: Rule = ({ document, report }) => {
  const { expect } = document.spec;
  const settle = duration(expect.settle, DEFAULTS.settle);
  const recoveryWithin = Duration.parse(expect.recoveryWithin);
  if (settle.toMilliseconds() >= recoveryWithin.toMilliseconds()) {
    report(['spec', 'expect', 'settle'], `settle (${settle}${expect.settle === undefined ? ', the default' : ''}) must be shorter than recoveryWithin (${recoveryWithin})`, {
      hint: 'a trial recovers once the steady state has held for settle, so settle must fit inside recoveryWithin',
    });
  }
};

/** `recoveryWithin` must be longer than the largest `at`, or the last fault could never be recovered from in time. */
const recoveryAfterLastFault: Rule = ({ document, faults, report }) => {
  const recoveryWithin = Duration.parse(document.spec.expect.recoveryWithin);
  for (const fault of faults) {
    const at = duration(fault.entry.at, DEFAULTS.at);
    if (at.toMilliseconds() >= recoveryWithin.toMilliseconds()) {
      report(['spec', 'faults', fault.index, 'at'], `at (${at}) must be earlier than expect.recoveryWithin (${recoveryWithin})`, {
        hint: 'recoveryWithin must be longer than the largest at',
      });
    }
  }
};

/** A fault picks by `count` or by `percent`, never both. */
const countOrPercent: Rule = ({ faults, report }) => {
  for (const fault of faults) {
    if (has(fault.params, 'count') && has(fault.params, 'percent')) {
      report([...fault.path, 'percent'], 'give count or percent, not both', { at: 'key' });
    }
  }
};

/** A check counts `count` (exactly) or `min` (at least), never both. */
const countOrMin: Rule = ({ checks, report }) => {
  for (const check of checks) {
    if (has(check.params, 'count') && has(check.params, 'min')) {
      report([...check.path, 'min'], 'give count (exactly) or min (at least), not both', { at: 'key' });
    }
  }
};

/** Every selector parses. */
const selectorSyntax: Rule = ({ document, faults, checks, report }) => {
  const selectors: [readonly PathSegment[], string | undefined][] = [
    ...faults.flatMap((fault): [readonly PathSegment[], string | undefined][] => [
      [[...fault.path, 'selector'], text(fault.params, 'selector')],
      [[...fault.path, 'nodesOf'], text(fault.params, 'nodesOf')],
    ]),
    ...checks.map((check): [readonly PathSegment[], string | undefined] => [[...check.path, 'selector'], text(check.params, 'selector')]),
  ];
  for (const [path, selector] of selectors) {
    if (selector === undefined) continue;
    try {
      LabelSelector.parse(selector);
    } catch (error) {
      report(path, error instanceof Error ? error.message : String(error));
    }
  }
  for (const [key, value] of Object.entries(document.metadata.labels ?? {})) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem !== undefined) report(['metadata', 'labels', key], problem, { at: labelKeyProblem(key) === undefined ? 'value' : 'key' });
  }
};

/** Node faults pick nodes by labels or by the pods they host; a namespace only makes sense for the latter. */
const nodeTargeting: Rule = ({ faults, report }) => {
  for (const fault of faults.filter((f) => isNodeFault(f.kind))) {
    if (has(fault.params, 'selector') && has(fault.params, 'nodesOf')) {
      report([...fault.path, 'nodesOf'], 'give selector (node labels) or nodesOf (the nodes of these pods), not both', { at: 'key' });
    }
    if (has(fault.params, 'namespace') && !has(fault.params, 'nodesOf')) {
      report([...fault.path, 'namespace'], 'namespace applies to the pods of nodesOf; without nodesOf it selects nothing', { at: 'key' });
    }
  }
};

/** Faults touch the scenario's namespace and spec.allowNamespaces only, and kube-system never. */
const faultNamespaces: Rule = ({ document, faults, report }) => {
  const { namespace, allowNamespaces = [] } = document.spec;
  const never = 'kube-system';
  if (namespace === never) report(['spec', 'namespace'], 'faults never touch kube-system', { hint: 'run the system under test in its own namespace' });
  allowNamespaces.forEach((allowed, index) => {
    if (allowed === never) report(['spec', 'allowNamespaces', index], 'faults never touch kube-system');
  });
  const allowed = new Set([...(namespace === undefined ? [] : [namespace]), ...allowNamespaces]);
  for (const fault of faults) {
    const target = text(fault.params, 'namespace');
    if (target === undefined || target === never) {
      if (target === never) report([...fault.path, 'namespace'], 'faults never touch kube-system');
      continue;
    }
    if (!allowed.has(target)) {
      report([...fault.path, 'namespace'], `faults may not touch namespace ${target}`, {
        hint: namespace === target ? undefined : `add ${target} to spec.allowNamespaces`,
      });
    }
  }
};

/** Process names are unique, processKill names one of them, and their regular expressions and URLs are valid. */
const processes: Rule = ({ document, faults, report }) => {
  const names: string[] = [];
  (document.spec.processes ?? []).forEach((process, index) => {
    if (names.includes(process.name)) {
      report(['spec', 'processes', index, 'name'], `duplicate process name ${process.name}`, { hint: 'give each process its own name' });
    }
    names.push(process.name);
    const ready = process.ready;
    if (ready !== undefined && 'log' in ready) {
      const problem = regexProblem(ready.log);
      if (problem !== undefined) report(['spec', 'processes', index, 'ready', 'log'], `invalid regular expression: ${problem}`);
    }
    if (ready !== undefined && 'http' in ready) {
      const problem = urlProblem(ready.http);
      if (problem !== undefined) report(['spec', 'processes', index, 'ready', 'http'], problem);
    }
  });
  for (const fault of faults.filter((f) => f.kind === 'processKill')) {
    const process = text(fault.params, 'process');
    if (process !== undefined && !names.includes(process)) {
      report([...fault.path, 'process'], `no process named ${process} in spec.processes`, {
        hint: didYouMean(process, names) ?? (names.length === 0 ? 'spec.processes is empty; use pidFile or command for other processes' : `known: ${names.join(', ')}`),
      });
    }
    const command = text(fault.params, 'command');
    const problem = command === undefined ? undefined : regexProblem(command);
    if (problem !== undefined) report([...fault.path, 'command'], `invalid regular expression: ${problem}`);
  }
};

/** An object check compares with exactly one of equals and matches, and uses kubectl's JSONPath braces. */
const objectChecks: Rule = ({ checks, report }) => {
  for (const check of checks.filter((c) => c.kind === 'object')) {
    const equals = has(check.params, 'equals');
    const matches = text(check.params, 'matches');
    if (equals && matches !== undefined) {
      report([...check.path, 'matches'], 'give equals or matches, not both', { at: 'key' });
    } else if (!equals && matches === undefined) {
      report(check.path, 'needs equals (the exact value) or matches (a regular expression)', { at: 'key' });
    }
    const problem = matches === undefined ? undefined : regexProblem(matches);
    if (problem !== undefined) report([...check.path, 'matches'], `invalid regular expression: ${problem}`);
    const jsonPath = text(check.params, 'jsonPath') ?? '';
    if (!/\{[^{}]+\}/.test(jsonPath) || (jsonPath.match(/\{/g) ?? []).length !== (jsonPath.match(/\}/g) ?? []).length) {
      report([...check.path, 'jsonPath'], `\`${jsonPath}\` is not kubectl JSONPath`, {
        hint: jsonPath.startsWith('.') ? `write {${jsonPath}}` : 'write e.g. {.status.phase}',
      });
    }
  }
};

/** http checks GET a real http(s) URL. */
const httpChecks: Rule = ({ checks, report }) => {
  for (const check of checks.filter((c) => c.kind === 'http')) {
    const problem = urlProblem(text(check.params, 'url') ?? '');
    if (problem !== undefined) report([...check.path, 'url'], problem);
  }
};

/** spec.load makes its traffic one way (http or k6), at one model (rate or vus), judged by thresholds that k6 has. */
const loadRules: Rule = ({ document, report }) => {
  const load = document.spec.load;
  if (load === undefined) return;
  const path: PathSegment[] = ['spec', 'load'];
  if ((load.http === undefined) === (load.k6 === undefined)) {
    report(path, load.http === undefined ? 'needs http (the built-in driver) or k6 (a k6 script)' : 'give http or k6, not both', { at: 'key' });
  }
  const http = load.http;
  if (http !== undefined) {
    if ((http.rate === undefined) === (http.vus === undefined)) {
      report([...path, 'http'], http.rate === undefined ? 'needs rate (requests per second) or vus (virtual users)' : 'give rate or vus, not both', { at: 'key' });
    }
    if (http.maxInFlight !== undefined && http.rate === undefined) {
      report([...path, 'http', 'maxInFlight'], 'maxInFlight bounds the rate model; with vus, at most vus requests are in flight', { at: 'key' });
    }
    http.targets.forEach((target, index) => {
      const problem = urlProblem(target.url);
      if (problem !== undefined) report([...path, 'http', 'targets', index, 'url'], problem);
    });
    if (load.thresholds === undefined || Object.keys(load.thresholds).length === 0) {
      report([...path, 'http'], 'no thresholds: the load is measured and reported, but it cannot fail a trial', {
        severity: 'warning', at: 'key', hint: "add e.g. thresholds: { http_req_failed: ['rate<0.01'] }",
      });
    }
  }
  if (load.k6 !== undefined && load.thresholds !== undefined) {
    report([...path, 'thresholds'], "a k6 script carries its thresholds in its options; k6's summary gives their verdict", {
      at: 'key', hint: 'move them into `export const options = { thresholds: ... }` of the script',
    });
  }
  // Checked as k6 checks them at start: an unknown metric or an aggregation its type lacks is refused.
  const parsed = load.k6 === undefined ? parseThresholds(load.thresholds ?? {}, BUILTIN_METRICS) : undefined;
  if (parsed !== undefined && !parsed.ok) for (const problem of parsed.problems) report([...path, 'thresholds', ...problem.path], problem.message);
  // A sub-metric on a tag no request carries would be empty for ever, and its threshold judged on nothing.
  const tagged = parsed?.ok ? parsed.thresholds : [];
  for (const metric of new Set(tagged.map((t) => t.metric))) {
    const threshold = tagged.find((t) => t.metric === metric);
    for (const [tag, value] of Object.entries(threshold?.tags ?? {})) {
      if (!BUILTIN_TAGS.includes(tag)) {
        report([...path, 'thresholds', metric], `the built-in driver's requests carry no tag \`${tag}\``, { at: 'key', hint: `tags: ${BUILTIN_TAGS.join(', ')}` });
      } else if (tag === 'phase' && !LOAD_PHASES.includes(value)) {
        report([...path, 'thresholds', metric], `no phase \`${value}\``, { at: 'key', hint: `phases: ${LOAD_PHASES.join(', ')}` });
      }
    }
  }
  const warmup = load.warmup === undefined ? undefined : Duration.parse(load.warmup);
  if (warmup !== undefined && warmup.toMilliseconds() === 0) {
    report([...path, 'warmup'], 'a warm-up of 0s judges the first requests, made while connections open', { severity: 'warning' });
  }
};

/** A scenario needs something that says it is healthy. */
const somethingToCheck: Rule = ({ document, report }) => {
  const { desiredState = [], steadyState } = document.spec;
  if (steadyState === undefined && desiredState.length === 0) {
    report(['spec'], 'nothing to check: give steadyState, or desiredState to derive it from', { at: 'key' });
  }
};

/** The timeout is a hard limit: warn when it cannot fit the trials it is meant to bound. */
const timeoutBudget: Rule = ({ document, report }) => {
  const { expect, trials = DEFAULTS.trials, timeout } = document.spec;
  const limit = duration(timeout, DEFAULTS.timeout);
  const perTrial = Duration.parse(expect.recoveryWithin).toMilliseconds() + duration(expect.settle, DEFAULTS.settle).toMilliseconds();
  const total = trials * perTrial;
  if (limit.toMilliseconds() <= total) {
    // Huge trials or durations make sums no duration can hold: say so instead of printing one.
    const shown = (ms: number): string => (Number.isSafeInteger(ms) ? String(Duration.fromMilliseconds(ms)) : 'longer than any duration rebound can count');
    report(['spec', 'timeout'], `timeout (${limit}${timeout === undefined ? ', the default' : ''}) may end the run before ${trials} trial${trials === 1 ? '' : 's'} of up to ${shown(perTrial)} each (recoveryWithin + settle)`, {
      severity: 'warning',
      hint: Number.isSafeInteger(total) ? `raise timeout above ${shown(total)}` : 'lower trials, or recoveryWithin and settle',
    });
  }
};

/** maxDisruption can never be exceeded by a trial that recovered within recoveryWithin. */
const maxDisruptionBelowRecovery: Rule = ({ document, report }) => {
  const { maxDisruption, recoveryWithin } = document.spec.expect;
  if (maxDisruption !== undefined && Duration.parse(maxDisruption).toMilliseconds() >= Duration.parse(recoveryWithin).toMilliseconds()) {
    report(['spec', 'expect', 'maxDisruption'], `maxDisruption (${Duration.parse(maxDisruption)}) is not shorter than recoveryWithin (${Duration.parse(recoveryWithin)}), so it never decides anything`, {
      severity: 'warning',
    });
  }
};

/**
 * A fault that still holds at injectedAt + recoveryWithin is fine only if the system heals around it: recovery in
 * time cannot wait for the fault's own revert, and a trial never waits past that deadline.
 */
const faultOutlastsRecovery: Rule = ({ document, faults, report }) => {
  const recoveryWithin = Duration.parse(document.spec.expect.recoveryWithin);
  for (const fault of faults) {
    const lasts = text(fault.params, 'duration');
    if (lasts === undefined) continue;
    const ends = duration(fault.entry.at, DEFAULTS.at).toMilliseconds() + Duration.parse(lasts).toMilliseconds();
    if (ends >= recoveryWithin.toMilliseconds()) {
      report([...fault.path, 'duration'], `the fault holds until ${Duration.fromMilliseconds(ends)} after injection, not before expect.recoveryWithin (${recoveryWithin}) ends: the trial passes only if the system heals while it still holds`, {
        severity: 'warning',
        hint: 'that is right for a node the cluster must route around; to measure recovery after the revert, make recoveryWithin longer than at + duration',
      });
    }
  }
};

const NODE_VERBS: Partial<Record<FaultKind, string>> = {
  nodeStop: 'stop',
  nodePause: 'pause',
  nodeRestart: 'restart',
  nodeDrain: 'drain',
  networkPartition: 'cut off',
};

/** Losing every node takes the system under test (and often the cluster's view of itself) down with it. */
const mayHitEveryNode: Rule = ({ faults, report }) => {
  for (const fault of faults) {
    const verb = NODE_VERBS[fault.kind];
    if (verb === undefined) continue;
    const percent = fault.params.percent;
    if (typeof percent === 'number' && percent >= 100) {
      report([...fault.path, 'percent'], `may ${verb} every node: percent ${percent} picks all the candidates`, {
        severity: 'warning',
        hint: 'use count, a lower percent, or narrow the candidates with selector or nodesOf',
      });
    } else if (!has(fault.params, 'selector') && !has(fault.params, 'nodesOf')) {
      report(fault.path, `may ${verb} every node: with neither selector nor nodesOf every node is a candidate, and a cluster may have only one`, {
        severity: 'warning',
        at: 'key',
        hint: 'narrow the candidates with selector (node labels) or nodesOf (a pod selector)',
      });
    }
  }
};

const JSON_PATCH_OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'];

/** A JSON Pointer (RFC 6901): empty, or '/'-separated tokens whose '~' escapes are ~0 and ~1. */
function pointerProblem(pointer: unknown): string | undefined {
  if (typeof pointer !== 'string') return 'must be a JSON Pointer string, e.g. /spec/replicas';
  if (pointer !== '' && !pointer.startsWith('/')) return `\`${pointer}\` is not a JSON Pointer: it must start with /, e.g. /spec/replicas`;
  if (/~[^01]|~$/.test(pointer)) return `\`${pointer}\` is not a JSON Pointer: write ~ as ~0 and / inside a key as ~1`;
  return undefined;
}

/**
 * A patch fits its type: merge and strategic take an object, json a list of RFC 6902 operations, each well formed.
 * Secrets are refused: undoing a patch keeps the values it replaced in the run's journal on disk.
 */
const patchFaults: Rule = ({ faults, report }) => {
  for (const fault of faults.filter((f) => f.kind === 'patch')) {
    const type = text(fault.params, 'type') ?? DEFAULTS.patchType;
    const patch = fault.params.patch;
    const at = [...fault.path, 'patch'];
    if (text(fault.params, 'kind') === 'Secret') {
      report([...fault.path, 'kind'], 'patch does not act on Secrets: its revert would keep their old values in the run\'s journal on disk');
    }
    if (type !== 'json') {
      if (!isRecord(patch)) {
        report(at, `a ${type} patch is an object of the fields to set (null removes one), not a list`, { hint: 'for a list of operations write type: json' });
      } else if (Object.keys(patch).length === 0) {
        report(at, 'the patch is empty: it would change nothing');
      }
      continue;
    }
    if (!Array.isArray(patch)) {
      report(at, 'a json patch is a list of operations, e.g. [{op: replace, path: /spec/replicas, value: 1}]', { hint: 'for an object of fields write type: merge' });
      continue;
    }
    if (patch.length === 0) report(at, 'the patch is empty: it would change nothing');
    patch.forEach((operation: unknown, index) => {
      const here = [...at, index];
      if (!isRecord(operation)) {
        report(here, 'a JSON Patch operation is an object with op and path');
        return;
      }
      const op = operation.op;
      if (typeof op !== 'string' || !JSON_PATCH_OPS.includes(op)) {
        report(op === undefined ? here : [...here, 'op'], `op must be one of ${JSON_PATCH_OPS.join(', ')}`, op === undefined ? { at: 'key' } : {});
        return;
      }
      const pathProblem = operation.path === undefined ? 'an operation needs a path' : pointerProblem(operation.path);
      if (pathProblem !== undefined) report(operation.path === undefined ? here : [...here, 'path'], pathProblem, operation.path === undefined ? { at: 'key' } : {});
      if ((op === 'move' || op === 'copy')) {
        const fromProblem = operation.from === undefined ? `${op} needs from` : pointerProblem(operation.from);
        if (fromProblem !== undefined) report(operation.from === undefined ? here : [...here, 'from'], fromProblem, operation.from === undefined ? { at: 'key' } : {});
      }
      if ((op === 'add' || op === 'replace' || op === 'test') && !('value' in operation)) report(here, `${op} needs a value`, { at: 'key' });
      const allowed = new Set(['op', 'path', ...(op === 'move' || op === 'copy' ? ['from'] : []), ...(op === 'add' || op === 'replace' || op === 'test' ? ['value'] : [])]);
      for (const key of Object.keys(operation)) {
        if (!allowed.has(key)) report([...here, key], `${op} takes no ${key}`, { at: 'key' });
      }
    });
  }
};

/** derivedSteadyState shapes the derived steady state only; desiredStateHolds needs a desired state to check. */
const desiredStateRules: Rule = ({ document, checks, report }) => {
  const { steadyState, derivedSteadyState, desiredState = [] } = document.spec;
  if (derivedSteadyState !== undefined && steadyState !== undefined) {
    report(['spec', 'derivedSteadyState'], 'derivedSteadyState does nothing when steadyState is written: the steady state is then exactly its checks', {
      at: 'key',
      hint: 'remove derivedSteadyState, or add `- desiredStateHolds: {}` to steadyState yourself',
    });
  }
  for (const check of checks.filter((c) => c.kind === 'desiredStateHolds')) {
    if (desiredState.length === 0) report(check.path, 'desiredStateHolds checks the fields rebound applied, and spec.desiredState is empty', { at: 'key' });
  }
};

/** A rollout gives its new version one way (set or file), and waits for a stall only where there is a deadline. */
const rollouts: Rule = ({ document, faults, checks, report }) => {
  for (const fault of faults.filter((f) => f.kind === 'rollout')) {
    const { params } = fault;
    if (has(params, 'set') === has(params, 'file')) {
      report(fault.path, has(params, 'set') ? 'give set or file, not both' : 'give the new version: set (image, env, annotations) or file', { at: 'key' });
    }
    const set = isRecord(params.set) ? params.set : undefined;
    if (set !== undefined && !['image', 'env', 'annotations'].some((key) => isRecord(set[key]) && Object.keys(set[key]).length > 0)) {
      report([...fault.path, 'set'], 'set changes nothing: give image, env or annotations', { at: 'key' });
    }
    const kind = text(params, 'kind') ?? DEFAULTS.rolloutKind;
    if (params.rollback === 'onStall' && kind !== 'Deployment') {
      report([...fault.path, 'rollback'], `rollback: onStall waits for a Deployment's progress deadline; a ${kind} has none`, { hint: 'use rollback: { after: 30s }' });
    }
    const after = isRecord(params.rollback) ? text(params.rollback, 'after') : undefined;
    if (after !== undefined && Duration.parse(after).toMilliseconds() === 0) report([...fault.path, 'rollback', 'after'], 'must be longer than 0s');
    const recoveryWithin = Duration.parse(document.spec.expect.recoveryWithin);
    if (after !== undefined && Duration.parse(after).toMilliseconds() >= recoveryWithin.toMilliseconds()) {
      report([...fault.path, 'rollback', 'after'], `the rollback comes after ${Duration.parse(after)}, not before expect.recoveryWithin (${recoveryWithin}) ends: the trial waits for it, so it could never recover`);
    }
  }
  for (const check of checks.filter((c) => c.kind === 'availableAtLeast')) {
    if (has(check.params, 'min') && has(check.params, 'percent')) report([...check.path, 'percent'], 'give min or percent, not both', { at: 'key' });
  }
  const within = document.spec.expect.rolloutWithin;
  if (within !== undefined) {
    if (Duration.parse(within).toMilliseconds() === 0) report(['spec', 'expect', 'rolloutWithin'], 'must be longer than 0s');
    else if (!faults.some((f) => f.kind === 'rollout')) report(['spec', 'expect', 'rolloutWithin'], 'rolloutWithin needs a rollout fault to time', { at: 'key' });
  }
};

const RULES: readonly Rule[] = [
  patchFaults,
  desiredStateRules,
  rollouts,
  positiveDurations,
  settleShorterThanRecovery,
  recoveryAfterLastFault,
  countOrPercent,
  countOrMin,
  selectorSyntax,
  nodeTargeting,
  faultNamespaces,
  processes,
  objectChecks,
  httpChecks,
  loadRules,
  somethingToCheck,
  timeoutBudget,
  maxDisruptionBelowRecovery,
  faultOutlastsRecovery,
  mayHitEveryNode,
];

/**
 * kubectl's JSONPath templates (`{.status.phase}`, `{.status.conditions[?(@.type=="Ready")].status}`,
 * `{.metadata.labels.app\.kubernetes\.io/name}`), evaluated with jsonpath-plus and printed as kubectl prints them:
 * strings bare, other scalars as text, objects and arrays as compact JSON, several results separated by a space.
 * kubectl's template text goes around `{...}` actions and is kept; `{range}`/`{end}` are not supported.
 */
import { JSONPath } from 'jsonpath-plus';
import { textOf } from '../util/text-of.js';

/** Thrown for a template rebound cannot evaluate; the message says what to write instead. */
export class JsonPathSyntaxError extends Error {
  constructor(readonly template: string, reason: string) {
    super(`invalid jsonPath \`${template}\`: ${reason}`);
    this.name = 'JsonPathSyntaxError';
  }
}

/** A compiled template: the printed text, or undefined when one of its paths finds nothing. */
export type JsonPathTemplate = (object: unknown) => string | undefined;

type Part = { readonly literal: string } | { readonly path: string };

/**
 * Compiles a kubectl JSONPath template; throws JsonPathSyntaxError. A template without braces is taken as one
 * path, as `kubectl get -o jsonpath=.status.phase` does.
 */
export function compileJsonPath(template: string): JsonPathTemplate {
  const parts = splitTemplate(template);
  return (object) => {
    let text = '';
    for (const part of parts) {
      if ('literal' in part) {
        text += part.literal;
        continue;
      }
      const results: unknown = JSONPath({ path: part.path, json: asJson(object), wrap: true, eval: 'safe', ignoreEvalErrors: true });
      if (!Array.isArray(results) || results.length === 0) return undefined;
      text += results.map(printed).join(' ');
    }
    return text;
  };
}

/** jsonpath-plus takes `null | boolean | number | string | object`; anything else (undefined) finds nothing. */
function asJson(value: unknown): null | boolean | number | string | object {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint' ? null : value;
}

function splitTemplate(template: string): Part[] {
  if (!template.includes('{')) return [{ path: translatePath(template.trim(), template) }];
  const parts: Part[] = [];
  let position = 0;
  while (position < template.length) {
    const open = template.indexOf('{', position);
    if (open < 0) {
      parts.push({ literal: template.slice(position) });
      break;
    }
    if (open > position) parts.push({ literal: template.slice(position, open) });
    const close = findClose(template, open);
    const action = template.slice(open + 1, close).trim();
    parts.push(actionPart(action, template));
    position = close + 1;
  }
  return parts;
}

/** Index of the `}` closing the action opened at `open`, skipping quoted strings (a filter may hold one). */
function findClose(template: string, open: number): number {
  let quote: string | undefined;
  for (let index = open + 1; index < template.length; index += 1) {
    const char = template.charAt(index);
    if (quote !== undefined) {
      if (char === '\\') index += 1;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '}') {
      return index;
    }
  }
  throw new JsonPathSyntaxError(template, `the \`{\` at character ${open + 1} is never closed`);
}

function actionPart(action: string, template: string): Part {
  if (action === '') throw new JsonPathSyntaxError(template, 'an empty `{}`; write a path such as {.status.phase}');
  if (/^(range|end)\b/.test(action)) {
    throw new JsonPathSyntaxError(template, '{range} and {end} are not supported; select one value, e.g. {.items[0].status.phase}');
  }
  if (action.startsWith('"')) {
    try {
      const literal: unknown = JSON.parse(action);
      if (typeof literal === 'string') return { literal };
    } catch {
      // Reported below.
    }
    throw new JsonPathSyntaxError(template, `\`${action}\` is not a quoted string`);
  }
  return { path: translatePath(action, template) };
}

// Field names jsonpath-plus reads literally once escaped with a backtick: it splits paths on its own operator
// characters (`;`, `^`, `[`, `]`, quotes, `#n`), so names holding those are refused rather than misread.
const PLAIN_NAME = /^[^;^[\]'"#\\`]+$/;

/** kubectl's path syntax (`.a.b`, `$.a`, `..a`, `a\.b`, `[0]`, `[*]`, `[?(...)]`) in jsonpath-plus syntax. */
function translatePath(path: string, template: string): string {
  let index = path.startsWith('$') || path.startsWith('@') ? 1 : 0;
  let out = '$';
  while (index < path.length) {
    const char = path.charAt(index);
    if (char === '.') {
      const descend = path.charAt(index + 1) === '.';
      index += descend ? 2 : 1;
      if (descend) out += '..';
      const { name, end } = readName(path, index);
      index = end;
      if (name === '') {
        // `{.}` is the whole object; `..` must be followed by a name or a bracket.
        if (descend && path.charAt(index) !== '[') throw new JsonPathSyntaxError(template, '`..` needs a field name after it');
        continue;
      }
      out += fieldSelector(name, template);
    } else if (char === '[') {
      const end = closingBracket(path, index, template);
      const bracket = path.slice(index, end + 1);
      if (bracket.startsWith('[?(')) checkFilter(bracket, template);
      out += bracket;
      index = end + 1;
    } else {
      // kubectl reads `{status.phase}` as `{.status.phase}`.
      if (index > 0) throw new JsonPathSyntaxError(template, `unexpected \`${char}\` at character ${index + 1} of \`${path}\``);
      const { name, end } = readName(path, index);
      out += fieldSelector(name, template);
      index = end;
    }
  }
  return out;
}

/** Values every filter is tried on: an object, a number, a string, null and a list, so each filter is evaluated. */
const FILTER_PROBE = [{}, 0, '', null, [0]];

/**
 * A filter jsonpath-plus cannot parse throws at its first evaluation, not here (seen: `[?(@=="x")]`, which it reads
 * only as `[?(@ == "x")]`): tried once on FILTER_PROBE, so the template is refused now rather than in a trial.
 */
function checkFilter(bracket: string, template: string): void {
  try {
    JSONPath({ path: `$${bracket}`, json: FILTER_PROBE, wrap: true, eval: 'safe', ignoreEvalErrors: true });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new JsonPathSyntaxError(template, `the filter \`${bracket}\` cannot be evaluated (${why}); put spaces around its operators, e.g. [?(@ == "x")]`);
  }
}

/** A field name up to the next unescaped `.` or `[`; `\.` stands for a dot inside the name (label keys). */
function readName(path: string, start: number): { name: string; end: number } {
  let name = '';
  let index = start;
  while (index < path.length) {
    const char = path.charAt(index);
    if (char === '\\' && index + 1 < path.length) {
      name += path.charAt(index + 1);
      index += 2;
      continue;
    }
    if (char === '.' || char === '[') break;
    name += char;
    index += 1;
  }
  return { name, end: index };
}

function fieldSelector(name: string, template: string): string {
  if (name === '*') return '[*]';
  if (!PLAIN_NAME.test(name)) throw new JsonPathSyntaxError(template, `the field name \`${name}\` holds characters rebound cannot look up`);
  // The backtick makes jsonpath-plus take the name as a property even when it looks like one of its operators.
  return `['\`${name}']`;
}

function closingBracket(path: string, open: number, template: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (let index = open; index < path.length; index += 1) {
    const char = path.charAt(index);
    if (quote !== undefined) {
      if (char === '\\') index += 1;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '[') {
      depth += 1;
    } else if (char === ']') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  throw new JsonPathSyntaxError(template, `the \`[\` at character ${open + 1} of \`${path}\` is never closed`);
}

/** One result as kubectl prints it. */
function printed(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object') return JSON.stringify(sortedKeys(value));
  return textOf(value);
}

/** Go's encoding/json writes map keys sorted; so does kubectl's output, and `equals` compares with it. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]));
}

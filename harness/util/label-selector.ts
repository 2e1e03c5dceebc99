/** Label selectors, in the syntax kubectl and the API server accept: parsed, matched and printed. */

/** The operator of one selector requirement. */
export type SelectorOperator = 'exists' | 'notExists' | 'equals' | 'notEquals' | 'in' | 'notIn';

/** One comma-separated part of a label selector: `app=web`, `tier in (a,b)`, `!canary`. */
export interface SelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** Thrown by `LabelSelector.parse`; the message quotes the selector and says what was expected. */
export class SelectorSyntaxError extends Error {
  constructor(readonly selector: string, reason: string) {
    super(`invalid selector \`${selector}\`: ${reason}`);
    this.name = 'SelectorSyntaxError';
  }
}

const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a Kubernetes label key, or undefined when it is one. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `\`${key}\` has an invalid prefix: it must be a DNS subdomain such as example.com`;
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return `\`${key}\` is not a label key: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, optionally after a prefix/`;
  }
  return undefined;
}

/** Why `value` is not a Kubernetes label value, or undefined when it is one. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '' || (value.length <= 63 && LABEL_NAME.test(value))) return undefined;
  return `\`${value}\` is not a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit`;
}

type Token = { readonly kind: 'word'; readonly text: string } | { readonly kind: '!' | '=' | '==' | '!=' | '(' | ')' | ',' };

function tokenize(selector: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < selector.length) {
    const char = selector[i] ?? '';
    if (/\s/.test(char)) {
      i += 1;
    } else if (selector.startsWith('!=', i) || selector.startsWith('==', i)) {
      tokens.push({ kind: selector.startsWith('!=', i) ? '!=' : '==' });
      i += 2;
    } else if (char === '!' || char === '=' || char === '(' || char === ')' || char === ',') {
      tokens.push({ kind: char });
      i += 1;
    } else {
      const word = /^[^\s!=(),]+/.exec(selector.slice(i))?.[0] ?? char;
      tokens.push({ kind: 'word', text: word });
      i += word.length;
    }
  }
  return tokens;
}

/** A parsed label selector (`app=web,tier in (a,b),!canary`). */
export class LabelSelector {
  private constructor(readonly requirements: readonly SelectorRequirement[]) {}

  /** Parses the syntax kubectl accepts: k=v, k==v, k!=v, k in (a,b), k notin (a,b), k, !k; throws SelectorSyntaxError. */
  static parse(selector: string): LabelSelector {
    const fail = (reason: string): never => {
      throw new SelectorSyntaxError(selector, reason);
    };
    const tokens = tokenize(selector);
    if (tokens.length === 0) fail('it is empty; write key=value, key!=value, key in (a,b), key or !key');
    const requirements: SelectorRequirement[] = [];
    let i = 0;
    const peek = (): Token | undefined => tokens[i];
    const word = (what: string): string => {
      const token = tokens[i];
      if (token?.kind !== 'word') return fail(`expected ${what}${token === undefined ? ' at the end' : ` before \`${token.kind}\``}`);
      i += 1;
      return token.text;
    };
    const key = (): string => {
      const text = word('a label key');
      const problem = labelKeyProblem(text);
      return problem === undefined ? text : fail(problem);
    };
    const value = (): string => {
      const text = word('a value');
      const problem = labelValueProblem(text);
      return problem === undefined ? text : fail(problem);
    };
    for (;;) {
      const first = peek();
      if (first?.kind === '!') {
        i += 1;
        requirements.push({ key: key(), operator: 'notExists', values: [] });
      } else {
        const name = key();
        const next = peek();
        if (next === undefined || next.kind === ',') {
          requirements.push({ key: name, operator: 'exists', values: [] });
        } else if (next.kind === '=' || next.kind === '==' || next.kind === '!=') {
          i += 1;
          // An empty value (`tier=`) is legal: it matches the label set to "".
          const text = peek()?.kind === 'word' ? value() : '';
          requirements.push({ key: name, operator: next.kind === '!=' ? 'notEquals' : 'equals', values: [text] });
        } else if (next.kind === 'word' && (next.text === 'in' || next.text === 'notin')) {
          i += 1;
          if (peek()?.kind !== '(') fail(`expected \`(\` after \`${name} ${next.text}\``);
          i += 1;
          const values: string[] = [];
          for (;;) {
            values.push(value());
            const separator = peek();
            if (separator?.kind === ',') { i += 1; continue; }
            if (separator?.kind === ')') { i += 1; break; }
            fail(`expected \`,\` or \`)\` in the values of \`${name} ${next.text}\``);
          }
          requirements.push({ key: name, operator: next.text === 'in' ? 'in' : 'notIn', values });
        } else {
          fail(`unexpected \`${next.kind === 'word' ? next.text : next.kind}\` after \`${name}\`; expected =, !=, in, notin or ,`);
        }
      }
      const separator = peek();
      if (separator === undefined) break;
      if (separator.kind !== ',') fail(`expected \`,\` between requirements, found \`${separator.kind === 'word' ? separator.text : separator.kind}\``);
      i += 1;
    }
    return new LabelSelector(requirements);
  }

  /** Whether a set of labels satisfies every requirement. */
  matches(labels: Readonly<Record<string, string>>): boolean {
    return this.requirements.every(({ key, operator, values }) => {
      const has = Object.prototype.hasOwnProperty.call(labels, key);
      const value = labels[key];
      switch (operator) {
        case 'exists': return has;
        case 'notExists': return !has;
        case 'equals':
        case 'in': return has && value !== undefined && values.includes(value);
        // As in Kubernetes: a missing label satisfies != and notin.
        case 'notEquals':
        case 'notIn': return !has || value === undefined || !values.includes(value);
      }
    });
  }

  /** The canonical text, accepted by the API server's labelSelector parameter. */
  toString(): string {
    return this.requirements.map(({ key, operator, values }) => {
      switch (operator) {
        case 'exists': return key;
        case 'notExists': return `!${key}`;
        case 'equals': return `${key}=${values[0] ?? ''}`;
        case 'notEquals': return `${key}!=${values[0] ?? ''}`;
        case 'in': return `${key} in (${values.join(',')})`;
        case 'notIn': return `${key} notin (${values.join(',')})`;
      }
    }).join(',');
  }
}

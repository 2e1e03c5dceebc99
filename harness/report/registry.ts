import { UsageError } from '../errors.js';
import type { Reporter } from './reporter.js';

/**
 * What each reporter makes; `--reporter` takes these names. Each reporter's module loads only when it is chosen: a
 * run with `--reporter json` never loads the JUnit (xmlbuilder2), Markdown or HTML reporters (issue 12: rebound's
 * own memory during a run).
 */
const REPORTERS = {
  console: async (out: string, options: ReporterOptions): Promise<Reporter> =>
    new (await import('./console.js')).ConsoleReporter(process.stderr, out, options.liveLine ?? true),
  json: async (out: string): Promise<Reporter> => new (await import('./json.js')).JsonReporter(out),
  junit: async (out: string): Promise<Reporter> => new (await import('./junit.js')).JUnitReporter(out),
  markdown: async (out: string): Promise<Reporter> => new (await import('./markdown.js')).MarkdownReporter(out),
  html: async (out: string): Promise<Reporter> => new (await import('./html.js')).HtmlReporter(out),
} as const;

/** How the reporters are made. */
export interface ReporterOptions {
  /** false: the console reporter never rewrites a live line (the live view of `run --interactive` has the terminal). */
  readonly liveLine?: boolean;
}

/** A reporter's name, as `--reporter` takes it. */
export type ReporterName = keyof typeof REPORTERS;

/** Every reporter name. */
export const REPORTER_NAMES = Object.keys(REPORTERS) as readonly ReporterName[];

/** The reporters a run uses when `--reporter` is not given: all of them. */
export const DEFAULT_REPORTERS: readonly ReporterName[] = ['console', 'json', 'junit', 'markdown', 'html'];

function isReporterName(name: string): name is ReporterName {
  return Object.hasOwn(REPORTERS, name);
}

/**
 * The reporters named by `--reporter` (repeatable, and each may be a comma-separated list), writing into `out`.
 * A name given twice makes one reporter; an unknown name is a UsageError that lists the known ones (before any
 * reporter's module loads).
 */
export async function createReporters(names: readonly string[], out: string, options: ReporterOptions = {}): Promise<Reporter[]> {
  const wanted = names.flatMap((name) => name.split(',')).map((name) => name.trim()).filter((name) => name !== '');
  const unknown = wanted.filter((name) => !isReporterName(name));
  if (unknown.length > 0) {
    throw new UsageError(`unknown reporter ${unknown.map((n) => `"${n}"`).join(', ')}: choose from ${REPORTER_NAMES.join(', ')}`);
  }
  if (wanted.length === 0) throw new UsageError(`--reporter needs a name: choose from ${REPORTER_NAMES.join(', ')}`);
  return Promise.all([...new Set(wanted as ReporterName[])].map((name) => REPORTERS[name](out, options)));
}

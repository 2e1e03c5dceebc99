import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { UsageError } from '../errors.js';
import { RESULT_SCHEMA_VERSION, resultsJsonSchema, type RunResult } from './result.js';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

let validator: ValidateFunction | undefined;

function validate(): ValidateFunction {
  if (validator) return validator;
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addFormat('date-time', { type: 'string', validate: (value: string) => ISO_TIMESTAMP.test(value) && Number.isFinite(Date.parse(value)) });
  validator = ajv.compile(resultsJsonSchema());
  return validator;
}

function where(error: ErrorObject): string {
  return error.instancePath === '' ? '(top level)' : error.instancePath.slice(1).replace(/\//g, '.');
}

/** Every way `value` is not a results.json of this version, as `path: message`; empty when it is one. */
export function resultProblems(value: unknown): string[] {
  const check = validate();
  if (check(value)) return [];
  const errors = (check.errors ?? []).filter((e) => e.keyword !== 'anyOf');
  // A union of constants (a verdict) fails once per constant: say it once, with the values allowed.
  const allowed = new Map<string, string[]>();
  for (const error of errors.filter((e) => e.keyword === 'const')) {
    allowed.set(where(error), [...(allowed.get(where(error)) ?? []), JSON.stringify((error.params as { allowedValue?: unknown }).allowedValue)]);
  }
  const problems = errors.map((error) => {
    const values = allowed.get(where(error));
    return error.keyword === 'const' && values ? `${where(error)}: must be ${values.length > 1 ? 'one of ' : ''}${values.join(', ')}` : `${where(error)}: ${error.message ?? error.keyword}`;
  });
  // A value-or-null fails once per branch; the same line twice helps nobody.
  return [...new Set(problems)];
}

/**
 * Reads a stored results.json and checks it against the results schema. A missing, unreadable or invalid file is
 * a UsageError of one line that says what is wrong and where.
 */
export async function readRunResultFile(file: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${file} does not exist: give the results.json of a run (its folder is printed at the end of \`rebound run\`)`
      : `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const version = typeof value === 'object' && value !== null ? (value as { schemaVersion?: unknown }).schemaVersion : undefined;
  if (version !== undefined && version !== RESULT_SCHEMA_VERSION) {
    throw new UsageError(`${file} has results schemaVersion ${JSON.stringify(version)}; this rebound reads version ${RESULT_SCHEMA_VERSION}: use the rebound that wrote it`);
  }
  const problems = resultProblems(value);
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length === 2 ? '' : 's'})` : '';
    throw new UsageError(`${file} is not a valid rebound results.json: ${problems[0]}${more}`);
  }
  return value as RunResult;
}

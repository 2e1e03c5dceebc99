import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ReboundError } from '../errors.js';
import { RESULT_SCHEMA_VERSION, type Environment, type TrialVerdict, type Verdict } from '../report/result.js';
import type { ComparableRun, ComparableScenario, ComparableTrial } from './compare.js';

/** A results.json that is missing, unreadable or not what rebound writes: bad input, exit code 2. */
export class ResultsFileError extends ReboundError {}

/** Which side of a comparison a file is, for messages. */
export type RunRole = 'baseline' | 'candidate';

/** A results file as read for a comparison. */
export interface LoadedRun {
  /** The file read (a folder given on the command line means its results.json). */
  readonly file: string;
  readonly run: ComparableRun;
}

const VERDICTS: readonly Verdict[] = ['PASS', 'FAIL', 'ERROR', 'ABORTED'];
/** A trial may also have been skipped by the operator of run --interactive. */
const TRIAL_VERDICTS: readonly TrialVerdict[] = [...VERDICTS, 'SKIPPED'];

/**
 * Reads a results.json (or the results.json of a folder) for a comparison. Only the fields a comparison reads are
 * checked, so a baseline committed by an older rebound of the same schema version still compares after fields were
 * added. Anything wrong is one ResultsFileError naming the file and the field.
 */
export function readComparableRun(path: string, role: RunRole): LoadedRun {
  let file = path;
  let text: string;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'results.json');
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new ResultsFileError(`${role} ${file}: cannot read it: ${why}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ResultsFileError(`${role} ${file}: not valid JSON (${(error as Error).message}); give the results.json of a rebound run`);
  }
  try {
    return { file, run: runOf(document) };
  } catch (error) {
    if (error instanceof Invalid) throw new ResultsFileError(`${role} ${file}: ${error.message}`);
    throw error;
  }
}

/** A field that is not what results.json holds there. */
class Invalid extends Error {
  constructor(path: string, expected: string, value: unknown) {
    super(`${path === '' ? 'the document' : path}: expected ${expected}, found ${describe(value)}`);
  }
}

function runOf(document: unknown): ComparableRun {
  const run = objectAt(document, '');
  if (run['schemaVersion'] !== RESULT_SCHEMA_VERSION) {
    if (run['schemaVersion'] === undefined) throw new Invalid('schemaVersion', 'the results.json of a rebound run', undefined);
    throw new Invalid('schemaVersion', `${RESULT_SCHEMA_VERSION} (the results layout this rebound reads)`, run['schemaVersion']);
  }
  const scenarios = arrayAt(run['scenarios'], 'scenarios').map((s, i) => scenarioOf(s, `scenarios[${i}]`));
  const vars = objectAt(run['vars'], 'vars');
  for (const [key, value] of Object.entries(vars)) stringAt(value, `vars.${key}`);
  return {
    startedAt: stringAt(run['startedAt'], 'startedAt'),
    verdict: verdictAt(run['verdict'], 'verdict'),
    environment: run['environment'] === null ? null : environmentOf(run['environment'], 'environment'),
    vars: vars as Record<string, string>,
    scenarios,
  };
}

function scenarioOf(value: unknown, path: string): ComparableScenario {
  const scenario = objectAt(value, path);
  const expect = objectAt(scenario['expect'], `${path}.expect`);
  const maxDisruptionMs = expect['maxDisruptionMs'];
  return {
    name: stringAt(scenario['name'], `${path}.name`),
    verdict: verdictAt(scenario['verdict'], `${path}.verdict`),
    expect: {
      recoveryWithinMs: numberAt(expect['recoveryWithinMs'], `${path}.expect.recoveryWithinMs`),
      settleMs: numberAt(expect['settleMs'], `${path}.expect.settleMs`),
      maxDisruptionMs: maxDisruptionMs === null ? null : numberAt(maxDisruptionMs, `${path}.expect.maxDisruptionMs`),
      mustBreak: booleanAt(expect['mustBreak'], `${path}.expect.mustBreak`),
    },
    steadyState: arrayAt(scenario['steadyState'], `${path}.steadyState`).map((s, i) => stringAt(s, `${path}.steadyState[${i}]`)),
    trials: arrayAt(scenario['trials'], `${path}.trials`).map((t, i) => trialOf(t, `${path}.trials[${i}]`)),
  };
}

function trialOf(value: unknown, path: string): ComparableTrial {
  const trial = objectAt(value, path);
  const recovery = trial['recoveryTimeMs'];
  if (recovery !== null && !(typeof recovery === 'number' && Number.isFinite(recovery) && recovery >= 0)) {
    throw new Invalid(`${path}.recoveryTimeMs`, 'a number of milliseconds (0 or more) or null', recovery);
  }
  return {
    trial: numberAt(trial['trial'], `${path}.trial`),
    verdict: trialVerdictAt(trial['verdict'], `${path}.verdict`),
    recoveryTimeMs: recovery,
    undisrupted: booleanAt(trial['undisrupted'], `${path}.undisrupted`),
    ...loadOf(trial['load'], `${path}.load`),
  };
}

/** A trial's disruption under load, when it had load (results before spec.load have none). */
function loadOf(value: unknown, path: string): Pick<ComparableTrial, 'load'> {
  if (value === undefined) return {};
  const load = objectAt(value, path);
  const budget = load['errorBudget'];
  if (budget === null || budget === undefined) return { load: { errorBudget: null } };
  const fields = objectAt(budget, `${path}.errorBudget`);
  const p95 = fields['p95Ms'];
  return {
    load: {
      errorBudget: {
        failed: numberAt(fields['failed'], `${path}.errorBudget.failed`),
        p95Ms: p95 === null || p95 === undefined ? null : numberAt(p95, `${path}.errorBudget.p95Ms`),
      },
    },
  };
}

function environmentOf(value: unknown, path: string): Environment {
  const environment = objectAt(value, path);
  const timings = objectAt(environment['timings'], `${path}.timings`);
  for (const [key, timing] of Object.entries(timings)) numberAt(timing, `${path}.timings.${key}`);
  const machine = objectAt(environment['machine'], `${path}.machine`);
  const nullable = <T>(v: unknown, read: (v: unknown, p: string) => T, p: string): T | null => (v === null ? null : read(v, p));
  return {
    provider: stringAt(environment['provider'], `${path}.provider`),
    cluster: stringAt(environment['cluster'], `${path}.cluster`),
    kubernetesVersion: nullable(environment['kubernetesVersion'], stringAt, `${path}.kubernetesVersion`),
    reboundVersion: stringAt(environment['reboundVersion'], `${path}.reboundVersion`),
    nodeCount: nullable(environment['nodeCount'], numberAt, `${path}.nodeCount`),
    timings: timings as Record<string, number>,
    machine: {
      cpus: numberAt(machine['cpus'], `${path}.machine.cpus`),
      loadAverage: arrayAt(machine['loadAverage'], `${path}.machine.loadAverage`).map((l, i) => numberAt(l, `${path}.machine.loadAverage[${i}]`)),
      platform: stringAt(machine['platform'], `${path}.machine.platform`),
    },
  };
}

function objectAt(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Invalid(path, 'an object', value);
  return value as Record<string, unknown>;
}

function arrayAt(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new Invalid(path, 'a list', value);
  return value;
}

function stringAt(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new Invalid(path, 'a string', value);
  return value;
}

function numberAt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Invalid(path, 'a number', value);
  return value;
}

function booleanAt(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new Invalid(path, 'true or false', value);
  return value;
}

function verdictAt(value: unknown, path: string): Verdict {
  if (!VERDICTS.includes(value as Verdict)) throw new Invalid(path, VERDICTS.join(', ').replace(/, (?=[^,]*$)/, ' or '), value);
  return value as Verdict;
}

function trialVerdictAt(value: unknown, path: string): TrialVerdict {
  if (!TRIAL_VERDICTS.includes(value as TrialVerdict)) throw new Invalid(path, TRIAL_VERDICTS.join(', ').replace(/, (?=[^,]*$)/, ' or '), value);
  return value as TrialVerdict;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

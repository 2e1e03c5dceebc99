import { ReboundError } from '../errors.js';
import type { Scenario } from '../scenario/schema.js';
import type { FaultResult, RunResult, ScenarioResult, TrialResult } from './result.js';

/** The phases a scenario goes through, as live output names them. */
export type Phase = 'apply' | 'steady' | 'inject' | 'recover' | 'revert' | 'cleanup';

/** What a live line shows about the cluster right now. */
export interface LiveCounts {
  readonly readyPods: number;
  readonly readyNodes: number;
  readonly readyEndpoints: number;
  readonly holds: boolean;
}

/**
 * A reporter: every hook optional and possibly async. Reporters get read-only results, never the engine's state;
 * `onRunEnd` is where a file reporter writes its file.
 */
export interface Reporter {
  onRunStart?(info: { readonly seed: number; readonly scenarios: readonly Scenario[]; readonly out: string }): void | Promise<void>;
  onScenarioStart?(scenario: Scenario): void | Promise<void>;
  onPhase?(scenario: Scenario, trial: number | null, phase: Phase, detail: string, counts?: LiveCounts): void | Promise<void>;
  onFaultInjected?(scenario: Scenario, trial: number, fault: FaultResult): void | Promise<void>;
  onTrialEnd?(scenario: Scenario, trial: TrialResult): void | Promise<void>;
  onScenarioEnd?(result: ScenarioResult): void | Promise<void>;
  onRunEnd?(result: RunResult): void | Promise<void>;
}

type Hooks = Required<Reporter>;

/** Calls one hook on every reporter, in order, awaiting each; a failing reporter does not stop the others. */
export async function report<K extends keyof Hooks>(reporters: readonly Reporter[], hook: K, ...args: Parameters<Hooks[K]>): Promise<string[]> {
  const failures: string[] = [];
  for (const reporter of reporters) {
    const fn = reporter[hook] as ((...a: Parameters<Hooks[K]>) => void | Promise<void>) | undefined;
    if (!fn) continue;
    try {
      await fn.apply(reporter, args);
    } catch (error) {
      failures.push(`${hook}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return failures;
}

/** The hooks of a Reporter, in the order a run calls them. */
const HOOKS = ['onRunStart', 'onScenarioStart', 'onPhase', 'onFaultInjected', 'onTrialEnd', 'onScenarioEnd', 'onRunEnd'] as const satisfies readonly (keyof Reporter)[];

/** Reports could not be written: whatever the verdicts, the run is an ERROR (exit 2), with the reasons. */
export class ReportsFailed extends ReboundError {}

/**
 * Reporters whose failures are kept rather than thrown: the run goes on (its other reports, its cleanup), and
 * `check` fails it once it is over. A report that could not be written must never leave a run looking fine.
 */
export class FailureKeepingReporters {
  private readonly failures: string[] = [];
  readonly reporters: readonly Reporter[];

  constructor(reporters: readonly Reporter[]) {
    this.reporters = reporters.map((reporter) => this.keep(reporter));
  }

  /** Throws ReportsFailed naming every failure, if there was any. */
  check(verdict: string): void {
    const count = this.failures.length;
    if (count === 0) return;
    throw new ReportsFailed(`${count} report${count === 1 ? '' : 's'} could not be written, so the run cannot be trusted to be on record (verdict ${verdict}):`, this.failures);
  }

  /** The reporter as it is, except that a hook that fails adds "<reporter> <hook>: <reason>" to the failures. */
  private keep(reporter: Reporter): Reporter {
    const name = reporter.constructor.name === 'Object' ? 'reporter' : reporter.constructor.name;
    const kept: Record<string, (...args: unknown[]) => Promise<void>> = {};
    for (const hook of HOOKS) {
      if (reporter[hook] === undefined) continue;
      kept[hook] = async (...args: unknown[]): Promise<void> => {
        try {
          // Called on the reporter itself: a class's hooks read `this`.
          await (reporter[hook] as (...hookArgs: unknown[]) => void | Promise<void>).apply(reporter, args);
        } catch (error) {
          this.failures.push(`${name} ${hook}: ${error instanceof Error ? error.message : String(error)}`);
        }
      };
    }
    return kept;
  }
}

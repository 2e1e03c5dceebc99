/**
 * Ctrl-C and SIGTERM during a run. The first signal stops the run where it stands: no further fault is injected, the
 * trial under way ends as ABORTED, everything the run did is undone (faults reverted, processes stopped, objects and
 * namespaces deleted) and every report is written with the trials done so far; the exit code is then 130 (SIGINT)
 * or 143 (SIGTERM). A second signal says what is still being undone; a third exits at once, leaving the rest undone.
 * CI runners send SIGTERM at their time limit and wait a little before SIGKILL: the first signal is the one that
 * matters. The abort key of `run --interactive` takes the same path as a first Ctrl-C (exit 130), as a user's abort.
 */
import { ReboundError } from '../errors.js';
import { systemClock, type Clock } from '../util/clock.js';

/** The signals a run answers. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** What stopped a run: a signal, or its operator (the abort key of `run --interactive`). */
export type StoppedBy = StopSignal | 'operator';

const EXIT_CODES: Readonly<Record<StopSignal, 130 | 143>> = { SIGINT: 130, SIGTERM: 143 };

/** A signal came before the run touched anything: it ends there, with the signal's exit code. */
export class RunInterruptedError extends ReboundError {
  override readonly exitCode: 130 | 143;

  constructor(signal: StoppedBy) {
    super(`${signal} before the run began: nothing was touched, no report written`);
    this.exitCode = signal === 'operator' ? 130 : EXIT_CODES[signal];
  }
}

/** Installed for the duration of a run; `signal` aborts on the first SIGINT or SIGTERM. */
export class RunInterrupt {
  private readonly controller = new AbortController();
  private count = 0;
  private readonly handlers: { readonly name: StopSignal; readonly handler: () => void }[];
  private undoing: { pending(): readonly string[] } | undefined;
  private stoppedBy: StoppedBy | null = null;

  /**
   * @param say one line to the person at the terminal
   * @param stopping what the first signal does, if not the run's (observe undoes nothing)
   */
  constructor(private readonly say: (line: string) => void, private readonly stopping = 'no further fault; undoing what this run did, then writing the reports') {
    this.handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => ({ name, handler: () => this.received(name) }));
    for (const { name, handler } of this.handlers) process.on(name, handler);
  }

  /** Aborted by the first signal; its reason is the signal's name. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** What stopped the run, or null. */
  get by(): StoppedBy | null {
    return this.stoppedBy;
  }

  /**
   * The operator pressed the abort key: the run stops as on a first Ctrl-C (a later Ctrl-C says what is left, the
   * one after exits at once). The signal's reason reads "the operator", as messages put it: "aborted by the operator".
   */
  abortByOperator(): void {
    if (this.count > 0) return;
    this.count = 1;
    this.stoppedBy = 'operator';
    this.say('\nrebound: abort by the operator: no further fault; undoing what this run did, then writing the reports (Ctrl-C: show what is left; twice: exit at once)');
    this.controller.abort('the operator');
  }

  /** What is being undone now (the current scenario's ledger), for the second signal's answer. */
  track(undoing: { pending(): readonly string[] }): void {
    this.undoing = undoing;
  }

  /** Gives the signals back to Node's defaults. */
  uninstall(): void {
    for (const { name, handler } of this.handlers) process.off(name, handler);
  }

  private received(name: StopSignal): void {
    this.count += 1;
    if (this.count === 1) {
      this.stoppedBy = name;
      this.say(`\nrebound: ${name}: stopping: ${this.stopping} (again: show what is left; a third time: exit at once)`);
      this.controller.abort(name);
    } else if (this.count === 2) {
      const left = this.undoing?.pending() ?? [];
      this.say(`rebound: still undoing ${left.length === 0 ? 'the last steps' : `${left.length}: ${left.join('; ')}`} (once more to exit at once)`);
    } else {
      this.say('rebound: exiting at once: what was not undone yet stays (see `rebound cluster status`)');
      const by = this.by ?? name;
      process.exit(by === 'operator' ? 130 : EXIT_CODES[by]);
    }
  }
}

/** Resolves after `ms` on `clock`, or at once when `signal` aborts: a wait a signal must be able to cut short. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined, clock: Clock = systemClock): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const cancel = clock.after(ms, done);
    function done(): void {
      cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

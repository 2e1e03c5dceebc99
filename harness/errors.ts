/**
 * Typed errors. Everything below the CLI throws these; only harness/cli/main.ts turns them into an exit code and
 * one line on stderr. Messages say what went wrong and what to do next.
 */

/**
 * The exit codes of the contract: 0 all passed, 1 any FAIL, 2 any ERROR or invalid input; and, as shells have it,
 * 130 or 143 when a run was stopped by SIGINT or SIGTERM (after undoing what it did).
 */
export type ExitCode = 0 | 1 | 2 | 130 | 143;

/** Base of every error rebound expects; anything else is a bug and is shown with its stack. */
export class ReboundError extends Error {
  readonly exitCode: ExitCode = 2;
  /** Extra lines shown under the message (a log tail, a list of validation errors). */
  readonly details: readonly string[];

  constructor(message: string, details: readonly string[] = []) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/** Bad command-line input: an unknown option value, a missing argument, a name that does not exist. */
export class UsageError extends ReboundError {}

/** The local cluster could not be built, started, found or stopped. */
export class ClusterError extends ReboundError {}

/** A cluster component (etcd, kube-apiserver, a node agent...) exited or never became healthy. */
export class ComponentError extends ClusterError {
  constructor(
    readonly component: string,
    message: string,
    logTail: readonly string[] = [],
  ) {
    super(message, logTail);
  }
}

/** A build of the local cluster's binaries could not run or failed. */
export class BuildError extends ClusterError {}

export function isReboundError(value: unknown): value is ReboundError {
  return value instanceof ReboundError;
}

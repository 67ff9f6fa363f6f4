/**
 * Errors a user can cause, and the exit statuses every `stock-rsi` command shares.
 *
 * A `UserError` is printed as one line (`stock-rsi: <message>`) with no stack trace: it names
 * the file, line or field at fault and what to do. Anything else that escapes a command is a
 * bug and is printed with its stack.
 */

/** Exit statuses, documented in `stock-rsi --help` and the README. */
export const ExitCode = {
  /** The command did what it was asked, and the run passed validation. */
  ok: 0,
  /** The validation policy failed: the artifact was written, nothing was stored. */
  policyFailed: 1,
  /** Bad input: a flag, the symbols file or an artifact was refused. Nothing was written. */
  badInput: 2,
  /** A service the step needs (Yahoo, the database) could not be used; later may work. Argo retries it. */
  unavailable: 3,
  /**
   * A service answered, and refused in a way no retry can fix: a wrong password, a missing
   * privilege, a certificate that does not match, a value too long for its column, a schema from a
   * newer stock-rsi. Someone must change the configuration or the data first. Not retried.
   */
  refused: 4,
  /** A bug: an unexpected error, printed with its stack. */
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class UserError extends Error {
  override readonly name = "UserError";
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.badInput,
  ) {
    super(message);
  }
}

/** A service the step depends on could not be used for now: waiting may fix it (exit 3). */
export class UnavailableError extends UserError {
  constructor(message: string) {
    super(message, ExitCode.unavailable);
  }
}

/** A service the step depends on refused it, and waiting will not change that (exit 4). */
export class RefusedError extends UserError {
  constructor(message: string) {
    super(message, ExitCode.refused);
  }
}

/** The validation policy rejected the run; the message is the validate step's summary. */
export class PolicyFailedError extends UserError {
  constructor(message: string) {
    super(message, ExitCode.policyFailed);
  }
}

/** Ends a command with a status whose reason has already been printed. */
export class ExitWith extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

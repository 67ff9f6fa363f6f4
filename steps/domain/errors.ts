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
  /** A service the step needs (Yahoo, the database) could not be used. */
  unavailable: 3,
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

/** A service the step depends on failed in a way the user must fix or wait out. */
export class UnavailableError extends UserError {
  constructor(message: string) {
    super(message, ExitCode.unavailable);
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

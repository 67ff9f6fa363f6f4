/**
 * A `stock-rsi` command line made of the subcommands it is given. `program.ts` gives it every
 * subcommand (the `stock-rsi` of a laptop); a step's container image gives it only its own
 * (`steps/<step>/main.ts`), so that image's bundle holds no other step's code. This module
 * therefore imports no command itself.
 *
 * `runCommandLine` never calls `process.exit`: it returns the exit status, so `run` can call the
 * step subcommands in-process with the same argv their containers get, and tests can call it too.
 */
import { Command, CommanderError } from "commander";
import { ExitCode, ExitWith, UserError } from "../domain/errors.ts";
import { printable, type Io } from "./io.ts";

/** What each exit status means, for `--help`. */
const EXIT_STATUS_MEANING: Readonly<Record<number, string>> = {
  [ExitCode.ok]: "done",
  [ExitCode.policyFailed]: "the validation policy failed: nothing was stored",
  [ExitCode.badInput]: "bad input: a flag, a file or an artifact was refused; nothing was written",
  [ExitCode.unavailable]: "a service (Yahoo, the database) could not be used; trying again later may work",
  [ExitCode.refused]: "a service refused the request (a wrong password, a missing privilege, a value too long); fix that first",
  [ExitCode.internal]: "a bug: an unexpected error, printed with its stack",
};

/** The `Exit status:` block of a command's `--help`, for the statuses it can end with. */
export function exitStatusHelp(exitCodes: readonly number[]): string {
  return `\nExit status:\n${exitCodes.map((code) => `  ${String(code).padEnd(3)} ${EXIT_STATUS_MEANING[code] ?? "?"}`).join("\n")}`;
}

const ALL_EXIT_CODES = Object.values(ExitCode);

export type CommandFactory = (io: Io, invoke: (argv: readonly string[]) => Promise<number>) => Command;

function buildCommandLine(io: Io, commands: readonly CommandFactory[]): Command {
  const program = new Command("stock-rsi")
    .description("Daily stock RSI: fetch → compute-rsi → validate → persist, on a laptop or as an Argo DAG.")
    .addHelpText("after", exitStatusHelp(ALL_EXIT_CODES))
    .showHelpAfterError("(run with --help for usage)");
  const invoke = (argv: readonly string[]) => runCommandLine(argv, io, commands);
  for (const factory of commands) program.addCommand(factory(io, invoke));
  for (const command of [program, ...program.commands]) {
    command.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  }
  return program;
}

/** Runs one command line (the words after `stock-rsi`) and returns its exit status. */
export async function runCommandLine(argv: readonly string[], io: Io, commands: readonly CommandFactory[]): Promise<number> {
  const program = buildCommandLine(io, commands);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return ExitCode.ok;
  } catch (err) {
    return exitStatusOf(err, io);
  }
}

function exitStatusOf(err: unknown, io: Io): number {
  if (err instanceof ExitWith) return err.exitCode;
  if (err instanceof UserError) {
    const line = printable(err.message);
    io.err(`stock-rsi: ${line}\n`);
    io.reportFailure?.(line);
    return err.exitCode;
  }
  if (err instanceof CommanderError) {
    // commander has already printed its message.
    if (err.code === "commander.helpDisplayed" || err.code === "commander.help" || err.code === "commander.version") return ExitCode.ok;
    if (err.exitCode === 0) return ExitCode.ok;
    return ExitCode.badInput;
  }
  io.err(`stock-rsi: internal error (a bug; please report it):\n${(err as Error)?.stack ?? String(err)}\n`);
  io.reportFailure?.(`internal error (a bug): ${(err as Error)?.message ?? String(err)}`);
  return ExitCode.internal;
}

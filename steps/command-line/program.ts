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
  [ExitCode.policyFailed]: "the validation policy failed: nothing was stored (backfill: no day it refused)",
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

/**
 * Builds a subcommand. `invoke` runs another command line in this process (how `run` runs the
 * steps), with this command's `Io` or the one given (`run` hears each step's one-line reason).
 */
export type CommandFactory = (io: Io, invoke: (argv: readonly string[], io?: Io) => Promise<number>) => Command;

/**
 * A subcommand known by what `stock-rsi --help` shows of it, whose code is loaded only when a
 * command line names it: `stock-rsi validate ...` loads validate's module and its libraries,
 * never the Yahoo client or the database drivers.
 */
export interface LazyCommand {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** What follows the name in the list of commands: `[options]`, `[options] <symbols-file>`. */
  readonly usage: string;
  readonly description: string;
  readonly load: () => Promise<CommandFactory>;
}

export type CommandSource = CommandFactory | LazyCommand;

async function buildCommandLine(argv: readonly string[], io: Io, commands: readonly CommandSource[]): Promise<Command> {
  const program = new Command("stock-rsi")
    .description("Daily stock RSI: fetch → compute-rsi → validate → persist, on a laptop or as an Argo DAG.")
    .addHelpText("after", exitStatusHelp(ALL_EXIT_CODES))
    .showHelpAfterError("(run with --help for usage)");
  const invoke = (words: readonly string[], stepIo: Io = io) => runCommandLine(words, stepIo, commands);
  const named = namedCommand(argv);
  const terms = new Map<Command, string>();
  for (const source of commands) {
    if (typeof source === "function") {
      program.addCommand(source(io, invoke));
    } else if (source.name === named || source.aliases?.includes(named ?? "")) {
      program.addCommand((await source.load())(io, invoke));
    } else {
      // Stands in for the command in the list and in "did you mean"; never runs.
      const stub = new Command(source.name).description(source.description).aliases(source.aliases ?? []);
      terms.set(stub, [source.name, ...(source.aliases ?? []).slice(0, 1)].join("|") + (source.usage ? ` ${source.usage}` : ""));
      program.addCommand(stub);
    }
  }
  if (terms.size > 0) {
    const help = program.createHelp();
    program.configureHelp({ subcommandTerm: (command) => terms.get(command) ?? help.subcommandTerm(command) });
  }
  for (const command of [program, ...program.commands]) {
    command.exitOverride().configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      // commander quotes a refused value as it was given: a newline or an escape sequence in it
      // would split the one error line or act on the terminal.
      outputError: (s, write) => write(`${printable(s.replace(/\n$/, ""))}\n`),
    });
  }
  return program;
}

/** The subcommand a command line names: its first word, or the one after `help`. */
function namedCommand(argv: readonly string[]): string | undefined {
  const first = argv.find((word) => !word.startsWith("-"));
  if (first === "help") return argv[argv.indexOf(first) + 1];
  return first;
}

/** Runs one command line (the words after `stock-rsi`) and returns its exit status. */
export async function runCommandLine(argv: readonly string[], io: Io, commands: readonly CommandSource[]): Promise<number> {
  try {
    const program = await buildCommandLine(argv, io, commands);
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

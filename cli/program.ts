/**
 * The `stock-rsi` command line of a laptop: one subcommand per step, plus `run` and the database
 * chores. (A step's container image builds its command line from `steps/command-line/program.ts`
 * with only its own subcommand.)
 *
 * `runCli` never calls `process.exit`: it returns the exit status, so `run` can call the step
 * subcommands in-process with the same argv their containers get, and tests can call it too.
 */
import { computeCommand } from "../steps/compute-rsi/command.ts";
import { fetchCommand } from "../steps/fetch/command.ts";
import { backfillCommand } from "../steps/persist/backfill.ts";
import { persistCommand } from "../steps/persist/command.ts";
import { selectSource } from "../steps/fetch/command.ts";
import { historyCommand } from "./history.ts";
import { importLegacyCommand } from "./import-legacy/command.ts";
import { migrateCommand } from "./migrate.ts";
import { reportCommand } from "./report.ts";
import { runCommand } from "./run/command.ts";
import { validateCommand } from "../steps/validate/command.ts";
import { runCommandLine, type CommandFactory } from "../steps/command-line/program.ts";
import { processIo, type Io } from "../steps/command-line/io.ts";

export const ALL_COMMANDS: readonly CommandFactory[] = [
  fetchCommand,
  computeCommand,
  validateCommand,
  persistCommand,
  runCommand,
  migrateCommand,
  importLegacyCommand,
  historyCommand,
  reportCommand,
  (io) => backfillCommand(io, selectSource),
];

/** Runs one command line (the words after `stock-rsi`) and returns its exit status. */
export function runCli(argv: readonly string[], io: Io = processIo, commands: readonly CommandFactory[] = ALL_COMMANDS): Promise<number> {
  return runCommandLine(argv, io, commands);
}

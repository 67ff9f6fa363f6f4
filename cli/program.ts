/**
 * The `stock-rsi` command line of a laptop: one subcommand per step, plus `run` and the database
 * chores. (A step's container image builds its command line from `steps/command-line/program.ts`
 * with only its own subcommand.)
 *
 * Each subcommand is listed here by what `stock-rsi --help` shows of it, and its module is
 * imported only when a command line names it, so `stock-rsi validate` starts without loading the
 * Yahoo client, the database drivers or zod's schemas of the other steps. A test loads every
 * subcommand and checks that what this list shows is what the command itself says.
 *
 * `runCli` never calls `process.exit`: it returns the exit status, so `run` can call the step
 * subcommands in-process with the same argv their containers get, and tests can call it too.
 */
import { pipeline, stepNamed, type StepName } from "../steps/pipeline.ts";
import { runCommandLine, type CommandFactory, type LazyCommand } from "../steps/command-line/program.ts";
import { processIo, type Io } from "../steps/command-line/io.ts";

const step = (name: StepName, load: LazyCommand["load"], aliases: readonly string[] = []): LazyCommand => ({
  name,
  aliases,
  usage: "[options]",
  description: stepNamed(pipeline, name).summary,
  load,
});

export const COMMANDS: readonly LazyCommand[] = [
  step("fetch", async () => (await import("../steps/fetch/command.ts")).fetchCommand),
  step("compute-rsi", async () => (await import("../steps/compute-rsi/command.ts")).computeCommand, ["compute"]),
  step("validate", async () => (await import("../steps/validate/command.ts")).validateCommand),
  step("persist", async () => (await import("../steps/persist/command.ts")).persistCommand),
  {
    name: "run",
    usage: "[options] <symbols-file>",
    description: "run fetch → compute-rsi → validate → persist locally and print the ranking",
    load: async () => (await import("./run/command.ts")).runCommand,
  },
  {
    name: "migrate",
    usage: "[options]",
    description: "bring the database's schema up to date (persist also does this when it is behind)",
    load: async () => (await import("./migrate.ts")).migrateCommand,
  },
  {
    name: "import-legacy",
    usage: "[options]",
    description: "import the original program's wide stocks table (a mysqldump file or a live table) into the long table",
    load: async () => (await import("./import-legacy/command.ts")).importLegacyCommand,
  },
  {
    name: "history",
    usage: "[options] [symbols...]",
    description: "print the stored RSI values of one or more symbols over time, draw them, or list the days without values",
    load: async () => (await import("./history.ts")).historyCommand,
  },
  {
    name: "ranking",
    usage: "[options]",
    description: "print the ranking of the last stored trading day on or before a date, from the store, as run printed it",
    load: async () => (await import("./ranking.ts")).rankingCommand,
  },
  {
    name: "status",
    aliases: ["summary"],
    usage: "[options]",
    description: "summarize what the store holds: each series' days, gaps, symbols (and those that stopped), last run, imported history",
    load: async () => (await import("./status.ts")).statusCommand,
  },
  {
    name: "report",
    usage: "[options]",
    description: "draw the run report (HTML) of the last stored trading day on or before a date, from the store",
    load: async () => (await import("./report.ts")).reportCommand,
  },
  {
    name: "notify",
    usage: "[options]",
    description: pipeline.onExit!.summary,
    load: async () => (await import("../steps/notify/command.ts")).notifyCommand,
  },
  {
    name: "backfill",
    usage: "[options] [symbols-file]",
    description: "store, for every trading day in a range, the values the daily run would have stored that day",
    load: async () => {
      const [{ backfillCommand }, { selectSource }] = await Promise.all([import("../steps/persist/backfill.ts"), import("../steps/fetch/step.ts")]);
      return (io) => backfillCommand(io, selectSource);
    },
  },
];

/** Every subcommand, loaded: for the tests and tools that walk them all. */
export function loadAllCommands(): Promise<CommandFactory[]> {
  return Promise.all(COMMANDS.map((command) => command.load()));
}

/** Runs one command line (the words after `stock-rsi`) and returns its exit status. */
export function runCli(argv: readonly string[], io: Io = processIo): Promise<number> {
  return runCommandLine(argv, io, COMMANDS);
}

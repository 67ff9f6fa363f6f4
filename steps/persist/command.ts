/**
 * `stock-rsi persist`: the last step. Reads the validated artifact, stores the day's values,
 * and prints the ranking the user reads: `SYMBOL VALUE`, strongest first. It refuses an
 * artifact whose validation failed, so a bad day can never reach the database, and an artifact
 * naming a symbol that is not a ticker, before it opens the database: symbols become column
 * names in the user's wide `stocks` table.
 *
 * On MySQL it also keeps that wide table up to date (`--no-wide-table` turns this off), and it
 * brings the schema up to date first when it is behind (see `migrations.ts`). The work is in
 * `step.ts`, loaded when the command runs.
 */
import type { Command } from "commander";
import { ExitCode } from "../domain/errors.ts";
import { noStoreOption, stepCommand } from "../command-line/flags.ts";
import { pipeline, stepNamed } from "../pipeline.ts";
import type { Io } from "../command-line/io.ts";
import type { PersistOptions } from "./step.ts";

export function persistCommand(io: Io): Command {
  return stepCommand(pipeline, stepNamed(pipeline, "persist"), [
    ExitCode.ok,
    ExitCode.policyFailed,
    ExitCode.badInput,
    ExitCode.unavailable,
    ExitCode.refused,
    ExitCode.internal,
  ])
    .addOption(noStoreOption())
    .action(async (options: PersistOptions) => {
      const { runPersist } = await import("./step.ts");
      await runPersist(options, io);
    });
}

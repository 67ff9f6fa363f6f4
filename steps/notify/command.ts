/**
 * `stock-rsi notify`: the step every run ends with, on success and on failure alike. It tells the
 * user how the run went, where they are: what crossed 70 and 30 since the previous stored trading
 * day, the strongest and weakest symbols, what broke and why, and where the report is, to every
 * channel configured (`--notify URL`, `STOCK_RSI_NOTIFY`, `STOCK_RSI_NOTIFY_FILE`; see
 * docs/notifications.md). On Argo it is the templates' exit handler; `stock-rsi run --notify URL`
 * runs it last. The work is in `step.ts`, loaded when the command runs.
 */
import type { Command } from "commander";
import { ExitCode } from "../domain/errors.ts";
import { exitStepCommand } from "../command-line/flags.ts";
import { backfillPipeline, pipeline } from "../pipeline.ts";
import type { Io } from "../command-line/io.ts";
import type { NotifyOptions } from "./step.ts";

export function notifyCommand(io: Io): Command {
  return exitStepCommand([pipeline, backfillPipeline], [ExitCode.ok, ExitCode.badInput, ExitCode.unavailable, ExitCode.refused, ExitCode.internal])
    .addHelpText(
      "after",
      "\nEach channel gets the message within --notify-deadline-seconds, retries included, and one line says\n" +
        "whether it took it. Exit 0 when every channel took it, or none is configured; else 2 when a channel's\n" +
        "URL was refused, 4 when a channel refused the message, 3 when one could not be reached in time.",
    )
    .action(async (options: NotifyOptions) => {
      const { runNotify } = await import("./step.ts");
      await runNotify(options, io);
    });
}

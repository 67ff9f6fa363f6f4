/**
 * `stock-rsi fetch`: the first step. Reads the symbols file, downloads each symbol's daily
 * closes for the lookback window, and writes the prices artifact. A symbol that cannot be got
 * is recorded in `failures` with the reason; it does not fail the step (validate decides
 * whether too many failed). Series that end days before the as-of date are kept and listed in
 * the artifact's `stale` (validate rejects them).
 *
 * The step fails only when its input is bad, or when Yahoo gave nothing at all and every
 * failure was of the passing kind (network, 5xx, 429, deadline): then it exits `unavailable`
 * (3), which is what the pipeline retries later. The artifact is written either way. The work is
 * in `step.ts`, loaded when the command runs, so `--help` loads neither the artifact contract nor
 * the Yahoo client.
 */
import { Option, type Command } from "commander";
import { ExitCode } from "../domain/errors.ts";
import { pipeline, stepNamed } from "../pipeline.ts";
import type { Io } from "../command-line/io.ts";
import { flagParser, stepCommand } from "../command-line/flags.ts";
import { isoDateValue } from "../domain/values.ts";
import { PRICE_FIELDS } from "./price-field.ts";
import type { FetchOptions } from "./step.ts";

export function fetchCommand(io: Io): Command {
  return stepCommand(pipeline, stepNamed(pipeline, "fetch"), [ExitCode.ok, ExitCode.badInput, ExitCode.unavailable, ExitCode.internal])
    .addOption(
      new Option("--first-day <date>", "fetch the windows of every day from this one to the as-of date at once (for backfill): from this day minus --lookback-days").argParser(
        flagParser(isoDateValue),
      ),
    )
    .addOption(
      new Option("--price-field <field>", "which Yahoo price to rank on: close (split-adjusted, the original's) or adjclose (also dividend-adjusted)")
        .choices(PRICE_FIELDS)
        .default("close"),
    )
    .action(async (options: FetchOptions) => {
      const { runFetch } = await import("./step.ts");
      await runFetch(options, io);
    });
}

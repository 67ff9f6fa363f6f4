/**
 * `stock-rsi report --out FILE.html`: the run report of a stored trading day, drawn from the
 * store alone: the ranking with each value's change since the previous stored trading day, the
 * overbought and oversold marks, a sparkline per symbol and the day's crossings. The persist step
 * writes the same page for every run (with its failures, which only the run knows); this command
 * draws it again for any stored day, from SQLite or MySQL, with the reader account.
 */
import { Command, Option } from "commander";
import { dateIn, MARKET_TIME_ZONE } from "../steps/domain/dates.ts";
import { ExitCode, UserError } from "../steps/domain/errors.ts";
import { boundedIntValue, isoDateValue } from "../steps/domain/values.ts";
import { PARAMETERS, SETTINGS } from "../steps/pipeline.ts";
import type { RsiMethod } from "../steps/domain/rsi.ts";
import { flagParser, parameterOption, settingOption, withExitStatuses, withOutputFilesRule } from "../steps/command-line/flags.ts";
import { logLine, type Io } from "../steps/command-line/io.ts";
import { guardOutputs, STDOUT } from "../steps/files/output-files.ts";
import { reportInput } from "../steps/persist/report.ts";
import { DEFAULT_SPARKLINE_DAYS, MAX_SPARKLINE_DAYS, renderReport } from "../steps/report/report.ts";
import { databaseFiles, openStore } from "../steps/store/open-store.ts";

export interface ReportOptions {
  readonly db: string;
  readonly asOf?: string;
  readonly days: number;
  readonly method: RsiMethod;
  readonly period: number;
  readonly out: string;
}

export function reportCommand(io: Io): Command {
  const command = new Command("report")
    .description("draw the run report (HTML) of the last stored trading day on or before a date, from the store")
    .requiredOption("--out <file>", "where to write the report (HTML: no script, nothing fetched; opens in any browser); - for stdout")
    .addOption(settingOption(SETTINGS.db))
    .addOption(new Option("--as-of <date>", "the day to report: the last stored trading day on or before it (default: today in New York)").argParser(flagParser(isoDateValue)))
    .addOption(new Option("--days <n>", `stored trading days each sparkline spans, at most ${MAX_SPARKLINE_DAYS}`).argParser(flagParser(boundedIntValue(1, MAX_SPARKLINE_DAYS, "stored trading days (about ten years)"))).default(DEFAULT_SPARKLINE_DAYS))
    .addOption(parameterOption(PARAMETERS.method))
    .addOption(parameterOption(PARAMETERS.period))
    .action(async (options: ReportOptions) => {
      await runReport(options, io);
    });
  return withExitStatuses(withOutputFilesRule(command, "--out"), [ExitCode.ok, ExitCode.badInput, ExitCode.unavailable, ExitCode.refused, ExitCode.internal]);
}

export async function runReport(options: ReportOptions, io: Io): Promise<void> {
  if (options.db === "none") throw new UserError("report: --db none stores nothing to report; give the database the values are in");
  const outputs = guardOutputs({ ...databaseFiles(options.db, io.env), outputs: [{ flag: "--out", path: options.out, stdout: true }], stdout: io.out });
  const asOf = options.asOf || dateIn(MARKET_TIME_ZONE, io.now());
  const series = { method: options.method, period: options.period };
  const store = await openStore(options.db, { env: io.env, access: "read", log: (line) => logLine(io, "report", line) });
  try {
    const tradeDate = (await store.tradingDays({ to: asOf, last: 1, ...series })).at(-1);
    if (!tradeDate) {
      throw new UserError(`report: ${store.description} holds no values (${options.method}, period ${options.period}) on or before ${asOf}`);
    }
    const ranking = await store.history({ from: tradeDate, to: tradeDate, ...series });
    const run = await store.latestRun(tradeDate, series);
    const failed = run && run.failed > 0 ? `; ${run.failed} symbols had none (the run's own report lists why)` : "";
    const stored = `${ranking.length} values stored for ${tradeDate}${failed}`;
    const input = await reportInput(
      {
        asOf: run?.asOf ?? tradeDate,
        tradeDate,
        ...series,
        runId: run?.runId ?? "unknown",
        source: run?.source,
        steps: [{ step: "persist", summary: `${stored}; drawn from ${store.description}` }],
        ranking,
        failures: [],
      },
      store,
      options.days,
    );
    outputs.write(options.out, renderReport(input));
    logLine(io, "report", `${ranking.length} symbols for ${tradeDate} (${options.method}, period ${options.period}), sparklines over ${input.tradingDays.length} stored trading days: ${options.out === STDOUT ? "stdout" : options.out}`);
  } finally {
    await store.close();
  }
}

/**
 * `stock-rsi ranking [--as-of DATE]`: a stored day's ranking, read back from the store, printed
 * exactly as `run` printed it that day: `SYMBOL VALUE` lines, strongest first (the same
 * formatter, `formatRanking`), or with `--json` the ranking in `run --json`'s shape.
 *
 * The day is the last stored trading day of the series on or before `--as-of` (default: today in
 * New York), so a weekend or a holiday gives the trading day before it, as a run on it would
 * have. It only reads: the reader account (`stock_rsi_reader`) is enough, and it never migrates.
 */
import { Command, Option } from "commander";
import { dateIn, MARKET_TIME_ZONE } from "../steps/domain/dates.ts";
import { ExitCode, UserError } from "../steps/domain/errors.ts";
import { formatRanking, rank, rankingJson } from "../steps/domain/ranking.ts";
import type { RsiMethod } from "../steps/domain/rsi.ts";
import { isoDateValue } from "../steps/domain/values.ts";
import { PARAMETERS, SETTINGS } from "../steps/pipeline.ts";
import { flagParser, parameterOption, settingOption, withExitStatuses } from "../steps/command-line/flags.ts";
import { logLine, type Io } from "../steps/command-line/io.ts";

export interface RankingOptions {
  readonly db: string;
  readonly asOf?: string;
  readonly method: RsiMethod;
  readonly period: number;
  readonly json?: boolean;
}

export function rankingCommand(io: Io): Command {
  const command = new Command("ranking")
    .description("print the ranking of the last stored trading day on or before a date, from the store, as run printed it")
    .addOption(settingOption(SETTINGS.db))
    .addOption(new Option("--as-of <date>", "the day to rank: the last stored trading day on or before it (default: today in New York)").argParser(flagParser(isoDateValue)))
    .addOption(parameterOption(PARAMETERS.method))
    .addOption(parameterOption(PARAMETERS.period))
    .option("--json", "print {asOf, tradeDate, method, period, ranking[], run} (run --json's shape; see docs/storage.md) instead of the lines")
    .action(async (options: RankingOptions) => {
      await printRanking(options, io);
    });
  return withExitStatuses(command, [ExitCode.ok, ExitCode.badInput, ExitCode.unavailable, ExitCode.refused, ExitCode.internal]);
}

export async function printRanking(options: RankingOptions, io: Io): Promise<void> {
  if (options.db === "none") throw new UserError("ranking: --db none stores nothing to rank; give the database the values are in");
  const asOf = options.asOf || dateIn(MARKET_TIME_ZONE, io.now());
  const series = { method: options.method, period: options.period };
  // Loaded here, not at the top: `--help` needs no store or database driver.
  const { openStore } = await import("../steps/store/open-store.ts");
  const store = await openStore(options.db, { env: io.env, access: "read", log: (line) => logLine(io, "ranking", line) });
  try {
    const tradeDate = (await store.tradingDays({ to: asOf, last: 1, ...series })).at(-1);
    if (!tradeDate) {
      throw new UserError(`ranking: ${store.description} holds no values (${options.method}, period ${options.period}) on or before ${asOf}; stock-rsi status lists what it holds`);
    }
    const ranking = rank(await store.history({ from: tradeDate, to: tradeDate, ...series }));
    const run = await store.latestRun(tradeDate, series);
    const failed = run && run.failed > 0 ? `; ${run.failed} symbols had none that day` : "";
    logLine(io, "ranking", `${ranking.length} symbols for ${tradeDate} (${options.method}, period ${options.period}${tradeDate === asOf ? "" : `, the last stored trading day on or before ${asOf}`}) from ${store.description}${failed}`);
    if (options.json) {
      const stored = run ? { runId: run.runId, asOf: run.asOf, source: run.source, ranked: run.ranked, failed: run.failed } : null;
      io.out(`${JSON.stringify({ asOf, tradeDate, ...series, ranking: rankingJson(ranking), run: stored }, null, 2)}\n`);
    } else {
      io.out(formatRanking(ranking).map((line) => `${line}\n`).join(""));
    }
  } finally {
    await store.close();
  }
}

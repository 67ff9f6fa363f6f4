/**
 * `stock-rsi history SYMBOL...`: the stored values of some symbols over time, read from either
 * store: what the user's Excel chart shows, on the command line, or drawn (`--chart FILE.svg`).
 * `stock-rsi history --gaps` lists the trading days with no stored value at all: the days a
 * daily run missed, which `stock-rsi backfill` fills.
 *
 * It only reads (a read-only account such as `stock_rsi_reader` is enough) and never migrates.
 * One series at a time: `--method` and `--period` choose it, `seed` / 14 by default, the series
 * of the user's history and of the daily runs.
 *
 * The store and the chart are loaded when the command runs, so `--help` loads no database driver.
 */
import { Command, Option } from "commander";
import type { RsiMethod } from "../steps/domain/rsi.ts";
import { ExitCode, UserError } from "../steps/domain/errors.ts";
import { isoDateValue } from "../steps/domain/values.ts";
import { PARAMETERS, SETTINGS } from "../steps/pipeline.ts";
import { roundHalfEven } from "../steps/domain/ranking.ts";
import { logLine, type Io } from "../steps/command-line/io.ts";
import { flagParser, parameterOption, settingOption, withExitStatuses, withOutputFilesRule } from "../steps/command-line/flags.ts";
import type { HistoryRow, RsiStore } from "../steps/store/store.ts";
import { notATicker, tickerAsWritten } from "../steps/domain/symbols.ts";
import { addDays, dateIn, MARKET_TIME_ZONE } from "../steps/domain/dates.ts";
import { tradingDaysBetween } from "../steps/domain/market-calendar.ts";
import { guardOutputs, STDOUT, type CommandOutputs } from "../steps/files/output-files.ts";

export interface HistoryOptions {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly db: string;
  readonly method: RsiMethod;
  readonly period: number;
  readonly json?: boolean;
  readonly chart?: string;
  readonly gaps?: boolean;
}

export function historyCommand(io: Io): Command {
  const command = new Command("history")
    .description("print the stored RSI values of one or more symbols over time, draw them, or list the days without values")
    .argument("[symbols...]", "tickers, e.g. AAPL MSFT (with --gaps: optional)")
    .addOption(new Option("--from <date>", "the first trading day to show, YYYY-MM-DD").argParser(flagParser(isoDateValue)))
    .addOption(new Option("--to <date>", "the last trading day to show, YYYY-MM-DD (--gaps: default yesterday in New York)").argParser(flagParser(isoDateValue)))
    .addOption(settingOption(SETTINGS.db))
    .addOption(parameterOption(PARAMETERS.method))
    .addOption(parameterOption(PARAMETERS.period))
    .option("--chart <file>", "also draw the values as an SVG chart (dates across, the 30/70 band, a gap on a day without a value); - for stdout, instead of the values")
    .option("--gaps", "list the trading days (NYSE calendar) on which no value is stored, instead of the values")
    .option("--json", 'print [{"symbol","date","rsi"}] at full precision (--gaps: ["YYYY-MM-DD", ...]) instead of lines')
    .action(async (symbols: string[], options: HistoryOptions) => {
      await runHistory(symbols, options, io);
    });
  return withExitStatuses(withOutputFilesRule(command, "--chart"), [ExitCode.ok, ExitCode.badInput, ExitCode.unavailable, ExitCode.refused, ExitCode.internal]);
}

export async function runHistory(given: readonly string[], options: HistoryOptions, io: Io): Promise<void> {
  const symbols: string[] = [];
  for (const written of given) {
    const symbol = tickerAsWritten(written.trim());
    if (symbol === undefined) throw new UserError(`history: "${written}" ${notATicker(written.trim())}`);
    if (!symbols.includes(symbol)) symbols.push(symbol);
  }
  if (symbols.length === 0 && !options.gaps) throw new UserError("history: name at least one symbol, e.g. stock-rsi history AAPL (or list the missing days with --gaps)");
  if (options.gaps && options.chart) throw new UserError("history: --gaps lists days; it draws no chart (leave out --chart)");
  if (options.from && options.to && options.from > options.to) {
    throw new UserError(`history: --from ${options.from} is after --to ${options.to}`);
  }
  if (options.db === "none") throw new UserError("history: --db none stores nothing to read; give the database the values are in");
  if (options.chart === STDOUT && options.json) throw new UserError("history: --chart - puts the SVG on stdout, where --json would go too; leave out one of them");
  const { databaseFiles, openStore } = await import("../steps/store/open-store.ts");
  const outputs = guardOutputs({ ...databaseFiles(options.db, io.env), outputs: [{ flag: "--chart", path: options.chart, stdout: true }], stdout: io.out });

  const store = await openStore(options.db, { env: io.env, access: "read", log: (line) => logLine(io, "history", line) });
  try {
    if (options.gaps) await printGaps(store, symbols, options, io);
    else await printValues(store, symbols, options, outputs, io);
  } finally {
    await store.close();
  }
}

async function printValues(store: RsiStore, symbols: readonly string[], options: HistoryOptions, outputs: CommandOutputs, io: Io): Promise<void> {
  const series = { method: options.method, period: options.period };
  const rows = await store.history({ symbols, from: options.from, to: options.to, ...series });
  const found = new Set(rows.map((r) => r.symbol));
  for (const symbol of symbols) {
    if (!found.has(symbol)) logLine(io, "history", `no stored values for ${symbol} (${options.method}, period ${options.period}) in that range`);
  }
  logLine(io, "history", `${rows.length} values for ${found.size} of ${symbols.length} symbols (${options.method}, period ${options.period}) from ${store.description}`);

  if (options.chart) {
    const dates = rows.map((r) => r.date).sort();
    const from = options.from ?? dates[0];
    // No axis past today: a day that has not happened has no value to chart.
    const to = earlier(options.to ?? dates.at(-1), dateIn(MARKET_TIME_ZONE, io.now()));
    // The axis holds every exchange trading day in the range, and any other day a value is stored on,
    // so a day without a value is a gap in the line, never bridged.
    const tradingDays = from && to ? [...tradingDaysBetween(from, to), ...(await store.tradingDays({ from, to, ...series }))] : [];
    const { renderHistoryChart } = await import("../steps/report/history-chart.ts");
    const svg = renderHistoryChart({
      title: `RSI ${options.period} (${options.method})${from && to ? `, ${from} to ${to}` : ""}`,
      tradingDays,
      series: symbols.map((symbol) => ({ symbol, points: rows.filter((r) => r.symbol === symbol) })),
    });
    outputs.write(options.chart, svg);
    logLine(io, "history", `drew ${symbols.length} series over ${new Set(tradingDays).size} trading days: ${options.chart === STDOUT ? "stdout" : options.chart}`);
    // The chart took stdout: the values stay off it.
    if (options.chart === STDOUT) return;
  }
  if (options.json) io.out(`${JSON.stringify(rows.map(({ symbol, date, rsi }) => ({ symbol, date, rsi })), null, 2)}\n`);
  else io.out(rows.map((r: HistoryRow) => `${r.symbol} ${r.date} ${roundHalfEven(r.rsi).toFixed(2)}\n`).join(""));
}

/**
 * The exchange's trading days in the range on which the series has no stored value (of the given
 * symbols, when some are named). The range starts at `--from`, else the series' first stored day,
 * and ends at `--to`, else yesterday in New York: today's run may still be ahead.
 */
async function printGaps(store: RsiStore, symbols: readonly string[], options: HistoryOptions, io: Io): Promise<void> {
  const series = { method: options.method, period: options.period };
  const stored =
    symbols.length > 0 ? [...new Set((await store.history({ symbols, ...series })).map((r) => r.date))].sort() : await store.tradingDays(series);
  const from = options.from ?? stored[0];
  const today = dateIn(MARKET_TIME_ZONE, io.now());
  // A day that has not happened is not missing: the range ends today at the latest.
  const to = earlier(options.to ?? addDays(today, -1), today)!;
  if (from === undefined) {
    throw new UserError(`history --gaps: nothing is stored for this series (${options.method}, period ${options.period}) in ${store.description}; give --from`);
  }
  const have = new Set(stored);
  const gaps = from <= to ? tradingDaysBetween(from, to).filter((d) => !have.has(d)) : [];
  logLine(io, "history", `${gaps.length} trading days without a stored value from ${from} to ${to} (${options.method}, period ${options.period}${symbols.length > 0 ? `, ${symbols.join(" ")}` : ""}) in ${store.description}`);
  if (options.json) io.out(`${JSON.stringify(gaps)}\n`);
  else io.out(gaps.map((d) => `${d}\n`).join(""));
}

function earlier(a: string | undefined, b: string): string | undefined {
  return a === undefined || a <= b ? a : b;
}

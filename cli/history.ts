/**
 * `stock-rsi history SYMBOL...`: the stored values of some symbols over time, read from either
 * store: what the user's Excel chart shows, on the command line.
 *
 * It only reads (a read-only account such as `stock_rsi_reader` is enough) and never migrates.
 * One series at a time: `--method` and `--period` choose it, `seed` / 14 by default, the series
 * of the user's history and of the daily runs.
 */
import { Command, Option } from "commander";
import type { RsiMethod } from "../steps/domain/rsi.ts";
import { ExitCode, UserError } from "../steps/domain/errors.ts";
import { isoDateValue } from "../steps/domain/values.ts";
import { PARAMETERS, SETTINGS } from "../steps/pipeline.ts";
import { roundHalfEven } from "../steps/domain/ranking.ts";
import { logLine, type Io } from "../steps/command-line/io.ts";
import { flagParser, parameterOption, settingOption, withExitStatuses } from "../steps/command-line/flags.ts";
import { openStore } from "../steps/store/open-store.ts";
import type { HistoryRow } from "../steps/store/store.ts";
import { tickerAsWritten } from "../steps/domain/symbols.ts";

export interface HistoryOptions {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly db: string;
  readonly method: RsiMethod;
  readonly period: number;
  readonly json?: boolean;
}

export function historyCommand(io: Io): Command {
  const command = new Command("history")
    .description("print the stored RSI values of one or more symbols over time")
    .argument("<symbols...>", "tickers, e.g. AAPL MSFT")
    .addOption(new Option("--from <date>", "the first trading day to show, YYYY-MM-DD").argParser(flagParser(isoDateValue)))
    .addOption(new Option("--to <date>", "the last trading day to show, YYYY-MM-DD").argParser(flagParser(isoDateValue)))
    .addOption(settingOption(SETTINGS.db))
    .addOption(parameterOption(PARAMETERS.method))
    .addOption(parameterOption(PARAMETERS.period))
    .option("--json", 'print [{"symbol","date","rsi"}] (full precision) instead of lines')
    .action(async (symbols: string[], options: HistoryOptions) => {
      await runHistory(symbols, options, io);
    });
  return withExitStatuses(command, [ExitCode.ok, ExitCode.badInput, ExitCode.unavailable, ExitCode.refused, ExitCode.internal]);
}

export async function runHistory(given: readonly string[], options: HistoryOptions, io: Io): Promise<HistoryRow[]> {
  const symbols: string[] = [];
  for (const written of given) {
    const symbol = tickerAsWritten(written.trim());
    if (symbol === undefined) throw new UserError(`history: "${written}" is not a ticker; use letters, digits and . - ^ =`);
    if (!symbols.includes(symbol)) symbols.push(symbol);
  }
  if (options.from && options.to && options.from > options.to) {
    throw new UserError(`history: --from ${options.from} is after --to ${options.to}`);
  }
  if (options.db === "none") throw new UserError("history: --db none stores nothing to read; give the database the values are in");

  const store = await openStore(options.db, { env: io.env, access: "read", log: (line) => logLine(io, "history", line) });
  let rows: HistoryRow[];
  try {
    rows = await store.history({ symbols, from: options.from, to: options.to, method: options.method, period: options.period });
  } finally {
    await store.close();
  }

  const found = new Set(rows.map((r) => r.symbol));
  for (const symbol of symbols) {
    if (!found.has(symbol)) logLine(io, "history", `no stored values for ${symbol} (${options.method}, period ${options.period}) in that range`);
  }
  logLine(io, "history", `${rows.length} values for ${found.size} of ${symbols.length} symbols (${options.method}, period ${options.period}) from ${store.description}`);
  if (options.json) io.out(`${JSON.stringify(rows.map(({ symbol, date, rsi }) => ({ symbol, date, rsi })), null, 2)}\n`);
  else io.out(rows.map((r) => `${r.symbol} ${r.date} ${roundHalfEven(r.rsi).toFixed(2)}\n`).join(""));
  return rows;
}

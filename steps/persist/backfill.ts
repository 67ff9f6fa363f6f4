/**
 * `stock-rsi backfill SYMBOLS --from DATE --to DATE`: fills the trading days a daily run missed
 * (Yahoo down, the cluster down, the old program's holes) with the values the daily run would
 * have stored on each of those days.
 *
 * "Would have stored" is exact, not approximate. The seed method's value depends on where its
 * window starts (its exponential weights are normalised over the closes it has), so each day D is
 * computed from exactly the window a run with `--as-of D` fetches, `D - lookback-days` to `D`,
 * through the same code: fetch's artifact (`pricesArtifact`), compute-rsi, validate's rules, and
 * persist's write. What differs is only how the prices arrive: one request per symbol for the
 * whole range (a 20-day backfill of 180 symbols is about 180 requests, not 3,600), each day's
 * window then cut from it.
 *
 * - The days are the NYSE's trading days in the range on which some symbol has a bar; a bar dated
 *   on a weekend or an exchange holiday (a cryptocurrency's, a listing abroad's) is dropped as
 *   the daily run's fetch drops it, so such a day is never filled.
 * - A day already stored (any value of this method and period) is skipped unless `--overwrite`.
 * - Each day is validated by the daily policy on its own and written in its own transaction: a
 *   day the policy refuses is reported and not stored, while the others are; the command then
 *   ends with status 1.
 * - Each day is told as it is decided: its line on stdout (`2021-05-17 stored 165`), on stderr a
 *   line per day in a log or a progress bar on a terminal, and `--days-out` holding every day so
 *   far. A backfill killed half-way has said which days it stored.
 */
import { Command } from "commander";
import type { Failure, Series } from "../domain/artifacts.ts";
import { addDays, type IsoDate } from "../domain/dates.ts";
import { tradingDaysBetween } from "../domain/market-calendar.ts";
import { ExitCode, PolicyFailedError, UserError } from "../domain/errors.ts";
import { backfillPipeline, PARAMETERS } from "../pipeline.ts";
import { parameterOption, settingOption, withExitStatuses, withOutputFilesRule } from "../command-line/flags.ts";
import { logLine, type Io } from "../command-line/io.ts";
import { guardOutputs } from "../files/output-files.ts";
import { readSymbolsFile } from "../files/symbols-file.ts";
import { computeRsiArtifact } from "../compute-rsi/compute.ts";
import type { FetchOptions } from "../fetch/step.ts";
import { notAfterToday, windowStart } from "../fetch/window.ts";
import { pricesArtifact } from "../fetch/prices-artifact.ts";
import { startProgress } from "../fetch/progress.ts";
import { clipToWindow, closedDaysLine, fetchOnTradingDays, type PriceSource } from "../fetch/source.ts";
import { fileSource, readRecordedPrices, replayedFiles, type RecordedPrices } from "../fetch/sources/file.ts";
import type { PriceField } from "../fetch/price-field.ts";
import { summarize, validateRsi } from "../validate/rules.ts";
import { databaseFiles, openStore } from "../store/open-store.ts";
import type { RsiStore } from "../store/store.ts";
import type { RsiMethod } from "../domain/rsi.ts";
import { dayWriteOf } from "./step.ts";

/** How `--source` becomes a price source: every source on a laptop, replays only in the persist image. */
export type SelectSource = (options: Pick<FetchOptions, "source" | "yahooUrl" | "fetchDeadlineSeconds" | "concurrency" | "requestIntervalMs" | "priceField">, io: Io) => PriceSource;

export interface BackfillOptions {
  readonly from: IsoDate;
  readonly to: IsoDate;
  readonly overwrite?: boolean;
  readonly lookbackDays: number;
  readonly source: string;
  readonly method: RsiMethod;
  readonly period: number;
  readonly maxFailedShare: number;
  readonly maxStaleDays: number;
  readonly concurrency?: number;
  readonly requestIntervalMs?: number;
  readonly fetchDeadlineSeconds?: number;
  readonly priceField?: PriceField;
  readonly yahooUrl?: string;
  readonly db: string;
  readonly wideTable: boolean;
  readonly runId?: string;
  readonly prices?: string;
  readonly daysOut?: string;
}

/** What happened to one day. */
export type DayOutcome =
  | { readonly date: IsoDate; readonly outcome: "stored"; readonly values: number }
  | { readonly date: IsoDate; readonly outcome: "skipped" }
  | { readonly date: IsoDate; readonly outcome: "refused"; readonly reason: string };

export function backfillCommand(io: Io, selectSource: SelectSource): Command {
  const command = new Command("backfill")
    .description("store, for every trading day in a range, the values the daily run would have stored that day")
    .argument("[symbols-file]", "the symbols file: one ticker per line, # comments (with --prices: default, every symbol in that file)")
    .option("--prices <file>", "a prices artifact covering the range (what `stock-rsi fetch --first-day FROM --as-of TO` writes), instead of fetching")
    .option("--days-out <file>", "also write the per-day lines (DATE stored N, skipped, refused: why) to this file");
  // The backfill pipeline's run parameters under their own flags (--from, --to, the daily run's
  // lookback, method and policy, --overwrite), and the settings of its steps.
  for (const parameter of backfillPipeline.parameters) command.addOption(parameterOption(parameter));
  for (const name of new Set(backfillPipeline.steps.flatMap((step) => step.settings))) {
    command.addOption(settingOption(backfillPipeline.settings.find((s) => s.name === name)!));
  }
  command.action(async (symbolsFile: string | undefined, options: BackfillOptions) => {
    await runBackfill(symbolsFile, options, io, selectSource);
  });
  return withExitStatuses(withOutputFilesRule(command), [ExitCode.ok, ExitCode.policyFailed, ExitCode.badInput, ExitCode.unavailable, ExitCode.refused, ExitCode.internal]);
}

export async function runBackfill(symbolsFile: string | undefined, options: BackfillOptions, io: Io, selectSource: SelectSource): Promise<DayOutcome[]> {
  if (!options.from || !options.to) throw new UserError("backfill: give the range, --from DATE and --to DATE");
  if (options.from > options.to) throw new UserError(`backfill: --from ${options.from} is after --to ${options.to}`);
  if (options.db === "none") throw new UserError("backfill: --db none would store nothing; give the database to fill");
  notAfterToday(options.to, "--to", io);
  windowStart(options.from, options.lookbackDays, "--from");
  if (symbolsFile === undefined && options.prices === undefined) throw new UserError("backfill: give the symbols file, or --prices FILE to fill every symbol it holds");
  if (options.prices !== undefined && options.source !== PARAMETERS.source.default && options.source !== `file:${options.prices}`) {
    throw new UserError(`backfill: --prices and --source ${options.source} both say where prices come from; give one`);
  }
  const database = databaseFiles(options.db, io.env);
  const outputs = guardOutputs({
    keeps: database.keeps,
    reads: [
      ...(symbolsFile !== undefined ? [{ path: symbolsFile, role: "the symbols file" }] : []),
      ...(options.prices !== undefined ? [{ path: options.prices, role: "the prices artifact backfill reads (--prices)" }] : []),
      ...replayedFiles(options.source),
      ...database.reads,
    ],
    outputs: [{ flag: "--days-out", path: options.daysOut }],
  });
  const source = options.prices !== undefined ? fileSource(options.prices) : selectSource(options, io);
  const listed = symbolsFile !== undefined ? readSymbolsFile(symbolsFile) : undefined;
  for (const warning of listed?.warnings ?? []) logLine(io, "backfill", `warning: ${warning}`);
  const symbols = listed?.symbols ?? symbolsIn(readRecordedPrices(options.prices!));

  const store = await openStore(options.db, { env: io.env, access: "write", wideTable: options.wideTable, log: (line) => logLine(io, "backfill", line) });
  try {
    const series = { method: options.method, period: options.period };
    const stored = new Set(await store.tradingDays({ from: options.from, to: options.to, ...series }));

    // One request per symbol: from the first day's window start to the last day.
    const rangeStart = addDays(options.from, -options.lookbackDays);
    logLine(io, "backfill", `${symbols.length} symbols from ${source.name}, ${rangeStart} to ${options.to}, for the days ${options.from} to ${options.to}`);
    const progress = startProgress(io, symbols.length);
    const fetched = await fetchOnTradingDays(source, { symbols, asOf: options.to, from: rangeStart, onSymbolDone: () => progress.tick() });
    progress.done();
    const closed = closedDaysLine(fetched.closedDays);
    if (closed) logLine(io, "backfill", closed);
    if (source.name.startsWith("file:")) assertCovers(source.name.slice("file:".length), fetched.series, rangeStart, options);

    // Each day is told as soon as it is stored (or skipped, or refused): its line on stdout, a
    // line or the bar on stderr, and --days-out rewritten with every day so far, so a run killed
    // half-way has said which days it stored.
    const days = tradingDaysIn(fetched.series, options.from, options.to);
    const dayProgress = startProgress(io, days.length, { step: "backfill", unit: "days" });
    const outcomes: DayOutcome[] = [];
    let lines = "";
    if (options.daysOut) outputs.write(options.daysOut, lines);
    for (const date of days) {
      const outcome: DayOutcome = stored.has(date) && !options.overwrite ? { date, outcome: "skipped" } : await fillDay(date, fetched, source.name, options, store);
      outcomes.push(outcome);
      const line = dayLine(outcome);
      lines += `${line}\n`;
      if (options.daysOut) outputs.write(options.daysOut, lines);
      dayProgress.print(`${line}\n`);
      dayProgress.tick(line);
    }
    dayProgress.done();
    summarizeDays(outcomes, io);
    const refused = outcomes.filter((o) => o.outcome === "refused");
    if (refused.length > 0) {
      throw new PolicyFailedError(`backfill: the validation policy refused ${refused.length} of ${outcomes.length} days (${refused.map((o) => o.date).join(" ")}); the others were stored or skipped`);
    }
    return outcomes;
  } finally {
    await store.close();
  }
}

/** One day, as `stock-rsi run --as-of DATE` computes and stores it, in one transaction. */
async function fillDay(
  date: IsoDate,
  fetched: { readonly series: readonly Series[]; readonly failures: readonly Failure[] },
  sourceName: string,
  options: BackfillOptions,
  store: RsiStore,
): Promise<DayOutcome> {
  const window = { from: addDays(date, -options.lookbackDays), asOf: date };
  const prices = pricesArtifact({
    asOf: date,
    source: sourceName,
    priceField: options.priceField,
    series: fetched.series.map((s) => clipToWindow(s, window)),
    failures: [...fetched.failures],
    maxStaleDays: options.maxStaleDays,
  });
  const validated = validateRsi(computeRsiArtifact(prices, options.method, options.period), {
    maxFailedShare: options.maxFailedShare,
    maxStaleDays: options.maxStaleDays,
  });
  if (!validated.passed || validated.tradeDate === null) return { date, outcome: "refused", reason: summarize(validated) };
  const runId = `${options.runId || `backfill-${new Date().toISOString()}`}:${date}`;
  await store.writeDay(dayWriteOf(validated, validated.tradeDate, runId));
  return { date, outcome: "stored", values: validated.results.length };
}

/**
 * The NYSE's trading days in the range on which at least one symbol has a bar. The calendar says
 * which days can be stored at all; the data leave out a trading day no symbol has a close for yet
 * (today before the close), which the daily run would not store either.
 */
function tradingDaysIn(series: readonly Series[], from: IsoDate, to: IsoDate): IsoDate[] {
  const withBars = new Set<IsoDate>();
  for (const { bars } of series) for (const { date } of bars) if (date >= from && date <= to) withBars.add(date);
  return tradingDaysBetween(from, to).filter((d) => withBars.has(d));
}

/** What became of a day, as one line: `2021-05-17 stored 165`, `2021-05-18 skipped`, `2021-05-19 refused: why`. */
function dayLine(o: DayOutcome): string {
  return `${o.date} ${o.outcome}${o.outcome === "stored" ? ` ${o.values}` : o.outcome === "refused" ? `: ${o.reason}` : ""}`;
}

/** The days' summary on stderr. */
function summarizeDays(outcomes: readonly DayOutcome[], io: Io): void {
  const count = (kind: DayOutcome["outcome"]) => outcomes.filter((o) => o.outcome === kind).length;
  logLine(io, "backfill", `${outcomes.length} trading days: ${count("stored")} stored, ${count("skipped")} already stored and skipped, ${count("refused")} refused by validation`);
}

/** Every symbol a prices artifact answers for, fetched or failed, in its order. */
function symbolsIn(prices: RecordedPrices): string[] {
  return [...prices.series.keys(), ...prices.failures.keys()];
}

/**
 * A replayed prices file must hold every day's whole window, or the first days would be computed
 * from fewer closes than the daily run had (and the seed method's value depends on that): its
 * closes must start within a week of the first window's start (weekends and holidays have none),
 * and reach the last day.
 */
function assertCovers(file: string, series: readonly Series[], rangeStart: IsoDate, options: BackfillOptions): void {
  const dates = series.flatMap((s) => s.bars.map((b) => b.date)).sort();
  const first = dates[0];
  const last = dates.at(-1);
  const fix = `fetch it with stock-rsi fetch --first-day ${options.from} --as-of ${options.to} --lookback-days ${options.lookbackDays}`;
  if (first === undefined || first > addDays(rangeStart, 7)) {
    throw new UserError(`${file}: its closes start ${first ?? "nowhere"}, but filling ${options.from} takes them from ${rangeStart} (--lookback-days ${options.lookbackDays}); ${fix}`);
  }
  if (last === undefined || last < options.from) {
    throw new UserError(`${file}: its closes end ${last ?? "nowhere"}, before ${options.from}; ${fix}`);
  }
}

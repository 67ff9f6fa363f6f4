/**
 * Where RSI values are kept. A store is an adapter behind one small interface, so the persist
 * step, `history`, `import-legacy` and the tests do not care whether it is the embedded SQLite
 * file or MySQL. The repository tests (`test/steps/store/store-contract.ts`) are written once
 * against this interface and run against both stores, so the two cannot drift.
 *
 * The long table is the source of truth: one row per trading day, symbol, method and period.
 * Method and period are part of the key, so switching `--method wilder` starts a second series
 * beside the first instead of silently mixing two definitions of RSI in one chart.
 */
import type { Failure, RsiResult } from "../domain/artifacts.ts";
import { UserError } from "../domain/errors.ts";
import { nyseClosedOn } from "../domain/market-calendar.ts";
import type { RsiMethod } from "../domain/rsi.ts";
import type { SchemaState } from "./migrations.ts";

/** One validated run, written as one unit. */
export interface DayWrite {
  readonly runId: string;
  /** The trading day the values are stored under: the latest close among the results. */
  readonly tradeDate: string;
  readonly asOf: string;
  readonly source: string;
  readonly method: RsiMethod;
  readonly period: number;
  readonly results: readonly RsiResult[];
  readonly failures: readonly Failure[];
}

export interface WriteSummary {
  /** Rows inserted for the first time. */
  readonly inserted: number;
  /** Rows that already existed for this day (an earlier run) and were updated. */
  readonly updated: number;
  /** What happened to the user's wide `stocks` table; absent when the store keeps none. */
  readonly wideTable?: WideTableOutcome;
}

/** The wide table's part in a write: written (with the columns it had to add), or why not. */
export type WideTableOutcome =
  | { readonly written: true; readonly columnsAdded: readonly string[]; readonly withoutColumn?: readonly string[] }
  | { readonly written: false; readonly reason: string };

/** One series (method and period; default the legacy series) between two trading days, both optional. */
export interface SeriesRange {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly method?: RsiMethod | undefined;
  readonly period?: number | undefined;
}

export interface DaysQuery extends SeriesRange {
  /**
   * Only the last this many days (the report's sparklines, its trade day): then only the rows of
   * those days are read and checked, not the whole history.
   */
  readonly last?: number | undefined;
}

export interface HistoryQuery extends SeriesRange {
  /** The symbols to read; every stored symbol when absent. */
  readonly symbols?: readonly string[] | undefined;
  /** Only the values `import-legacy` stored that no run has replaced since (run id `import-legacy:...`). */
  readonly imported?: boolean | undefined;
}

/** One RSI series: a method and a period. */
export interface Series {
  readonly method: RsiMethod;
  readonly period: number;
}

/** The run id of every value and run record `import-legacy` stores starts with this. */
export const IMPORTED_RUN_PREFIX = "import-legacy:";

/** A stored run, as `rsi_runs` records it. */
export interface StoredRun {
  readonly runId: string;
  readonly tradeDate: string;
  readonly asOf: string;
  readonly source: string;
  readonly ranked: number;
  readonly failed: number;
}

/** A stored run with its series and when it was recorded, as `stock-rsi status` shows it. */
export interface RecordedRun extends StoredRun, Series {
  /** When the store recorded it, UTC, written `2021-05-17T22:31:04.120Z`. */
  readonly writtenAt: string;
}

/** What the user's wide `stocks` table holds (MySQL). */
export interface WideTableShape {
  /** Its columns besides `date`: one per symbol. */
  readonly symbolColumns: number;
  readonly rows: number;
  /** Its first and last row's date; absent when it has no rows. */
  readonly firstDay?: string;
  readonly lastDay?: string;
}

export interface HistoryRow {
  readonly symbol: string;
  readonly date: string;
  readonly rsi: number;
}

/**
 * Where a stored value came from: the close its RSI was computed from, and the run that stored it.
 * The report shows the close and its change beside the RSI, and names the run of a day.
 */
export interface ValueOrigin {
  readonly symbol: string;
  /** The trading day the value is stored under. */
  readonly date: string;
  /**
   * The last close the RSI was computed from; null for a value imported from the original
   * program's table, which kept no prices (and for a stored cell that is not a price).
   */
  readonly close: number | null;
  /** The trading day of that close: the stored day, or an earlier one for a series that lagged. */
  readonly closeDate: string | null;
  /** The run that stored the value (`import-legacy:…` for an imported one). */
  readonly runId: string;
}

/** One value of the user's history, as their wide table held it: two decimals, method seed, period 14. */
export interface LegacyValue {
  readonly date: string;
  readonly symbol: string;
  readonly rsi: number;
}

/**
 * The user's history as their wide table held it: a row a day, a column a symbol. It is kept in
 * that shape, a number per cell, because a table can be large: 1,000 symbols a day since 1970 is
 * 15 million values, 120 MB as numbers and several gigabytes as one object each.
 */
export interface LegacyTable {
  readonly symbols: readonly string[];
  /** Each day once, in the order read. */
  readonly days: readonly LegacyDay[];
}

export interface LegacyDay {
  readonly date: string;
  /** `rsi[k]` is `symbols[k]`'s value that day (two decimals), NaN where there is none. */
  readonly rsi: Float64Array;
}

export interface LegacyImport {
  /** Recorded with every imported value and in `rsi_runs`; starts with `import-legacy:`. */
  readonly runId: string;
  /** Where the values came from, e.g. `mysqldump prod-db.sql` (stored as the run's source). */
  readonly source: string;
  readonly table: LegacyTable;
  /**
   * Also fill the wide `stocks` table with these values where its cells are empty (MySQL only).
   * Off when the values were read from that very table.
   */
  readonly fillWideTable: boolean;
}

export interface LegacyImportResult {
  /** The values that were not stored yet and now are; the others were already there and kept. */
  readonly inserted: LegacyTable;
}

/** A wide table read back: its column names (the first is `date`) and its rows, in date order. */
export interface WideTableContent {
  readonly table: string;
  readonly columns: readonly WideColumn[];
  readonly rows: readonly (readonly unknown[])[];
}

export interface WideColumn {
  readonly name: string;
  /** The SQL type as the table declares it, lower case (`float`, `date`, `double`, ...). */
  readonly type: string;
}

export interface RsiStore {
  /** For log lines: the kind and location, never a password. */
  readonly description: string;
  readonly schema: SchemaState;
  /**
   * Writes one run's values in one transaction: all of them or none. A second run for the same
   * trading day updates the values it computed (last run wins) and leaves the others as they were.
   */
  writeDay(day: DayWrite): Promise<WriteSummary>;
  /**
   * The values of a series, by symbol, then date. Like every read, it returns only rows that are
   * values (`./stored-rows.ts`): a row another writer left that is not one is skipped, and named
   * on the store's log.
   */
  history(query: HistoryQuery): Promise<HistoryRow[]>;
  /** The same rows as `history`, with what each value was computed from and the run that stored it. */
  origins(query: HistoryQuery): Promise<ValueOrigin[]>;
  /** The trading days on which the series has at least one stored value, ascending. */
  tradingDays(range: DaysQuery): Promise<string[]>;
  /** The latest run stored for a trading day of a series, if any. */
  latestRun(tradeDate: string, series: Pick<SeriesRange, "method" | "period">): Promise<StoredRun | undefined>;
  /** The series the long table holds values of, by method, then period. */
  storedSeries(): Promise<Series[]>;
  /** Every run recorded for a series, in the order they were written. */
  runs(series: Series): Promise<RecordedRun[]>;
  /**
   * Stores legacy values (method `seed`, period 14) that are not stored yet, in one transaction;
   * values already stored (by an earlier import, or computed by a run) are kept as they are.
   * Importing the same values twice changes nothing.
   */
  importLegacy(batch: LegacyImport): Promise<LegacyImportResult>;
  /** Reads a live wide table from the same database (MySQL only; undefined elsewhere). */
  readonly readWideTable?: (table: string) => Promise<WideTableContent>;
  /** The wide `stocks` table's size, or undefined when the database has none (MySQL only). */
  readonly wideTableShape?: () => Promise<WideTableShape | undefined>;
  close(): Promise<void>;
}

/**
 * Refuses a run's values under a day the NYSE was closed, or with a close dated on one: every
 * store calls it before it writes a day, so no caller (persist, backfill, a script using the
 * store) can put a weekend or a holiday into the long table or the user's `stocks` table. The
 * pipeline never gets here with such a day (fetch drops those bars, persist refuses such an
 * artifact naming its field); this is the last check, the same for every store.
 */
export function refuseClosedDays(day: DayWrite, description: string): void {
  const refuse = (why: string) => new UserError(`${description}: cannot store ${day.tradeDate}: ${why}; nothing was stored`);
  const closed = nyseClosedOn(day.tradeDate);
  if (closed) throw refuse(closed);
  const checked = new Set<string>([day.tradeDate]);
  for (const { symbol, date } of day.results) {
    if (checked.has(date)) continue;
    const closedClose = nyseClosedOn(date);
    if (closedClose) throw refuse(`${symbol}'s close is dated ${date}, and ${closedClose}`);
    checked.add(date);
  }
}

/** The series the user's history was computed with, and the only one the wide table holds. */
export const LEGACY_SERIES = { method: "seed", period: 14 } as const satisfies { method: RsiMethod; period: number };

/** The table's values one at a time, day by day in the order read, each symbol in column order. */
export function* legacyValues(table: LegacyTable): Generator<LegacyValue> {
  for (const { date, rsi } of table.days) {
    for (let k = 0; k < rsi.length; k++) if (!Number.isNaN(rsi[k])) yield { date, symbol: table.symbols[k]!, rsi: rsi[k]! };
  }
}

/** How many values the table holds, and on how many days and for how many symbols. */
export function legacyCounts(table: LegacyTable): { readonly values: number; readonly days: number; readonly symbols: number } {
  let values = 0;
  let days = 0;
  const symbols = new Uint8Array(table.symbols.length);
  for (const { rsi } of table.days) {
    let onDay = 0;
    for (let k = 0; k < rsi.length; k++) {
      if (Number.isNaN(rsi[k])) continue;
      onDay++;
      symbols[k] = 1;
    }
    values += onDay;
    if (onDay > 0) days++;
  }
  return { values, days, symbols: symbols.reduce((n, has) => n + has, 0) };
}

/** The symbols with at least one value, in column order. */
export function legacySymbolsWithValues(table: LegacyTable): string[] {
  return table.symbols.filter((_, k) => table.days.some(({ rsi }) => !Number.isNaN(rsi[k])));
}

/** The days with at least one value, in the table's order. */
export function legacyDatesWithValues(table: LegacyTable): string[] {
  return table.days.filter(({ rsi }) => rsi.some((v) => !Number.isNaN(v))).map(({ date }) => date);
}

/** The first and the last day with a value, or undefined when the table holds none. */
export function legacyDateRange(table: LegacyTable): { readonly first: string; readonly last: string } | undefined {
  const dates = legacyDatesWithValues(table).sort();
  return dates.length > 0 ? { first: dates[0]!, last: dates.at(-1)! } : undefined;
}

/**
 * The table less the values whose `date symbol` key is in `existing` (the keys already stored).
 * With nothing stored it is the table itself; otherwise only the days that lose a value are copied.
 */
export function valuesNotIn(table: LegacyTable, existing: ReadonlySet<string>): LegacyTable {
  if (existing.size === 0) return table;
  const days = table.days.map((day) => {
    let rsi: Float64Array | undefined;
    table.symbols.forEach((symbol, k) => {
      if (Number.isNaN(day.rsi[k]) || !existing.has(`${day.date} ${symbol}`)) return;
      rsi ??= Float64Array.from(day.rsi);
      rsi[k] = NaN;
    });
    return rsi ? { date: day.date, rsi } : day;
  });
  return { symbols: table.symbols, days };
}

/** A table of the given values (a few, as tests and small callers have them), symbols and days in first-seen order. */
export function legacyTableOf(values: readonly LegacyValue[]): LegacyTable {
  const symbols = [...new Set(values.map((v) => v.symbol))];
  const column = new Map(symbols.map((s, k) => [s, k]));
  const days = new Map<string, Float64Array>();
  for (const { date, symbol, rsi } of values) {
    let row = days.get(date);
    if (!row) days.set(date, (row = new Float64Array(symbols.length).fill(NaN)));
    row[column.get(symbol)!] = rsi;
  }
  return { symbols, days: [...days].map(([date, rsi]) => ({ date, rsi })) };
}

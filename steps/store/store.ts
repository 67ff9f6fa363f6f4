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
}

/** A stored run, as `rsi_runs` records it. */
export interface StoredRun {
  readonly runId: string;
  readonly tradeDate: string;
  readonly asOf: string;
  readonly source: string;
  readonly ranked: number;
  readonly failed: number;
}

export interface HistoryRow {
  readonly symbol: string;
  readonly date: string;
  readonly rsi: number;
}

/** One value of the user's history, as their wide table held it: two decimals, method seed, period 14. */
export interface LegacyValue {
  readonly date: string;
  readonly symbol: string;
  readonly rsi: number;
}

export interface LegacyImport {
  /** Recorded with every imported value and in `rsi_runs`; starts with `import-legacy:`. */
  readonly runId: string;
  /** Where the values came from, e.g. `mysqldump prod-db.sql` (stored as the run's source). */
  readonly source: string;
  readonly values: readonly LegacyValue[];
  /**
   * Also fill the wide `stocks` table with these values where its cells are empty (MySQL only).
   * Off when the values were read from that very table.
   */
  readonly fillWideTable: boolean;
}

export interface LegacyImportResult {
  /** The values that were not stored yet and now are; the others were already there and kept. */
  readonly inserted: readonly LegacyValue[];
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
  /** The trading days on which the series has at least one stored value, ascending. */
  tradingDays(range: DaysQuery): Promise<string[]>;
  /** The latest run stored for a trading day of a series, if any. */
  latestRun(tradeDate: string, series: Pick<SeriesRange, "method" | "period">): Promise<StoredRun | undefined>;
  /**
   * Stores legacy values (method `seed`, period 14) that are not stored yet, in one transaction;
   * values already stored (by an earlier import, or computed by a run) are kept as they are.
   * Importing the same values twice changes nothing.
   */
  importLegacy(batch: LegacyImport): Promise<LegacyImportResult>;
  /** Reads a live wide table from the same database (MySQL only; undefined elsewhere). */
  readonly readWideTable?: (table: string) => Promise<WideTableContent>;
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

/** The values whose `date symbol` key is not in `existing`, each key once (`existing` is extended). */
export function valuesNotIn(values: readonly LegacyValue[], existing: Set<string>): LegacyValue[] {
  const fresh: LegacyValue[] = [];
  for (const v of values) {
    const key = `${v.date} ${v.symbol}`;
    if (existing.has(key)) continue;
    existing.add(key);
    fresh.push(v);
  }
  return fresh;
}

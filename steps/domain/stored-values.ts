/**
 * What a row read back from a store must be before anything shows, compares or counts it.
 *
 * stock-rsi is not the only writer of its tables: the user restores dumps, runs SQL by hand, and
 * other programs share the MySQL database. SQLite's columns are loosely typed (a REAL column
 * keeps `'abc'` as text, `1e999` as infinity, a TEXT date keeps a trailing space), and a MySQL
 * column can be altered to VARCHAR. So a stored row is held to the same rules as a value read
 * from an artifact (`./artifacts.ts`), with the range the validate step's `rsi-in-range` rule
 * enforces before anything is stored:
 * - the RSI is a number (not text, not NULL), finite, and within 0 to 100;
 * - the trading day is a real calendar date written `YYYY-MM-DD` (`./dates.ts`);
 * - the symbol is a ticker, by the symbols file's rule, in its words (`notATicker` in `./symbols.ts`).
 * A row that breaks one is not a value: the stores skip it and say so (`steps/store/stored-rows.ts`).
 * The close a value was computed from is shown beside it (the report), so it is held to the rule
 * an artifact's close is: a price, above zero, with the trading day it closed on; or none at all
 * (NULL, as imported values are). A close that breaks it is shown as none, and named.
 *
 * Pure: the caller reads the row and prints the line.
 */
import { FIRST_DATE, isIsoDate, LAST_DATE } from "./dates.ts";
import { isRsiValue, METHODS, RSI_MAX, RSI_MIN, type RsiMethod } from "./rsi.ts";
import { notATicker } from "./symbols.ts";

/** A row of values as a store returns it, before it is checked. */
export interface StoredValueRow {
  readonly symbol: unknown;
  readonly date: unknown;
  readonly rsi: unknown;
}

/** Why the row is not a value (`rsi "abc" is text, not a number`), or undefined when it is one. */
export function storedValueProblem(row: StoredValueRow): string | undefined {
  return storedDateProblem("trade_date", row.date) ?? storedSymbolProblem(row.symbol) ?? storedRsiProblem(row.rsi);
}

/** A row of values with what each was computed from (`origins`), before it is checked. */
export interface StoredOriginRow extends StoredValueRow {
  readonly close: unknown;
  readonly closeDate: unknown;
  readonly runId: unknown;
}

/** Why a stored close is not a price with the day it closed on, or undefined when it is one or there is none. */
export function storedCloseProblem(close: unknown, closeDate: unknown): string | undefined {
  if (close === null && closeDate === null) return undefined;
  if (!(typeof close === "number" && Number.isFinite(close) && close > 0)) return `close ${shown(close)} is not a price above zero`;
  return storedDateProblem("close_date", closeDate);
}

/** Why a stored day is not a trading day written `YYYY-MM-DD`, or undefined. */
export function storedDateProblem(column: string, value: unknown): string | undefined {
  if (typeof value === "string" && isIsoDate(value)) return undefined;
  return `${column} ${shown(value)} is not a date written YYYY-MM-DD between ${FIRST_DATE} and ${LAST_DATE}`;
}

function storedSymbolProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return `symbol ${shown(value)} is not text, so not a ticker`;
  const problem = notATicker(value, "stored");
  return problem === undefined ? undefined : `symbol ${shown(value)} ${problem}`;
}

function storedRsiProblem(value: unknown): string | undefined {
  if (isRsiValue(value)) return undefined;
  if (value === null || value === undefined) return "rsi is NULL";
  if (typeof value === "string") return `rsi ${shown(value)} is text, not a number`;
  if (typeof value !== "number") return `rsi ${shown(value)} is not a number`;
  if (!Number.isFinite(value)) return `rsi ${shown(value)} is not a finite number`;
  return `rsi ${shown(value)} is outside ${RSI_MIN}-${RSI_MAX}`;
}

/** A stored run record as a store returns it, before it is checked. */
export interface StoredRunRow {
  readonly runId: unknown;
  readonly tradeDate: unknown;
  readonly asOf: unknown;
  readonly source: unknown;
  readonly ranked: unknown;
  readonly failed: unknown;
}

/** Why a run record cannot be shown as the run that stored a day, or undefined when it can. */
export function storedRunProblem(row: StoredRunRow): string | undefined {
  if (typeof row.runId !== "string" || row.runId === "") return `run_id ${shown(row.runId)} is not a run id`;
  const dates = storedDateProblem("trade_date", row.tradeDate) ?? storedDateProblem("as_of", row.asOf);
  if (dates) return dates;
  if (typeof row.source !== "string") return `source ${shown(row.source)} is not text`;
  for (const [column, value] of [["ranked", row.ranked], ["failed", row.failed]] as const) {
    if (!(typeof value === "number" && Number.isSafeInteger(value) && value >= 0)) return `${column} ${shown(value)} is not a count`;
  }
  return undefined;
}

/** A stored series, method and period, as a store returns it, before it is checked. */
export interface StoredSeriesRow {
  readonly method: unknown;
  readonly period: unknown;
}

/** Why a stored method and period are not a series stock-rsi computes, or undefined when they are one. */
export function storedSeriesProblem(row: StoredSeriesRow): string | undefined {
  if (!METHODS.includes(row.method as RsiMethod)) return `method ${shown(row.method)} is not one of ${METHODS.join(", ")}`;
  if (!(typeof row.period === "number" && Number.isSafeInteger(row.period) && row.period >= 1)) return `period ${shown(row.period)} is not a whole number of trading days`;
  return undefined;
}

/**
 * A run record's `written_at` as `2021-05-17T22:31:04.120Z`, or undefined when it is not a time.
 * SQLite keeps what the store wrote (ISO 8601, UTC); MySQL's DATETIME(3) reads back as
 * `2021-05-17 22:31:04.120`, which the store wrote in UTC (`UTC_TIMESTAMP(3)`).
 */
export function storedTimestamp(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)Z?$/.exec(value);
  if (!match || !isIsoDate(match[1]!)) return undefined;
  const ms = Date.parse(`${match[1]}T${match[2]}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** A stored cell as a message shows it: text quoted and cut to 40 characters, a blob by its size. */
export function shown(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Uint8Array) return `(a blob of ${value.length} bytes)`;
  return `(${typeof value})`;
}

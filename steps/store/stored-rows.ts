/**
 * The one check every read from a store goes through, in both stores: `history` (and what is
 * built on it: `history --json`, `--chart`, `--gaps`, the report's ranking, sparklines and the
 * previous day's values that changes and crossings are measured from), `origins` (the report's
 * closes and the run that stored a day), `tradingDays` (the report's day and axis, `--gaps`,
 * backfill's "already stored"), `latestRun`, and what `status` reads besides values: the stored
 * series (`series`) and every run record of one (`runs`).
 *
 * A row that is not a value by the rules of `../domain/stored-values.ts` (text or infinity for an
 * RSI, a date with a trailing space, a symbol that is not a ticker) is skipped: it is never
 * printed, drawn, compared or counted as stored, and one warning line names it: the store, the
 * table, the symbol, the day and what is wrong. A day on which every row is skipped is not a
 * stored day, so `--gaps` lists it and `backfill` fills it again (its write replaces the rows).
 *
 * Each row is named once per command, however many reads meet it; after `NAMED_ROWS_AT_MOST`
 * named rows, the rest are counted and `finish()` says how many, so a column of garbage is a
 * few lines, not a million.
 *
 * Text a row carries besides values (a run's id and source) is not checked but shown printable:
 * a control character in it is escaped, so no read prints what a terminal would act on.
 */
import { isIsoDate } from "../domain/dates.ts";
import { printable } from "../domain/printable.ts";
import { isRsiValue } from "../domain/rsi.ts";
import {
  shown,
  storedCloseProblem,
  storedRunProblem,
  storedSeriesProblem,
  storedTimestamp,
  storedValueProblem,
  type StoredOriginRow,
  type StoredRunRow,
  type StoredSeriesRow,
  type StoredValueRow,
} from "../domain/stored-values.ts";
import { isTicker } from "../domain/symbols.ts";
import { candidateDaysStatement, tradingDaysStatement, type Statement } from "./history-query.ts";
import { LEGACY_SERIES, type DaysQuery, type HistoryRow, type RecordedRun, type Series, type SeriesRange, type StoredRun, type ValueOrigin } from "./store.ts";

/** Skipped rows named one by one before the rest are only counted. */
export const NAMED_ROWS_AT_MOST = 20;

export class StoredRows {
  private readonly named = new Set<string>();
  private readonly counted = new Set<string>();

  constructor(
    /** The store, as log lines name it (`sqlite:x.db`, `mysql://user@host:port/db`). */
    private readonly description: string,
    private readonly warn: (line: string) => void,
  ) {}

  /** The rows that are values, in the order given; the others skipped and named. */
  values(rows: readonly StoredValueRow[], series: Pick<SeriesRange, "method" | "period">): HistoryRow[] {
    const isValue = valueCheck();
    const values: HistoryRow[] = [];
    for (const row of rows) {
      if (isValue(row)) values.push({ symbol: row.symbol as string, date: row.date as string, rsi: row.rsi as number });
      else this.skip("rsi_values", `${label(row.symbol)} ${label(row.date)} (${seriesName(series)})`, storedValueProblem(row) ?? "not a value");
    }
    return values;
  }

  /**
   * The rows that are values, with the close each was computed from and the run that stored it;
   * the others skipped and named, as `values` does. A close that is not a price is shown as
   * none (never as a number), and named.
   */
  origins(rows: readonly StoredOriginRow[], series: Pick<SeriesRange, "method" | "period">): ValueOrigin[] {
    const isValue = valueCheck();
    const origins: ValueOrigin[] = [];
    for (const row of rows) {
      const what = `${label(row.symbol)} ${label(row.date)} (${seriesName(series)})`;
      if (!isValue(row)) {
        this.skip("rsi_values", what, storedValueProblem(row) ?? "not a value");
        continue;
      }
      const closeProblem = storedCloseProblem(row.close, row.closeDate);
      if (closeProblem) this.skip("rsi_values", `the close of ${what}`, `${closeProblem}; shown as no close`);
      const close = closeProblem || row.close === null ? { close: null, closeDate: null } : { close: row.close as number, closeDate: row.closeDate as string };
      origins.push({ symbol: row.symbol as string, date: row.date as string, ...close, runId: printable(String(row.runId)) });
    }
    return origins;
  }

  /**
   * The days, ascending, on which at least one row is a value, read with the store's `read`.
   * With `last`, the rows of the last `last` days the store lists are read and checked, and of
   * twice as many while some of those days hold no value: a report reads two months of a
   * ten-year history, not all of it.
   */
  async tradingDays(range: DaysQuery, read: (statement: Statement) => Promise<readonly StoredValueRow[]>): Promise<string[]> {
    const { last, ...series } = range;
    if (last === undefined) return this.days(await read(tradingDaysStatement(series)), series);
    const candidates = (await read(candidateDaysStatement(series))).map((r) => r.date).filter((d): d is string => typeof d === "string");
    for (let size = last; ; size *= 2) {
      const window = candidates.slice(-size);
      if (window.length === 0) return [];
      const days = this.days(await read(tradingDaysStatement({ ...series, from: window[0] })), series);
      if (days.length >= last || window.length === candidates.length) return days.slice(-last);
    }
  }

  private days(rows: readonly StoredValueRow[], series: Pick<SeriesRange, "method" | "period">): string[] {
    return [...new Set(this.values(rows, series).map((r) => r.date))].sort();
  }

  /** The first record (the store orders them latest first) that can be shown; the ones before it skipped and named. */
  latestRun(rows: readonly StoredRunRow[], tradeDate: string, series: Pick<SeriesRange, "method" | "period">): StoredRun | undefined {
    for (const row of rows) {
      const problem = storedRunProblem(row);
      if (problem === undefined) return shownRun(row as StoredRun);
      this.skip("rsi_runs", `run ${label(row.runId)} for ${tradeDate} (${seriesName(series)})`, problem);
    }
    return undefined;
  }

  /** The stored series that stock-rsi computes, in the order given; the others' rows skipped and named. */
  series(rows: readonly StoredSeriesRow[]): Series[] {
    const series: Series[] = [];
    for (const row of rows) {
      const problem = storedSeriesProblem(row);
      if (problem === undefined) series.push({ method: row.method as Series["method"], period: row.period as number });
      else this.skip("rsi_values", `the rows of method ${label(row.method)}, period ${label(row.period)}`, problem);
    }
    return series;
  }

  /** The run records of a series that can be shown, in the order given, with when each was written; the others skipped and named. */
  runs(rows: readonly (StoredRunRow & { readonly writtenAt: unknown })[], series: Series): RecordedRun[] {
    const runs: RecordedRun[] = [];
    for (const row of rows) {
      const writtenAt = storedTimestamp(row.writtenAt);
      const problem = storedRunProblem(row) ?? (writtenAt === undefined ? `written_at ${shown(row.writtenAt)} is not a time` : undefined);
      if (problem === undefined) {
        const run = shownRun(row as StoredRun);
        runs.push({ runId: run.runId, tradeDate: run.tradeDate, asOf: run.asOf, source: run.source, ranked: run.ranked, failed: run.failed, ...series, writtenAt: writtenAt! });
      }
      else this.skip("rsi_runs", `run ${label(row.runId)} (${seriesName(series)})`, problem);
    }
    return runs;
  }

  /** Says how many skipped rows were not named; call once, when the store is closed. */
  finish(): void {
    if (this.counted.size === 0) return;
    this.warn(
      `warning: ${this.description}: skipped ${this.counted.size} more rows that are not values, besides the ${this.named.size} named above; ` +
        `fix or delete them (backfill --overwrite stores a day again)`,
    );
  }

  private skip(table: string, what: string, problem: string): void {
    const key = `${table} ${what}`;
    if (this.named.has(key) || this.counted.has(key)) return;
    if (this.named.size >= NAMED_ROWS_AT_MOST) {
      this.counted.add(key);
      return;
    }
    this.named.add(key);
    this.warn(`warning: ${this.description}: ${table}: skipped ${what}: ${problem}`);
  }
}

/**
 * `storedValueProblem(row) === undefined`, fast: a read returns thousands of rows over a few
 * hundred days and symbols, so each distinct date and symbol is checked once.
 */
function valueCheck(): (row: StoredValueRow) => boolean {
  const dates = new Map<unknown, boolean>();
  const symbols = new Map<unknown, boolean>();
  const cached = (cache: Map<unknown, boolean>, value: unknown, check: (text: string) => boolean) => {
    let valid = cache.get(value);
    if (valid === undefined) cache.set(value, (valid = typeof value === "string" && check(value)));
    return valid;
  };
  return (row) => isRsiValue(row.rsi) && cached(dates, row.date, isIsoDate) && cached(symbols, row.symbol, isTicker);
}

/**
 * A run record with its text as it can be printed: another writer's run id or source may hold an
 * escape sequence or a newline (stock-rsi refuses them at `--run-id`), which `status`, `ranking`
 * and the report would otherwise print raw. They are shown escaped (`\x1b[31m`), never acted on.
 */
function shownRun<T extends { readonly runId: string; readonly source: string }>(run: T): T {
  return { ...run, runId: printable(run.runId), source: printable(run.source) };
}

/** A stored symbol or date as a warning names it: as it is when it is plain text, else shown as stored. */
function label(value: unknown): string {
  return typeof value === "string" && /^[\x21-\x7e]{1,40}$/.test(value) && !value.includes('"') ? value : shown(value);
}

function seriesName(series: Pick<SeriesRange, "method" | "period">): string {
  return `${series.method ?? LEGACY_SERIES.method}, period ${series.period ?? LEGACY_SERIES.period}`;
}

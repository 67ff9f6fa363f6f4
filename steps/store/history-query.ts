/**
 * The read queries, in SQL both stores speak: the values of one series (method, period) of some
 * or all symbols between two trading days, the trading days a series has values on, and the run
 * that stored a day. Every row they return goes through one check (`./stored-rows.ts`) before
 * anyone uses it, so they return the rows as stored, not only the ones that look right.
 */
import { addDays, LAST_DATE } from "../domain/dates.ts";
import { LEGACY_SERIES, type HistoryQuery, type SeriesRange } from "./store.ts";

export interface Statement {
  readonly sql: string;
  readonly params: (string | number)[];
}

/** `method = ? AND period = ?` and the optional date bounds, with their parameters. */
function seriesClauses(range: SeriesRange): { clauses: string[]; params: (string | number)[] } {
  const clauses = ["method = ?", "period = ?"];
  const params: (string | number)[] = [range.method ?? LEGACY_SERIES.method, range.period ?? LEGACY_SERIES.period];
  if (range.from) {
    clauses.push("trade_date >= ?");
    params.push(range.from);
  }
  // Before the next day rather than up to `to`: a day stored as text with something after it
  // ('2021-05-17 ', which SQLite's TEXT column keeps) is then read, and named by the check,
  // instead of silently missing from the day it was meant for.
  if (range.to && range.to < LAST_DATE) {
    clauses.push("trade_date < ?");
    params.push(addDays(range.to, 1));
  }
  return { clauses, params };
}

/** Values by symbol, then date. */
export function historyStatement(query: HistoryQuery): Statement {
  const { clauses, params } = seriesClauses(query);
  if (query.symbols) {
    clauses.unshift(`symbol IN (${query.symbols.map(() => "?").join(", ")})`);
    params.unshift(...query.symbols);
  }
  return {
    sql: `SELECT symbol, trade_date AS date, rsi FROM rsi_values WHERE ${clauses.join(" AND ")} ORDER BY symbol, trade_date`,
    params,
  };
}

/**
 * The values that say which trading days a series has, in date order. Not `DISTINCT trade_date`:
 * a day counts as stored only when at least one of its rows is a value, which only the check
 * can tell.
 */
export function tradingDaysStatement(range: SeriesRange): Statement {
  const { clauses, params } = seriesClauses(range);
  return { sql: `SELECT trade_date AS date, symbol, rsi FROM rsi_values WHERE ${clauses.join(" AND ")} ORDER BY trade_date`, params };
}

/** The distinct days a series has rows on, ascending, as stored: the candidates `tradingDays` checks from the newest back. */
export function candidateDaysStatement(range: SeriesRange): Statement {
  const { clauses, params } = seriesClauses(range);
  return { sql: `SELECT DISTINCT trade_date AS date FROM rsi_values WHERE ${clauses.join(" AND ")} ORDER BY trade_date`, params };
}

/** The runs stored for a trading day of a series, the last one first. */
export function latestRunStatement(tradeDate: string, series: Pick<SeriesRange, "method" | "period">): Statement {
  return {
    sql: `SELECT run_id AS runId, trade_date AS tradeDate, as_of AS asOf, source, ranked, failed FROM rsi_runs
      WHERE trade_date = ? AND method = ? AND period = ? ORDER BY written_at DESC, run_id DESC`,
    params: [tradeDate, series.method ?? LEGACY_SERIES.method, series.period ?? LEGACY_SERIES.period],
  };
}

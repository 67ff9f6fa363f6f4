/**
 * The read queries, in SQL both stores speak: the values of one series (method, period) of some
 * or all symbols between two trading days, the trading days a series has values on, and the run
 * that stored a day.
 */
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
  if (range.to) {
    clauses.push("trade_date <= ?");
    params.push(range.to);
  }
  return { clauses, params };
}

/** Values by symbol, then date. */
export function historyStatement(query: HistoryQuery): Statement {
  return valuesStatement("symbol, trade_date AS date, rsi", query);
}

/** The same rows as `historyStatement`: the close each value was computed from and the run that stored it. */
export function originsStatement(query: HistoryQuery): Statement {
  return valuesStatement("symbol, trade_date AS date, close, close_date AS closeDate, run_id AS runId", query);
}

function valuesStatement(columns: string, query: HistoryQuery): Statement {
  const { clauses, params } = seriesClauses(query);
  if (query.symbols) {
    clauses.unshift(`symbol IN (${query.symbols.map(() => "?").join(", ")})`);
    params.unshift(...query.symbols);
  }
  return {
    sql: `SELECT ${columns} FROM rsi_values WHERE ${clauses.join(" AND ")} ORDER BY symbol, trade_date`,
    params,
  };
}

/** The distinct trading days of a series, ascending. */
export function tradingDaysStatement(range: SeriesRange): Statement {
  const { clauses, params } = seriesClauses(range);
  return { sql: `SELECT DISTINCT trade_date AS date FROM rsi_values WHERE ${clauses.join(" AND ")} ORDER BY trade_date`, params };
}

/** The run stored last for a trading day of a series. */
export function latestRunStatement(tradeDate: string, series: Pick<SeriesRange, "method" | "period">): Statement {
  return {
    sql: `SELECT run_id AS runId, trade_date AS tradeDate, as_of AS asOf, source, ranked, failed FROM rsi_runs
      WHERE trade_date = ? AND method = ? AND period = ? ORDER BY written_at DESC, run_id DESC LIMIT 1`,
    params: [tradeDate, series.method ?? LEGACY_SERIES.method, series.period ?? LEGACY_SERIES.period],
  };
}

/**
 * The one query `history` runs, in SQL both stores speak: one series (method, period) of some
 * symbols, optionally between two trading days, by symbol then date.
 */
import { LEGACY_SERIES, type HistoryQuery } from "./store.ts";

export function historyStatement(query: HistoryQuery): { sql: string; params: (string | number)[] } {
  const clauses = [`symbol IN (${query.symbols.map(() => "?").join(", ")})`, "method = ?", "period = ?"];
  const params: (string | number)[] = [...query.symbols, query.method ?? LEGACY_SERIES.method, query.period ?? LEGACY_SERIES.period];
  if (query.from) {
    clauses.push("trade_date >= ?");
    params.push(query.from);
  }
  if (query.to) {
    clauses.push("trade_date <= ?");
    params.push(query.to);
  }
  return {
    sql: `SELECT symbol, trade_date AS date, rsi FROM rsi_values WHERE ${clauses.join(" AND ")} ORDER BY symbol, trade_date`,
    params,
  };
}

/**
 * Days to store, as the persist step hands them to a store (`DayWrite`), for tests and benchmarks.
 */
import type { Failure, RsiResult } from "../../../steps/domain/artifacts.ts";
import type { RsiMethod } from "../../../steps/domain/rsi.ts";
import type { DayWrite } from "../../../steps/store/store.ts";

/** A run's write for `tradeDate` with these RSI values (close = 100 + rsi / 10). */
export function dayOf(
  tradeDate: string,
  values: Record<string, number>,
  options: { runId?: string; method?: RsiMethod; period?: number; failed?: string[] } = {},
): DayWrite {
  const results: RsiResult[] = Object.entries(values).map(([symbol, rsi]) => ({ symbol, rsi, close: 100 + rsi / 10, date: tradeDate }));
  const failures: Failure[] = (options.failed ?? []).map((symbol) => ({ symbol, reason: "not-found", message: "No data found" }));
  return {
    runId: options.runId ?? `run-${tradeDate}`,
    tradeDate,
    asOf: tradeDate,
    source: "sample",
    method: options.method ?? "seed",
    period: options.period ?? 14,
    results,
    failures,
  };
}

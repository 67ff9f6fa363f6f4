/**
 * Where RSI values are kept. A store is an adapter behind one small interface, so the persist
 * step, `history` and the tests do not care whether it is the embedded SQLite file or MySQL.
 *
 * The long table is the source of truth: one row per trading day, symbol, method and period.
 * Method and period are part of the key, so switching `--method wilder` starts a second series
 * beside the first instead of silently mixing two definitions of RSI in one chart.
 */
import type { Failure, RsiResult } from "../domain/artifacts.ts";
import type { RsiMethod } from "../domain/rsi.ts";

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
}

export interface HistoryQuery {
  readonly symbols: readonly string[];
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly method?: RsiMethod | undefined;
  readonly period?: number | undefined;
}

export interface HistoryRow {
  readonly symbol: string;
  readonly date: string;
  readonly rsi: number;
}

export interface RsiStore {
  /** For log lines: the kind and location, never a password. */
  readonly description: string;
  /**
   * Writes one run's values in one transaction: all of them or none. A second run for the same
   * trading day updates the values it computed (last run wins) and leaves the others as they were.
   */
  writeDay(day: DayWrite): Promise<WriteSummary>;
  history(query: HistoryQuery): Promise<HistoryRow[]>;
  close(): Promise<void>;
}

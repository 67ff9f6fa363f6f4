/**
 * The rows besides values that a store reads back for `stock-rsi status`: the series the long
 * table names and the run records. Like a value, each is checked before anything shows or counts
 * it (another writer, a restored dump or SQL by hand may have left anything in a loosely typed
 * SQLite column); a row that fails is skipped, and one warning line names it.
 */
import { isIsoDate } from "../domain/dates.ts";
import { METHODS, type RsiMethod } from "../domain/rsi.ts";
import type { RecordedRun, Series } from "./store.ts";

/** A row as a store returns it, before it is checked. */
export type UncheckedRow = Readonly<Record<string, unknown>>;

/** The rows that name a series stock-rsi computes (a known method, a whole period of at least 1). */
export function checkedSeries(rows: readonly UncheckedRow[], description: string, warn: (line: string) => void): Series[] {
  const series: Series[] = [];
  for (const { method, period } of rows) {
    const count = typeof period === "bigint" ? Number(period) : period;
    if (METHODS.includes(method as RsiMethod) && typeof count === "number" && Number.isSafeInteger(count) && count >= 1) {
      series.push({ method: method as RsiMethod, period: count });
    } else {
      warn(`warning: ${description}: rsi_values: skipped the rows of method ${shownCell(method)}, period ${shownCell(period)}: not a series stock-rsi computes (methods ${METHODS.join(", ")}; a period of 1 or more)`);
    }
  }
  return series;
}

/** The run records that can be shown, in the order given; the others skipped and named. */
export function checkedRuns(rows: readonly UncheckedRow[], series: Series, description: string, warn: (line: string) => void): RecordedRun[] {
  const runs: RecordedRun[] = [];
  for (const row of rows) {
    const writtenAt = timestampOf(row.writtenAt);
    const problem = runProblem(row) ?? (writtenAt === undefined ? `written_at ${shownCell(row.writtenAt)} is not a time` : undefined);
    if (problem) {
      warn(`warning: ${description}: rsi_runs: skipped run ${shownCell(row.runId)} (${series.method}, period ${series.period}): ${problem}`);
      continue;
    }
    runs.push({
      runId: row.runId as string,
      tradeDate: row.tradeDate as string,
      asOf: row.asOf as string,
      source: row.source as string,
      ranked: Number(row.ranked),
      failed: Number(row.failed),
      ...series,
      writtenAt: writtenAt!,
    });
  }
  return runs;
}

function runProblem(row: UncheckedRow): string | undefined {
  if (typeof row.runId !== "string" || row.runId === "") return `run_id ${shownCell(row.runId)} is not a run id`;
  for (const [column, value] of [["trade_date", row.tradeDate], ["as_of", row.asOf]] as const) {
    if (!(typeof value === "string" && isIsoDate(value))) return `${column} ${shownCell(value)} is not a date written YYYY-MM-DD`;
  }
  if (typeof row.source !== "string") return `source ${shownCell(row.source)} is not text`;
  for (const [column, value] of [["ranked", row.ranked], ["failed", row.failed]] as const) {
    const count = typeof value === "bigint" ? Number(value) : value;
    if (!(typeof count === "number" && Number.isSafeInteger(count) && count >= 0)) return `${column} ${shownCell(value)} is not a count`;
  }
  return undefined;
}

/**
 * A recorded time as `2021-05-17T22:31:04.120Z`: SQLite keeps what the store wrote (ISO 8601,
 * UTC); MySQL's DATETIME(3) comes back as `2021-05-17 22:31:04.120`, which the store wrote in UTC.
 */
function timestampOf(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)Z?$/.exec(value);
  if (!match || !isIsoDate(match[1]!)) return undefined;
  const ms = Date.parse(`${match[1]}T${match[2]}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** A stored cell as a warning shows it: text quoted and cut to 40 characters. */
function shownCell(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  return `(${typeof value})`;
}

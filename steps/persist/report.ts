/**
 * The run's report, assembled from what persist stores and what the store already holds: today's
 * ranking from the run, the sparklines and the previous day's values from the stored history
 * (the imported history counts), so a change and a crossing are measured against the previous
 * stored trading day, whoever stored it. The page itself is drawn by `steps/report/` (pure).
 */
import type { Failure, ValidatedArtifact } from "../domain/artifacts.ts";
import type { FAILURE_REASONS } from "../domain/artifacts.ts";
import { DEFAULT_SPARKLINE_DAYS, type ReportInput, type StaleSeriesLine, type StepSummary } from "../report/report.ts";
import type { RsiStore } from "../store/store.ts";
import { summarize } from "../validate/rules.ts";

/** What a report shows of one trading day, besides the stored history (which `reportInput` reads). */
export type ReportedDay = Omit<ReportInput, "tradingDays" | "ranking" | "stale" | "runId"> & {
  /** Today's values, with the close each was computed from when the caller has it (a run does). */
  readonly ranking: readonly { readonly symbol: string; readonly rsi: number; readonly close?: number }[];
  /** The run; when not given, the run that stored most of the day's values, as the values record it. */
  readonly runId?: string | undefined;
};

/**
 * The report's input: the day, each ranked symbol's stored values over the last `days` stored
 * trading days up to the trade day, and the closes of the trade day and the previous stored
 * trading day (the price change is measured between them, as the RSI change is). Without a store
 * (`--db none`), today's values and closes alone.
 */
export async function reportInput(day: ReportedDay, store: RsiStore | undefined, days = DEFAULT_SPARKLINE_DAYS): Promise<ReportInput> {
  const series = { method: day.method, period: day.period };
  const tradingDays = store ? await store.tradingDays({ to: day.tradeDate, last: days, ...series }) : [day.tradeDate];
  const symbols = day.ranking.map((r) => r.symbol);
  const history = store && tradingDays.length > 0 && symbols.length > 0 ? await store.history({ symbols, from: tradingDays[0], to: day.tradeDate, ...series }) : [];
  const previousDay = tradingDays.filter((d) => d < day.tradeDate).at(-1);
  const origins = store && symbols.length > 0 ? await store.origins({ symbols, from: previousDay ?? day.tradeDate, to: day.tradeDate, ...series }) : [];
  const pointsBySymbol = groupBySymbol(history.map(({ symbol, date, rsi }) => ({ symbol, date, rsi })));
  const closesBySymbol = groupBySymbol(origins.flatMap(({ symbol, date, close }) => (close === null || date === day.tradeDate ? [] : [{ symbol, date, close }])));
  const storedToday = new Map(origins.filter((o) => o.date === day.tradeDate).map((o) => [o.symbol, o]));
  return {
    asOf: day.asOf,
    tradeDate: day.tradeDate,
    method: day.method,
    period: day.period,
    runId: day.runId ?? mostFrequent(origins.filter((o) => o.date === day.tradeDate).map((o) => o.runId)) ?? "unknown",
    source: day.source,
    steps: day.steps,
    tradingDays,
    ranking: day.ranking.map(({ symbol, rsi, close }) => {
      const today = close ?? storedToday.get(symbol)?.close ?? undefined;
      const closes = [...(closesBySymbol.get(symbol) ?? []), ...(today === undefined ? [] : [{ date: day.tradeDate, close: today }])];
      return { symbol, rsi, history: pointsBySymbol.get(symbol) ?? [], closes };
    }),
    failures: day.failures,
    stale: staleLines(day.failures),
  };
}

function groupBySymbol<T extends { readonly symbol: string; readonly date: string }>(rows: readonly T[]): Map<string, Omit<T, "symbol">[]> {
  const bySymbol = new Map<string, Omit<T, "symbol">[]>();
  for (const { symbol, ...rest } of rows) {
    let points = bySymbol.get(symbol);
    if (!points) bySymbol.set(symbol, (points = []));
    points.push(rest);
  }
  return bySymbol;
}

/** The value given most often (the first of a tie, in order given), or undefined for none. */
function mostFrequent(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  for (const [v, n] of counts) if (best === undefined || n > counts.get(best)!) best = v;
  return best;
}

/** The stale series, as validate recorded them on their failures. */
function staleLines(failures: readonly Failure[]): StaleSeriesLine[] {
  return failures.flatMap((f) =>
    f.reason === "stale" && typeof f.lastClose === "string" && typeof f.tradingDaysBehind === "number"
      ? [{ symbol: f.symbol, lastClose: f.lastClose, tradingDaysBehind: f.tradingDaysBehind }]
      : [],
  );
}

/** Which step gave up on a symbol, by the failure's reason (see `FAILURE_REASONS`). */
const FAILED_AT: Readonly<Record<(typeof FAILURE_REASONS)[number], "fetch" | "compute-rsi" | "validate">> = {
  "not-found": "fetch",
  "rate-limited": "fetch",
  "server-error": "fetch",
  network: "fetch",
  "invalid-response": "fetch",
  deadline: "fetch",
  "too-few-closes": "compute-rsi",
  "no-movement": "compute-rsi",
  "bad-price": "compute-rsi",
  stale: "validate",
  "out-of-range": "validate",
};

/**
 * One line per step, derived from what the validated artifact records (each step's failures carry
 * their reason, validate its checks), so nothing has to be passed along beside the artifacts.
 */
export function stepSummaries(validated: ValidatedArtifact, persisted: string): StepSummary[] {
  const total = validated.results.length + validated.failures.length;
  const failedAt = (step: string) => validated.failures.filter((f) => FAILED_AT[f.reason] === step);
  const byReason = (failures: readonly Failure[]) => {
    const counts = new Map<string, number>();
    for (const f of failures) counts.set(f.reason, (counts.get(f.reason) ?? 0) + 1);
    return [...counts].map(([reason, n]) => `${n} ${reason}`).join(", ");
  };
  const fetchFailed = failedAt("fetch");
  const computeFailed = failedAt("compute-rsi");
  return [
    { step: "fetch", summary: `${total - fetchFailed.length} of ${total} symbols fetched from ${validated.source ?? "an unknown source"}${fetchFailed.length > 0 ? `; failed: ${byReason(fetchFailed)}` : ""}` },
    {
      step: "compute-rsi",
      summary: `${total - fetchFailed.length - computeFailed.length} RSI values (${validated.method}, period ${validated.period})${computeFailed.length > 0 ? `; undefined: ${byReason(computeFailed)}` : ""}`,
    },
    { step: "validate", summary: summarize(validated) },
    { step: "persist", summary: persisted },
  ];
}

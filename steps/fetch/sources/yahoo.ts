/**
 * The `yahoo` source: daily bars from Yahoo Finance's chart endpoint, through yahoo-finance2.
 *
 * One GET per symbol (`/v8/finance/chart/SYMBOL?period1&period2&interval=1d`); Yahoo has no
 * multi-symbol history endpoint. `close` is split-adjusted but not dividend-adjusted, which is
 * what the original program used; `adjclose` also folds dividends in.
 */
import YahooFinance from "yahoo-finance2";
import type { Bar, Failure, FailureReason, Series } from "../../domain/artifacts.ts";
import { addDays, dateIn } from "../../domain/dates.ts";
import { clipToWindow, type PriceRequest, type PriceResponse, type PriceSource } from "../source.ts";

export interface YahooSourceOptions {
  /** Requests in flight at once (yahoo-finance2's own default is 4). */
  readonly concurrency?: number;
  /** Which price to rank on. */
  readonly priceField?: "close" | "adjclose";
  /** Where log lines go; stdout is reserved for the ranking. */
  readonly log?: (line: string) => void;
}

type ChartQuote = { date: Date; close?: number | null; adjclose?: number | null };
type ChartResult = { meta: { exchangeTimezoneName?: string; timezone?: string }; quotes: ChartQuote[] };

export function yahooSource(options: YahooSourceOptions = {}): PriceSource {
  const concurrency = options.concurrency ?? 4;
  const priceField = options.priceField ?? "close";
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const quiet = () => undefined;
  const client = new YahooFinance({
    versionCheck: false,
    suppressNotices: ["yahooSurvey"],
    queue: { concurrency },
    validation: { logErrors: false, logOptionsErrors: false },
    // The library logs to stdout by default; keep stdout for the ranking.
    logger: { info: quiet, debug: quiet, dir: quiet, warn: (...a: unknown[]) => log(`yahoo-finance2: ${a.join(" ")}`), error: quiet },
  });

  return {
    name: "yahoo",
    async fetch(request: PriceRequest): Promise<PriceResponse> {
      const series: Series[] = [];
      const failures: Failure[] = [];
      await Promise.all(
        request.symbols.map(async (symbol) => {
          try {
            const result = (await client.chart(symbol, {
              period1: request.from,
              period2: addDays(request.asOf, 1),
              interval: "1d",
            })) as unknown as ChartResult;
            series.push(clipToWindow(toSeries(symbol, result, priceField), request));
          } catch (err) {
            failures.push({ symbol, ...classify(err) });
          } finally {
            request.onSymbolDone?.(symbol);
          }
        }),
      );
      const order = new Map(request.symbols.map((s, i) => [s, i]));
      const byRequestOrder = (a: { symbol: string }, b: { symbol: string }) => order.get(a.symbol)! - order.get(b.symbol)!;
      return { series: series.sort(byRequestOrder), failures: failures.sort(byRequestOrder) };
    },
  };
}

/** Bars dated by the exchange's local calendar, ascending, one per date (the last wins). */
function toSeries(symbol: string, result: ChartResult, priceField: "close" | "adjclose"): Series {
  const zone = result.meta.exchangeTimezoneName ?? "America/New_York";
  const byDate = new Map<string, Bar>();
  for (const quote of result.quotes) {
    const date = dateIn(zone, quote.date);
    const close = quote[priceField];
    byDate.set(date, { date, close: typeof close === "number" && Number.isFinite(close) ? close : null });
  }
  return { symbol, bars: [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : 1)) };
}

/** Maps what yahoo-finance2 throws onto the artifact's fixed failure reasons. */
export function classify(err: unknown): { reason: FailureReason; message: string } {
  const error = err as Error & { code?: unknown; name?: string };
  const message = oneLine(error?.message ?? String(err));
  if (error?.name === "FailedYahooValidationError") return { reason: "invalid-response", message };
  if (typeof error?.code === "number") {
    if (error.code === 404) return { reason: "not-found", message };
    if (error.code === 429) return { reason: "rate-limited", message };
    if (error.code >= 500) return { reason: "server-error", message };
    return { reason: "invalid-response", message: `HTTP ${error.code}: ${message}` };
  }
  if (/no data found|delisted|not found/i.test(message)) return { reason: "not-found", message };
  if (/not parsable|unexpected token|json/i.test(message)) return { reason: "invalid-response", message };
  return { reason: "network", message };
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/**
 * Where daily closes come from. A source is an adapter: it turns a request for symbols and a
 * date window into series and failures, and knows nothing of files, flags or the clock.
 */
import type { Failure, Series } from "../domain/artifacts.ts";
import type { IsoDate } from "../domain/dates.ts";
import { isTradingDay } from "../domain/market-calendar.ts";

export interface PriceRequest {
  readonly symbols: readonly string[];
  /** The last trading date wanted; bars after it are dropped. */
  readonly asOf: IsoDate;
  /** The first calendar date wanted (as-of minus the lookback). */
  readonly from: IsoDate;
  /** Called once per symbol as it completes, successfully or not. */
  readonly onSymbolDone?: (symbol: string) => void;
}

export interface PriceResponse {
  readonly series: Series[];
  readonly failures: Failure[];
}

export interface PriceSource {
  /** Recorded in the prices artifact, e.g. `yahoo` or `sample`. */
  readonly name: string;
  fetch(request: PriceRequest): Promise<PriceResponse>;
}

/** Keeps the bars inside the request's window: none before `from`, none after `asOf`. */
export function clipToWindow(series: Series, request: Pick<PriceRequest, "from" | "asOf">): Series {
  return { ...series, bars: series.bars.filter((b) => b.date >= request.from && b.date <= request.asOf) };
}

/** A symbol's bars that `fetchOnTradingDays` dropped, by date. */
export interface ClosedDayBars {
  readonly symbol: string;
  readonly dates: readonly IsoDate[];
}

/**
 * Asks `source`, and keeps of its answer the bars dated on NYSE trading days only: the one door
 * through which prices enter a run or a backfill, whatever the source. A cryptocurrency (BTC-USD)
 * has bars on Saturdays and Sundays, a listing abroad (SAP.DE) on US holidays; kept, such a bar
 * would become the run's latest close, its trading day, and move the window every other symbol's
 * RSI is computed over. Dropped, every symbol's RSI is computed over the same sessions, and its
 * value is stored under the NYSE trading day it belongs to (see `market-calendar.ts`).
 */
export async function fetchOnTradingDays(source: PriceSource, request: PriceRequest): Promise<PriceResponse & { readonly closedDays: ClosedDayBars[] }> {
  const answer = await source.fetch(request);
  const closedDays: ClosedDayBars[] = [];
  const series = answer.series.map((s) => {
    if (s.bars.every((b) => isTradingDay(b.date))) return s;
    closedDays.push({ symbol: s.symbol, dates: s.bars.filter((b) => !isTradingDay(b.date)).map((b) => b.date) });
    return { ...s, bars: s.bars.filter((b) => isTradingDay(b.date)) };
  });
  return { series, failures: answer.failures, closedDays };
}

/** `dropped 32 bars dated on days the NYSE was closed: BTC-USD (31 days, 2021-02-07 to 2021-05-16), SAP.DE (2021-11-25)` (at most ten symbols named), or undefined. */
export function closedDaysLine(closedDays: readonly ClosedDayBars[]): string | undefined {
  if (closedDays.length === 0) return undefined;
  const count = closedDays.reduce((n, c) => n + c.dates.length, 0);
  const listed = closedDays
    .slice(0, 10)
    .map(({ symbol, dates }) => `${symbol} (${dates.length <= 3 ? dates.join(" ") : `${dates.length} days, ${dates[0]} to ${dates.at(-1)}`})`);
  const more = closedDays.length > 10 ? `, and ${closedDays.length - 10} more symbols` : "";
  return `dropped ${count} bar${count === 1 ? "" : "s"} dated on days the NYSE was closed: ${listed.join(", ")}${more}`;
}

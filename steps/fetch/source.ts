/**
 * Where daily closes come from. A source is an adapter: it turns a request for symbols and a
 * date window into series and failures, and knows nothing of files, flags or the clock.
 */
import type { Failure, Series } from "../domain/artifacts.ts";
import type { IsoDate } from "../domain/dates.ts";

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

/**
 * The `file:PATH` source: replays a prices artifact written earlier (by `stock-rsi fetch`, or
 * by hand for a test). Only the requested symbols are taken; a symbol the file does not have
 * is a `not-found` failure, and the file's own failures for requested symbols are kept.
 *
 * The file's symbols are read by the symbols file's rule (`tickerAsWritten`): `aapl` answers for
 * AAPL, but `ıbm` (a dotless ı, which JavaScript upper-cases to I) is no ticker and does not
 * answer for IBM. A symbol that is not a ticker, or one the file holds twice (`AAPL` and `aapl`),
 * refuses the whole file, naming the entry: which of two series is the real one is not a guess
 * to make with a user's stored history.
 */
import { RECORDED_PRICES, type Failure, type Series } from "../../domain/artifacts.ts";
import type { IsoDate } from "../../domain/dates.ts";
import { UserError } from "../../domain/errors.ts";
import { notATicker, tickerAsWritten } from "../../domain/symbols.ts";
import { readArtifact } from "../../files/artifact-files.ts";
import type { NamedFile } from "../../files/output-files.ts";
import { clipToWindow, type PriceRequest, type PriceResponse, type PriceSource } from "../source.ts";

/** A prices file's entries by ticker, in the file's order: its series, then its failures. */
export interface RecordedPrices {
  readonly series: ReadonlyMap<string, Series>;
  readonly failures: ReadonlyMap<string, Failure>;
}

/** Reads a prices file and checks its symbols; throws `UserError` naming the first bad entry. */
export function readRecordedPrices(path: string): RecordedPrices {
  const recorded = readArtifact(path, RECORDED_PRICES, "stock-rsi fetch");
  const firstAt = new Map<string, string>();
  const byTicker = <T extends { readonly symbol: string }>(entries: readonly T[], member: string): Map<string, T> => {
    const map = new Map<string, T>();
    entries.forEach((entry, i) => {
      const field = `${member}[${i}].symbol`;
      const ticker = tickerAsWritten(entry.symbol);
      if (ticker === undefined) throw new UserError(`${path}: ${field}: ${JSON.stringify(entry.symbol)} ${notATicker(entry.symbol)}`);
      const first = firstAt.get(ticker);
      if (first !== undefined) {
        throw new UserError(`${path}: ${field}: ${JSON.stringify(entry.symbol)} is ${ticker} again, already at ${first}; a prices file holds each symbol once`);
      }
      firstAt.set(ticker, field);
      map.set(ticker, { ...entry, symbol: ticker });
    });
    return map;
  };
  return { series: byTicker(recorded.series, "series"), failures: byTicker(recorded.failures, "failures") };
}

export function fileSource(path: string): PriceSource {
  return {
    name: `file:${path}`,
    async fetch(request: PriceRequest): Promise<PriceResponse> {
      const recorded = readRecordedPrices(path);
      const response: PriceResponse = { series: [], failures: [] };
      for (const symbol of request.symbols) {
        const series = recorded.series.get(symbol);
        const failure = recorded.failures.get(symbol);
        if (series) response.series.push(clipToWindow(series, request));
        else if (failure) response.failures.push(failure);
        else response.failures.push({ symbol, reason: "not-found", message: `not in ${path}` });
        request.onSymbolDone?.(symbol);
      }
      return response;
    },
  };
}

/**
 * The first and last day a prices file has a close for any of `symbols`: what a replay whose
 * window holds none of them is told, so "0 closes" for every symbol comes with its cause.
 */
export function recordedCloses(path: string, symbols: readonly string[]): { readonly first: IsoDate; readonly last: IsoDate } | undefined {
  const { series } = readRecordedPrices(path);
  let first: IsoDate | undefined;
  let last: IsoDate | undefined;
  for (const symbol of symbols) {
    for (const bar of series.get(symbol)?.bars ?? []) {
      if (bar.close === null) continue;
      if (first === undefined || bar.date < first) first = bar.date;
      if (last === undefined || bar.date > last) last = bar.date;
    }
  }
  return first !== undefined && last !== undefined ? { first, last } : undefined;
}

/** The file `--source file:PATH` replays, which no output of the command may be; none for another source. */
export function replayedFiles(source: string): NamedFile[] {
  return source.startsWith("file:") && source.length > "file:".length ? [{ path: source.slice("file:".length), role: "the prices file --source replays" }] : [];
}

/**
 * The `file:PATH` source: replays a prices artifact written earlier (by `stock-rsi fetch`, or
 * by hand for a test). Only the requested symbols are taken; a symbol the file does not have
 * is a `not-found` failure, and the file's own failures for requested symbols are kept.
 */
import { PRICES } from "../../domain/artifacts.ts";
import { readArtifact } from "../../files/artifact-files.ts";
import type { NamedFile } from "../../files/output-files.ts";
import { clipToWindow, type PriceRequest, type PriceResponse, type PriceSource } from "../source.ts";

export function fileSource(path: string): PriceSource {
  return {
    name: `file:${path}`,
    async fetch(request: PriceRequest): Promise<PriceResponse> {
      const recorded = readArtifact(path, PRICES, "stock-rsi fetch");
      const seriesBySymbol = new Map(recorded.series.map((s) => [s.symbol.toUpperCase(), s]));
      const failureBySymbol = new Map(recorded.failures.map((f) => [f.symbol.toUpperCase(), f]));
      const response: PriceResponse = { series: [], failures: [] };
      for (const symbol of request.symbols) {
        const series = seriesBySymbol.get(symbol);
        const failure = failureBySymbol.get(symbol);
        if (series) response.series.push(clipToWindow({ ...series, symbol }, request));
        else if (failure) response.failures.push({ ...failure, symbol });
        else response.failures.push({ symbol, reason: "not-found", message: `not in ${path}` });
        request.onSymbolDone?.(symbol);
      }
      return response;
    },
  };
}

/** The file `--source file:PATH` replays, which no output of the command may be; none for another source. */
export function replayedFiles(source: string): NamedFile[] {
  return source.startsWith("file:") && source.length > "file:".length ? [{ path: source.slice("file:".length), role: "the prices file --source replays" }] : [];
}

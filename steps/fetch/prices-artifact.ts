/**
 * The prices artifact fetch writes for one as-of date, built from the series a source gave for
 * that date's window. Pure: fetch writes it, and `backfill` builds one per day it fills, so a
 * filled day starts from exactly what the daily run's fetch would have written.
 */
import { SCHEMA_VERSION, type Failure, type PricesArtifact, type Series } from "../domain/artifacts.ts";
import { staleSeries, type StaleSeries } from "./hygiene.ts";
import type { PriceField } from "./price-field.ts";

/** The prices artifact as fetch writes it: the contract's fields plus what fetch noticed. */
export type FetchedPrices = PricesArtifact & {
  /** Which Yahoo price the bars carry (`close` or `adjclose`); yahoo source only. */
  readonly priceField?: PriceField;
  /** Series whose latest close is more than `--max-stale-days` NYSE trading days old. */
  readonly stale: StaleSeries[];
};

/** The artifact for `day.asOf`; `stale` lists the series whose last close lags it by more than `maxStaleDays`. */
export function pricesArtifact(day: {
  readonly asOf: string;
  readonly source: string;
  readonly priceField?: PriceField | undefined;
  readonly series: Series[];
  readonly failures: Failure[];
  readonly maxStaleDays: number;
}): FetchedPrices {
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: "prices",
    asOf: day.asOf,
    source: day.source,
    ...(day.source === "yahoo" ? { priceField: day.priceField ?? "close" } : {}),
    series: day.series,
    failures: day.failures,
    stale: staleSeries(day.series, day.asOf, day.maxStaleDays),
  };
}

/**
 * The compute-rsi step's core: prices artifact in, rsi artifact out. Pure.
 *
 * Each series' closes go through the chosen RSI method as they are, nulls included (the
 * `seed` method treats a missing close the way pandas did). A symbol whose RSI is undefined
 * moves to `failures` with the reason; fetch's failures are carried along unchanged. So does a
 * symbol with a close of zero or below (`bad-price`): no market quotes that, and an RSI computed
 * through it would look like any other value.
 */
import { SCHEMA_VERSION, type Failure, type PricesArtifact, type RsiArtifact, type RsiResult } from "../domain/artifacts.ts";
import { rsi, type RsiMethod } from "../domain/rsi.ts";

export function computeRsiArtifact(prices: PricesArtifact, method: RsiMethod, period: number): RsiArtifact {
  const results: RsiResult[] = [];
  const failures: Failure[] = [...prices.failures];
  for (const { symbol, bars } of prices.series) {
    const bad = bars.find((b) => b.close !== null && !(b.close > 0));
    if (bad) {
      failures.push({ symbol, reason: "bad-price", message: `close ${bad.close} on ${bad.date} is not a price (zero or negative)` });
      continue;
    }
    const outcome = rsi(
      bars.map((b) => b.close),
      method,
      period,
    );
    if (outcome.ok) {
      const last = bars[outcome.index]!;
      results.push({ symbol, date: last.date, rsi: outcome.rsi, close: last.close! });
    } else {
      failures.push({ symbol, reason: outcome.reason, message: outcome.message });
    }
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: "rsi",
    asOf: prices.asOf,
    source: prices.source,
    method,
    period,
    results,
    failures,
  };
}

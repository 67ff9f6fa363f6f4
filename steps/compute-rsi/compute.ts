/**
 * The compute-rsi step's core: prices artifact in, rsi artifact out. Pure.
 *
 * Each series' closes go through the chosen RSI method as they are, nulls included (the
 * `seed` method treats a missing close the way pandas did). A symbol whose RSI is undefined
 * moves to `failures` with the reason; fetch's failures are carried along unchanged. So does a
 * symbol with a close of zero or below (`bad-price`): no market quotes that, and an RSI computed
 * through it would look like any other value.
 */
import { SCHEMA_VERSION, type Failure, type PricesArtifact, type RsiArtifact, type RsiResult, type Series } from "../domain/artifacts.ts";
import { rsi, type RsiMethod } from "../domain/rsi.ts";

export function computeRsiArtifact(prices: PricesArtifact, method: RsiMethod, period: number): RsiArtifact {
  const results: RsiResult[] = [];
  const failures: Failure[] = [...prices.failures];
  for (const series of prices.series) {
    const outcome = seriesRsi(series, method, period);
    if (outcome.ok) results.push(outcome.result);
    else failures.push(outcome.failure);
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

/** One series' result, dated by the last close used, or why it has none. */
export function seriesRsi(
  { symbol, bars }: Series,
  method: RsiMethod,
  period: number,
): { readonly ok: true; readonly result: RsiResult } | { readonly ok: false; readonly failure: Failure } {
  const closes = new Array<number | null>(bars.length);
  for (let i = 0; i < bars.length; i++) {
    const close = bars[i]!.close;
    if (close !== null && !(close > 0)) {
      return { ok: false, failure: { symbol, reason: "bad-price", message: `close ${close} on ${bars[i]!.date} is not a price (zero or negative)` } };
    }
    closes[i] = close;
  }
  const outcome = rsi(closes, method, period);
  if (!outcome.ok) return { ok: false, failure: { symbol, reason: outcome.reason, message: outcome.message } };
  const last = bars[outcome.index]!;
  return { ok: true, result: { symbol, date: last.date, rsi: outcome.rsi, close: last.close! } };
}

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { PricesArtifact, RsiArtifact } from "../../../steps/domain/artifacts.ts";
import { seedRsi, wilderRsi } from "../../../steps/domain/rsi.ts";
import { computeRsiArtifact } from "../../../steps/compute-rsi/compute.ts";
import { stockRsi, tempDir } from "../../support/cli.ts";

const bars = (closes: (number | null)[]) =>
  closes.map((close, i) => ({ date: `2021-04-${String(i + 1).padStart(2, "0")}`, close }));
const rising = Array.from({ length: 20 }, (_, i) => 10 + Math.sin(i) + i * 0.1);

const prices: PricesArtifact = {
  schemaVersion: 1,
  kind: "prices",
  asOf: "2021-04-30",
  source: "test",
  series: [
    { symbol: "GOOD", bars: bars(rising) },
    { symbol: "TRAIL", bars: bars([...rising.slice(0, 18), null]) },
    { symbol: "SHORT", bars: bars(rising.slice(0, 14)) },
    { symbol: "FLAT", bars: bars(Array(20).fill(5)) },
  ],
  failures: [{ symbol: "GONE", reason: "not-found", message: "No data found, symbol may be delisted" }],
};

describe("compute-rsi", () => {
  it("computes each series with the chosen method and keeps full precision", () => {
    const out = computeRsiArtifact(prices, "seed", 14);
    const good = seedRsi(rising);
    expect(out.results[0]).toEqual({ symbol: "GOOD", date: "2021-04-20", rsi: good.ok && good.rsi, close: rising[19] });
    const wilder = computeRsiArtifact(prices, "wilder", 14);
    const expected = wilderRsi(rising);
    expect(wilder.results[0]!.rsi).toBe(expected.ok && expected.rsi);
    expect(wilder.method).toBe("wilder");
  });

  it("dates a result by the last close it used, not by a trailing empty day", () => {
    const out = computeRsiArtifact(prices, "seed", 14);
    expect(out.results.find((r) => r.symbol === "TRAIL")).toMatchObject({ date: "2021-04-18", close: rising[17] });
  });

  it("moves undefined RSI to failures with the reason, and carries fetch's failures along", () => {
    const out = computeRsiArtifact(prices, "seed", 14);
    expect(out.results.map((r) => r.symbol)).toEqual(["GOOD", "TRAIL"]);
    expect(out.failures.map((f) => [f.symbol, f.reason])).toEqual([
      ["GONE", "not-found"],
      ["SHORT", "too-few-closes"],
      ["FLAT", "no-movement"],
    ]);
  });
});

describe("compute-rsi --period, as a user runs it", () => {
  const dir = tempDir("stock-rsi-period-");
  afterAll(() => dir.cleanup());
  const pricesFile = join(dir.path, "prices.json");
  writeFileSync(pricesFile, JSON.stringify({ ...prices, series: [{ symbol: "GOOD", bars: bars(rising) }, { symbol: "SHORT", bars: bars(rising.slice(0, 6)) }] }));

  for (const [period, method] of [[14, "wilder"], [7, "cutler"], [14, "seed"], [7, "seed"]] as const) {
    it(`names the ${period + 1} closes a ${period}-period ${method} RSI needs`, async () => {
      const out = join(dir.path, `rsi-${method}-${period}.json`);
      const result = await stockRsi(["compute-rsi", "--in", pricesFile, "--out", out, "--method", method, "--period", String(period)]);
      expect(result.code, result.stderr).toBe(0);
      const failure = (JSON.parse(readFileSync(out, "utf8")) as RsiArtifact).failures.find((f) => f.symbol === "SHORT");
      expect(failure?.message).toBe(
        method === "seed"
          ? `6 closes (6 days) give 5 changes from one close to the next, fewer than the ${period} a ${period}-period RSI needs (${period + 1} closes, one more for each gap)`
          : `6 closes (6 days) give fewer than the ${period + 1} closes a ${period}-period RSI needs`,
      );
    });
  }
});

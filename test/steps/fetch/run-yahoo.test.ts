/**
 * `stock-rsi run SYMBOLS --source yahoo` as a user runs it (a child process), with
 * STOCK_RSI_YAHOO_URL pointing at the Yahoo double: the whole pipeline over HTTP.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RsiResult } from "../../../steps/domain/artifacts.ts";
import { formatRanking, rank } from "../../../steps/domain/ranking.ts";
import { rsi } from "../../../steps/domain/rsi.ts";
import { readSymbolsFile } from "../../../steps/files/symbols-file.ts";
import { stockRsi, tempDir, USER_SYMBOLS } from "../../support/cli.ts";
import { YahooDouble } from "../../support/yahoo-double.ts";

const AS_OF = "2021-05-17";
const FROM = "2021-02-15";
/** Symbols of the user's list that Yahoo no longer knows (acquired, renamed or delisted since). */
const GONE = ["ATVI", "FB", "MRO", "PXD", "SPLK"];

let double: YahooDouble;
let dir: ReturnType<typeof tempDir>;
beforeAll(async () => {
  double = await YahooDouble.start({ unknown: GONE });
  dir = tempDir();
});
afterAll(async () => {
  await double.close();
  dir.cleanup();
});

function expectedResult(symbol: string): RsiResult {
  const bars = double.barsForWindow(symbol, FROM, AS_OF);
  const outcome = rsi(bars.map((b) => b.close), "seed", 14);
  if (!outcome.ok) throw new Error(`the double served ${symbol} without a defined RSI`);
  return { symbol, date: bars[outcome.index]!.date, rsi: outcome.rsi, close: bars[outcome.index]!.close! };
}

describe("stock-rsi run --source yahoo against the Yahoo double", () => {
  it("ranks every served symbol of the user's list, lists the unknown ones on stderr, and exits 0", async () => {
    const { symbols } = readSymbolsFile(USER_SYMBOLS);
    const run = await stockRsi(["run", USER_SYMBOLS, "--source", "yahoo", "--as-of", AS_OF, "--no-store"], {
      env: { STOCK_RSI_YAHOO_URL: double.url },
    });

    const served = symbols.filter((s) => !GONE.includes(s));
    const expectedLines = formatRanking(rank(served.map(expectedResult)));
    expect(expectedLines).toHaveLength(175);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: expectedLines.map((l) => `${l}\n`).join("") });

    expect(run.stderr).toContain(`fetch: failed, not-found (5): ${GONE.join(" ")}\n`);
    for (const symbol of GONE) expect(run.stderr).toContain(`validate: no value for ${symbol} (not-found): No data found, symbol may be delisted\n`);
    expect(run.stderr).toContain("validate: passed: 175 symbols ranked for 2021-05-17");
    expect(run.stderr.match(/yahoo-finance2/g)?.length ?? 0).toBeLessThanOrEqual(1); // the Node 20 note, once
    expect(double.stats.requests).toBe(180);
    expect(double.stats.peakInFlight).toBeLessThanOrEqual(4);
  });

  it("passes --yahoo-url and --concurrency through the pipeline to the fetch step", async () => {
    double.resetStats();
    double.latencyMs = 20;
    const symbolsFile = join(dir.path, "symbols.txt");
    writeFileSync(symbolsFile, Array.from({ length: 16 }, (_, i) => `T${i}\n`).join(""));
    const run = await stockRsi(
      ["run", symbolsFile, "--source", "yahoo", "--as-of", AS_OF, "--no-store", "--yahoo-url", double.url, "--concurrency", "2"],
      { env: { STOCK_RSI_YAHOO_URL: undefined } },
    );

    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n")).toHaveLength(16);
    expect(run.stderr).toContain(`fetch: Yahoo requests go to ${double.url} (--yahoo-url)`);
    expect(double.stats.requests).toBe(16);
    expect(double.stats.peakInFlight).toBe(2);
  });
});

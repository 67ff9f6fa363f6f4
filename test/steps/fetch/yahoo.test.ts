/**
 * The fetch step with `--source yahoo`, end to end against the Yahoo double: the real command,
 * the real client, the real yahoo-finance2 and real HTTP on 127.0.0.1. Where a test is about
 * the values a user gets, it runs compute-rsi on the artifact too and compares with RSI
 * computed from the closes the double served.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pricesSchema, rsiSchema, type Failure, type RsiResult, type Series } from "../../../steps/domain/artifacts.ts";
import { UnavailableError, UserError } from "../../../steps/domain/errors.ts";
import { rsi } from "../../../steps/domain/rsi.ts";
import { runCompute } from "../../../steps/compute-rsi/step.ts";
import { runFetch, type FetchOptions } from "../../../steps/fetch/step.ts";
import type { FetchedPrices } from "../../../steps/fetch/prices-artifact.ts";
import { runValidate } from "../../../steps/validate/step.ts";
import { VALIDATED } from "../../../steps/domain/artifacts.ts";
import { readArtifact } from "../../../steps/files/artifact-files.ts";
import { captureIo, tempDir } from "../../support/cli.ts";
import { YahooDouble } from "../../support/yahoo-double.ts";

const AS_OF = "2021-05-17";
const FROM = "2021-02-15"; // AS_OF minus the default 91-day lookback
/** Retries in milliseconds instead of seconds, so the file runs in seconds. */
const FAST = { backoffBaseMs: 10, backoffMaxMs: 40, retryAfterMaxMs: 40, requestTimeoutMs: 5_000 } as const;

let double: YahooDouble;
let dir: ReturnType<typeof tempDir>;
beforeEach(async () => {
  double = await YahooDouble.start();
  dir = tempDir();
});
afterEach(async () => {
  await double.close();
  dir.cleanup();
});

interface Fetched {
  readonly artifact: FetchedPrices;
  readonly stderr: string;
  readonly stdout: string;
  readonly pricesFile: string;
}

/** Runs `stock-rsi fetch --source yahoo` in-process against the double (via STOCK_RSI_YAHOO_URL). */
async function fetchFromDouble(symbols: readonly string[], options: Partial<FetchOptions> = {}, env: Record<string, string> = {}): Promise<Fetched> {
  const symbolsFile = join(dir.path, "symbols.txt");
  const pricesFile = join(dir.path, "prices.json");
  writeFileSync(symbolsFile, symbols.map((s) => `${s}\n`).join(""));
  const io = captureIo({ env: { STOCK_RSI_YAHOO_URL: double.url, ...env } });
  const returned = await runFetch(
    { symbols: symbolsFile, out: pricesFile, asOf: AS_OF, lookbackDays: 91, source: "yahoo", tuning: FAST, ...options },
    io,
  );
  const artifact = JSON.parse(readFileSync(pricesFile, "utf8")) as FetchedPrices;
  expect(artifact).toEqual(returned);
  expect(pricesSchema.safeParse(artifact).success).toBe(true);
  return { artifact, stderr: io.stderr(), stdout: io.stdout(), pricesFile };
}

/** Then compute-rsi (the original's `seed` method) on what fetch wrote. */
function computeFrom(fetched: Fetched): { results: RsiResult[]; failures: Failure[]; rsiFile: string } {
  const rsiFile = join(dir.path, "rsi.json");
  runCompute({ in: fetched.pricesFile, out: rsiFile, method: "seed", period: 14 }, captureIo());
  const { results, failures } = rsiSchema.parse(JSON.parse(readFileSync(rsiFile, "utf8")));
  return { results, failures, rsiFile };
}

/** The series as the double served it for the step's window. */
function served(symbol: string, field: "close" | "adjclose" = "close"): Series {
  return { symbol, bars: double.barsForWindow(symbol, FROM, AS_OF).map((b) => ({ date: b.date, close: b[field] })) };
}

/** The RSI result computed straight from the served closes. */
function expectedResult(symbol: string): RsiResult {
  const { bars } = served(symbol);
  const outcome = rsi(bars.map((b) => b.close), "seed", 14);
  if (!outcome.ok) throw new Error(`the double served ${symbol} without a defined RSI: ${outcome.message}`);
  const last = bars[outcome.index]!;
  return { symbol, date: last.date, rsi: outcome.rsi, close: last.close! };
}

describe("fetch --source yahoo, against the Yahoo double", () => {
  it("fetches every symbol exactly as served, and compute-rsi ranks them all", async () => {
    const symbols = ["AAGIY", "ZZZZ", "MSFT", "NVDA"]; // MSFT and NVDA come from the recordings
    const fetched = await fetchFromDouble(symbols);

    expect(fetched.artifact.series).toEqual(symbols.map((s) => served(s)));
    expect(fetched.artifact.failures).toEqual([]);
    expect(fetched.artifact.stale).toEqual([]);
    expect(fetched.artifact.priceField).toBe("close");
    expect(fetched.artifact.series.find((s) => s.symbol === "MSFT")!.bars.at(-1)).toEqual({ date: AS_OF, close: 245.17999267578125 });
    expect(double.stats.requests).toBe(4);
    expect(fetched.stdout).toBe("");

    const { results, failures } = computeFrom(fetched);
    expect(results).toEqual(symbols.map(expectedResult));
    expect(failures).toEqual([]);
  });

  it("records an unknown symbol as not-found with Yahoo's message, after one request", async () => {
    double.unknown("ATVI", "XLNX");
    const fetched = await fetchFromDouble(["AAGIY", "ATVI", "ZZZZ", "XLNX"]);

    expect(fetched.artifact.series).toEqual([served("AAGIY"), served("ZZZZ")]);
    expect(fetched.artifact.failures).toEqual([
      { symbol: "ATVI", reason: "not-found", message: "No data found, symbol may be delisted" },
      { symbol: "XLNX", reason: "not-found", message: "No data found, symbol may be delisted" },
    ]);
    expect(double.requestsFor("ATVI")).toHaveLength(1);
    expect(double.requestsFor("XLNX")).toHaveLength(1);
    expect(fetched.stderr).toContain("fetch: failed, not-found (2): ATVI XLNX\n");
  });

  it("gets a symbol that was rate-limited twice, waiting the Retry-After each time", async () => {
    double.failNext("AAGIY", { kind: "rate-limited", retryAfter: "1" }, { kind: "rate-limited", retryAfter: "1" });
    const fetched = await fetchFromDouble(["AAGIY", "ZZZZ"], { tuning: { ...FAST, retryAfterMaxMs: 5_000 } });

    expect(fetched.artifact.series).toEqual([served("AAGIY"), served("ZZZZ")]);
    expect(fetched.artifact.failures).toEqual([]);
    const attempts = double.requestsFor("AAGIY");
    expect(attempts.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(995);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(995);
    expect(computeFrom(fetched).results).toEqual([expectedResult("AAGIY"), expectedResult("ZZZZ")]);
    expect(fetched.stderr).toMatch(/retried: rate-limited 2; paused 2× for rate limits/);
  });

  it("holds back every request, not only the limited symbol's, until Retry-After has passed", async () => {
    double.latencyMs = 50;
    double.failNext("AAGIY", { kind: "rate-limited", retryAfter: "1" });
    const others = ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8"];
    const fetched = await fetchFromDouble(["AAGIY", ...others], { tuning: { ...FAST, retryAfterMaxMs: 5_000 } });

    expect(fetched.artifact.series.map((s) => s.symbol)).toEqual(["AAGIY", ...others]);
    const limitedAt = double.requestsFor("AAGIY")[0]!.at + double.latencyMs; // when the 429 went out
    const startedDuringPause = double.stats.log.filter((r) => r.at > limitedAt + 20 && r.at < limitedAt + 995);
    expect(startedDuringPause).toEqual([]);
  });

  it("gets a symbol on the second attempt after a 500", async () => {
    double.failNext("ZZZZ", { kind: "server-error" });
    const fetched = await fetchFromDouble(["AAGIY", "ZZZZ"]);

    expect(fetched.artifact.series).toEqual([served("AAGIY"), served("ZZZZ")]);
    expect(fetched.artifact.failures).toEqual([]);
    expect(double.requestsFor("ZZZZ").map((r) => r.status)).toEqual([500, 200]);
    expect(computeFrom(fetched).results).toEqual([expectedResult("AAGIY"), expectedResult("ZZZZ")]);
  });

  it("gets a symbol whose first answer was cut off mid-body (a network failure, retried)", async () => {
    double.failNext("ZZZZ", { kind: "reset" });
    const fetched = await fetchFromDouble(["ZZZZ"]);

    expect(fetched.artifact.series).toEqual([served("ZZZZ")]);
    expect(fetched.artifact.failures).toEqual([]);
    expect(double.requestsFor("ZZZZ").map((r) => r.status)).toEqual(["reset", 200]);
    expect(fetched.stderr).toMatch(/retried: network 1/);
  });

  it("gives up on a symbol that never recovers after the bounded attempts, and fetches the rest", async () => {
    double.failAlways("DOWN", { kind: "server-error", status: 503 }).failAlways("LIMITED", { kind: "rate-limited" });
    const fetched = await fetchFromDouble(["AAGIY", "DOWN", "ZZZZ", "LIMITED"]);

    expect(fetched.artifact.series).toEqual([served("AAGIY"), served("ZZZZ")]);
    expect(fetched.artifact.failures).toEqual([
      { symbol: "DOWN", reason: "server-error", message: "HTTP 503: Internal Server Error (after 4 attempts)" },
      { symbol: "LIMITED", reason: "rate-limited", message: "HTTP 429: Too Many Requests (after 4 attempts)" },
    ]);
    expect(double.requestsFor("DOWN")).toHaveLength(4);
    expect(double.requestsFor("LIMITED")).toHaveLength(4);
    expect(computeFrom(fetched).results).toEqual([expectedResult("AAGIY"), expectedResult("ZZZZ")]);
  });

  it("stops at the deadline: keeps what was fetched, fails the rest with reason deadline, writes the artifact", async () => {
    for (const s of ["SLOW1", "SLOW2", "SLOW3"]) double.failAlways(s, { kind: "hang" });
    // Two at a time: F1-F3 come back at once; SLOW1 and SLOW2 never answer and hold both slots.
    const fetched = await fetchFromDouble(["F1", "F2", "F3", "SLOW1", "SLOW2", "SLOW3"], { concurrency: 2, fetchDeadlineSeconds: 1 });

    expect(fetched.artifact.series).toEqual([served("F1"), served("F2"), served("F3")]);
    expect(fetched.artifact.failures).toEqual([
      { symbol: "SLOW1", reason: "deadline", message: "the fetch deadline (1 s) passed while waiting for the answer" },
      { symbol: "SLOW2", reason: "deadline", message: "the fetch deadline (1 s) passed while waiting for the answer" },
      { symbol: "SLOW3", reason: "deadline", message: "the fetch deadline (1 s) passed before the request was sent" },
    ]);
    expect(double.requestsFor("SLOW3")).toHaveLength(0);
    // The client hung up on both requests it abandoned: nothing is left dangling.
    await expect.poll(() => double.stats.abandoned).toBe(2);
    expect(computeFrom(fetched).results).toEqual(["F1", "F2", "F3"].map(expectedResult));
  });

  it("keeps nulls in the middle of a series as nulls, and compute-rsi counts them like the original", async () => {
    double.quirk("HOLES", { nullsOn: ["2021-04-14", "2021-05-12"] });
    const fetched = await fetchFromDouble(["HOLES"]);

    const bars = fetched.artifact.series[0]!.bars;
    expect(fetched.artifact.series).toEqual([served("HOLES")]);
    expect(bars.filter((b) => b.close === null).map((b) => b.date)).toEqual(["2021-04-14", "2021-05-12"]);
    const { results } = computeFrom(fetched);
    expect(results).toEqual([expectedResult("HOLES")]);
    // The nulls matter: dropping them would give another number.
    const withoutNulls = rsi(bars.filter((b) => b.close !== null).map((b) => b.close), "seed", 14);
    expect(withoutNulls.ok && withoutNulls.rsi).not.toBe(results[0]!.rsi);
  });

  it.each([
    ["truncated", (bytes: number) => `the answer is not JSON: ${bytes} characters starting '{"chart":{"result":[{"meta":{"currenc...'`],
    ["not-json", (bytes: number) => `the answer is not JSON: ${bytes} characters starting '<!DOCTYPE html><html><head><title>Yah...'`],
    ["schema", () => "the answer does not match Yahoo's chart schema: /meta Missing required properties (currency, regularMarketTime)"],
  ] as const)("records a %s body as invalid-response after one request", async (kind, message) => {
    double.failAlways("BROKEN", { kind });
    const fetched = await fetchFromDouble(["AAGIY", "BROKEN"]);

    const requests = double.requestsFor("BROKEN");
    expect(requests).toHaveLength(1);
    expect(fetched.artifact.series).toEqual([served("AAGIY")]);
    expect(fetched.artifact.failures).toEqual([{ symbol: "BROKEN", reason: "invalid-response", message: message(requests[0]!.bodyLength!) }]);
    expect(computeFrom(fetched).results).toEqual([expectedResult("AAGIY")]);
  });

  it("drops Yahoo's extra bar beyond the as-of date and keeps the later close of a day listed twice", async () => {
    double.quirk("QUIRKY", { barAfterPeriod2: true, lastDayTwice: true });
    const fetched = await fetchFromDouble(["QUIRKY"]);

    const listed = double.barsForWindow("QUIRKY", FROM, AS_OF);
    expect(listed.slice(-3).map((b) => b.date)).toEqual([AS_OF, AS_OF, "2021-05-18"]);
    const bars = fetched.artifact.series[0]!.bars;
    expect(bars).toEqual(
      listed.slice(0, -3).map((b) => ({ date: b.date, close: b.close })).concat({ date: AS_OF, close: listed.at(-2)!.close }),
    );
  });

  it("reports a series that ends days early as stale, keeps it, and leaves the verdict to validate", async () => {
    double.quirk("HALTED", { endsOn: "2021-05-03" });
    const fetched = await fetchFromDouble(["AAGIY", "HALTED"]);

    expect(fetched.artifact.series).toEqual([served("AAGIY"), served("HALTED")]);
    expect(fetched.artifact.stale).toEqual([{ symbol: "HALTED", lastClose: "2021-05-03", tradingDaysBehind: 10 }]);
    expect(fetched.stderr).toContain("fetch: 1 stale series, last close more than 3 trading days before 2021-05-17: HALTED (2021-05-03)\n");

    const { rsiFile } = computeFrom(fetched);
    const validatedFile = join(dir.path, "validated.json");
    runValidate({ in: rsiFile, out: validatedFile, maxFailedShare: 0.5, maxStaleDays: 3 }, captureIo());
    const validated = readArtifact(validatedFile, VALIDATED, "stock-rsi validate");
    expect(validated.results.map((r) => r.symbol)).toEqual(["AAGIY"]);
    expect(validated.failures.map((f) => [f.symbol, f.reason])).toEqual([["HALTED", "stale"]]);
  });

  it("carries adjclose instead of close when asked", async () => {
    const fetched = await fetchFromDouble(["AAGIY", "MSFT"], { priceField: "adjclose" });

    expect(fetched.artifact.priceField).toBe("adjclose");
    expect(fetched.artifact.series).toEqual([served("AAGIY", "adjclose"), served("MSFT", "adjclose")]);
    expect(fetched.artifact.series[1]!.bars.at(-1)!.close).not.toBe(served("MSFT").bars.at(-1)!.close);
  });

  it("never has more requests in flight than the concurrency limit", async () => {
    double.latencyMs = 20;
    const symbols = Array.from({ length: 24 }, (_, i) => `C${i}`);

    await fetchFromDouble(symbols);
    expect(double.stats.peakInFlight).toBe(4); // the default
    double.resetStats();
    await fetchFromDouble(symbols, { concurrency: 3 });
    expect(double.stats.peakInFlight).toBe(3);
    expect(double.stats.requests).toBe(24);
  });

  it("spaces the requests Yahoo receives by the minimum interval", async () => {
    await fetchFromDouble(["I1", "I2", "I3", "I4", "I5", "I6"], { requestIntervalMs: 60 });

    // Measured where Yahoo would measure it, on arrival. Arrival times carry loopback and
    // event-loop jitter: on a loaded machine one request can arrive late and the next right behind
    // it, so one gap may shrink while its neighbour grows. What pacing guarantees, and jitter
    // cannot fake, is the span of the six arrivals and a typical gap; unpaced, these requests
    // arrive within a few milliseconds of each other.
    const arrivals = double.stats.log.map((r) => r.at);
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
    expect(gaps).toHaveLength(5);
    const medianGap = [...gaps].sort((a, b) => a - b)[2]!;
    expect(medianGap, `gaps ${gaps.map((g) => g.toFixed(1)).join(", ")} ms`).toBeGreaterThanOrEqual(30);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(5 * 60 - 15);
  });

  it("sends requests to --yahoo-url, which wins over STOCK_RSI_YAHOO_URL", async () => {
    const nowhere = await closedPort();
    const fetched = await fetchFromDouble(["AAGIY"], { yahooUrl: double.url }, { STOCK_RSI_YAHOO_URL: `http://127.0.0.1:${nowhere}` });

    expect(fetched.artifact.series).toEqual([served("AAGIY")]);
    expect(fetched.stderr).toContain(`fetch: Yahoo requests go to ${double.url} (--yahoo-url)\n`);
  });

  it.each([
    ["not a url", 'STOCK_RSI_YAHOO_URL: "not a url" is not a URL; expected scheme://host[:port], e.g. http://127.0.0.1:8080'],
    ["ftp://mirror:21", 'STOCK_RSI_YAHOO_URL: "ftp://mirror:21" must start with http:// or https://'],
    [
      "http://mirror:8080/yahoo",
      'STOCK_RSI_YAHOO_URL: "http://mirror:8080/yahoo" has a path, query or credentials; give only scheme://host[:port] (requests keep Yahoo\'s own path)',
    ],
  ])("refuses STOCK_RSI_YAHOO_URL=%s with one line, before any request", async (url, message) => {
    const attempt = fetchFromDouble(["AAGIY"], {}, { STOCK_RSI_YAHOO_URL: url });
    await expect(attempt).rejects.toThrow(UserError);
    await expect(attempt).rejects.toThrow(message);
    expect(double.stats.requests).toBe(0);
  });

  it("writes N/M progress to $ARGO_PROGRESS_FILE", async () => {
    const progressFile = join(dir.path, "progress");
    double.unknown("GONE");
    await fetchFromDouble(["AAGIY", "GONE", "ZZZZ"], {}, { ARGO_PROGRESS_FILE: progressFile });
    expect(readFileSync(progressFile, "utf8")).toBe("3/3\n");
  });

  it("exits unavailable when Yahoo cannot be reached at all, after writing the artifact", async () => {
    const nowhere = await closedPort();
    const pricesFile = join(dir.path, "prices.json");
    const attempt = fetchFromDouble(["AAGIY", "ZZZZ"], {}, { STOCK_RSI_YAHOO_URL: `http://127.0.0.1:${nowhere}` });
    await expect(attempt).rejects.toThrow(UnavailableError);
    await expect(attempt).rejects.toThrow("fetch: Yahoo gave nothing for any of 2 symbols (network: 2); try again later");

    const artifact = JSON.parse(readFileSync(pricesFile, "utf8")) as FetchedPrices;
    expect(artifact.series).toEqual([]);
    expect(artifact.failures.map((f) => [f.symbol, f.reason])).toEqual([["AAGIY", "network"], ["ZZZZ", "network"]]);
    expect(artifact.failures[0]!.message).toMatch(/ECONNREFUSED.*\(after 4 attempts\)$/);
  });
});

/** A port on 127.0.0.1 that nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

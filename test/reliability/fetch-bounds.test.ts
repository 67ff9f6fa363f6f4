/**
 * What one Yahoo answer, or one flag, may cost the fetch step (issue 17, items 10 and 11).
 *
 * - An endless body from Yahoo or a mirror grew the process to 3 GB in 40 s: each answer is now
 *   bounded in size (and in time, headers and body together), and the symbol fails with the
 *   reason while the run goes on. Measured from outside: the real command in its own process,
 *   its peak resident memory read from /proc while it runs (and the process killed, failing the
 *   test, long before it could hurt this machine).
 * - `--fetch-deadline-seconds 2147484` overflowed Node's 32-bit timer and failed every symbol as a
 *   deadline after 1 ms; `--period 99999999999999999999` was taken and failed after the fetch.
 *   Both are refused at the flag, before anything is asked of Yahoo.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Failure } from "../../steps/domain/artifacts.ts";
import { runFetch } from "../../steps/fetch/step.ts";
import type { FetchedPrices } from "../../steps/fetch/prices-artifact.ts";
import { captureIo, stockRsi, tempDir, type CliResult } from "../support/cli.ts";
import { YahooDouble } from "../support/yahoo-double.ts";

const AS_OF = "2021-05-17";
/** A pod's memory limit is 512 MiB; the step must stay well inside it. */
const PEAK_RSS_LIMIT_MIB = 320;
/** Past this the process is killed at once: the fault is loose and must not take the machine with it. */
const KILL_AT_MIB = 1024;

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

function symbolsFile(symbols: readonly string[]): string {
  const file = join(dir.path, "symbols.txt");
  writeFileSync(file, symbols.map((s) => `${s}\n`).join(""));
  return file;
}

/** `stock-rsi fetch ARGS` against the double in its own process, with its peak resident memory in MiB. */
async function fetchWatched(args: readonly string[]): Promise<CliResult & { peakMiB: number; killed: boolean }> {
  let peakKiB = 0;
  let killed = false;
  let watch: NodeJS.Timeout | undefined;
  const result = await stockRsi(["fetch", "--source", "yahoo", "--yahoo-url", double.url, "--as-of", AS_OF, ...args], {
    timeoutMs: 120_000,
    onStart: (child) => {
      watch = setInterval(() => {
        try {
          const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
          peakKiB = Math.max(peakKiB, Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0));
        } catch {
          return; // the process has ended
        }
        if (peakKiB > KILL_AT_MIB * 1024 && !killed) {
          killed = true;
          child.kill("SIGKILL");
        }
      }, 20);
    },
  });
  clearInterval(watch);
  return { ...result, peakMiB: Math.round(peakKiB / 1024), killed };
}

function failuresIn(file: string): Map<string, Failure> {
  const artifact = JSON.parse(readFileSync(file, "utf8")) as FetchedPrices;
  return new Map(artifact.failures.map((f) => [f.symbol, f]));
}

const WELL = Array.from({ length: 24 }, (_, i) => `W${String(i + 1).padStart(3, "0")}`);

describe("an answer that would not end", () => {
  it("an endless body costs its symbol, with the reason, not the pod: peak memory stays far below 512 MiB at 32 in flight", async () => {
    const endless = Array.from({ length: 32 }, (_, i) => `END${i + 1}`);
    for (const symbol of endless) double.failAlways(symbol, { kind: "endless" });
    const out = join(dir.path, "prices.json");
    const result = await fetchWatched(["--symbols", symbolsFile([...endless, ...WELL]), "--out", out, "--concurrency", "32"]);

    expect(result.killed, `peak ${result.peakMiB} MiB`).toBe(false);
    expect(result.timedOut).toBe(false);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.peakMiB, "peak resident memory, MiB").toBeLessThan(PEAK_RSS_LIMIT_MIB);
    const failures = failuresIn(out);
    expect([...failures.keys()].sort()).toEqual([...endless].sort());
    for (const symbol of endless) {
      expect(failures.get(symbol)).toEqual({
        symbol,
        reason: "invalid-response",
        message: "the answer went on past 1.0 MiB, more than a chart of this window can need; refused",
      });
      // Final at once: a mirror that sends without end would do it again.
      expect(double.requestsFor(symbol)).toHaveLength(1);
    }
    expect(result.stderr).toContain(`fetch: failed, invalid-response (32): ${endless.join(" ")}`);
    expect(result.stderr).toContain("fetch: 24 of 56 symbols fetched, 32 failed");
  });

  it("an answer whose Content-Length is beyond the bound is refused before its body is read", async () => {
    double.failAlways("HUGE", { kind: "oversized", bytes: 64 * 1024 * 1024 });
    const out = join(dir.path, "prices.json");
    const result = await fetchWatched(["--symbols", symbolsFile(["HUGE", "AAPL"]), "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    expect(failuresIn(out).get("HUGE")).toEqual({
      symbol: "HUGE",
      reason: "invalid-response",
      message: "the answer declares 64.0 MiB, more than the 1.0 MiB a chart of this window can need; refused",
    });
    expect(failuresIn(out).has("AAPL")).toBe(false);
    expect(result.peakMiB, "peak resident memory, MiB").toBeLessThan(PEAK_RSS_LIMIT_MIB);
  });

  it("a body that trickles in is cut by the per-request time limit, which covers the body, and retried like any network failure", async () => {
    double.failAlways("DRIP", { kind: "slow-drip", bytes: 64, everyMs: 20 });
    const io = captureIo({ env: { STOCK_RSI_YAHOO_URL: double.url } });
    const prices = await runFetch(
      {
        symbols: symbolsFile(["DRIP", "AAPL"]),
        out: join(dir.path, "prices.json"),
        asOf: AS_OF,
        lookbackDays: 91,
        source: "yahoo",
        tuning: { requestTimeoutMs: 600, maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 10 },
      },
      io,
    );
    expect(prices.failures).toEqual([{ symbol: "DRIP", reason: "network", message: "no complete answer within 0.6 s (after 2 attempts)" }]);
    expect(prices.series.map((s) => s.symbol)).toEqual(["AAPL"]);
    // The answers were still arriving, a little at a time, when each attempt was given up.
    const drips = double.requestsFor("DRIP");
    expect(drips).toHaveLength(2);
    for (const request of drips) expect(request.bodyLength).toBeGreaterThan(0);
  });

  it("the bound grows with the window: a backfill's fifty years of bars is not refused", async () => {
    const out = join(dir.path, "prices.json");
    const result = await fetchWatched(["--symbols", symbolsFile(["LONG"]), "--out", out, "--first-day", "1971-06-01", "--lookback-days", "91"]);
    expect(result.code, result.stderr).toBe(0);
    const artifact = JSON.parse(readFileSync(out, "utf8")) as FetchedPrices;
    expect(artifact.failures).toEqual([]);
    // More than the 1 MiB a fixed bound would have allowed.
    expect(double.requestsFor("LONG")[0]!.bodyLength).toBeGreaterThan(1024 * 1024);
  });
});

describe("flags that feed a timer or the computation are refused before anything is fetched", () => {
  it("--fetch-deadline-seconds 2147484 (past Node's 2^31 - 1 ms timer): exit 2 naming the flag and its bound, Yahoo never asked", async () => {
    const result = await stockRsi([
      "fetch", "--symbols", symbolsFile(["AAPL"]), "--out", join(dir.path, "prices.json"),
      "--source", "yahoo", "--yahoo-url", double.url, "--as-of", AS_OF, "--fetch-deadline-seconds", "2147484",
    ]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toBe(
      "error: option '--fetch-deadline-seconds <seconds>' argument '2147484' is invalid. expected 0 to 86400 seconds (a day), got \"2147484\"\n",
    );
    expect(double.stats.requests).toBe(0);
  });

  it("--request-interval-ms 2147483648: refused the same way", async () => {
    const result = await stockRsi(["run", symbolsFile(["AAPL"]), "--source", "yahoo", "--yahoo-url", double.url, "--no-store", "--request-interval-ms", "2147483648"]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toBe(
      "error: option '--request-interval-ms <ms>' argument '2147483648' is invalid. expected 0 to 60000 milliseconds (a minute), got \"2147483648\"\n",
    );
    expect(double.stats.requests).toBe(0);
  });

  it("run --period 99999999999999999999: exit 2 at the flag, naming the longest period, Yahoo never asked", async () => {
    const result = await stockRsi(["run", symbolsFile(["AAPL", "MSFT"]), "--source", "yahoo", "--yahoo-url", double.url, "--no-store", "--as-of", AS_OF, "--period", "99999999999999999999"]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toBe(
      "error: option '--period <n>' argument '99999999999999999999' is invalid. expected 1 to 2614 trading days (a longer period has more closes than the longest window holds), got \"99999999999999999999\"\n",
    );
    expect(double.stats.requests).toBe(0);
  });

  it("what holds: the longest deadline, a day, waits as asked and every symbol is fetched", async () => {
    const out = join(dir.path, "prices.json");
    const result = await stockRsi(["fetch", "--symbols", symbolsFile(["AAPL", "MSFT"]), "--out", out, "--source", "yahoo", "--yahoo-url", double.url, "--as-of", AS_OF, "--fetch-deadline-seconds", "86400"]);
    expect(result.code, result.stderr).toBe(0);
    expect(failuresIn(out).size).toBe(0);
  });

});

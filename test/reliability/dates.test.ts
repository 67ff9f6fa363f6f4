/**
 * Boundary dates: the range stock-rsi accepts (1970-01-01 to 9999-12-31), dates that look legal
 * but once sent the date arithmetic past year 9999 and round forever, a run for a day that has
 * not happened, and a re-run on a weekend, which must store exactly what the weekday run stored.
 *
 * Every case runs the real command in a child process with a time limit: "spins at 100% CPU"
 * shows up here as a killed process, not as a hung suite.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { addDays, dateIn, LAST_DATE, MARKET_TIME_ZONE, toEpochMs, weekdaysBetween } from "../../steps/domain/dates.ts";
import { stockRsi, tempDir } from "../support/cli.ts";
import { querySqlite } from "../support/sqlite.ts";
import { expectRefusal } from "./support.ts";

const dir = tempDir("stock-rsi-dates-");
afterAll(() => dir.cleanup());

const symbols = join(dir.path, "symbols");
writeFileSync(symbols, "AAPL\nMSFT\nIBM\n");
/** Far more than any of these commands needs; a command that loops is killed at this. */
const LIMIT_MS = 20_000;

function rsiArtifact(name: string, asOf: string, resultDate: string): string {
  const path = join(dir.path, name);
  writeFileSync(
    path,
    JSON.stringify({
      schemaVersion: 1,
      kind: "rsi",
      asOf,
      source: "sample",
      method: "seed",
      period: 14,
      results: [{ symbol: "AAPL", date: resultDate, rsi: 50, close: 100 }],
      failures: [],
    }),
  );
  return path;
}

describe("dates outside 1970-01-01 to 9999-12-31 are refused by the flag that carries them", () => {
  it.each([
    ["--as-of", "1969-12-31"],
    ["--as-of", "10000-01-01"],
    ["--as-of", "+010000-01-01"],
    ["--as-of", "0000-01-01"],
  ])("run %s %s: exit 2 naming the flag and the range, at once", async (flag, value) => {
    const result = await stockRsi(["run", symbols, "--source", "sample", flag, value, "--no-store"], { timeoutMs: LIMIT_MS });
    expect(result.stderr).toContain(`option '--as-of <date>' argument '${value}' is invalid. expected a date written YYYY-MM-DD between 1970-01-01 and 9999-12-31, got "${value}"`);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
  });

  it("history --from 1969-12-31: exit 2 naming the flag", async () => {
    const result = await stockRsi(["history", "AAPL", "--from", "1969-12-31", "--db", `sqlite:${join(dir.path, "none.db")}`], { timeoutMs: LIMIT_MS });
    expect(result.stderr).toContain("option '--from <date>' argument '1969-12-31' is invalid. expected a date written YYYY-MM-DD between 1970-01-01 and 9999-12-31");
    expect(result.code).toBe(2);
  });

  it.each(["0000-01-01", "1969-12-31", "+010000-01-01"])("an artifact dated %s is refused with the field named", async (date) => {
    const artifact = rsiArtifact(`rsi-${date}.json`, "2021-05-17", date);
    const result = await stockRsi(["validate", "--in", artifact, "--out", join(dir.path, "v.json")], { timeoutMs: LIMIT_MS });
    expectRefusal(result, {
      code: 2,
      line: `${artifact}: results[0].date: expected a date written YYYY-MM-DD between 1970-01-01 and 9999-12-31; regenerate it with stock-rsi compute-rsi`,
    });
  });
});

describe("legal-looking dates that once looped end in seconds", () => {
  it("run --as-of 9999-12-31: exit 2, a day after today has no closes", async () => {
    const result = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "9999-12-31", "--no-store"], { timeoutMs: LIMIT_MS });
    expectRefusal(result, {
      code: 2,
      line: /^--as-of 9999-12-31 is after today in New York \(\d{4}-\d{2}-\d{2}\); a day that has not happened has no closes to rank$/,
    });
  });

  it("run --as-of 2099-01-02 (a future day, not a boundary): refused the same way, nothing stored", async () => {
    const db = join(dir.path, "future.db");
    const result = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2099-01-02", "--db", `sqlite:${db}`], { timeoutMs: LIMIT_MS });
    expectRefusal(result, { code: 2, line: /^--as-of 2099-01-02 is after today in New York/ });
    expect(() => querySqlite(db, "SELECT 1")).toThrow();
  });

  it("run --lookback-days 800000: exit 2 naming the flag and its limit", async () => {
    const result = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--lookback-days", "800000", "--no-store"], { timeoutMs: LIMIT_MS });
    expect(result.timedOut).toBe(false);
    expect(result.stderr).toContain("option '--lookback-days <days>' argument '800000' is invalid. expected 1 to 3660 calendar days of history (ten years), got \"800000\"");
    expect(result.code).toBe(2);
  });

  it("a lookback reaching back before 1970-01-01 is refused with both dates", async () => {
    const result = await stockRsi(["fetch", "--symbols", symbols, "--out", join(dir.path, "p.json"), "--source", "sample", "--as-of", "1975-01-02", "--lookback-days", "3660"], {
      timeoutMs: LIMIT_MS,
    });
    expectRefusal(result, {
      code: 2,
      line: "--lookback-days 3660 before --as-of 1975-01-02 starts on 1964-12-25, before 1970-01-01, the earliest date stock-rsi handles",
    });
  });

  it("validate on an artifact dated 9999-12-31 ends at once and rejects a result that is 8,000 years old", async () => {
    const artifact = rsiArtifact("rsi-9999.json", "9999-12-31", "2021-05-14");
    const result = await stockRsi(["validate", "--in", artifact, "--out", join(dir.path, "v9999.json"), "--max-failed-share", "0.5"], { timeoutMs: LIMIT_MS });
    expectRefusal(result, { code: 1, line: /^validate: FAILED, nothing will be stored: failed-share: 1 of 1 symbols failed/ });
    expect(result.stderr).toContain("no value for AAPL (stale): last close 2021-05-14 is 2002856 trading days before 9999-12-31 (limit 3)");
  });

  it("backfill --to 9999-12-31: exit 2 at once, nothing stored", async () => {
    const db = join(dir.path, "backfill-9999.db");
    const result = await stockRsi(["backfill", symbols, "--from", "2021-05-10", "--to", "9999-12-31", "--source", "sample", "--db", `sqlite:${db}`], { timeoutMs: LIMIT_MS });
    expectRefusal(result, { code: 2, line: /^--to 9999-12-31 is after today in New York \(\d{4}-\d{2}-\d{2}\); a day that has not happened has no closes to rank$/ });
    expect(() => querySqlite(db, "SELECT 1")).toThrow();
  });

  it("backfill from a day whose window starts before 1970: exit 2 naming both", async () => {
    const result = await stockRsi(["backfill", symbols, "--from", "1970-01-05", "--to", "1970-02-02", "--source", "sample", "--db", `sqlite:${join(dir.path, "backfill-1970.db")}`], {
      timeoutMs: LIMIT_MS,
    });
    expectRefusal(result, { code: 2, line: "--lookback-days 91 before --from 1970-01-05 starts on 1969-10-06, before 1970-01-01, the earliest date stock-rsi handles" });
  });

  it("history --gaps up to 9999-12-31 lists the missing trading days up to today only, at once", async () => {
    const db = join(dir.path, "gaps.db");
    expect((await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-14", "--db", `sqlite:${db}`])).code).toBe(0);
    const result = await stockRsi(["history", "--gaps", "--from", "2021-05-10", "--to", "9999-12-31", "--db", `sqlite:${db}`], { timeoutMs: LIMIT_MS });
    expect(result.code).toBe(0);
    const gaps = result.stdout.trimEnd().split("\n");
    expect(gaps.slice(0, 4)).toEqual(["2021-05-10", "2021-05-11", "2021-05-12", "2021-05-13"]);
    expect(gaps.at(-1)! <= dateIn(MARKET_TIME_ZONE, new Date())).toBe(true);
  });

  it("the earliest accepted run, 1970-03-02 with 45 days of history, works", async () => {
    const result = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "1970-03-02", "--lookback-days", "45", "--no-store"], { timeoutMs: LIMIT_MS });
    expect(result.stderr).toContain("fetch: 3 symbols from sample, 1970-01-16 to 1970-03-02");
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split("\n")).toHaveLength(3);
  });
});

describe("the date helpers cannot loop", () => {
  it("weekdaysBetween counts like walking the days, across the whole range, in constant time", () => {
    const walk = (from: string, to: string) => {
      let n = 0;
      for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (![0, 6].includes(new Date(toEpochMs(d)).getUTCDay())) n++;
      return n;
    };
    const starts = ["2021-05-13", "2021-05-14", "2021-05-15", "2021-05-16", "2021-05-17", "1970-01-01", "2000-02-28"];
    for (const from of starts) for (let span = from === "1970-01-01" ? 0 : -3; span <= 40; span++) expect(weekdaysBetween(from, addDays(from, span)), `${from} +${span}`).toBe(walk(from, addDays(from, span)));
    const started = performance.now();
    expect(weekdaysBetween("1970-01-01", LAST_DATE)).toBe(2094926);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it("addDays refuses to leave the range instead of writing an expanded year", () => {
    expect(addDays("9999-12-30", 1)).toBe(LAST_DATE);
    expect(() => addDays(LAST_DATE, 1)).toThrow(RangeError);
    expect(() => addDays("1970-01-01", -1)).toThrow(RangeError);
  });
});

describe("a re-run on a weekend or later stores what the weekday run stored", () => {
  it("Friday, then Saturday and Sunday re-runs: Friday's values, unchanged to the last bit", async () => {
    const db = join(dir.path, "weekend.db");
    const stored = () => querySqlite<{ symbol: string; rsi: number; run_id: string }>(db, "SELECT symbol, rsi FROM rsi_values WHERE trade_date = '2021-05-14' ORDER BY symbol");
    const friday = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-14", "--db", `sqlite:${db}`], { timeoutMs: LIMIT_MS });
    expect(friday.code).toBe(0);
    const fridayValues = stored();
    expect(fridayValues).toHaveLength(3);
    for (const asOf of ["2021-05-15", "2021-05-16"]) {
      const rerun = await stockRsi(["run", symbols, "--source", "sample", "--as-of", asOf, "--db", `sqlite:${db}`], { timeoutMs: LIMIT_MS });
      expect(rerun.code).toBe(0);
      expect(rerun.stdout).toBe(friday.stdout);
      expect(rerun.stderr).toContain("stored 3 values for 2021-05-14");
      expect(rerun.stderr).toContain("fetch: the latest close is 2021-05-14, so the window is 2021-02-12 to 2021-05-14, as a run on 2021-05-14 had");
      expect(stored()).toEqual(fridayValues);
    }
    expect(querySqlite(db, "SELECT COUNT(*) AS n FROM rsi_values")).toEqual([{ n: 3 }]);
  });

  it("today in New York is accepted as the as-of date", async () => {
    const today = dateIn(MARKET_TIME_ZONE, new Date());
    const result = await stockRsi(["fetch", "--symbols", symbols, "--out", join(dir.path, "today.json"), "--source", "sample", "--as-of", today], { timeoutMs: LIMIT_MS });
    expect(result.code).toBe(0);
  });
});

describe("a replayed prices file whose dates miss the window", () => {
  /** A prices file as fetch wrote it for 2021-05-17: AAPL, MSFT and IBM, 2021-05-10 to 2021-05-17. */
  const recorded = join(dir.path, "recorded-2021.json");
  const days = ["2021-05-10", "2021-05-11", "2021-05-12", "2021-05-13", "2021-05-14", "2021-05-17"];
  writeFileSync(
    recorded,
    JSON.stringify({
      schemaVersion: 1,
      kind: "prices",
      asOf: "2021-05-17",
      source: "sample",
      series: ["AAPL", "MSFT", "IBM"].map((symbol, i) => ({ symbol, bars: days.map((date, d) => ({ date, close: 100 + i + d })) })),
      failures: [],
    }),
  );

  it("run without --as-of: exit 2, one line naming both date ranges and the --as-of that meets the file, nothing stored", async () => {
    const db = join(dir.path, "replay.db");
    const result = await stockRsi(["run", symbols, "--source", `file:${recorded}`, "--db", `sqlite:${db}`], { timeoutMs: LIMIT_MS });
    const today = dateIn(MARKET_TIME_ZONE, new Date());
    expectRefusal(result, {
      code: 2,
      line: `--source file:${recorded}: the file's closes run from 2021-05-10 to 2021-05-17; the window is ${addDays(today, -91)} to ${today} (no --as-of: today in New York): not one close in it; pass --as-of 2021-05-17 to replay it`,
    });
    expect(existsSync(db)).toBe(false);
  });

  it("fetch --as-of before the file's closes: the same line, with the date given, and no artifact", async () => {
    const out = join(dir.path, "replayed.json");
    const result = await stockRsi(["fetch", "--symbols", symbols, "--out", out, "--source", `file:${recorded}`, "--as-of", "2019-03-01"], { timeoutMs: LIMIT_MS });
    expectRefusal(result, {
      code: 2,
      line: `--source file:${recorded}: the file's closes run from 2021-05-10 to 2021-05-17; the window is 2018-11-30 to 2019-03-01 (--as-of 2019-03-01): not one close in it; pass --as-of 2021-05-17 to replay it`,
    });
    expect(existsSync(out)).toBe(false);
  });

  it("the --as-of it names replays the file", async () => {
    const result = await stockRsi(["run", symbols, "--source", `file:${recorded}`, "--as-of", "2021-05-17", "--lookback-days", "10", "--period", "3", "--no-store"], { timeoutMs: LIMIT_MS });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n").map((line) => line.split(" ")[0]).sort()).toEqual(["AAPL", "IBM", "MSFT"]);
  });
});

/**
 * What a user reads back from the store on SQLite, in-process with a fixed clock: a past day's
 * ranking (`ranking`), the summary of what is stored (`status`), and the crossings `run` prints
 * on stderr after the ranking.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/program.ts";
import { SCHEMA_VERSION } from "../../steps/store/migrations.ts";
import type { Io } from "../../steps/command-line/io.ts";
import { captureIo, REPO_ROOT, tempDir, USER_SYMBOLS } from "../support/cli.ts";
import { querySqlite } from "../support/sqlite.ts";
import { expectRefusal } from "../reliability/support.ts";

const DUMP = join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql");
const dir = tempDir("stock-rsi-stored-views-");
afterAll(() => dir.cleanup());
let n = 0;
const freshDb = () => join(dir.path, `rsi-${++n}.db`);

/** The evening of Monday 2021-05-17 in New York: "today" for every command here. */
const NOW = new Date("2021-05-17T22:00:00Z");

async function cli(...argv: string[]) {
  const io = captureIo({ now: NOW });
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** A run of the user's 180 symbols from the sample source into `db`. */
const sampleRun = (db: string, asOf: string, ...more: string[]) => cli("run", USER_SYMBOLS, "--source", "sample", "--as-of", asOf, "--db", `sqlite:${db}`, ...more);

describe("stock-rsi ranking", () => {
  const db = freshDb();
  const runs = (async () => ({ friday: await sampleRun(db, "2021-05-14"), monday: await sampleRun(db, "2021-05-17") }))();

  it("prints a stored day's ranking exactly as run printed it that day", async () => {
    const { friday, monday } = await runs;
    expect([friday.code, monday.code]).toEqual([0, 0]);
    expect(friday.stdout.split("\n")).toHaveLength(181);
    expect(await cli("ranking", "--as-of", "2021-05-17", "--db", `sqlite:${db}`)).toEqual({
      code: 0,
      stdout: monday.stdout,
      stderr: `ranking: 180 symbols for 2021-05-17 (seed, period 14) from sqlite:${db}\n`,
    });
    // A Sunday: the last stored trading day before it. No --as-of: today in New York.
    const sunday = await cli("ranking", "--as-of", "2021-05-16", "--db", `sqlite:${db}`);
    expect(sunday.stdout).toBe(friday.stdout);
    expect(sunday.stderr).toContain("180 symbols for 2021-05-14 (seed, period 14, the last stored trading day on or before 2021-05-16)");
    expect((await cli("ranking", "--db", `sqlite:${db}`)).stdout).toBe(monday.stdout);
  });

  it("--json has run --json's asOf, tradeDate, method, period and ranking, and the run that stored the day", async () => {
    await runs;
    const ranked = JSON.parse((await cli("ranking", "--as-of", "2021-05-17", "--db", `sqlite:${db}`, "--json")).stdout);
    const run = await cli("run", USER_SYMBOLS, "--source", "sample", "--as-of", "2021-05-17", "--no-store", "--json");
    const computed = JSON.parse(run.stdout);
    expect(ranked).toEqual({
      asOf: computed.asOf,
      tradeDate: computed.tradeDate,
      method: computed.method,
      period: computed.period,
      ranking: computed.ranking,
      run: { runId: expect.stringMatching(/^local-/), asOf: "2021-05-17", source: "sample", ranked: 180, failed: 0 },
    });
  });

  it("refuses a day before anything is stored, and another series, with one line", async () => {
    await runs;
    expectRefusal(await cli("ranking", "--as-of", "2021-05-13", "--db", `sqlite:${db}`), {
      code: 2,
      line: `ranking: sqlite:${db} holds no values (seed, period 14) on or before 2021-05-13; stock-rsi status lists what it holds`,
    });
    expectRefusal(await cli("ranking", "--method", "wilder", "--db", `sqlite:${db}`), {
      code: 2,
      line: `ranking: sqlite:${db} holds no values (wilder, period 14) on or before 2021-05-17; stock-rsi status lists what it holds`,
    });
    expectRefusal(await cli("ranking", "--db", "none"), { code: 2, line: "ranking: --db none stores nothing to rank; give the database the values are in" });
  });
});

describe("stock-rsi status on the user's imported history", () => {
  const db = freshDb();
  const imported = cli("import-legacy", "--dump", DUMP, "--db", `sqlite:${db}`);

  it("fits one screen: 24 lines at most, none wider than 100 columns", async () => {
    expect((await imported).code).toBe(0);
    const status = await cli("status", "--db", `sqlite:${db}`);
    expect(status.code).toBe(0);
    const lines = status.stdout.trimEnd().split("\n");
    expect(lines.length).toBeLessThanOrEqual(24);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(lines.slice(0, 5)).toEqual([
      `sqlite:${db}: schema version ${SCHEMA_VERSION}`,
      "seed, period 14:",
      "  days      145, 2020-10-21 to 2021-05-17 (8 on days the NYSE was closed, imported as dated)",
      "  gaps      6 trading days without a value (history --gaps)",
      "  symbols   185, 152 on 2021-05-17; 33 stopped appearing (last day):",
    ]);
    expect(status.stdout).toContain("  imported  23296 values on 145 days, 2020-10-21 to 2021-05-17\n");
  });

  it("names every symbol that stopped appearing, with its last day, as the table holds them", async () => {
    expect((await imported).code).toBe(0);
    const stored = querySqlite(db, "SELECT symbol, MAX(trade_date) AS lastDay FROM rsi_values GROUP BY symbol HAVING MAX(trade_date) < '2021-05-17'") as { symbol: string; lastDay: string }[];
    expect(stored).toHaveLength(33);
    const status = await cli("status", "--db", `sqlite:${db}`);
    const json = JSON.parse((await cli("summary", "--db", `sqlite:${db}`, "--json")).stdout);
    const [series] = json.series;
    expect(series.stopped).toHaveLength(33);
    expect(new Set(series.stopped)).toEqual(new Set(stored));
    // The text lists them all too, each day after the symbols whose last day it is.
    const text = status.stdout.slice(status.stdout.indexOf("stopped appearing"), status.stdout.indexOf("  last run"));
    for (const { symbol, lastDay } of stored) expect(text).toMatch(new RegExp(`\\b${symbol}\\b[A-Z \\n]*\\(${lastDay}\\)`));
    expect(text).not.toContain("more");
  });

  it("counts the gaps history --gaps lists, and says what the import and the last run stored", async () => {
    expect((await imported).code).toBe(0);
    const json = JSON.parse((await cli("status", "--db", `sqlite:${db}`, "--json")).stdout);
    const gaps = JSON.parse((await cli("history", "--gaps", "--json", "--db", `sqlite:${db}`)).stdout) as string[];
    expect(json).toMatchObject({ database: `sqlite:${db}`, schemaVersion: SCHEMA_VERSION, stocksTable: null });
    expect(json.series).toHaveLength(1);
    expect(json.series[0]).toMatchObject({
      method: "seed",
      period: 14,
      firstDay: "2020-10-21",
      lastDay: "2021-05-17",
      days: 145,
      symbols: 185,
      onLastDay: 152,
      gaps: { within: gaps.length, since: 0, through: "2021-05-16" },
      imported: { from: "2020-10-21", to: "2021-05-17", values: 23296, days: 145 },
      lastRun: { runId: expect.stringMatching(/^import-legacy:/), tradeDate: "2021-05-17", source: "mysqldump prod-db.sql, table stocks", ranked: 23296, failed: 0 },
    });
    expect(json.series[0].closedDays).toEqual(["2020-11-26", "2020-12-13", "2020-12-25", "2021-01-01", "2021-01-18", "2021-02-15", "2021-02-28", "2021-04-02"]);
    expect(gaps).toHaveLength(6);
  });

  it("shows each series apart, and a run after the import as the last run", async () => {
    const db2 = freshDb();
    expect((await cli("import-legacy", "--dump", DUMP, "--db", `sqlite:${db2}`)).code).toBe(0);
    expect((await sampleRun(db2, "2021-05-17", "--run-id", "monday-run")).code).toBe(0);
    expect((await sampleRun(db2, "2021-05-14", "--method", "wilder")).code).toBe(0);
    const json = JSON.parse((await cli("status", "--db", `sqlite:${db2}`, "--json")).stdout);
    expect(json.series.map((s: { method: string; period: number }) => `${s.method} ${s.period}`)).toEqual(["seed 14", "wilder 14"]);
    const [seed, wilder] = json.series;
    expect(seed.lastRun).toMatchObject({ runId: "monday-run", tradeDate: "2021-05-17", source: "sample", ranked: 180 });
    expect(seed.lastRun.writtenAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // The run replaced the imported values of its 152 symbols on 2021-05-17: those are no longer imported.
    expect(seed.imported).toEqual({ from: "2020-10-21", to: "2021-05-14", values: 23296 - 152, days: 144 });
    expect(wilder).toMatchObject({ firstDay: "2021-05-14", lastDay: "2021-05-14", days: 1, symbols: 180, stopped: [], imported: null, gaps: { within: 0, since: 0 } });
    const text = (await cli("status", "--db", `sqlite:${db2}`)).stdout;
    // Monday's value may still be ahead: a gap is counted up to yesterday, Sunday.
    expect(text).toContain("\nwilder, period 14:\n  days      1, 2021-05-14 to 2021-05-14\n  gaps      0 trading days without a value (history --gaps)\n");
    const tuesday = captureIo({ now: new Date("2021-05-18T22:00:00Z") });
    expect(await runCli(["status", "--db", `sqlite:${db2}`], tuesday)).toBe(0);
    expect(tuesday.stdout()).toContain("\nwilder, period 14:\n  days      1, 2021-05-14 to 2021-05-14\n  gaps      0 trading days without a value; 1 since, to 2021-05-17 (history --gaps)\n");
  });

  it("says when nothing is stored yet, and refuses --db none", async () => {
    const empty = freshDb();
    expect((await cli("migrate", "--db", `sqlite:${empty}`)).code).toBe(0);
    expect(await cli("status", "--db", `sqlite:${empty}`)).toEqual({
      code: 0,
      stdout: `sqlite:${empty}: schema version ${SCHEMA_VERSION}\nno values stored yet (stock-rsi run stores the first day)\n`,
      stderr: "",
    });
    expectRefusal(await cli("status", "--db", "none"), { code: 2, line: "status: --db none stores nothing; give the database to summarize" });
  });
});

describe("status and ranking read through the store's checks", () => {
  it("skip and name a row that is not a value, a series stock-rsi does not compute and a run record that is not one", async () => {
    const db = freshDb();
    const symbols = join(dir.path, "three");
    writeFileSync(symbols, "AAPL\nMSFT\nIBM\n");
    expect((await cli("run", symbols, "--source", "sample", "--as-of", "2021-05-14", "--db", `sqlite:${db}`, "--run-id", "friday")).code).toBe(0);
    const clean = await cli("status", "--db", `sqlite:${db}`, "--json");
    const cleanRanking = await cli("ranking", "--db", `sqlite:${db}`);
    // Another writer's rows: an RSI stored as text on a later day, a method no stock-rsi computes, a run written at no time.
    const sql = new Database(db);
    sql.exec(`INSERT INTO rsi_values (trade_date, symbol, method, period, rsi, run_id) VALUES ('2021-05-17', 'ZZZ', 'seed', 14, 'abc', 'by-hand');
      INSERT INTO rsi_values (trade_date, symbol, method, period, rsi, run_id) VALUES ('2021-05-14', 'AAPL', 'bogus', 14, 50, 'by-hand');
      INSERT INTO rsi_runs (run_id, trade_date, as_of, source, method, period, ranked, failed, written_at)
        VALUES ('by-hand', '2021-05-17', '2021-05-17', 'sql', 'seed', 14, 1, 0, 'yesterday')`);
    sql.close();

    const status = await cli("status", "--db", `sqlite:${db}`, "--json");
    expect(JSON.parse(status.stdout)).toEqual(JSON.parse(clean.stdout));
    expect(status.stderr.split("\n").filter(Boolean).sort()).toEqual([
      `status: warning: sqlite:${db}: rsi_runs: skipped run by-hand (seed, period 14): written_at "yesterday" is not a time`,
      `status: warning: sqlite:${db}: rsi_values: skipped ZZZ 2021-05-17 (seed, period 14): rsi "abc" is text, not a number`,
      `status: warning: sqlite:${db}: rsi_values: skipped the rows of method bogus, period 14: method "bogus" is not one of seed, wilder, cutler`,
    ]);
    // The day holding only the text is not a stored day: ranking stays on Friday.
    const ranking = await cli("ranking", "--db", `sqlite:${db}`);
    expect(ranking.stdout).toBe(cleanRanking.stdout);
    expect(ranking.stderr).toContain("ranking: 3 symbols for 2021-05-14 (seed, period 14, the last stored trading day on or before 2021-05-17)");
  });
});

describe("the crossings after a local run", () => {
  /** An Io that keeps stdout and stderr in the order they were written, as a terminal shows them. */
  function terminal(): Io & { lines: () => { stream: "out" | "err"; line: string }[] } {
    const written: { stream: "out" | "err"; text: string }[] = [];
    return {
      ...captureIo({ now: NOW }),
      out: (text) => void written.push({ stream: "out", text }),
      err: (text) => void written.push({ stream: "err", text }),
      lines: () => written.flatMap(({ stream, text }) => text.trimEnd().split("\n").map((line) => ({ stream, line }))),
    };
  }

  /** Each symbol's zone as the printed two-decimal value puts it: 70 and above, 30 and below. */
  const zone = (printed: string) => (Number(printed) >= 70 ? "overbought" : Number(printed) <= 30 ? "oversold" : "neutral");

  it("prints each crossing since the previous stored day on stderr, after the ranking, and none on stdout", async () => {
    const db = freshDb();
    const friday = await sampleRun(db, "2021-05-14");
    const io = terminal();
    expect(await runCli(["run", USER_SYMBOLS, "--source", "sample", "--as-of", "2021-05-17", "--db", `sqlite:${db}`], io)).toBe(0);
    const lines = io.lines();
    const ranking = lines.filter((l) => l.stream === "out").map((l) => l.line);
    expect(ranking).toHaveLength(180);
    expect(ranking.join("\n")).not.toContain("signal");

    // The crossings, worked out from the two printed rankings alone.
    const before = new Map(friday.stdout.trimEnd().split("\n").map((l) => l.split(" ") as [string, string]));
    const expected: string[] = [];
    for (const [symbol, today] of ranking.map((l) => l.split(" ") as [string, string])) {
      const then = before.get(symbol)!;
      const [from, to] = [zone(then), zone(today)];
      if (from !== "neutral" && from !== to) expected.push(`persist: signal: ${symbol} left ${from} ${then} -> ${today}`);
      if (to !== "neutral" && from !== to) expected.push(`persist: signal: ${symbol} entered ${to} ${then} -> ${today}`);
    }
    expect(expected.length).toBeGreaterThan(0);
    const signals = lines.filter((l) => l.line.startsWith("persist: signal: "));
    expect(signals.every((l) => l.stream === "err")).toBe(true);
    expect(signals.map((l) => l.line).sort()).toEqual(expected.sort());

    // After the last ranking line, then one line counting them.
    const lastRanking = lines.findLastIndex((l) => l.stream === "out");
    expect(lines.findIndex((l) => l.line.startsWith("persist: signal: "))).toBeGreaterThan(lastRanking);
    expect(lines.at(-1)!.line).toBe(`persist: ${expected.length} crossings of 70 or 30 since 2021-05-14, the previous stored trading day`);
  });

  it("prints none on the first stored day, nor without a store", async () => {
    const first = await sampleRun(freshDb(), "2021-05-17");
    const unstored = await cli("run", USER_SYMBOLS, "--source", "sample", "--as-of", "2021-05-17", "--no-store");
    for (const run of [first, unstored]) {
      expect(run.code).toBe(0);
      expect(run.stderr).not.toContain("signal");
      expect(run.stderr).not.toContain("crossing");
    }
  });
});

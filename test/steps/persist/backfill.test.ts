/**
 * `stock-rsi backfill` stores, for each trading day of a range, exactly what `stock-rsi run
 * --as-of DAY` stores; it asks each price source once per symbol for the whole range; it skips
 * stored days unless told otherwise; and a day the validation policy refuses is not stored while
 * the others are.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../../cli/program.ts";
import { addDays, isWeekday } from "../../../steps/domain/dates.ts";
import { captureIo, stockRsi, tempDir, USER_SYMBOLS } from "../../support/cli.ts";
import { querySqlite } from "../../support/sqlite.ts";
import { YahooDouble } from "../../support/yahoo-double.ts";

const dir = tempDir("stock-rsi-backfill-");
afterAll(() => dir.cleanup());
let n = 0;
const freshDb = () => join(dir.path, `rsi-${++n}.db`);

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

interface Row {
  trade_date: string;
  symbol: string;
  method: string;
  period: number;
  rsi: number;
  close: number | null;
  close_date: string | null;
}

/** Every stored value, exactly as stored. */
function values(db: string): Row[] {
  return querySqlite<Row>(db, "SELECT trade_date, symbol, method, period, rsi, close, close_date FROM rsi_values ORDER BY trade_date, symbol");
}

function weekdays(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) if (isWeekday(d)) days.push(d);
  return days;
}

describe("backfill", () => {
  it("stores for every day exactly the values run --as-of that day stores, for each method", async () => {
    for (const method of ["seed", "wilder"]) {
      const daily = freshDb();
      for (const day of weekdays("2021-05-05", "2021-05-18")) {
        expect((await cli("run", USER_SYMBOLS, "--source", "sample", "--as-of", day, "--method", method, "--db", `sqlite:${daily}`)).code).toBe(0);
      }
      const filled = freshDb();
      const backfill = await cli("backfill", USER_SYMBOLS, "--from", "2021-05-05", "--to", "2021-05-18", "--source", "sample", "--method", method, "--db", `sqlite:${filled}`);
      expect(backfill.code).toBe(0);
      expect(backfill.stdout.trim().split("\n")).toEqual(weekdays("2021-05-05", "2021-05-18").map((d) => `${d} stored 180`));
      const expected = values(daily);
      expect(expected).toHaveLength(10 * 180);
      // Bit for bit: the seed method's value depends on where its window starts.
      expect(values(filled)).toEqual(expected);
    }
  });

  it("skips days already stored unless --overwrite, and writes each day under its own run id", async () => {
    const db = freshDb();
    expect((await cli("run", USER_SYMBOLS, "--source", "sample", "--as-of", "2021-05-12", "--db", `sqlite:${db}`)).code).toBe(0);
    const first = await cli("backfill", USER_SYMBOLS, "--from", "2021-05-11", "--to", "2021-05-13", "--source", "sample", "--db", `sqlite:${db}`, "--run-id", "fill");
    expect(first.stdout).toBe("2021-05-11 stored 180\n2021-05-12 skipped\n2021-05-13 stored 180\n");
    expect(first.stderr).toContain("backfill: 3 trading days: 2 stored, 1 already stored and skipped, 0 refused by validation");
    const runs = querySqlite<{ run_id: string }>(db, "SELECT run_id FROM rsi_runs ORDER BY trade_date").map((r) => r.run_id);
    expect(runs).toEqual(["fill:2021-05-11", expect.stringMatching(/^local-/), "fill:2021-05-13"]);
    const again = await cli("backfill", USER_SYMBOLS, "--from", "2021-05-11", "--to", "2021-05-13", "--source", "sample", "--db", `sqlite:${db}`, "--overwrite");
    expect(again.stdout).toBe("2021-05-11 stored 180\n2021-05-12 stored 180\n2021-05-13 stored 180\n");
    expect(values(db)).toHaveLength(3 * 180);
  });

  it("reports a day the validation policy refuses, stores the others, and ends with status 1", async () => {
    // A prices file in which one of two symbols stops trading on 2021-05-11: stale from the 17th on.
    const prices = join(dir.path, "prices.json");
    const bars = (last: string) => weekdays("2021-02-01", last).map((date, i) => ({ date, close: 100 + ((i * 7) % 11) - (i % 3) }));
    writeFileSync(
      prices,
      JSON.stringify({ schemaVersion: 1, kind: "prices", asOf: "2021-05-20", source: "recorded", series: [{ symbol: "AAA", bars: bars("2021-05-20") }, { symbol: "BBB", bars: bars("2021-05-11") }], failures: [] }),
    );
    const symbols = join(dir.path, "two");
    writeFileSync(symbols, "AAA\nBBB\n");
    const db = freshDb();
    const result = await cli("backfill", symbols, "--from", "2021-05-12", "--to", "2021-05-18", "--source", `file:${prices}`, "--max-failed-share", "0", "--db", `sqlite:${db}`);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^2021-05-12 stored 2\n2021-05-13 stored 2\n2021-05-14 stored 2\n2021-05-17 refused: FAILED, nothing will be stored: failed-share: .*\n2021-05-18 refused: .*\n$/);
    expect(result.stderr).toMatch(/stock-rsi: backfill: the validation policy refused 2 of 5 days \(2021-05-17 2021-05-18\); the others were stored or skipped\n$/);
    expect([...new Set(values(db).map((v) => v.trade_date))]).toEqual(["2021-05-12", "2021-05-13", "2021-05-14"]);
  });

  it("refuses a range backwards, a missing bound, and --db none, before anything is fetched or stored", async () => {
    expect(await cli("backfill", USER_SYMBOLS, "--from", "2021-05-18", "--to", "2021-05-10", "--source", "sample")).toMatchObject({
      code: 2,
      stderr: "stock-rsi: backfill: --from 2021-05-18 is after --to 2021-05-10\n",
    });
    expect((await cli("backfill", USER_SYMBOLS, "--from", "2021-05-10", "--source", "sample")).code).toBe(2);
    expect(await cli("backfill", USER_SYMBOLS, "--from", "2021-05-10", "--to", "2021-05-11", "--db", "none")).toMatchObject({
      code: 2,
      stderr: "stock-rsi: backfill: --db none would store nothing; give the database to fill\n",
    });
  });
});

describe("backfill from Yahoo", () => {
  let double: YahooDouble;
  beforeAll(async () => {
    double = await YahooDouble.start();
  });
  afterAll(async () => double.close());

  it("asks once per symbol for the whole range: 20 days of 180 symbols are 180 requests", async () => {
    const db = freshDb();
    const result = await stockRsi(["backfill", USER_SYMBOLS, "--from", "2021-04-19", "--to", "2021-05-14", "--source", "yahoo", "--db", `sqlite:${db}`], {
      env: { STOCK_RSI_YAHOO_URL: double.url },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n")).toHaveLength(20);
    expect(double.stats.requests).toBe(180);
  });
});

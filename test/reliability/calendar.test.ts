/**
 * One calendar for every stored day: the New York Stock Exchange's. A symbol that trades when the
 * NYSE is closed (BTC-USD every day, SAP.DE on Thanksgiving) once made that day a "trade date":
 * a Sunday as-of stored every stock under Sunday, a second copy of Friday's closes with other
 * values (the window had moved), and backfill stored Saturdays and Sundays; the offline `sample`
 * source priced NYSE holidays. Now bars on days the NYSE was closed are dropped where prices enter
 * (every source), backfill walks the NYSE's trading days, persist refuses an artifact dated on a
 * closed day, and the stores refuse to write one whoever calls them.
 *
 * Each case runs the real command line; Yahoo is the HTTP double driven through yahoo-finance2.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ValidatedArtifact } from "../../steps/domain/artifacts.ts";
import { UserError } from "../../steps/domain/errors.ts";
import { isTradingDay } from "../../steps/domain/market-calendar.ts";
import { rsi } from "../../steps/domain/rsi.ts";
import { openStore } from "../../steps/store/open-store.ts";
import { REPO_ROOT, stockRsi, tempDir } from "../support/cli.ts";
import { querySqlite } from "../support/sqlite.ts";
import { YahooDouble } from "../support/yahoo-double.ts";
import { validatedArtifact } from "../steps/persist/validated-artifact.ts";
import { dayOf } from "../steps/store/days.ts";
import { expectRefusal } from "./support.ts";

const dir = tempDir("stock-rsi-calendar-");
let double: YahooDouble;
beforeAll(async () => {
  double = (await YahooDouble.start()).quirk("BTC-USD", { tradesOn: "every-day" }).quirk("SAP.DE", { tradesOn: "weekdays" });
});
afterAll(async () => {
  await double.close();
  dir.cleanup();
});

let n = 0;
function symbolsFile(...symbols: string[]): string {
  const path = join(dir.path, `symbols-${++n}`);
  writeFileSync(path, symbols.map((s) => `${s}\n`).join(""));
  return path;
}
const freshDb = () => join(dir.path, `rsi-${++n}.db`);
const yahoo = () => ({ env: { STOCK_RSI_YAHOO_URL: double.url } });

/** The seed RSI of the closes the double serves for `symbol` from `from` to `to`, on the NYSE's trading days only. */
function rsiOnNyseDays(symbol: string, from: string, to: string): number {
  const closes = double.barsForWindow(symbol, from, to).filter((b) => isTradingDay(b.date)).map((b) => b.close);
  const outcome = rsi(closes, "seed", 14);
  if (!outcome.ok) throw new Error(`no RSI for ${symbol}`);
  return outcome.rsi;
}

interface Stored {
  trade_date: string;
  symbol: string;
  rsi: number;
  close: number | null;
  close_date: string | null;
}
const stored = (db: string) =>
  querySqlite<Stored>(db, "SELECT trade_date, symbol, rsi, close, close_date FROM rsi_values ORDER BY trade_date, symbol");
const storedDays = (db: string) => [...new Set(stored(db).map((r) => r.trade_date))];

async function run(symbols: string, asOf: string, db: string, source = "yahoo") {
  const result = await stockRsi(["run", symbols, "--source", source, "--as-of", asOf, "--db", `sqlite:${db}`], source === "yahoo" ? yahoo() : {});
  expect(result.code, result.stderr).toBe(0);
  return result;
}

describe("a symbol that trades when the NYSE is closed does not make that day a trade date", () => {
  it("a Sunday as-of with BTC-USD in the list stores nothing under Sunday, and AAPL's Friday value exactly as a Friday as-of does", async () => {
    const symbols = symbolsFile("AAPL", "MSFT", "BTC-USD");
    const friday = freshDb();
    const fridayRun = await run(symbols, "2021-05-14", friday);
    const sunday = freshDb();
    const sundayRun = await run(symbols, "2021-05-16", sunday);

    expect(storedDays(sunday)).toEqual(["2021-05-14"]);
    expect(stored(sunday)).toEqual(stored(friday)); // every symbol, BTC-USD too, to the last bit
    expect(stored(friday).map((r) => r.close_date)).toEqual(["2021-05-14", "2021-05-14", "2021-05-14"]);
    expect(sundayRun.stdout).toBe(fridayRun.stdout);
    // From the window's first asked day (91 + 7 days back): 29 weekend days, Washington's Birthday and Good Friday.
    expect(sundayRun.stderr).toContain("fetch: dropped 31 bars dated on days the NYSE was closed: BTC-USD (31 days, 2021-02-07 to 2021-05-16)\n");
    expect(sundayRun.stderr).toContain("fetch: the latest close is 2021-05-14, so the window is 2021-02-12 to 2021-05-14, as a run on 2021-05-14 had");

    // Both runs into one store: still one row per symbol, under Friday.
    await run(symbols, "2021-05-16", friday);
    expect(stored(friday)).toEqual(stored(sunday));
  });

  it("BTC-USD's RSI is computed from its closes on NYSE trading days only, like the stocks' beside it", async () => {
    const db = freshDb();
    await run(symbolsFile("BTC-USD"), "2021-05-17", db);
    const [btc] = stored(db);
    expect(btc!.trade_date).toBe("2021-05-17");
    // The window a Monday run has: 91 days back from Monday, the weekends and holidays left out.
    expect(btc!.rsi).toBeCloseTo(rsiOnNyseDays("BTC-USD", "2021-02-15", "2021-05-17"), 9);
  });

  it("SAP.DE on Thanksgiving: nothing stored under Thanksgiving, every value as the Wednesday run stored it", async () => {
    const symbols = symbolsFile("AAPL", "SAP.DE");
    const wednesday = freshDb();
    const wednesdayRun = await run(symbols, "2021-11-24", wednesday);
    const thanksgiving = freshDb();
    const thanksgivingRun = await run(symbols, "2021-11-25", thanksgiving);

    expect(storedDays(thanksgiving)).toEqual(["2021-11-24"]);
    expect(stored(thanksgiving)).toEqual(stored(wednesday));
    expect(thanksgivingRun.stdout).toBe(wednesdayRun.stdout);
    expect(thanksgivingRun.stderr).toContain("fetch: dropped 2 bars dated on days the NYSE was closed: SAP.DE (2021-09-06 2021-11-25)\n");
  });

  it("the day after, SAP.DE's value leaves out its Thanksgiving close", async () => {
    const db = freshDb();
    await run(symbolsFile("AAPL", "SAP.DE"), "2021-11-26", db);
    const sap = stored(db).find((r) => r.symbol === "SAP.DE")!;
    expect(sap.trade_date).toBe("2021-11-26");
    expect(sap.rsi).toBeCloseTo(rsiOnNyseDays("SAP.DE", "2021-08-27", "2021-11-26"), 9);
  });
});

describe("backfill walks the NYSE's trading days", () => {
  it("over a weekend, with BTC-USD in the list: no Saturday or Sunday stored, each day as run --as-of stores it", async () => {
    const symbols = symbolsFile("AAPL", "BTC-USD");
    const db = freshDb();
    const result = await stockRsi(["backfill", symbols, "--from", "2021-05-13", "--to", "2021-05-18", "--db", `sqlite:${db}`], yahoo());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("2021-05-13 stored 2\n2021-05-14 stored 2\n2021-05-17 stored 2\n2021-05-18 stored 2\n");
    expect(storedDays(db)).toEqual(["2021-05-13", "2021-05-14", "2021-05-17", "2021-05-18"]);

    const friday = freshDb();
    await run(symbols, "2021-05-14", friday);
    expect(stored(db).filter((r) => r.trade_date === "2021-05-14")).toEqual(stored(friday));
  });

  it("over Thanksgiving with the sample source: no Thanksgiving stored, the offline source keeps the real calendar", async () => {
    const symbols = symbolsFile("AAPL", "MSFT", "IBM");
    const db = freshDb();
    const result = await stockRsi(["backfill", symbols, "--from", "2021-11-23", "--to", "2021-11-29", "--source", "sample", "--db", `sqlite:${db}`]);
    expect(result.code, result.stderr).toBe(0);
    expect(storedDays(db)).toEqual(["2021-11-23", "2021-11-24", "2021-11-26", "2021-11-29"]);

    const thanksgiving = freshDb();
    await run(symbols, "2021-11-25", thanksgiving, "sample");
    expect(stored(thanksgiving)).toEqual(stored(db).filter((r) => r.trade_date === "2021-11-24"));
  });
});

describe("a day the NYSE was closed is refused wherever days are stored", () => {
  function writeArtifact(name: string, artifact: ValidatedArtifact): string {
    const path = join(dir.path, `${name}.json`);
    writeFileSync(path, JSON.stringify(artifact, null, 2));
    return path;
  }

  const STORED_ON_TRADING_DAYS = "a value is stored under an NYSE trading day only (fetch drops bars dated on other days): regenerate it from stock-rsi fetch; nothing was stored";

  it.each([
    ["a Sunday", "2021-05-16", "a Sunday"],
    ["Thanksgiving", "2021-11-25", "Thanksgiving Day"],
    ["Nixon's funeral", "1994-04-27", "President Nixon's funeral"],
  ])("persist of a validated artifact dated on %s: exit 2, the field named, nothing stored", async (_name, day, why) => {
    const path = writeArtifact(`closed-${day}`, validatedArtifact({ tradeDate: day, values: { AAPL: 46.89, MSFT: 65.05 } }));
    const db = freshDb();
    const result = await stockRsi(["persist", "--in", path, "--db", `sqlite:${db}`]);
    expectRefusal(result, {
      code: 2,
      line: `${path}: tradeDate: the NYSE was closed on ${day} (${why}); ${STORED_ON_TRADING_DAYS}`,
    });
    expect(() => querySqlite(db, "SELECT 1")).toThrow(); // the database was never opened
  });

  it("persist of a result whose close is dated on a closed day, under a trading day: refused, naming the result", async () => {
    const artifact = validatedArtifact({ tradeDate: "2021-05-17", values: { AAPL: 46.89, "BTC-USD": 55.5 } });
    artifact.results[1] = { ...artifact.results[1]!, date: "2021-05-16" };
    const path = writeArtifact("btc-sunday-close", artifact);
    const result = await stockRsi(["persist", "--in", path, "--db", `sqlite:${freshDb()}`]);
    expectRefusal(result, {
      code: 2,
      line: `${path}: results[1].date: the NYSE was closed on 2021-05-16 (a Sunday); ${STORED_ON_TRADING_DAYS}`,
    });
  });

  it("the store itself refuses a closed day whoever calls it, and writes nothing", async () => {
    const db = freshDb();
    const store = await openStore(`sqlite:${db}`);
    try {
      await store.writeDay(dayOf("2021-05-14", { AAPL: 50 }));
      const refusal = (day: ReturnType<typeof dayOf>) => store.writeDay(day).then(() => undefined, (err: unknown) => err);
      for (const [day, why] of [
        [dayOf("2021-05-15", { AAPL: 51 }), "a Saturday"],
        [dayOf("2021-11-25", { AAPL: 52 }), "Thanksgiving Day"],
        [dayOf("2021-12-24", { AAPL: 52 }), "Christmas Day, observed"],
      ] as const) {
        const refused = await refusal(day);
        expect(refused).toBeInstanceOf(UserError);
        expect((refused as Error).message).toBe(`${store.description}: cannot store ${day.tradeDate}: the NYSE was closed on ${day.tradeDate} (${why}); nothing was stored`);
      }
      const monday = dayOf("2021-05-17", { AAPL: 53 });
      const refused = await refusal({ ...monday, results: [{ ...monday.results[0]!, date: "2021-05-16" }] });
      expect((refused as Error).message).toBe(
        `${store.description}: cannot store 2021-05-17: AAPL's close is dated 2021-05-16, and the NYSE was closed on 2021-05-16 (a Sunday); nothing was stored`,
      );
    } finally {
      await store.close();
    }
    expect(stored(db).map((r) => [r.trade_date, r.rsi])).toEqual([["2021-05-14", 50]]);
    expect(querySqlite(db, "SELECT trade_date FROM rsi_runs")).toEqual([{ trade_date: "2021-05-14" }]);
  });
});

describe("history --gaps knows the exchange's closings since 1970", () => {
  it("Nixon's funeral (1994-04-27) and Washington's Birthday 1970 (1970-02-23, before the Monday rule) are not gaps", async () => {
    const symbols = symbolsFile("AAPL", "MSFT");
    const db = freshDb();
    for (const asOf of ["1994-04-25", "1994-04-26", "1994-04-28", "1994-04-29"]) await run(symbols, asOf, db, "sample");
    for (const asOf of ["1970-02-16", "1970-02-20", "1970-02-24"]) {
      const result = await stockRsi(["run", symbols, "--source", "sample", "--as-of", asOf, "--lookback-days", "40", "--db", `sqlite:${db}`]);
      expect(result.code, result.stderr).toBe(0);
    }
    const gaps = async (from: string, to: string) => {
      const result = await stockRsi(["history", "--gaps", "--from", from, "--to", to, "--db", `sqlite:${db}`]);
      expect(result.code, result.stderr).toBe(0);
      return result.stdout;
    };
    expect(await gaps("1994-04-25", "1994-04-29")).toBe("");
    // 1970-02-16 is the third Monday, an ordinary trading day then; only 02-17..19 are missing.
    expect(await gaps("1970-02-16", "1970-02-24")).toBe("1970-02-17\n1970-02-18\n1970-02-19\n");
  });
});

describe("the user's own history is kept as the original program dated it", () => {
  it("import-legacy stores its rows dated on closed days (8 of 145), and names them", async () => {
    const db = freshDb();
    const result = await stockRsi(["import-legacy", "--dump", join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql"), "--db", `sqlite:${db}`]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      "import-legacy: note: 8 of its days are days the NYSE was closed, imported as the original program dated them (it stored a row each day it ran): " +
        "2020-11-26 2020-12-13 2020-12-25 2021-01-01 2021-01-18 2021-02-15 2021-02-28 2021-04-02\n",
    );
    expect(result.stderr).toContain("imported 23296 values (145 days, 185 symbols)");
    // Thanksgiving 2020: every non-NULL cell of that row (163 of 185 symbols) is stored under it.
    expect(querySqlite(db, "SELECT COUNT(*) AS n FROM rsi_values WHERE trade_date = '2020-11-26'")).toEqual([{ n: 163 }]);
  });
});

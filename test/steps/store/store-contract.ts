/**
 * The repository tests, written once against the `RsiStore` interface and run against every
 * store (`sqlite-store.test.ts`, `mysql-store.mariadb.test.ts`), so SQLite and MySQL cannot drift.
 * Each test gets a fresh, empty database and checks what was stored by reading the tables
 * directly, not through the store under test.
 */
import { afterEach, describe, expect, it } from "vitest";
import { UserError } from "../../../steps/domain/errors.ts";
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from "../../../steps/store/migrations.ts";
import { legacyTableOf, legacyValues, type RsiStore } from "../../../steps/store/store.ts";
import { dayOf } from "./days.ts";

export { dayOf } from "./days.ts";

export interface StoredValue {
  readonly tradeDate: string;
  readonly symbol: string;
  readonly method: string;
  readonly period: number;
  readonly rsi: number;
  readonly close: number | null;
  readonly closeDate: string | null;
  readonly runId: string;
}

export interface StoredRun {
  readonly runId: string;
  readonly tradeDate: string;
  readonly source: string;
  readonly ranked: number;
  readonly failed: number;
}

export interface OpenOptions {
  readonly access?: "write" | "read";
  readonly migrations?: readonly Migration[];
}

/** One fresh database of the store under test, and a direct look into its tables. */
export interface StoreFixture {
  open(options?: OpenOptions): Promise<RsiStore>;
  /** rsi_values, ordered by trade_date, symbol, method, period. */
  values(): Promise<StoredValue[]>;
  runs(): Promise<StoredRun[]>;
  /** Records the schema as being at `version`, as a newer stock-rsi would have left it. */
  setSchemaVersion(version: number): Promise<void>;
  tableExists(name: string): Promise<boolean>;
  cleanup(): Promise<void>;
}

/** An extra schema version, to exercise the migrator beyond version 1. */
export const PROBE_MIGRATION: Migration = {
  version: SCHEMA_VERSION + 1,
  summary: "probe table (tests only)",
  sqlite: "CREATE TABLE migration_probe (x INTEGER)",
  mysql: ["CREATE TABLE IF NOT EXISTS migration_probe (x INT)"],
};

export function describeStoreContract(storeName: string, freshFixture: () => Promise<StoreFixture>): void {
  describe(`${storeName} store: the repository contract`, () => {
    const opened: RsiStore[] = [];
    const fixtures: StoreFixture[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => {});
      for (const fixture of fixtures.splice(0)) await fixture.cleanup();
    });
    async function fresh(): Promise<StoreFixture> {
      const fixture = await freshFixture();
      fixtures.push(fixture);
      return fixture;
    }
    async function open(fixture: StoreFixture, options?: OpenOptions): Promise<RsiStore> {
      const store = await fixture.open(options);
      opened.push(store);
      return store;
    }

    it("stores every computed value with its close, close date and run id", async () => {
      const db = await fresh();
      const store = await open(db);
      const summary = await store.writeDay(dayOf("2021-05-17", { AAPL: 46.8912345678, MSFT: 63.5 }, { runId: "r1" }));
      expect(summary).toMatchObject({ inserted: 2, updated: 0 });
      expect(await db.values()).toEqual([
        { tradeDate: "2021-05-17", symbol: "AAPL", method: "seed", period: 14, rsi: 46.8912345678, close: 100 + 46.8912345678 / 10, closeDate: "2021-05-17", runId: "r1" },
        { tradeDate: "2021-05-17", symbol: "MSFT", method: "seed", period: 14, rsi: 63.5, close: 100 + 63.5 / 10, closeDate: "2021-05-17", runId: "r1" },
      ]);
    });

    it("a second run on the same trading day updates, not duplicates", async () => {
      const db = await fresh();
      const store = await open(db);
      await store.writeDay(dayOf("2021-05-17", { AAPL: 40, MSFT: 60 }, { runId: "morning" }));
      const summary = await store.writeDay(dayOf("2021-05-17", { AAPL: 41, MSFT: 61 }, { runId: "evening" }));
      expect(summary).toMatchObject({ inserted: 0, updated: 2 });
      expect((await db.values()).map((v) => [v.symbol, v.rsi, v.runId])).toEqual([
        ["AAPL", 41, "evening"],
        ["MSFT", 61, "evening"],
      ]);
    });

    it("a second run keeps the values it could not compute, and adds a new symbol beside them", async () => {
      const db = await fresh();
      const store = await open(db);
      await store.writeDay(dayOf("2021-05-17", { AAPL: 40, MSFT: 60, ZTS: 70 }, { runId: "first" }));
      const summary = await store.writeDay(dayOf("2021-05-17", { AAPL: 42, NVDA: 55 }, { runId: "second", failed: ["MSFT", "ZTS"] }));
      expect(summary).toMatchObject({ inserted: 1, updated: 1 });
      expect((await db.values()).map((v) => [v.symbol, v.rsi, v.runId])).toEqual([
        ["AAPL", 42, "second"],
        ["MSFT", 60, "first"],
        ["NVDA", 55, "second"],
        ["ZTS", 70, "first"],
      ]);
    });

    it("another method or period is a second series beside the first, never an overwrite", async () => {
      const db = await fresh();
      const store = await open(db);
      await store.writeDay(dayOf("2021-05-17", { AAPL: 46.89 }));
      await store.writeDay(dayOf("2021-05-17", { AAPL: 47.3 }, { method: "wilder", runId: "w" }));
      await store.writeDay(dayOf("2021-05-17", { AAPL: 52.1 }, { period: 9, runId: "p9" }));
      expect((await db.values()).map((v) => [v.method, v.period, v.rsi])).toEqual([
        ["seed", 9, 52.1],
        ["seed", 14, 46.89],
        ["wilder", 14, 47.3],
      ]);
      expect(await store.history({ symbols: ["AAPL"] })).toEqual([{ symbol: "AAPL", date: "2021-05-17", rsi: 46.89 }]);
      expect(await store.history({ symbols: ["AAPL"], method: "wilder" })).toEqual([{ symbol: "AAPL", date: "2021-05-17", rsi: 47.3 }]);
    });

    it("refuses a day the NYSE was closed, or a close dated on one, whoever calls it, and writes nothing", async () => {
      const db = await fresh();
      const store = await open(db);
      await store.writeDay(dayOf("2021-05-14", { AAPL: 40 }, { runId: "friday" }));
      const monday = dayOf("2021-05-17", { AAPL: 41, "BTC-USD": 60 }, { runId: "monday" });
      for (const [day, why] of [
        [dayOf("2021-05-16", { AAPL: 41 }, { runId: "sunday" }), "cannot store 2021-05-16: the NYSE was closed on 2021-05-16 (a Sunday)"],
        [dayOf("2021-11-25", { AAPL: 41 }, { runId: "thanksgiving" }), "cannot store 2021-11-25: the NYSE was closed on 2021-11-25 (Thanksgiving Day)"],
        [
          { ...monday, results: [monday.results[0]!, { ...monday.results[1]!, date: "2021-05-16" }] },
          "cannot store 2021-05-17: BTC-USD's close is dated 2021-05-16, and the NYSE was closed on 2021-05-16 (a Sunday)",
        ],
      ] as const) {
        const refused = await store.writeDay(day).then(() => undefined, (err: unknown) => err);
        expect(refused, day.runId).toBeInstanceOf(UserError);
        expect((refused as UserError).message).toBe(`${store.description}: ${why}; nothing was stored`);
        expect((refused as UserError).exitCode).toBe(2);
      }
      expect((await db.values()).map((v) => [v.tradeDate, v.symbol, v.runId])).toEqual([["2021-05-14", "AAPL", "friday"]]);
      expect((await db.runs()).map((r) => r.runId)).toEqual(["friday"]);
    });

    it("records each run once, with how many symbols it ranked and how many failed", async () => {
      const db = await fresh();
      const store = await open(db);
      await store.writeDay(dayOf("2021-05-14", { AAPL: 40 }, { runId: "a", failed: ["ATVI"] }));
      await store.writeDay(dayOf("2021-05-17", { AAPL: 41, MSFT: 50 }, { runId: "b" }));
      await store.writeDay(dayOf("2021-05-17", { AAPL: 41, MSFT: 50 }, { runId: "b" }));
      expect(await db.runs()).toEqual([
        { runId: "a", tradeDate: "2021-05-14", source: "sample", ranked: 1, failed: 1 },
        { runId: "b", tradeDate: "2021-05-17", source: "sample", ranked: 2, failed: 0 },
      ]);
    });

    it("a run id used again on another day, or for another series, is another record; on its own day, the same one", async () => {
      const db = await fresh();
      const store = await open(db);
      await store.writeDay(dayOf("2021-05-14", { AAPL: 40 }, { runId: "daily", failed: ["ATVI"] }));
      await store.writeDay(dayOf("2021-05-17", { AAPL: 41, MSFT: 50 }, { runId: "daily" }));
      await store.writeDay(dayOf("2021-05-17", { AAPL: 41.5, MSFT: 50 }, { runId: "daily", method: "wilder" }));
      await store.writeDay(dayOf("2021-05-17", { AAPL: 42 }, { runId: "daily" }));
      expect((await db.runs()).sort((a, b) => a.tradeDate.localeCompare(b.tradeDate) || a.ranked - b.ranked)).toEqual([
        { runId: "daily", tradeDate: "2021-05-14", source: "sample", ranked: 1, failed: 1 },
        { runId: "daily", tradeDate: "2021-05-17", source: "sample", ranked: 1, failed: 0 },
        { runId: "daily", tradeDate: "2021-05-17", source: "sample", ranked: 2, failed: 0 },
      ]);
      expect(await store.latestRun("2021-05-14", {})).toMatchObject({ runId: "daily", tradeDate: "2021-05-14", ranked: 1, failed: 1 });
      expect(await store.latestRun("2021-05-17", {})).toMatchObject({ runId: "daily", ranked: 1 });
      expect(await store.latestRun("2021-05-17", { method: "wilder" })).toMatchObject({ runId: "daily", ranked: 2 });
    });

    it("history returns one series by symbol, then date, between --from and --to", async () => {
      const db = await fresh();
      const store = await open(db);
      for (const [date, aapl, msft] of [
        ["2021-05-12", 30.5, 60.25],
        ["2021-05-13", 31.5, 61.25],
        ["2021-05-14", 32.5, 62.25],
        ["2021-05-17", 33.5, 63.25],
      ] as const) {
        await store.writeDay(dayOf(date, { AAPL: aapl, MSFT: msft, ZTS: 50 }));
      }
      expect(await store.history({ symbols: ["MSFT", "AAPL"], from: "2021-05-13", to: "2021-05-14" })).toEqual([
        { symbol: "AAPL", date: "2021-05-13", rsi: 31.5 },
        { symbol: "AAPL", date: "2021-05-14", rsi: 32.5 },
        { symbol: "MSFT", date: "2021-05-13", rsi: 61.25 },
        { symbol: "MSFT", date: "2021-05-14", rsi: 62.25 },
      ]);
      expect((await store.history({ symbols: ["AAPL"], from: "2021-05-14" })).map((r) => r.date)).toEqual(["2021-05-14", "2021-05-17"]);
      expect((await store.history({ symbols: ["AAPL"], to: "2021-05-12" })).map((r) => r.date)).toEqual(["2021-05-12"]);
      expect(await store.history({ symbols: ["NOPE"] })).toEqual([]);
    });

    it("history of every symbol, the trading days a series has values on, and the run that stored a day", async () => {
      const db = await fresh();
      const store = await open(db);
      await store.writeDay(dayOf("2021-05-13", { AAPL: 31, MSFT: 61 }, { runId: "thu" }));
      await store.writeDay(dayOf("2021-05-14", { AAPL: 32 }, { runId: "fri", failed: ["MSFT"] }));
      await store.writeDay(dayOf("2021-05-14", { AAPL: 32.5 }, { runId: "fri-again" }));
      await store.writeDay(dayOf("2021-05-17", { AAPL: 45 }, { method: "wilder", runId: "wilder" }));
      expect(await store.history({ from: "2021-05-14" })).toEqual([{ symbol: "AAPL", date: "2021-05-14", rsi: 32.5 }]);
      expect((await store.history({})).map((r) => `${r.symbol} ${r.date}`)).toEqual(["AAPL 2021-05-13", "AAPL 2021-05-14", "MSFT 2021-05-13"]);
      expect(await store.tradingDays({})).toEqual(["2021-05-13", "2021-05-14"]);
      expect(await store.tradingDays({ to: "2021-05-13" })).toEqual(["2021-05-13"]);
      expect(await store.tradingDays({ method: "wilder" })).toEqual(["2021-05-17"]);
      expect(await store.latestRun("2021-05-14", {})).toMatchObject({ runId: "fri-again", tradeDate: "2021-05-14", asOf: "2021-05-14", source: "sample", ranked: 1, failed: 0 });
      expect(await store.latestRun("2021-05-17", {})).toBeUndefined();
      expect(await store.latestRun("2021-05-17", { method: "wilder", period: 14 })).toMatchObject({ runId: "wilder" });
    });

    it("origins: each value's close, the day of that close and its run; an imported value has no close", async () => {
      const db = await fresh();
      const store = await open(db);
      await store.importLegacy({ runId: "import-legacy:1", source: "test", table: legacyTableOf([{ date: "2021-05-14", symbol: "AAPL", rsi: 40.86 }]), fillWideTable: false });
      const lagging = dayOf("2021-05-17", { AAPL: 45, MSFT: 61 }, { runId: "daily" });
      await store.writeDay({ ...lagging, results: lagging.results.map((r) => (r.symbol === "MSFT" ? { ...r, close: 251.5, date: "2021-05-14" } : r)) });
      await store.writeDay(dayOf("2021-05-17", { AAPL: 46 }, { method: "wilder", runId: "wilder" }));
      expect(await store.origins({ symbols: ["MSFT", "AAPL"], from: "2021-05-14", to: "2021-05-17" })).toEqual([
        { symbol: "AAPL", date: "2021-05-14", close: null, closeDate: null, runId: "import-legacy:1" },
        { symbol: "AAPL", date: "2021-05-17", close: 104.5, closeDate: "2021-05-17", runId: "daily" },
        { symbol: "MSFT", date: "2021-05-17", close: 251.5, closeDate: "2021-05-14", runId: "daily" },
      ]);
      expect(await store.origins({ symbols: ["AAPL"], to: "2021-05-14" })).toHaveLength(1);
      expect(await store.origins({ symbols: [] })).toEqual([]);
    });

    it("stores a day of 5,000 symbols, more than one statement's worth", async () => {
      const db = await fresh();
      const store = await open(db);
      const values = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`S${i}`, (i % 1000) / 10]));
      expect(await store.writeDay(dayOf("2021-05-17", values))).toMatchObject({ inserted: 5000, updated: 0 });
      expect(await store.writeDay(dayOf("2021-05-17", values))).toMatchObject({ inserted: 0, updated: 5000 });
      const stored = await db.values();
      expect(stored).toHaveLength(5000);
      expect(stored.find((v) => v.symbol === "S4321")?.rsi).toBe(32.1);
    });

    it("opening an empty database applies every migration once; opening it again applies none", async () => {
      const db = await fresh();
      const first = await open(db);
      expect(first.schema).toEqual({ before: 0, after: SCHEMA_VERSION, applied: MIGRATIONS.map((m) => `v${m.version}: ${m.summary}`) });
      await first.close();
      const again = await open(db);
      expect(again.schema).toEqual({ before: SCHEMA_VERSION, after: SCHEMA_VERSION, applied: [] });
    });

    it("a schema behind is migrated by a writer and refused by a reader", async () => {
      const db = await fresh();
      await (await open(db)).close();
      const withProbe = [...MIGRATIONS, PROBE_MIGRATION];
      await expect(open(db, { access: "read", migrations: withProbe })).rejects.toThrow(
        new RegExp(`schema is at version ${SCHEMA_VERSION}, this stock-rsi needs ${SCHEMA_VERSION + 1}; run stock-rsi migrate`),
      );
      expect(await db.tableExists("migration_probe")).toBe(false);
      const writer = await open(db, { migrations: withProbe });
      expect(writer.schema).toEqual({ before: SCHEMA_VERSION, after: SCHEMA_VERSION + 1, applied: [`v${PROBE_MIGRATION.version}: probe table (tests only)`] });
      expect(await db.tableExists("migration_probe")).toBe(true);
    });

    it("a database migrated by a newer stock-rsi is refused, for writing and for reading", async () => {
      const db = await fresh();
      await (await open(db)).close();
      await db.setSchemaVersion(SCHEMA_VERSION + 5);
      for (const access of ["write", "read"] as const) {
        const refusal = await open(db, { access }).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(refusal).toBeInstanceOf(UserError);
        expect((refusal as UserError).exitCode).toBe(4);
        expect((refusal as Error).message).toMatch(`the schema is at version ${SCHEMA_VERSION + 5}, newer than this stock-rsi knows (${SCHEMA_VERSION}); upgrade stock-rsi`);
      }
    });

    it("a reader on a database nothing was stored in is told so, and creates nothing", async () => {
      const db = await fresh();
      await expect(open(db, { access: "read" })).rejects.toThrow(/nothing is stored|not a stock-rsi database|no such database file/);
      expect(await db.tableExists("rsi_values")).toBe(false);
    });

    it("legacy values fill gaps and never overwrite a run's value; importing again changes nothing", async () => {
      const db = await fresh();
      const store = await open(db);
      await store.writeDay(dayOf("2021-05-17", { AAPL: 46.8912 }, { runId: "daily" }));
      const legacy = [
        { date: "2021-05-14", symbol: "AAPL", rsi: 40.86 },
        { date: "2021-05-17", symbol: "AAPL", rsi: 46.89 },
        { date: "2021-05-17", symbol: "MSFT", rsi: 65.05 },
      ];
      const first = await store.importLegacy({ runId: "import-legacy:1", source: "test", table: legacyTableOf(legacy), fillWideTable: false });
      expect([...legacyValues(first.inserted)]).toEqual([legacy[0], legacy[2]]);
      const before = await db.values();
      expect(before.map((v) => [v.tradeDate, v.symbol, v.method, v.period, v.rsi, v.close, v.runId])).toEqual([
        ["2021-05-14", "AAPL", "seed", 14, 40.86, null, "import-legacy:1"],
        ["2021-05-17", "AAPL", "seed", 14, 46.8912, 100 + 46.8912 / 10, "daily"],
        ["2021-05-17", "MSFT", "seed", 14, 65.05, null, "import-legacy:1"],
      ]);
      const runsBefore = await db.runs();
      expect(runsBefore.find((r) => r.runId === "import-legacy:1")).toEqual({
        runId: "import-legacy:1",
        tradeDate: "2021-05-17",
        source: "test",
        ranked: 2,
        failed: 0,
      });

      const second = await store.importLegacy({ runId: "import-legacy:2", source: "test", table: legacyTableOf(legacy), fillWideTable: false });
      expect([...legacyValues(second.inserted)]).toEqual([]);
      expect(await db.values()).toEqual(before);
      expect(await db.runs()).toEqual(runsBefore);
    });
  });
}

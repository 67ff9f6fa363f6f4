/**
 * The user's wide `stocks` table, as their Excel sheet reads it over ODBC, kept by the persist
 * step on a real MariaDB, connected as the pipeline account.
 */
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../../../cli/program.ts";
import { UserError } from "../../../../steps/domain/errors.ts";
import { openStore } from "../../../../steps/store/open-store.ts";
import type { RsiStore } from "../../../../steps/store/store.ts";
import { captureIo, tempDir } from "../../../support/cli.ts";
import { startMariaDb, type MariaDbServer, type TestDatabase } from "../../../support/mariadb.ts";
import { dayOf } from "../days.ts";
import { writeValidated } from "../../persist/validated-artifact.ts";

let server: MariaDbServer;
const dir = tempDir("stock-rsi-wide-");
beforeAll(async () => {
  server = await startMariaDb();
});
afterAll(async () => {
  await server?.destroy();
  dir.cleanup();
});

async function storeFor(db: TestDatabase): Promise<RsiStore> {
  return openStore(db.url, { env: db.env });
}

/** The table as Excel sees it: the text protocol, FLOATs printed by the server. */
async function stocks(db: TestDatabase, columns = "*"): Promise<Record<string, unknown>[]> {
  const [rows] = await (await server.admin()).query<RowDataPacket[]>(`SELECT ${columns} FROM \`${db.name}\`.stocks ORDER BY date`);
  return rows.map((r) => ({ ...r }));
}

async function columnsOf(db: TestDatabase): Promise<string[]> {
  const rows = await server.query<RowDataPacket[]>(
    "SELECT CONCAT(COLUMN_NAME, ' ', COLUMN_TYPE, IF(COLUMN_KEY = 'PRI', ' PRI', '')) AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'stocks' ORDER BY ORDINAL_POSITION",
    [db.name],
  );
  return rows.map((r) => String(r.c));
}

async function tablesOf(db: TestDatabase): Promise<string[]> {
  const rows = await server.query<RowDataPacket[]>("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1", [db.name]);
  return rows.map((r) => String(r.t));
}

describe("the wide stocks table", () => {
  it("the first run creates it: date primary key, one FLOAT column per symbol, values rounded half to even", async () => {
    const db = await server.createDatabase("create");
    const store = await storeFor(db);
    const summary = await store.writeDay(dayOf("2021-05-17", { AAPL: 46.8949, MSFT: 50.125, ZTS: 50.375 }));
    await store.close();
    expect(summary.wideTable).toEqual({ written: true, columnsAdded: ["AAPL", "MSFT", "ZTS"] });
    expect(await columnsOf(db)).toEqual(["date date PRI", "AAPL float", "MSFT float", "ZTS float"]);
    expect(await stocks(db)).toEqual([{ date: "2021-05-17", AAPL: 46.89, MSFT: 50.12, ZTS: 50.38 }]);
  });

  it("a failed symbol is NULL; a re-run that fails it keeps the value an earlier run stored", async () => {
    const db = await server.createDatabase("failed");
    const store = await storeFor(db);
    await store.writeDay(dayOf("2021-05-17", { AAPL: 46.89 }, { failed: ["ATVI"] }));
    expect(await stocks(db)).toEqual([{ date: "2021-05-17", AAPL: 46.89, ATVI: null }]);
    await store.writeDay(dayOf("2021-05-17", { ATVI: 55.08 }, { failed: ["AAPL"], runId: "second" }));
    await store.close();
    expect(await stocks(db)).toEqual([{ date: "2021-05-17", AAPL: 46.89, ATVI: 55.08 }]);
  });

  it("a second run on a day updates the row instead of failing on the primary key", async () => {
    const db = await server.createDatabase("rerun");
    const store = await storeFor(db);
    await store.writeDay(dayOf("2021-05-17", { AAPL: 46.89, MSFT: 60 }));
    await store.writeDay(dayOf("2021-05-17", { AAPL: 47.01, MSFT: 60 }, { runId: "again" }));
    await store.close();
    expect(await stocks(db)).toEqual([{ date: "2021-05-17", AAPL: 47.01, MSFT: 60 }]);
  });

  it("a new symbol becomes a new column; earlier days show NULL for it", async () => {
    const db = await server.createDatabase("newsym");
    const store = await storeFor(db);
    await store.writeDay(dayOf("2021-05-14", { AAPL: 40.86 }));
    const summary = await store.writeDay(dayOf("2021-05-17", { AAPL: 46.89, ABNB: 38.5 }));
    await store.close();
    expect(summary.wideTable).toEqual({ written: true, columnsAdded: ["ABNB"] });
    expect(await columnsOf(db)).toEqual(["date date PRI", "AAPL float", "ABNB float"]);
    expect(await stocks(db)).toEqual([
      { date: "2021-05-14", AAPL: 40.86, ABNB: null },
      { date: "2021-05-17", AAPL: 46.89, ABNB: 38.5 },
    ]);
  });

  it("symbols with . - ^ = are columns named exactly as the symbol", async () => {
    const db = await server.createDatabase("quoted");
    const store = await storeFor(db);
    await store.writeDay(dayOf("2021-05-17", { "BRK-B": 61.5, "^GSPC": 55.25, "EURUSD=X": 48, "WSU.DE": 33.33 }));
    await store.close();
    expect(await columnsOf(db)).toEqual(["date date PRI", "BRK-B float", "^GSPC float", "EURUSD=X float", "WSU.DE float"]);
    expect(await stocks(db, "`BRK-B`, `^GSPC`, `EURUSD=X`, `WSU.DE`")).toEqual([{ "BRK-B": 61.5, "^GSPC": 55.25, "EURUSD=X": 48, "WSU.DE": 33.33 }]);
  });

  it("holds only the series its history is made of: a wilder or period-9 run leaves it alone", async () => {
    const db = await server.createDatabase("series");
    const store = await storeFor(db);
    await store.writeDay(dayOf("2021-05-17", { AAPL: 46.89 }));
    const wilder = await store.writeDay(dayOf("2021-05-17", { AAPL: 47.3, MSFT: 50 }, { method: "wilder", runId: "w" }));
    const period9 = await store.writeDay(dayOf("2021-05-17", { AAPL: 52.1 }, { period: 9, runId: "p9" }));
    await store.close();
    expect(wilder.wideTable).toEqual({ written: false, reason: "it holds method seed, period 14 only; this run is wilder, period 14" });
    expect(period9.wideTable).toMatchObject({ written: false });
    expect(await stocks(db)).toEqual([{ date: "2021-05-17", AAPL: 46.89 }]);
  });

  it("extends the user's own table, as restored from their dump, in place", async () => {
    const db = await server.createDatabase("existing");
    const admin = await server.admin();
    await admin.query(
      `CREATE TABLE \`${db.name}\`.stocks (\`date\` date NOT NULL, \`AAGIY\` float DEFAULT NULL, \`AAPL\` float DEFAULT NULL, PRIMARY KEY (\`date\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
       INSERT INTO \`${db.name}\`.stocks VALUES ('2021-05-14',58.21,40.86),('2021-05-17',58.42,46.89);`,
    );
    const store = await storeFor(db);
    await store.writeDay(dayOf("2021-05-18", { AAPL: 45.75, TDUP: 52.5 }, { failed: ["AAGIY"] }));
    await store.close();
    expect(await stocks(db)).toEqual([
      { date: "2021-05-14", AAGIY: 58.21, AAPL: 40.86, TDUP: null },
      { date: "2021-05-17", AAGIY: 58.42, AAPL: 46.89, TDUP: null },
      { date: "2021-05-18", AAGIY: null, AAPL: 45.75, TDUP: 52.5 },
    ]);
  });

  it("refuses a stocks table without date as its primary key before anything is written", async () => {
    const db = await server.createDatabase("nopk");
    await (await server.admin()).query(`CREATE TABLE \`${db.name}\`.stocks (\`date\` date, \`AAPL\` float)`);
    const store = await storeFor(db);
    const refusal = await store.writeDay(dayOf("2021-05-17", { AAPL: 46.89 })).then(
      () => undefined,
      (err: unknown) => err,
    );
    await store.close();
    expect(refusal).toBeInstanceOf(UserError);
    expect((refusal as Error).message).toMatch(/stocks's primary key is \(none\), not \(date\), so a second run on a day would add a second row; fix the table, or store without it \(--no-wide-table\)/);
    expect(await server.query(`SELECT * FROM \`${db.name}\`.rsi_values`)).toEqual([]);
  });

  it("refuses a day that would take it past InnoDB's 1017 columns, before anything is written", async () => {
    const db = await server.createDatabase("limit");
    const store = await storeFor(db);
    const symbols = Object.fromEntries(Array.from({ length: 1017 }, (_, i) => [`S${i}`, 50]));
    const refusal = await store.writeDay(dayOf("2021-05-17", symbols)).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((refusal as Error).message).toBe(
      "stocks: adding 1017 symbol columns would give the table 1018 columns, over InnoDB's limit of 1017; store without it (--no-wide-table: every value still goes to rsi_values) or list fewer symbols",
    );
    expect(await server.query(`SELECT * FROM \`${db.name}\`.rsi_values`)).toEqual([]);
    // 1016 symbols fit.
    delete symbols.S1016;
    expect((await store.writeDay(dayOf("2021-05-17", symbols))).wideTable).toMatchObject({ written: true });
    await store.close();
    expect(await columnsOf(db)).toHaveLength(1017);
  });
});

describe("persist and the wide table", () => {
  it("keys the row by the trading day of the data, not the day the run happened", async () => {
    const db = await server.createDatabase("tradeday");
    // Friday's closes, ranked on Saturday morning.
    const artifact = writeValidated(dir.path, { tradeDate: "2021-05-14", asOf: "2021-05-15", values: { AAPL: 40.86 } }, "saturday.json");
    const io = captureIo({ env: db.env, now: new Date("2021-05-15T09:00:00Z") });
    expect(await runCli(["persist", "--in", artifact, "--db", db.url], io)).toBe(0);
    expect(await stocks(db)).toEqual([{ date: "2021-05-14", AAPL: 40.86 }]);
    expect(io.stderr()).toContain("persist: stocks table: wrote the day's row, adding 1 symbol columns (AAPL)");
  });

  it("--no-wide-table stores the long table only", async () => {
    const db = await server.createDatabase("off");
    const artifact = writeValidated(dir.path, { tradeDate: "2021-05-17", values: { AAPL: 46.89 } }, "off.json");
    const io = captureIo({ env: db.env });
    expect(await runCli(["persist", "--in", artifact, "--db", db.url, "--no-wide-table"], io)).toBe(0);
    expect(await tablesOf(db)).toEqual(["rsi_runs", "rsi_values", "schema_migrations"]);
    expect(io.stderr()).not.toContain("stocks");
  });

  it("an artifact naming a symbol that is not a ticker is refused before the database is touched", async () => {
    const db = await server.createDatabase("hostile");
    const artifact = writeValidated(
      dir.path,
      { tradeDate: "2021-05-17", values: { AAPL: 46.89, "X` FLOAT); DROP TABLE stocks; --": 50 } },
      "hostile.json",
    );
    const connectionsBefore = await connections();
    const io = captureIo({ env: db.env });
    expect(await runCli(["persist", "--in", artifact, "--db", db.url], io)).toBe(2);
    expect(io.stderr()).toBe(
      `stock-rsi: ${artifact}: results[1].symbol: "X\` FLOAT); DROP TABLE stocks; --" has characters a ticker cannot have; use only letters, digits and . - ^ =; regenerate it with stock-rsi validate\n`,
    );
    expect(io.stdout()).toBe("");
    expect(await connections()).toBe(connectionsBefore);
    expect(await tablesOf(db)).toEqual([]);
  });
});

/** Connections the server has accepted so far (this file's admin connection is already open). */
async function connections(): Promise<number> {
  const rows = await server.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Connections'");
  return Number(rows[0]!.Value);
}

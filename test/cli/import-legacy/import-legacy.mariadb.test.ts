/**
 * `stock-rsi import-legacy` with the user's real dump (`test/fixtures/legacy/prod-db.sql`,
 * MySQL 8.0.21, 145 days) into a real MariaDB, as the pipeline account.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../../cli/program.ts";
import { parseMysqldumpTable } from "../../../cli/import-legacy/mysqldump.ts";
import { captureIo, REPO_ROOT, tempDir } from "../../support/cli.ts";
import { startMariaDb, type MariaDbServer, type TestDatabase } from "../../support/mariadb.ts";
import { writeValidated } from "../../steps/persist/validated-artifact.ts";

const DUMP = join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql");
const dumped = parseMysqldumpTable(readFileSync(DUMP, "utf8"), "stocks", DUMP);

/** What the user's table holds, counted independently of the importer (see prod-db.sql). */
const EXPECTED_REPORT = {
  days: { imported: 145, skipped: 0 },
  symbols: { imported: 185, skipped: 0 },
  values: { imported: 23296, alreadyStored: 0, empty: 3529, invalid: 0 },
  refusedColumns: [],
};

let server: MariaDbServer;
const dir = tempDir("stock-rsi-import-");
beforeAll(async () => {
  server = await startMariaDb();
});
afterAll(async () => {
  await server?.destroy();
  dir.cleanup();
});

async function importLegacy(db: TestDatabase, ...args: string[]) {
  const io = captureIo({ env: db.env });
  const code = await runCli(["import-legacy", ...args, "--db", db.url, "--json"], io);
  return { code, report: code === 0 ? JSON.parse(io.stdout()) : undefined, stderr: io.stderr() };
}

async function checksums(db: TestDatabase, tables: string[]): Promise<Record<string, number>> {
  const rows = await server.query<RowDataPacket[]>(`CHECKSUM TABLE ${tables.map((t) => `\`${db.name}\`.${t}`).join(", ")}`);
  return Object.fromEntries(rows.map((r) => [String(r.Table), Number(r.Checksum)]));
}

/** The user's table restored into the database, as `mysql < prod-db.sql` would on MySQL 8.4. */
async function restoreDump(db: TestDatabase): Promise<void> {
  const text = readFileSync(DUMP, "utf8");
  const statements = text.slice(text.indexOf("DROP TABLE IF EXISTS `stocks`"), text.indexOf("UNLOCK TABLES;") + "UNLOCK TABLES;".length);
  // MariaDB does not know MySQL 8's default collation; that is the only change.
  await (await server.admin()).query(`USE \`${db.name}\`; ${statements.replaceAll("utf8mb4_0900_ai_ci", "utf8mb4_general_ci")}`);
}

describe("import-legacy --dump, the user's prod-db.sql", () => {
  it("imports every value: 145 days, 185 symbols, 23,296 values, 3,529 empty cells skipped", async () => {
    const db = await server.createDatabase("dump");
    const { code, report, stderr } = await importLegacy(db, "--dump", DUMP);
    expect(code).toBe(0);
    expect(report).toMatchObject({ source: "mysqldump prod-db.sql, table stocks", ...EXPECTED_REPORT });
    expect(report.runId).toMatch(/^import-legacy:/);
    expect(stderr).toContain(
      "import-legacy: mysqldump prod-db.sql, table stocks → ",
    );
    expect(stderr).toContain(
      "imported 23296 values (145 days, 185 symbols); skipped 0 values already stored, 3529 empty (NULL) cells and 0 invalid cells; nothing new for 0 of 145 days and 0 of 185 symbols",
    );

    const stored = await server.query<RowDataPacket[]>(
      `SELECT trade_date, symbol, method, period, rsi, close, run_id FROM \`${db.name}\`.rsi_values WHERE symbol IN ('AAGIY', 'AAPL') AND trade_date IN ('2020-10-21', '2021-05-17') ORDER BY trade_date, symbol`,
    );
    expect(stored).toEqual([
      { trade_date: "2020-10-21", symbol: "AAGIY", method: "seed", period: 14, rsi: 45.65, close: null, run_id: report.runId },
      { trade_date: "2020-10-21", symbol: "AAPL", method: "seed", period: 14, rsi: 51.28, close: null, run_id: report.runId },
      { trade_date: "2021-05-17", symbol: "AAGIY", method: "seed", period: 14, rsi: 58.42, close: null, run_id: report.runId },
      { trade_date: "2021-05-17", symbol: "AAPL", method: "seed", period: 14, rsi: 46.89, close: null, run_id: report.runId },
    ]);
    const runs = await server.query<RowDataPacket[]>(`SELECT run_id, trade_date, source, method, period, ranked FROM \`${db.name}\`.rsi_runs`);
    expect(runs).toEqual([{ run_id: report.runId, trade_date: "2021-05-17", source: "mysqldump prod-db.sql, table stocks", method: "seed", period: 14, ranked: 23296 }]);
  });

  it("rebuilds the wide stocks table cell for cell as the user's own", async () => {
    const db = await server.createDatabase("wide");
    expect((await importLegacy(db, "--dump", DUMP)).code).toBe(0);
    const [rows, fields] = await (await server.admin()).query<RowDataPacket[]>({ sql: `SELECT * FROM \`${db.name}\`.stocks ORDER BY date`, rowsAsArray: true });
    expect(fields.map((f) => f.name)).toEqual(dumped.columns.map((c) => c.name));
    expect(rows).toEqual(dumped.rows);
  });

  it("importing the same dump again changes nothing", async () => {
    const db = await server.createDatabase("twice");
    await importLegacy(db, "--dump", DUMP);
    const before = await checksums(db, ["rsi_values", "rsi_runs", "stocks"]);
    const again = await importLegacy(db, "--dump", DUMP);
    expect(again.code).toBe(0);
    expect(again.report).toMatchObject({
      days: { imported: 0, skipped: 145 },
      symbols: { imported: 0, skipped: 185 },
      values: { imported: 0, alreadyStored: 23296, empty: 3529, invalid: 0 },
    });
    expect(await checksums(db, ["rsi_values", "rsi_runs", "stocks"])).toEqual(before);
  });

  it("keeps a day the pipeline already stored, and the history runs on from the import", async () => {
    const db = await server.createDatabase("continue");
    const day = writeValidated(dir.path, { tradeDate: "2021-05-17", values: { AAPL: 46.8937, ZTS: 52.004 } }, "may17.json");
    expect(await runCli(["persist", "--in", day, "--db", db.url], captureIo({ env: db.env }))).toBe(0);
    const { report } = await importLegacy(db, "--dump", DUMP);
    expect(report.values).toEqual({ imported: 23294, alreadyStored: 2, empty: 3529, invalid: 0 });
    expect(report.days).toEqual({ imported: 145, skipped: 0 });

    const next = writeValidated(dir.path, { tradeDate: "2021-05-18", values: { AAPL: 45.7512 } }, "may18.json");
    // Stored the evening of the 18th: a trading day after today is refused.
    expect(await runCli(["persist", "--in", next, "--db", db.url], captureIo({ env: db.env, now: new Date("2021-05-18T22:00:00Z") }))).toBe(0);
    const io = captureIo({ env: db.env });
    expect(await runCli(["history", "AAPL", "--from", "2021-05-13", "--db", db.url], io)).toBe(0);
    expect(io.stdout()).toBe("AAPL 2021-05-13 34.83\nAAPL 2021-05-14 40.86\nAAPL 2021-05-17 46.89\nAAPL 2021-05-18 45.75\n");
    // The run's full-precision value is the one kept in the long table.
    expect(await server.query(`SELECT rsi FROM \`${db.name}\`.rsi_values WHERE symbol = 'AAPL' AND trade_date = '2021-05-17'`)).toEqual([{ rsi: 46.8937 }]);
    expect(await server.query(`SELECT AAPL, ZTS FROM \`${db.name}\`.stocks WHERE date >= '2021-05-17' ORDER BY date`)).toEqual([
      { AAPL: 46.89, ZTS: 52 },
      { AAPL: 45.75, ZTS: null },
    ]);
  });

  it("--no-wide-table imports into the long table only", async () => {
    const db = await server.createDatabase("nowide");
    expect((await importLegacy(db, "--dump", DUMP, "--no-wide-table")).report.values.imported).toBe(23296);
    const tables = await server.query<RowDataPacket[]>("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1", [db.name]);
    expect(tables.map((t) => t.t)).toEqual(["rsi_runs", "rsi_values", "schema_migrations"]);
  });
});

describe("import-legacy --from-table", () => {
  it("imports the live table, leaves it untouched, and stores what --dump stores", async () => {
    const live = await server.createDatabase("live");
    await restoreDump(live);
    const wideBefore = await checksums(live, ["stocks"]);
    const first = await importLegacy(live, "--from-table", "stocks");
    expect(first.code).toBe(0);
    expect(first.report).toMatchObject({ source: "table stocks", ...EXPECTED_REPORT });
    expect(await checksums(live, ["stocks"])).toEqual(wideBefore);

    const again = await importLegacy(live, "--from-table", "stocks");
    expect(again.report.values).toEqual({ imported: 0, alreadyStored: 23296, empty: 3529, invalid: 0 });

    const fromDump = await server.createDatabase("fromdump");
    await importLegacy(fromDump, "--dump", DUMP, "--no-wide-table");
    const values = (db: TestDatabase) => server.query(`SELECT trade_date, symbol, rsi FROM \`${db.name}\`.rsi_values ORDER BY trade_date, symbol`);
    expect(await values(live)).toEqual(await values(fromDump));
  });

  it("a table that is not there is named in a one-line refusal", async () => {
    const db = await server.createDatabase("missing");
    const { code, stderr } = await importLegacy(db, "--from-table", "stocks_2020");
    expect(code).toBe(2);
    expect(stderr).toMatch(/^stock-rsi: --from-table: there is no table stocks_2020 in mysql:\/\/stock_rsi@127\.0\.0\.1:\d+\/missing_\w+ \(or stock_rsi may not read it\)\n$/);
  });
});

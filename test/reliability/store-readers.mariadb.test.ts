/**
 * What another writer left in the MySQL store, read by every reader as the user runs it (child
 * processes, the read-only account, a real MariaDB): values a DOUBLE column holds but an RSI
 * cannot be (a million, minus a million), a zero date (which MariaDB's default SQL mode lets an
 * INSERT write), and text, once the column is altered to VARCHAR. Each such row is skipped with
 * one warning line naming it; what the readers print and write is what they would with the row
 * deleted. Also: a run id used again on another day keeps both run records, and a database at
 * schema version 1 holding the user's imported history is migrated with nothing lost.
 * The same on SQLite: `store-readers.test.ts`.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { legacyValuesOf } from "../../cli/import-legacy/legacy-values.ts";
import { parseMysqldumpTable } from "../../cli/import-legacy/mysqldump.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "../../steps/store/migrations.ts";
import { openStore } from "../../steps/store/open-store.ts";
import { REPO_ROOT, stockRsi, tempDir, type CliResult } from "../support/cli.ts";
import { startMariaDb, type MariaDbServer, type TestDatabase } from "../support/mariadb.ts";
import { dayOf } from "../steps/store/days.ts";
import { expectPrintable, expectRefusal } from "./support.ts";

let server: MariaDbServer;
const dir = tempDir("stock-rsi-store-readers-mariadb-");
const symbols = join(dir.path, "symbols");
writeFileSync(symbols, "AAPL\nMSFT\nIBM\n");
beforeAll(async () => {
  server = await startMariaDb();
});
afterAll(async () => {
  await server?.destroy();
  dir.cleanup();
});

/** A database holding three days of AAPL, MSFT and IBM, as `stock-rsi run` stored them. */
async function threeDays(prefix: string): Promise<TestDatabase> {
  const db = await server.createDatabase(prefix);
  for (const day of ["2021-05-13", "2021-05-14", "2021-05-17"]) {
    const stored = await stockRsi(["run", symbols, "--source", "sample", "--as-of", day, "--db", db.url, "--no-wide-table", "--run-id", `run-${day}`], { env: db.env });
    expect(stored.code, stored.stderr).toBe(0);
  }
  return db;
}

/** A reader's command as the read-only account, in its own directory (for the files it writes). */
function asReader(db: TestDatabase, args: readonly string[], cwd = dir.path): Promise<CliResult> {
  return stockRsi([...args, "--db", db.readerUrl], { env: db.readerEnv, cwd });
}

const warnings = (result: CliResult) => result.stderr.split("\n").filter((l) => l.includes(": warning: "));
const otherLines = (result: CliResult) => result.stderr.split("\n").filter((l) => !l.includes(": warning: "));
const inDb = (db: TestDatabase, sql: string) => server.query(sql.replaceAll("DB.", `\`${db.name}\`.`));

describe("a row that is not a value, read by every reader", () => {
  const BAD_ROWS = [
    { symbol: "AAPL", date: "2021-05-14", set: "rsi = 1e6", named: "AAPL 2021-05-14 (seed, period 14): rsi 1000000 is outside 0-100" },
    { symbol: "MSFT", date: "2021-05-14", set: "rsi = -1e6", named: "MSFT 2021-05-14 (seed, period 14): rsi -1000000 is outside 0-100" },
    {
      symbol: "IBM",
      date: "2021-05-13",
      set: "trade_date = '0000-00-00'",
      named: 'IBM 0000-00-00 (seed, period 14): trade_date "0000-00-00" is not a date written YYYY-MM-DD between 1970-01-01 and 9999-12-31',
    },
  ];
  let bad: TestDatabase;
  let clean: TestDatabase;

  beforeAll(async () => {
    [bad, clean] = [await threeDays("bad"), await threeDays("clean")];
    for (const row of BAD_ROWS) {
      const where = `WHERE symbol = '${row.symbol}' AND trade_date = '${row.date}'`;
      await inDb(bad, `UPDATE DB.rsi_values SET ${row.set} ${where}`);
      await inDb(clean, `DELETE FROM DB.rsi_values ${where}`);
    }
  }, 120_000);

  /** The command on both databases: the same status and output (the database's name aside); the bad one adds one line per bad row. */
  async function expectAsIfDeleted(command: string, args: readonly string[], file?: string): Promise<void> {
    const sameName = (text: string, db: TestDatabase) => text.replaceAll(db.name, "DB");
    const results: CliResult[] = [];
    const files: string[] = [];
    for (const db of [bad, clean]) {
      const home = join(dir.path, `${db.name}-${command}-${args.length}`);
      mkdirSync(home, { recursive: true });
      results.push(await asReader(db, args, home));
      if (file) files.push(sameName(readFileSync(join(home, file), "utf8"), db));
    }
    const [onBad, onClean] = results as [CliResult, CliResult];
    expect(onClean.code, onClean.stderr).toBe(0);
    expect(onBad.code, onBad.stderr).toBe(0);
    expect(onBad.stderr).not.toMatch(/^\s+at /m);
    expectPrintable(onBad.stderr);
    expect(onBad.stdout).toBe(onClean.stdout);
    if (file) expect(files[0]).toBe(files[1]);
    const reader = bad.readerUrl.replace(`/${bad.name}`, "/DB");
    expect(warnings(onBad).map((l) => sameName(l, bad)).sort()).toEqual(BAD_ROWS.map((row) => `${command}: warning: ${reader}: rsi_values: skipped ${row.named}`).sort());
    expect(otherLines(onBad).map((l) => sameName(l, bad))).toEqual(otherLines(onClean).map((l) => sameName(l, clean)));
  }

  it("history --json prints the values only, as if the bad rows had never been stored", async () => {
    await expectAsIfDeleted("history", ["history", "AAPL", "MSFT", "IBM", "--json"]);
  });

  it("history --chart draws the values only", async () => {
    await expectAsIfDeleted("history", ["history", "AAPL", "MSFT", "IBM", "--chart", "chart.svg"], "chart.svg");
  });

  it("history --gaps counts a day by its values, not by its rows", async () => {
    await expectAsIfDeleted("history", ["history", "--gaps", "--to", "2021-05-17"]);
  });

  it("report compares with the previous day's values only", async () => {
    await expectAsIfDeleted("report", ["report", "--as-of", "2021-05-17", "--out", "report.html"], "report.html");
  });

  it("a column altered to VARCHAR: text is never printed as a value, each row is named, nothing crashes", async () => {
    const db = await threeDays("varchar");
    await inDb(db, "ALTER TABLE DB.rsi_values MODIFY rsi VARCHAR(32) NOT NULL");
    await inDb(db, "UPDATE DB.rsi_values SET rsi = 'abc' WHERE symbol = 'AAPL' AND trade_date = '2021-05-14'");
    const history = await asReader(db, ["history", "AAPL", "--json"]);
    expect(history.code, history.stderr).toBe(0);
    expect(JSON.parse(history.stdout)).toEqual([]);
    expect(warnings(history)).toContain(`history: warning: ${db.readerUrl}: rsi_values: skipped AAPL 2021-05-14 (seed, period 14): rsi "abc" is text, not a number`);
    expect(warnings(history)).toHaveLength(3);
    expect(warnings(history)[0]).toMatch(/rsi_values: skipped AAPL 2021-05-13 \(seed, period 14\): rsi "\d+\.\d+" is text, not a number$/);

    const report = await asReader(db, ["report", "--as-of", "2021-05-17", "--out", join(dir.path, "varchar.html")]);
    expectRefusal(report, { code: 2, line: `report: ${db.readerUrl} holds no values (seed, period 14) on or before 2021-05-17` });
    expect(warnings(report).length).toBeGreaterThan(0);
  });
});

describe("a run id used again", () => {
  it("on another day keeps both days' run records, and each day's report names its run", async () => {
    const db = await server.createDatabase("reuse");
    for (const day of ["2021-05-14", "2021-05-17", "2021-05-17"]) {
      const result = await stockRsi(["run", symbols, "--source", "sample", "--as-of", day, "--run-id", "daily", "--db", db.url], { env: db.env });
      expect(result.code, result.stderr).toBe(0);
    }
    expect(await inDb(db, "SELECT run_id, trade_date, ranked FROM DB.rsi_runs ORDER BY trade_date")).toEqual([
      { run_id: "daily", trade_date: "2021-05-14", ranked: 3 },
      { run_id: "daily", trade_date: "2021-05-17", ranked: 3 },
    ]);
    const out = join(dir.path, "reuse.html");
    const report = await asReader(db, ["report", "--as-of", "2021-05-14", "--out", out]);
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(out, "utf8")).toContain("run <b>daily</b>");
  });
});

describe("a database at schema version 1, holding the user's imported history", () => {
  it("is refused by a reader until migrated, then migrated with every value and run record kept, and keyed by day", async () => {
    const db = await server.createDatabase("v1");
    const v1 = await openStore(db.url, { env: db.env, migrations: MIGRATIONS.slice(0, 1) });
    expect(v1.schema.after).toBe(1);
    const dump = join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql");
    const legacy = legacyValuesOf(parseMysqldumpTable(readFileSync(dump, "utf8"), "stocks", dump), dump);
    await v1.importLegacy({ runId: "import-legacy:2021-05-16T12:00:00.000Z", source: "mysqldump prod-db.sql, table stocks", table: legacy.table, fillWideTable: true });
    await v1.writeDay(dayOf("2021-05-17", { AAPL: 46.8912, MSFT: 61.5 }, { runId: "daily", failed: ["ATVI"] }));
    await v1.close();
    const contents = async () => ({
      values: await inDb(db, "SELECT * FROM DB.rsi_values ORDER BY trade_date, symbol, method, period"),
      runs: await inDb(db, "SELECT * FROM DB.rsi_runs ORDER BY trade_date, run_id"),
      stocks: await inDb(db, "SELECT * FROM DB.stocks ORDER BY date"),
    });
    const before = await contents();
    expect(before.values.length).toBeGreaterThan(20_000);

    expectRefusal(await asReader(db, ["history", "AAPL"]), {
      code: 2,
      line: `${db.readerUrl}: the schema is at version 1, this stock-rsi needs ${SCHEMA_VERSION}; run stock-rsi migrate --db ${db.readerUrl} as the pipeline account`,
    });
    const migrated = await stockRsi(["migrate", "--db", db.url], { env: db.env });
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stderr).toContain("migrate: applied v2: rsi_runs keyed by trading day, method, period and run id");
    expect(await contents()).toEqual(before);
    const primary = await server.query<RowDataPacket[]>(
      "SELECT COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'rsi_runs' AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
      [db.name],
    );
    expect(primary.map((r) => r.c)).toEqual(["trade_date", "method", "period", "run_id"]);
    expect(await inDb(db, "SELECT MAX(version) AS v FROM DB.schema_migrations")).toEqual([{ v: SCHEMA_VERSION }]);

    const next = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-18", "--run-id", "daily", "--db", db.url], { env: db.env });
    expect(next.code, next.stderr).toBe(0);
    expect(await inDb(db, "SELECT trade_date, ranked, failed FROM DB.rsi_runs WHERE run_id = 'daily' ORDER BY trade_date")).toEqual([
      { trade_date: "2021-05-17", ranked: 2, failed: 1 },
      { trade_date: "2021-05-18", ranked: 3, failed: 0 },
    ]);
    const out = join(dir.path, "v1.html");
    const report = await asReader(db, ["report", "--as-of", "2021-05-17", "--out", out]);
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(out, "utf8")).toMatch(/run <b>daily<\/b>[\s\S]*values stored for 2021-05-17; 1 symbols had none/);
  });
});

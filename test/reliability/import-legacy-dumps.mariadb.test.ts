/**
 * `import-legacy --dump` into a real MariaDB, where it also fills the wide `stocks` table: a dump
 * of two databases lands each value under its own column in both tables; a refused dump creates
 * nothing; and an import that fails half-way (a trigger refuses a row after thousands were
 * written) leaves the long table, the runs and the wide table as they were: one transaction.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, stockRsi, tempDir } from "../support/cli.ts";
import { startMariaDb, type MariaDbServer, type TestDatabase } from "../support/mariadb.ts";
import { createWideTable, expectRefusal } from "./support.ts";

const USER_DUMP = join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql");
let server: MariaDbServer;
const dir = tempDir("stock-rsi-dumps-mariadb-");
beforeAll(async () => {
  server = await startMariaDb();
});
afterAll(async () => {
  await server?.destroy();
  dir.cleanup();
});

const write = (name: string, text: string) => {
  const path = join(dir.path, name);
  writeFileSync(path, text);
  return path;
};

const TWO_DATABASES =
  "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `a`;\nUSE `a`;\n" +
  createWideTable(["AAPL", "MSFT"]) +
  "INSERT INTO `stocks` VALUES ('2021-05-13',11.5,21.5),('2021-05-14',12.5,22.5);\n" +
  "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `b`;\nUSE `b`;\n" +
  createWideTable(["MSFT", "AAPL"]) +
  "REPLACE INTO `stocks` VALUES ('2021-05-13',31.5,41.5),('2021-05-14',32.5,42.5);\n";

const tables = async (db: TestDatabase) =>
  (await server.query<RowDataPacket[]>("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1", [db.name])).map((r) => String(r.t));

async function checksums(db: TestDatabase): Promise<Record<string, number>> {
  const rows = await server.query<RowDataPacket[]>(`CHECKSUM TABLE \`${db.name}\`.rsi_values, \`${db.name}\`.rsi_runs, \`${db.name}\`.stocks`);
  return Object.fromEntries(rows.map((r) => [String(r.Table), Number(r.Checksum)]));
}

describe("import-legacy --dump into MariaDB", () => {
  it("a dump of two databases, --database b: each value under its own column, in the long table and the wide one", async () => {
    const db = await server.createDatabase("twodbs");
    const result = await stockRsi(["import-legacy", "--dump", write("two.sql", TWO_DATABASES), "--database", "b", "--db", db.url], { env: db.env });
    expect(result.code, result.stderr).toBe(0);
    expect(await server.query(`SELECT trade_date, symbol, rsi FROM \`${db.name}\`.rsi_values ORDER BY trade_date, symbol`)).toEqual([
      { trade_date: "2021-05-13", symbol: "AAPL", rsi: 41.5 },
      { trade_date: "2021-05-13", symbol: "MSFT", rsi: 31.5 },
      { trade_date: "2021-05-14", symbol: "AAPL", rsi: 42.5 },
      { trade_date: "2021-05-14", symbol: "MSFT", rsi: 32.5 },
    ]);
    expect(await server.query(`SELECT date, AAPL, MSFT FROM \`${db.name}\`.stocks ORDER BY date`)).toEqual([
      { date: "2021-05-13", AAPL: 41.5, MSFT: 31.5 },
      { date: "2021-05-14", AAPL: 42.5, MSFT: 32.5 },
    ]);
  });

  it("the same dump without --database: refused before the database is touched (no table created)", async () => {
    const db = await server.createDatabase("ambiguous");
    const path = write("ambiguous.sql", TWO_DATABASES);
    const result = await stockRsi(["import-legacy", "--dump", path, "--db", db.url], { env: db.env });
    expectRefusal(result, { code: 2, line: `${path}: holds a table \`stocks\` in 2 databases, a (line 4), b (line 14); choose the one to import with --database NAME (e.g. --database a)` });
    expect(await tables(db)).toEqual([]);
  });

  it("a failure half-way through storing the user's dump: the long table, the runs and the wide table stay as they were", async () => {
    const db = await server.createDatabase("halfway");
    // The store, with the wide table holding the user's 185 columns and one earlier day.
    const user = readFileSync(USER_DUMP, "utf8");
    const create = user.slice(user.indexOf("CREATE TABLE `stocks`"), user.indexOf(";", user.indexOf("CREATE TABLE `stocks`")) + 1);
    const columns = (create.match(/^ {2}`[^`]+` float/gm) ?? []).length;
    const seed = write("seed.sql", `${create}\nINSERT INTO \`stocks\` VALUES ('2020-01-02',${Array.from({ length: columns }, () => "50").join(",")});\n`);
    expect((await stockRsi(["import-legacy", "--dump", seed, "--db", db.url], { env: db.env })).code).toBe(0);
    // Rows are written in the dump's order; the first of March is about half-way through it.
    await (await server.admin()).query(
      `CREATE TRIGGER \`${db.name}\`.fail_halfway BEFORE INSERT ON \`${db.name}\`.rsi_values FOR EACH ROW
       IF NEW.trade_date >= '2021-03-01' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'; END IF`,
    );
    const before = await checksums(db);

    const result = await stockRsi(["import-legacy", "--dump", USER_DUMP, "--db", db.url], { env: db.env });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("refused by the test");
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(await checksums(db)).toEqual(before);
    expect(await server.query(`SELECT COUNT(*) AS n FROM \`${db.name}\`.rsi_values`)).toEqual([{ n: columns }]);
  });
});

/**
 * The user's wide `stocks` table after someone altered a column, on a real MariaDB, with the
 * commands run as the user runs them. A column that would change a value as it is written
 * (TINYINT or DECIMAL(3,0) rounds 60.42 to 60, and the INSERT succeeds) is refused before
 * anything of the day is written, long table included, with exit 4 and one line naming the
 * column and the ALTER that fixes it; that ALTER then lets the day through. Columns that hold
 * an RSI as written (FLOAT, the user's own; DOUBLE; DECIMAL(5,2)) are written as before.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roundHalfEven } from "../../steps/domain/ranking.ts";
import { REPO_ROOT, stockRsi, tempDir } from "../support/cli.ts";
import { startMariaDb, type MariaDbServer, type TestDatabase } from "../support/mariadb.ts";
import { expectRefusal } from "./support.ts";

let server: MariaDbServer;
const dir = tempDir("stock-rsi-wide-types-");
const symbols = join(dir.path, "symbols");
writeFileSync(symbols, "AAPL\nMSFT\nIBM\n");
beforeAll(async () => {
  server = await startMariaDb();
});
afterAll(async () => {
  await server?.destroy();
  dir.cleanup();
});

const run = (db: TestDatabase, day: string, extra: string[] = []) =>
  stockRsi(["run", symbols, "--source", "sample", "--as-of", day, "--db", db.url, "--run-id", `run-${day}`, ...extra], { env: db.env, timeoutMs: 120_000 });
const inDb = (db: TestDatabase, sql: string) => server.query<RowDataPacket[]>(sql.replaceAll("DB.", `\`${db.name}\`.`));

/** A database with one day stored (the stocks table made by stock-rsi: FLOAT columns), AAPL's column then altered. */
async function withAlteredColumn(prefix: string, declared: string): Promise<TestDatabase> {
  const db = await server.createDatabase(prefix);
  const first = await run(db, "2021-05-14");
  expect(first.code, first.stderr).toBe(0);
  await inDb(db, `ALTER TABLE DB.stocks MODIFY AAPL ${declared} NULL`);
  return db;
}

async function contents(db: TestDatabase) {
  return {
    values: await inDb(db, "SELECT trade_date, symbol, rsi, run_id FROM DB.rsi_values ORDER BY trade_date, symbol"),
    runs: await inDb(db, "SELECT run_id, trade_date FROM DB.rsi_runs ORDER BY trade_date"),
    stocks: await inDb(db, "SELECT * FROM DB.stocks ORDER BY date"),
  };
}

/** AAPL's RSI on the day as the long table holds it, rounded as the wide table must hold it, and what the wide table holds. */
async function aaplOn(db: TestDatabase, day: string): Promise<{ stored: number; wide: unknown }> {
  const [long] = await inDb(db, `SELECT rsi FROM DB.rsi_values WHERE symbol = 'AAPL' AND trade_date = '${day}'`);
  const [wide] = await inDb(db, `SELECT AAPL FROM DB.stocks WHERE date = '${day}'`);
  return { stored: roundHalfEven(Number(long!.rsi)), wide: wide?.AAPL };
}

describe("a symbol's column in stocks that would change the value written", () => {
  for (const { declared, shown } of [
    { declared: "TINYINT", shown: "tinyint(4), which keeps no decimals (60.42 would be stored as 60)" },
    { declared: "DECIMAL(3,0)", shown: "decimal(3,0), which keeps no decimals (60.42 would be stored as 60)" },
    { declared: "DECIMAL(4,2)", shown: "decimal(4,2), which holds at most 99.99 (100.00 would not fit)" },
  ]) {
    it(`${declared}: refused with exit 4 and the ALTER that fixes it, nothing of the day written; after that ALTER the day is stored`, async () => {
      const db = await withAlteredColumn(declared.replace(/\W/g, "").toLowerCase(), declared);
      const before = await contents(db);
      const refused = await run(db, "2021-05-17");
      const message = expectRefusal(refused, {
        code: 4,
        line:
          `${db.url}: stocks column AAPL is ${shown}; nothing was written; ` +
          "make it FLOAT like the others: ALTER TABLE `stocks` MODIFY `AAPL` FLOAT NULL (or store without the table: --no-wide-table)",
        stdoutAllowed: true,
      });
      expect(refused.stderr).not.toMatch(/retrying/);
      expect(await contents(db)).toEqual(before);

      const alter = /make it FLOAT like the others: (ALTER TABLE .*) \(or store without/.exec(message)![1]!;
      await server.query(`USE \`${db.name}\`; ${alter}`);
      const stored = await run(db, "2021-05-17");
      expect(stored.code, stored.stderr).toBe(0);
      const aapl = await aaplOn(db, "2021-05-17");
      expect(aapl.wide).toBe(aapl.stored);
    });
  }

  it("--no-wide-table stores the long table, as the refusal says", async () => {
    const db = await withAlteredColumn("nowide", "TINYINT");
    const stored = await run(db, "2021-05-17", ["--no-wide-table"]);
    expect(stored.code, stored.stderr).toBe(0);
    expect(await inDb(db, "SELECT COUNT(*) AS n FROM DB.rsi_values WHERE trade_date = '2021-05-17'")).toEqual([{ n: 3 }]);
  });

  it("import-legacy --dump into such a table: refused, nothing imported", async () => {
    const db = await server.createDatabase("importtiny");
    await inDb(db, "CREATE TABLE DB.stocks (`date` DATE NOT NULL, `AAPL` TINYINT NULL, PRIMARY KEY (`date`))");
    const result = await stockRsi(["import-legacy", "--dump", join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql"), "--db", db.url], { env: db.env });
    expectRefusal(result, { code: 4, line: /^mysql:\/\/stock_rsi@127\.0\.0\.1:\d+\/\w+: stocks column AAPL is tinyint\(4\), which keeps no decimals .*MODIFY `AAPL` FLOAT NULL/ });
    expect(await inDb(db, "SELECT COUNT(*) AS n FROM DB.rsi_values")).toEqual([{ n: 0 }]);
    expect(await inDb(db, "SELECT COUNT(*) AS n FROM DB.stocks")).toEqual([{ n: 0 }]);
  });
});

describe("columns that hold an RSI as written", () => {
  for (const declared of ["DOUBLE", "DECIMAL(5,2)", "FLOAT"]) {
    it(`${declared} is written to two decimals, as before`, async () => {
      const db = await withAlteredColumn(`holds${declared.replace(/\W/g, "").toLowerCase()}`, declared);
      const stored = await run(db, "2021-05-17");
      expect(stored.code, stored.stderr).toBe(0);
      const aapl = await aaplOn(db, "2021-05-17");
      expect(Number(aapl.wide)).toBe(aapl.stored);
    });
  }
});

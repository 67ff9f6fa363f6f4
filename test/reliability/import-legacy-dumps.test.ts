/**
 * `import-legacy --dump` against the dumps mysqldump really writes, and the ones a user's
 * mistakes make: several databases, each with its own `stocks` table; `--replace`,
 * `--insert-ignore`, `--complete-insert` and one-row INSERTs; values that only look like numbers;
 * a day twice; days after today or not on any calendar; a file too large to hold in memory; and
 * statements cut anywhere by the reader's chunks. Each refusal is one line naming the file and
 * line, exit 2, and the store untouched (here SQLite; the MariaDB side is in the .mariadb test).
 */
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { MysqldumpTableReader, parseMysqldumpTable } from "../../cli/import-legacy/mysqldump.ts";
import { addDays, dateIn, MARKET_TIME_ZONE } from "../../steps/domain/dates.ts";
import { UserError } from "../../steps/domain/errors.ts";
import { REPO_ROOT, stockRsi, tempDir, type CliResult } from "../support/cli.ts";
import { createWideTable, expectRefusal } from "./support.ts";

const dir = tempDir("stock-rsi-dumps-");
afterAll(() => dir.cleanup());
const USER_DUMP = join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql");

let files = 0;
function dumpFile(text: string): string {
  const path = join(dir.path, `dump-${++files}.sql`);
  writeFileSync(path, text);
  return path;
}

const HEADER = "-- MySQL dump 10.13  Distrib 8.0.21, for Linux (x86_64)\n/*!40101 SET NAMES utf8mb4 */;\n\n";

/** The 1-based line of the first occurrence of `needle`. */
const lineOf = (text: string, needle: string): number => {
  const at = text.indexOf(needle);
  expect(at, `"${needle}" is in the dump`).toBeGreaterThanOrEqual(0);
  return text.slice(0, at).split("\n").length;
};

/** What the store holds: `date symbol rsi` lines. */
function stored(db: string): string[] {
  const sqlite = new Database(db, { readonly: true });
  try {
    return sqlite
      .prepare<[], { trade_date: string; symbol: string; rsi: number }>("SELECT trade_date, symbol, rsi FROM rsi_values ORDER BY trade_date, symbol")
      .all()
      .map((r) => `${r.trade_date} ${r.symbol} ${r.rsi}`);
  } finally {
    sqlite.close();
  }
}

let stores = 0;
async function importDump(text: string, ...flags: string[]): Promise<CliResult & { db: string; path: string }> {
  const path = dumpFile(text);
  const db = join(dir.path, `store-${++stores}.db`);
  const result = await stockRsi(["import-legacy", "--dump", path, "--db", `sqlite:${db}`, ...flags], { timeoutMs: 60_000 });
  return { ...result, db, path };
}

/** A refusal of `text`: one line (from `stock-rsi: PATH:`), exit 2, and no store created. */
async function refused(text: string, line: (path: string) => string | RegExp, ...flags: string[]): Promise<string> {
  const result = await importDump(text, ...flags);
  const expected = line(result.path);
  const message = expectRefusal(result, { code: 2, line: expected });
  expect(existsSync(result.db), "a refused dump creates no store").toBe(false);
  return message;
}

/** Two databases, as `mysqldump --databases a b` writes them, each `stocks` with its columns in its own order. */
const TWO_DATABASES =
  HEADER +
  "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `a` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;\n\nUSE `a`;\n" +
  createWideTable(["AAPL", "MSFT"]) +
  "LOCK TABLES `stocks` WRITE;\nINSERT INTO `stocks` VALUES ('2021-05-13',11.5,21.5),('2021-05-14',12.5,22.5);\nUNLOCK TABLES;\n\n" +
  "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `b` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;\n\nUSE `b`;\n" +
  createWideTable(["MSFT", "AAPL"]) +
  "LOCK TABLES `stocks` WRITE;\nINSERT INTO `stocks` VALUES ('2021-05-13',31.5,41.5),('2021-05-14',32.5,42.5);\nUNLOCK TABLES;\n";

describe.concurrent("a dump of several databases: the rows of the one table whose CREATE TABLE was read", () => {
  it("two `stocks` tables and no --database: refused, naming both databases and the flag", async () => {
    await refused(
      TWO_DATABASES,
      (path) =>
        `${path}: holds a table \`stocks\` in 2 databases, a (line ${lineOf(TWO_DATABASES, "CREATE TABLE")}), b (line ${lineOf(TWO_DATABASES.slice(0), "USE `b`") + 2}); choose the one to import with --database NAME (e.g. --database a)`,
    );
  });

  it.each([
    ["a", ["2021-05-13 AAPL 11.5", "2021-05-13 MSFT 21.5", "2021-05-14 AAPL 12.5", "2021-05-14 MSFT 22.5"]],
    ["b", ["2021-05-13 AAPL 41.5", "2021-05-13 MSFT 31.5", "2021-05-14 AAPL 42.5", "2021-05-14 MSFT 32.5"]],
  ])("--database %s: that database's rows, each value under its own column", async (database, values) => {
    const result = await importDump(TWO_DATABASES, "--database", database);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`table ${database}.stocks`);
    expect(stored(result.db)).toEqual(values);
  });

  it("--database naming a database the dump does not hold: refused, naming those it does", async () => {
    await refused(TWO_DATABASES, (path) => new RegExp(`^${path}: has no table \`stocks\` in a database named c; it has one in a \\(line \\d+\\), b \\(line \\d+\\): choose one with --database NAME$`), "--database", "c");
  });

  it("qualified names: an INSERT into `b`.`stocks`, or after USE b, is not the table created in a", async () => {
    const dump =
      HEADER +
      "USE `a`;\n" +
      createWideTable(["AAPL", "MSFT"]) +
      "INSERT INTO `b`.`stocks` VALUES ('2021-05-12',90,91);\n" +
      "INSERT INTO `a`.`stocks` VALUES ('2021-05-13',11.5,21.5);\n" +
      "INSERT INTO `stocks` VALUES ('2021-05-14',12.5,22.5);\n" +
      "USE b;\nINSERT INTO `stocks` VALUES ('2021-05-17',92,93);\n" +
      "INSERT INTO a.stocks (`MSFT`, `date`, `AAPL`) VALUES (23.5,'2021-05-17',13.5);\n";
    const result = await importDump(dump);
    expect(result.code, result.stderr).toBe(0);
    expect(stored(result.db)).toEqual([
      "2021-05-13 AAPL 11.5",
      "2021-05-13 MSFT 21.5",
      "2021-05-14 AAPL 12.5",
      "2021-05-14 MSFT 22.5",
      "2021-05-17 AAPL 13.5",
      "2021-05-17 MSFT 23.5",
    ]);
  });

  it("INSERTs without the table's CREATE TABLE (mysqldump --no-create-info): refused, nothing read blind", async () => {
    const dump = HEADER + "USE `a`;\nINSERT INTO `stocks` VALUES ('2021-05-13',11.5,21.5);\n";
    await refused(dump, (path) => `${path}: has no CREATE TABLE \`stocks\`; is it a mysqldump of the database that holds it? (--table names another table)`);
  });
});

/** The same two days, in each shape of INSERT mysqldump can write. */
const SHAPES: [string, string][] = [
  ["extended INSERT (the default)", "INSERT INTO `stocks` VALUES ('2021-05-13',11.5,NULL),('2021-05-14',12.5,22.5);\n"],
  ["--replace", "REPLACE INTO `stocks` VALUES ('2021-05-13',11.5,NULL),('2021-05-14',12.5,22.5);\n"],
  ["--insert-ignore", "INSERT  IGNORE INTO `stocks` VALUES ('2021-05-13',11.5,NULL),('2021-05-14',12.5,22.5);\n"],
  ["--skip-extended-insert", "INSERT INTO `stocks` VALUES ('2021-05-13',11.5,NULL);\nINSERT INTO `stocks` VALUES ('2021-05-14',12.5,22.5);\n"],
  ["--complete-insert, the columns in another order", "INSERT INTO `stocks` (`MSFT`, `date`, `AAPL`) VALUES (NULL,'2021-05-13',11.5),(22.5,'2021-05-14',12.5);\n"],
  ["--complete-insert naming only some columns", "INSERT INTO `stocks` (`date`, `AAPL`) VALUES ('2021-05-13',11.5);\nINSERT INTO `stocks` (`AAPL`,`MSFT`,`date`) VALUES (12.5,22.5,'2021-05-14');\n"],
  ["--replace --complete-insert --skip-extended-insert", "REPLACE INTO `stocks` (`date`, `AAPL`, `MSFT`) VALUES ('2021-05-13',11.5,NULL);\nREPLACE INTO `stocks` (`date`, `MSFT`, `AAPL`) VALUES ('2021-05-14',22.5,12.5);\n"],
  ["rows on lines of their own, numbers quoted", "INSERT INTO `stocks` VALUES\n  ('2021-05-13', '11.5', NULL),\n  ('2021-05-14', '12.5', '22.5');\n"],
];

describe.concurrent("every shape of INSERT mysqldump writes is read", () => {
  it.each(SHAPES)("%s", async (_shape, inserts) => {
    const result = await importDump(HEADER + createWideTable(["AAPL", "MSFT"]) + "LOCK TABLES `stocks` WRITE;\n" + inserts + "UNLOCK TABLES;\n");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("imported 3 values (2 days, 2 symbols)");
    expect(stored(result.db)).toEqual(["2021-05-13 AAPL 11.5", "2021-05-14 AAPL 12.5", "2021-05-14 MSFT 22.5"]);
  });

  it("a dump with the table but none of its rows (--no-data): refused, not an import of 0", async () => {
    const dump = HEADER + "USE `prod`;\n" + createWideTable(["AAPL", "MSFT"]) + "INSERT INTO `other` VALUES (1);\n";
    await refused(dump, (path) => `${path}: table \`stocks\` (line ${lineOf(dump, "CREATE TABLE")}, database prod) has no rows: nothing to import; was it dumped without its data?`);
  });

  it("rows whose every cell is NULL: refused, not an import of 0", async () => {
    const dump = HEADER + createWideTable(["AAPL", "MSFT"]) + "INSERT INTO `stocks` VALUES ('2021-05-13',NULL,NULL);\n";
    await refused(dump, (path) => `${path}: the 1 rows of table \`stocks\` (line ${lineOf(dump, "CREATE TABLE")}) hold no RSI value (every cell NULL or outside 0-100): nothing to import`);
  });

  it("a table that names a column twice (AAPL and aapl, which MySQL cannot hold): refused, naming it", async () => {
    const dump = HEADER + createWideTable(["AAPL", "MSFT", "aapl"]) + "INSERT INTO `stocks` VALUES ('2021-05-13',11.5,22.5,33.5);\n";
    await refused(dump, (path) => `${path}: table stocks names the column \`aapl\` twice, which a MySQL table cannot; the dump is damaged or was edited: keep one`);
  });

  it("an INSERT ... SELECT or INSERT ... SET into the table: refused at its line", async () => {
    const dump = HEADER + createWideTable(["AAPL", "MSFT"]) + "INSERT INTO `stocks` SET `date` = '2021-05-13', `AAPL` = 11.5;\n";
    await refused(dump, (path) => `${path}:${lineOf(dump, "INSERT")}: an INSERT into \`stocks\` that is not INSERT ... VALUES (...); only the INSERT statements mysqldump writes can be read`);
  });
});

describe.concurrent("a value is a decimal number or NULL, quoted or not; anything else is refused with its line and column", () => {
  it.each([["' 0x1F '"], ["'0x1F'"], ["'abc'"], ["''"], ["' 45.5'"], ["'45.5 '"], ["'1,5'"], ["'Infinity'"], ["'+45'"], ["'4_5'"], ["'45.5\\n'"]])(
    "MSFT = %s: exit 2, nothing stored",
    async (value) => {
      const dump = HEADER + createWideTable(["AAPL", "MSFT"]) + "INSERT INTO `stocks` VALUES ('2021-05-13',11.5,21.5),\n('2021-05-14',12.5," + value + ");\n";
      const message = await refused(
        dump,
        (path) => new RegExp(`^${path}:${lineOf(dump, "('2021-05-14'")}: the row dated 2021-05-14 has ".*" for MSFT, not a number; each value must be a decimal number such as 45\\.65, or NULL$`),
      );
      // The value as it was in the dump, escapes and all, between JSON's quotes.
      expect(message).toContain(`has ${JSON.stringify(parseMysqldumpTable(dump, "stocks", "d.sql").rows[1]![2])} for MSFT`);
    },
  );

  it("an unquoted hexadecimal number (0x1F): refused at its line, naming the column", async () => {
    const dump = HEADER + createWideTable(["AAPL", "MSFT"]) + "INSERT INTO `stocks` VALUES ('2021-05-14',12.5,0x1F);\n";
    await refused(dump, (path) => `${path}:${lineOf(dump, "INSERT")}: expected NULL, a number or a quoted value near "0x1F);" (column MSFT); the dump is damaged or not mysqldump output`);
  });

  it("a number past any RSI (1e999, -1e6): skipped with a warning that shows it as written, not as null", async () => {
    const result = await importDump(HEADER + createWideTable(["AAPL", "MSFT"]) + "INSERT INTO `stocks` VALUES ('2021-05-14',1e999,-1e6),('2021-05-17',45.5,46.5);\n");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("warning: skipping AAPL on 2021-05-14: Infinity is not an RSI (0-100)");
    expect(result.stderr).toContain("warning: skipping MSFT on 2021-05-14: -1000000 is not an RSI (0-100)");
    expect(result.stderr).not.toContain("null is not an RSI");
    expect(stored(result.db)).toEqual(["2021-05-17 AAPL 45.5", "2021-05-17 MSFT 46.5"]);
  });

  it("FLOAT values as MySQL prints them, in exponent form too, are read", async () => {
    const result = await importDump(HEADER + createWideTable(["AAPL", "MSFT"]) + "INSERT INTO `stocks` VALUES ('2021-05-14',1e-5,'4.565e1');\n");
    expect(result.code, result.stderr).toBe(0);
    expect(stored(result.db)).toEqual(["2021-05-14 AAPL 0", "2021-05-14 MSFT 45.65"]);
  });
});

describe.concurrent("a day that appears twice", () => {
  it("with the same values (two overlapping dumps joined): read once, with a note naming both lines", async () => {
    const dump =
      HEADER + createWideTable(["AAPL", "MSFT"]) + "INSERT INTO `stocks` VALUES ('2021-05-13',11.5,21.5),('2021-05-14',12.5,NULL);\nINSERT INTO `stocks` VALUES ('2021-05-14',12.50,NULL);\n";
    const result = await importDump(dump);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`import-legacy: note: 1 day appears twice with the same values, read once: 2021-05-14 (line ${lineOf(dump, "INSERT")} and line ${lineOf(dump, "INSERT") + 1})`);
    expect(result.stderr).toContain("imported 3 values (2 days, 2 symbols)");
    expect(stored(result.db)).toEqual(["2021-05-13 AAPL 11.5", "2021-05-13 MSFT 21.5", "2021-05-14 AAPL 12.5"]);
  });

  it.each([
    ["another value", "('2021-05-14',12.5,23)", "MSFT 22.5 there, 23 here"],
    ["a NULL where a value was", "('2021-05-14',12.5,NULL)", "MSFT 22.5 there, NULL here"],
  ])("with %s: refused, naming both lines and the value, nothing stored", async (_case, again, difference) => {
    const dump = HEADER + createWideTable(["AAPL", "MSFT"]) + "INSERT INTO `stocks` VALUES ('2021-05-14',12.5,22.5);\n-- a second dump\nINSERT INTO `stocks` VALUES " + again + ";\n";
    const first = lineOf(dump, "INSERT");
    await refused(dump, (path) => `${path}:${first + 2}: the row is dated 2021-05-14, like the one at line ${first}, with other values (${difference}); keep one of the two rows and import again`);
  });
});

describe.concurrent("dates after today and dates that are no date", () => {
  const inNewYorkToday = dateIn(MARKET_TIME_ZONE, new Date());
  it.each([["2216-05-14"], [addDays(inNewYorkToday, 2)]])("a row dated %s: refused at its line", async (date) => {
    const dump = HEADER + createWideTable(["AAPL"]) + `INSERT INTO \`stocks\` VALUES ('2021-05-14',12.5),\n('${date}',13.5);\n`;
    await refused(
      dump,
      (path) =>
        new RegExp(`^${path}:${lineOf(dump, `('${date}'`)}: the row is dated ${date}, after today \\(\\d{4}-\\d\\d-\\d\\d in New York\\); the original program dated a row by the day it ran: correct or remove the row$`),
    );
  });

  it.each([["2021-02-30"], ["2021-13-01"], ["0000-00-00"], ["2021-5-14"], ["2021-05-14 00:00:00"], ["1969-12-31"]])("a row dated %s: refused at its line", async (date) => {
    const dump = HEADER + createWideTable(["AAPL"]) + `INSERT INTO \`stocks\` VALUES ('2021-05-14',12.5),\n('${date}',13.5);\n`;
    await refused(dump, (path) => `${path}:${lineOf(dump, `('${date}'`)}: the row has date "${date}", not a date written YYYY-MM-DD`);
  });
});

describe("a refusal leaves an existing store as it was", () => {
  it("the user's history imported, then a dump with a bad value in its last row: the file is byte for byte the same", async () => {
    const db = join(dir.path, "kept.db");
    expect((await stockRsi(["import-legacy", "--dump", USER_DUMP, "--db", `sqlite:${db}`])).code).toBe(0);
    const hash = () => createHash("sha256").update(readFileSync(db)).digest("hex");
    const before = hash();
    const dump = HEADER + createWideTable(["AAPL", "ZZZZ"]) + "INSERT INTO `stocks` VALUES ('2021-05-18',1,2),('2021-05-19',3,'x');\n";
    const result = await stockRsi(["import-legacy", "--dump", dumpFile(dump), "--db", `sqlite:${db}`]);
    expectRefusal(result, { code: 2, line: /the row dated 2021-05-19 has "x" for ZZZZ, not a number/ });
    expect(hash()).toBe(before);
  });

  it("a failure in the middle of storing (a trigger refuses one row): nothing of the import stays", async () => {
    const db = join(dir.path, "trigger.db");
    // A store with its schema, then a trigger that fails on the 10,000th value inserted.
    const seed = join(dir.path, "seed.sql");
    writeFileSync(seed, HEADER + createWideTable(["AAPL"]) + "INSERT INTO `stocks` VALUES ('2020-01-02',50);\n");
    expect((await stockRsi(["import-legacy", "--dump", seed, "--db", `sqlite:${db}`])).code).toBe(0);
    const sqlite = new Database(db);
    sqlite.exec(
      "CREATE TRIGGER fail_midway BEFORE INSERT ON rsi_values WHEN (SELECT COUNT(*) FROM rsi_values) >= 10000 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
    );
    const before = sqlite.prepare("SELECT (SELECT COUNT(*) FROM rsi_values) || ' ' || (SELECT COUNT(*) FROM rsi_runs)").pluck().get();
    sqlite.close();
    const result = await stockRsi(["import-legacy", "--dump", USER_DUMP, "--db", `sqlite:${db}`]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("refused by the test");
    const after = new Database(db, { readonly: true });
    expect(after.prepare("SELECT (SELECT COUNT(*) FROM rsi_values) || ' ' || (SELECT COUNT(*) FROM rsi_runs)").pluck().get()).toBe(before);
    after.close();
  });
});

describe("the dump is streamed", () => {
  /** Statements mysqldump (and the mysql client) can write, with every character that could end one early. */
  const TRICKY =
    HEADER +
    "USE `prod`;\n" +
    "CREATE TABLE `notes` (\n  `id` int NOT NULL,\n  `text` text\n) ENGINE=InnoDB;\n" +
    "INSERT INTO `notes` VALUES (1,'a; b'),(2,'it\\'s; \\\\'),(3,'it''s ); (x'),(4,'two\nlines;\n'),(5,'-- not a comment'),(6,'/* nor this; */');\n" +
    "-- a comment with a quote ' and a ; in it\n# another ' one;\n/* a block ' comment ; \n spanning lines */\n" +
    createWideTable(["AAPL", "MSFT"]) +
    "/*!40000 ALTER TABLE `stocks` DISABLE KEYS */;\n" +
    "INSERT INTO `stocks` VALUES ('2021-05-13',11.5,-- \n21.5),('2021-05-14',12.5,/* c */22.5);\n" +
    "DELIMITER ;;\n" +
    "CREATE PROCEDURE `p`() BEGIN\n  INSERT INTO `stocks` VALUES ('2021-05-17',99,99);\n  SELECT 'x;y';\nEND ;;\n" +
    "DELIMITER ;\n" +
    "INSERT INTO `notes` VALUES (7,'(''2021-05-17'',99,99)');\n" +
    "INSERT INTO `stocks` VALUES ('2021-05-17',13.5,23.5);\n";

  const readInChunks = (text: string, size: number) => {
    const rows: { cells: unknown[]; line: number }[] = [];
    const reader = new MysqldumpTableReader({ table: "stocks", fileName: "d.sql" }, { columns: () => {}, row: (cells, line) => void rows.push({ cells: [...cells], line }) });
    for (let i = 0; i < text.length; i += size) reader.push(text.slice(i, i + size));
    reader.finish();
    return rows;
  };

  it("strings holding ; quotes and newlines, comments, DELIMITER blocks: the table's rows and lines, whatever the chunks", () => {
    const whole = readInChunks(TRICKY, TRICKY.length);
    expect(whole).toEqual([
      { cells: ["2021-05-13", 11.5, 21.5], line: lineOf(TRICKY, "('2021-05-13'") },
      { cells: ["2021-05-14", 12.5, 22.5], line: lineOf(TRICKY, "('2021-05-13'") + 1 },
      { cells: ["2021-05-17", 13.5, 23.5], line: lineOf(TRICKY, "('2021-05-17',13.5") },
    ]);
    for (const size of [1, 2, 3, 4, 5, 7, 11, 64]) expect(readInChunks(TRICKY, size), `chunks of ${size}`).toEqual(whole);
  });

  it("the user's dump read in chunks of any size: the same rows as read whole", () => {
    const text = readFileSync(USER_DUMP, "utf8");
    const whole = readInChunks(text, text.length);
    expect(whole).toHaveLength(145);
    for (const size of [1, 3, 1000, 65_536]) expect(readInChunks(text, size), `chunks of ${size}`).toEqual(whole);
  });

  it("an error is named at the same line whatever the chunks", () => {
    const text = TRICKY.replace("12.5,/* c */22.5", "12.5,/* c */\nx22.5");
    const messages = [1, 2, 5, 64, text.length].map((size) => {
      try {
        readInChunks(text, size);
      } catch (err) {
        expect(err).toBeInstanceOf(UserError);
        return (err as Error).message;
      }
      return "no error";
    });
    expect(messages[0]).toBe(`d.sql:${lineOf(text, "x22.5")}: expected NULL, a number or a quoted value near "x22.5);" (column MSFT); the dump is damaged or not mysqldump output`);
    expect(new Set(messages)).toEqual(new Set([messages[0]]));
  });

  it("a wide table of a million values (1,000 symbols × 1,050 days) is imported whole with a 96 MB heap", async () => {
    // Held as an object a value, with a key string each to find those already stored, it ran out of a 96 MB heap;
    // held as the table it is (a number a cell), it needs 8 MB.
    const symbols = Array.from({ length: 1000 }, (_, k) => `S${String(k).padStart(4, "0")}`);
    const valueOf = (day: number, k: number) => ((k * 7919 + day * 104_729) % 10_000) / 100;
    const path = join(dir.path, "dense.sql");
    writeFileSync(path, HEADER + createWideTable(symbols));
    const dates: string[] = [];
    for (let t = Date.UTC(2015, 0, 1); dates.length < 1050; t += 86_400_000) {
      const day = new Date(t).getUTCDay();
      if (day !== 0 && day !== 6) dates.push(new Date(t).toISOString().slice(0, 10));
    }
    for (let i = 0; i < dates.length; i += 50) {
      const rows = dates.slice(i, i + 50).map((date, j) => `('${date}',${symbols.map((_, k) => valueOf(i + j, k).toFixed(2)).join(",")})`);
      appendFileSync(path, `INSERT INTO \`stocks\` VALUES ${rows.join(",")};\n`);
    }
    const db = join(dir.path, "dense.db");
    const result = await stockRsi(["import-legacy", "--dump", path, "--db", `sqlite:${db}`], { env: { NODE_OPTIONS: "--max-old-space-size=96" }, timeoutMs: 180_000 });
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(result.stderr).toContain("imported 1050000 values (1050 days, 1000 symbols)");
    const sqlite = new Database(db, { readonly: true });
    try {
      expect(sqlite.prepare("SELECT COUNT(*) AS n FROM rsi_values").get()).toEqual({ n: 1_050_000 });
      const at = sqlite.prepare<[string, string], { rsi: number }>("SELECT rsi FROM rsi_values WHERE trade_date = ? AND symbol = ?");
      for (const [day, k] of [[0, 0], [524, 500], [1049, 999]] as const) {
        expect(at.get(dates[day]!, symbols[k]!)?.rsi, `${dates[day]} ${symbols[k]}`).toBe(Number(valueOf(day, k).toFixed(2)));
      }
    } finally {
      sqlite.close();
    }
    rmSync(path);
  });

  it("a 270 MB dump (its own table small, another table huge) is read whole with a 96 MB heap", async () => {
    // Held whole, the file was refused past 256 MiB; streamed, the heap holds a chunk and a row at a time.
    const path = join(dir.path, "big.sql");
    const row = `(1,'${"x".repeat(1000)}; it\\'s'),`;
    const insert = `INSERT INTO \`logs\` VALUES ${row.repeat(1000).slice(0, -1)};\n`;
    writeFileSync(path, HEADER + createWideTable(["AAPL", "MSFT"]) + "INSERT INTO `stocks` VALUES ('2021-05-14',12.5,22.5);\n");
    for (let i = 0; i < 270; i++) appendFileSync(path, insert);
    const db = join(dir.path, "big.db");
    const result = await stockRsi(["import-legacy", "--dump", path, "--db", `sqlite:${db}`], { env: { NODE_OPTIONS: "--max-old-space-size=96" }, timeoutMs: 120_000 });
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(stored(db)).toEqual(["2021-05-14 AAPL 12.5", "2021-05-14 MSFT 22.5"]);
    rmSync(path);
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../../steps/domain/errors.ts";
import { importReport, legacyValuesOf } from "../../../cli/import-legacy/legacy-values.ts";
import { legacyTableOf, legacyValues } from "../../../steps/store/store.ts";
import { parseMysqldumpTable } from "../../../cli/import-legacy/mysqldump.ts";
import { REPO_ROOT } from "../../support/cli.ts";

const DUMP = join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql");

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error("expected a refusal");
}

const CREATE = "CREATE TABLE `stocks` (\n  `date` date NOT NULL,\n  `AAPL` float DEFAULT NULL,\n  `MSFT` float DEFAULT NULL,\n  PRIMARY KEY (`date`)\n) ENGINE=InnoDB;\n";

describe("reading the stocks table out of a mysqldump file", () => {
  it("reads the user's dump written by MySQL 8.0: 186 columns, 145 days, in order", () => {
    const table = parseMysqldumpTable(readFileSync(DUMP, "utf8"), "stocks", "prod-db.sql");
    expect(table.columns).toHaveLength(186);
    expect(table.columns.slice(0, 3)).toEqual([
      { name: "date", type: "date" },
      { name: "AAGIY", type: "float" },
      { name: "AAPL", type: "float" },
    ]);
    expect(table.columns.at(-1)).toEqual({ name: "TDUP", type: "float" });
    expect(table.rows).toHaveLength(145);
    expect(table.rows[0]!.slice(0, 4)).toEqual(["2020-10-21", 45.65, 51.28, 47.42]);
    expect(table.rows.at(-1)!.slice(0, 3)).toEqual(["2021-05-17", 58.42, 46.89]);
  });

  it("reads several INSERTs, one-row INSERTs with column lists, NULLs and escaped strings", () => {
    const dump =
      CREATE +
      "INSERT INTO `stocks` VALUES ('2021-05-14',40.86,NULL),('2021-05-17',46.89,65.05);\n" +
      "INSERT INTO `stocks` (`MSFT`,`date`) VALUES (1.5e1,'2021-05-18');\n" +
      "INSERT INTO `other` VALUES ('it''s', 'a\\'b');\n";
    expect(parseMysqldumpTable(dump, "stocks", "d.sql").rows).toEqual([
      ["2021-05-14", 40.86, null],
      ["2021-05-17", 46.89, 65.05],
      ["2021-05-18", null, 15],
    ]);
    const strings = parseMysqldumpTable("CREATE TABLE `t` (\n  `a` varchar(9),\n  `b` text\n);\nINSERT INTO `t` VALUES ('it''s','a\\'b\\\\c');\n", "t", "t.sql");
    expect(strings.rows).toEqual([["it's", "a'b\\c"]]);
  });

  it("refuses a damaged dump, naming the file and line", () => {
    expect(refusal(() => parseMysqldumpTable(CREATE + "INSERT INTO `stocks` VALUES ('2021-05-14',40.86);\n", "stocks", "d.sql"))).toBe(
      "d.sql:7: a row has 2 values but the table has 3 columns; the dump is damaged or cut short",
    );
    expect(refusal(() => parseMysqldumpTable(CREATE + "INSERT INTO `stocks` VALUES ('2021-05-14',40.86,1),('2021-05-1", "stocks", "d.sql"))).toMatch(
      /^d\.sql:7: a quoted value never ends near ""; the dump is damaged or not mysqldump output$/,
    );
    expect(refusal(() => parseMysqldumpTable(CREATE + "INSERT INTO `stocks` VALUES ('2021-05-14',40.86,x1);\n", "stocks", "d.sql"))).toMatch(
      /^d\.sql:7: expected NULL, a number or a quoted value near "x1\);"/,
    );
    expect(refusal(() => parseMysqldumpTable("-- nothing here\n", "stocks", "d.sql"))).toBe(
      "d.sql: has no CREATE TABLE `stocks`; is it a mysqldump of the database that holds it? (--table names another table)",
    );
  });
});

describe("the wide table's cells as legacy values", () => {
  it("turns each non-NULL cell into a seed value rounded to the two decimals the user saw", () => {
    const reading = legacyValuesOf(
      {
        table: "stocks",
        columns: [
          { name: "date", type: "date" },
          { name: "AAPL", type: "float" },
          { name: "MSFT", type: "float" },
        ],
        rows: [
          ["2021-05-14", 40.86000061035156, null],
          ["2021-05-17", 46.88999938964844, 65.05],
        ],
      },
      "test",
    );
    expect([...legacyValues(reading.table)]).toEqual([
      { date: "2021-05-14", symbol: "AAPL", rsi: 40.86 },
      { date: "2021-05-17", symbol: "AAPL", rsi: 46.89 },
      { date: "2021-05-17", symbol: "MSFT", rsi: 65.05 },
    ]);
    expect(reading.emptyCells).toBe(1);
    expect(importReport(reading, legacyTableOf([[...legacyValues(reading.table)][2]!]), "test", "import-legacy:x")).toMatchObject({
      days: { imported: 1, skipped: 1 },
      symbols: { imported: 1, skipped: 1 },
      values: { imported: 1, alreadyStored: 2, empty: 1, invalid: 0 },
    });
  });

  it("skips and reports columns that are not a ticker's RSI and cells that are not an RSI", () => {
    const reading = legacyValuesOf(
      {
        table: "stocks",
        columns: [
          { name: "date", type: "date" },
          { name: "AAPL", type: "float" },
          { name: "note", type: "varchar" },
          { name: "COMMENT", type: "text" },
        ],
        rows: [["2021-05-14", 140.5, "hi", "x"]],
      },
      "test",
    );
    expect([...legacyValues(reading.table)]).toEqual([]);
    expect(reading.valueCount).toBe(0);
    expect(reading.invalidCells).toEqual([{ date: "2021-05-14", symbol: "AAPL", value: 140.5 }]);
    expect(reading.refusedColumns).toEqual([
      { column: "note", reason: "the name has lower-case letters; a stored ticker is upper case (BRK-B, not brk-b)" },
      { column: "COMMENT", reason: "of type text, not a number" },
    ]);
  });

  it("refuses a row whose date is not a date", () => {
    expect(
      refusal(() => legacyValuesOf({ table: "stocks", columns: [{ name: "date", type: "date" }], rows: [["2021-02-30"]] }, "d.sql")),
    ).toBe('d.sql: row 1 of stocks has date "2021-02-30", not a date written YYYY-MM-DD');
  });
});

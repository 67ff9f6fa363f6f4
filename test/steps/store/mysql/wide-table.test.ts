import { describe, expect, it } from "vitest";
import { UserError } from "../../../../steps/domain/errors.ts";
import { isTicker } from "../../../../steps/domain/symbols.ts";
import {
  addColumnsSql,
  assertColumnRoom,
  columnHoldsRsi,
  columnsToAdd,
  columnTypeProblem,
  fillEmptyCells,
  symbolColumn,
  tableIdentifier,
  upsertDay,
  wideDayOf,
  wideTableShapeProblem,
  wideTableSkipReason,
  type ExistingColumn,
} from "../../../../steps/store/mysql/wide-table.ts";
import { dayOf } from "../days.ts";
import { legacyTableOf } from "../../../../steps/store/store.ts";

describe("the wide table's rows", () => {
  it("rounds each value to two decimals half to even, as Python's round() did", () => {
    const row = wideDayOf(dayOf("2021-05-17", { A: 50.125, B: 50.375, C: 46.8949, D: 46.895000001 }));
    expect(row.computed).toEqual([
      { symbol: "A", value: 50.12 },
      { symbol: "B", value: 50.38 },
      { symbol: "C", value: 46.89 },
      { symbol: "D", value: 46.9 },
    ]);
  });

  it("lists each failed symbol once, and not when the run also computed it", () => {
    const row = wideDayOf(dayOf("2021-05-17", { AAPL: 40 }, { failed: ["ATVI", "ATVI", "AAPL", "ZNGA"] }));
    expect(row.failed).toEqual(["ATVI", "ZNGA"]);
  });

  it("gives a symbol named like the date column no column: its RSI must never land in the date", () => {
    const row = wideDayOf(dayOf("2021-05-17", { AAPL: 40, DATE: 55 }, { failed: ["date"] }));
    expect(row.computed.map((c) => c.symbol)).toEqual(["AAPL"]);
    expect(row.failed).toEqual([]);
    expect(row.withoutColumn).toEqual(["DATE", "date"]);
  });

  it("upserts a day: computed values are updated on a re-run, failed ones are NULL only in a new row", () => {
    const { sql, params } = upsertDay({ date: "2021-05-17", computed: [{ symbol: "AAPL", value: 46.89 }, { symbol: "BRK-B", value: 61.5 }], failed: ["ATVI"], withoutColumn: [] });
    expect(sql).toBe(
      "INSERT INTO `stocks` (`date`, `AAPL`, `BRK-B`, `ATVI`) VALUES (?, ?, ?, NULL) ON DUPLICATE KEY UPDATE `AAPL` = VALUES(`AAPL`), `BRK-B` = VALUES(`BRK-B`)",
    );
    expect(params).toEqual(["2021-05-17", 46.89, 61.5]);
  });

  it("fills empty cells only, in statements far below the placeholder limit", () => {
    const values = Array.from({ length: 1016 * 145 }, (_, i) => ({ date: `2021-01-${String((i % 28) + 1).padStart(2, "0")}`, symbol: `S${Math.floor(i / 28) % 1016}`, rsi: 50 }));
    const statements = [...fillEmptyCells(legacyTableOf(values))];
    for (const { sql, params } of statements) {
      expect(params.length).toBeLessThan(65_535);
      expect(sql).toContain("ON DUPLICATE KEY UPDATE `S0` = COALESCE(`S0`, VALUES(`S0`))");
    }
    expect(statements.reduce((n, s) => n + s.params.length, 0)).toBe(28 * 1017);
  });
});

describe("the wide table's columns", () => {
  it("adds the symbols that have no column yet, comparing names as MySQL does (case-insensitively)", () => {
    expect(columnsToAdd(["date", "AAPL", "msft"], ["AAPL", "MSFT", "ABNB", "ABNB", "TDUP"])).toEqual(["ABNB", "TDUP"]);
    expect(addColumnsSql(["ABNB", "^GSPC"])).toBe("ALTER TABLE `stocks` ADD COLUMN `ABNB` FLOAT NULL, ADD COLUMN `^GSPC` FLOAT NULL");
  });

  it("never makes a column of something that is not a ticker", () => {
    for (const hostile of ["X`; DROP TABLE stocks; --", "AB C", "aapl", "A".repeat(21), ""]) {
      expect(isTicker(hostile)).toBe(false);
      expect(() => symbolColumn(hostile)).toThrow(/refusing to use .* as a column name: not a ticker/);
    }
    expect(symbolColumn("EURUSD=X")).toBe("`EURUSD=X`");
  });

  it("refuses a day that would pass InnoDB's 1017 columns", () => {
    expect(() => assertColumnRoom(1000, Array.from({ length: 17 }, (_, i) => `N${i}`))).not.toThrow();
    expect(() => assertColumnRoom(1000, Array.from({ length: 18 }, (_, i) => `N${i}`))).toThrow(UserError);
  });

  it("requires date to be the table's only primary key column", () => {
    expect(wideTableShapeProblem([{ name: "date", type: "date", key: "PRI" }, { name: "AAPL", type: "float", key: "" }])).toBeUndefined();
    expect(wideTableShapeProblem([{ name: "AAPL", type: "float", key: "" }])).toBe("stocks has no `date` column");
    expect(wideTableShapeProblem([{ name: "date", type: "date", key: "" }])).toMatch(/primary key is \(none\), not \(date\)/);
    expect(wideTableShapeProblem([{ name: "date", type: "date", key: "PRI" }, { name: "id", type: "int", key: "PRI" }])).toMatch(/primary key is \(date, id\)/);
  });

  it("takes a column that holds 0.00 to 100.00 as written: FLOAT, DOUBLE, or a type with 2 decimals and 3 digits before the point", () => {
    const column = (declared: string, type: string, precision: number | null, scale: number | null): ExistingColumn => ({ name: "AAPL", type, declared, precision, scale, key: "" });
    for (const holds of [column("float", "float", 12, null), column("double", "double", 22, null), column("decimal(5,2)", "decimal", 5, 2), column("decimal(6,3) unsigned", "decimal", 6, 3), column("float(5,2)", "float", 5, 2)]) {
      expect(columnHoldsRsi(holds), holds.declared).toBe(true);
    }
    for (const rounds of [column("tinyint(4)", "tinyint", 3, 0), column("int(11)", "int", 10, 0), column("decimal(3,0)", "decimal", 3, 0), column("decimal(4,2)", "decimal", 4, 2), column("float(4,1)", "float", 4, 1), column("varchar(10)", "varchar", null, null)]) {
      expect(columnHoldsRsi(rounds), rounds.declared).toBe(false);
    }
  });

  it("names each of the day's columns that would change a value, and the ALTER that fixes them; other columns are not its business", () => {
    const columns: ExistingColumn[] = [
      { name: "date", type: "date", declared: "date", precision: null, scale: null, key: "PRI" },
      { name: "AAPL", type: "tinyint", declared: "tinyint(4)", precision: 3, scale: 0, key: "" },
      { name: "msft", type: "decimal", declared: "decimal(4,2)", precision: 4, scale: 2, key: "" },
      { name: "IBM", type: "varchar", declared: "varchar(10)", precision: null, scale: null, key: "" },
      { name: "ZTS", type: "float", declared: "float", precision: 12, scale: null, key: "" },
    ];
    expect(columnTypeProblem(columns, ["ZTS", "TDUP"])).toBeUndefined();
    expect(columnTypeProblem(columns, ["AAPL", "ZTS"])).toBe(
      "stocks column AAPL is tinyint(4), which keeps no decimals (60.42 would be stored as 60); nothing was written; " +
        "make it FLOAT like the others: ALTER TABLE `stocks` MODIFY `AAPL` FLOAT NULL (or store without the table: --no-wide-table)",
    );
    expect(columnTypeProblem(columns, ["MSFT", "IBM"])).toBe(
      "stocks columns: msft is decimal(4,2), which holds at most 99.99 (100.00 would not fit); IBM is varchar(10), not a number type; nothing was written; " +
        "make them FLOAT like the others: ALTER TABLE `stocks` MODIFY `msft` FLOAT NULL, MODIFY `IBM` FLOAT NULL (or store without the table: --no-wide-table)",
    );
  });

  it("holds the seed / 14 series only", () => {
    expect(wideTableSkipReason({ method: "seed", period: 14 })).toBeUndefined();
    expect(wideTableSkipReason({ method: "cutler", period: 14 })).toBe("it holds method seed, period 14 only; this run is cutler, period 14");
  });

  it("accepts only plain table names from --from-table", () => {
    expect(tableIdentifier("stocks_2020", "--from-table")).toBe("`stocks_2020`");
    expect(() => tableIdentifier("stocks`; DROP", "--from-table")).toThrow('--from-table: "stocks`; DROP" is not a plain table name');
  });
});

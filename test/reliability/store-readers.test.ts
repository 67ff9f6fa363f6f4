/**
 * What another writer left in the SQLite store, read by every reader as the user runs it (child
 * processes, real files): a row that is not a value (text or infinity for an RSI, an RSI of a
 * million, a date with a trailing space, a blob) is skipped with one warning line naming it, and
 * everything a reader prints, draws or writes is what it would be had the row never been there.
 * SQLite's loose typing is what makes such rows possible: a REAL column keeps 'abc' as text.
 *
 * Also here: a run id used again on another day keeps both days' run records (schema version 2),
 * and a database at version 1 holding the user's imported history is migrated with nothing lost.
 * The same on MySQL: `store-readers.mariadb.test.ts`.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { legacyValuesOf } from "../../cli/import-legacy/legacy-values.ts";
import { parseMysqldumpTable } from "../../cli/import-legacy/mysqldump.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "../../steps/store/migrations.ts";
import { openStore } from "../../steps/store/open-store.ts";
import { REPO_ROOT, stockRsi, tempDir, type CliResult } from "../support/cli.ts";
import { querySqlite } from "../support/sqlite.ts";
import { dayOf } from "../steps/store/days.ts";
import { reportRows } from "../steps/report/xml.ts";
import { expectPrintable, expectRefusal } from "./support.ts";

const dir = tempDir("stock-rsi-store-readers-");
afterAll(() => dir.cleanup());
const symbols = join(dir.path, "symbols");
writeFileSync(symbols, "AAPL\nMSFT\nIBM\n");
/** A store of three days of AAPL, MSFT and IBM, as `stock-rsi run` stored them; each test works on a copy. */
const template = join(dir.path, "template.db");
const DAYS = ["2021-05-13", "2021-05-14", "2021-05-17"];

beforeAll(async () => {
  for (const day of DAYS) {
    const stored = await stockRsi(["run", symbols, "--source", "sample", "--as-of", day, "--db", `sqlite:${template}`]);
    expect(stored.code, stored.stderr).toBe(0);
  }
}, 120_000);

/** A directory holding a copy of the template as `rsi.db`; commands run there name it `sqlite:rsi.db`. */
let copies = 0;
function copyOfTemplate(name: string): string {
  const home = join(dir.path, `${name}-${++copies}`);
  mkdirSync(home);
  copyFileSync(template, join(home, "rsi.db"));
  return home;
}

function writeSql(home: string, sql: string): void {
  const db = new Database(join(home, "rsi.db"));
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

const inHome = (home: string, args: readonly string[]) => stockRsi([...args, "--db", "sqlite:rsi.db"], { cwd: home });
const warnings = (result: CliResult) => result.stderr.split("\n").filter((l) => l.includes(": warning: "));
const otherLines = (result: CliResult) => result.stderr.split("\n").filter((l) => !l.includes(": warning: "));

describe("a row that is not a value, read by every reader", () => {
  /** Each bad row: how it is made from a good one, and the warning that must name it. */
  const BAD_ROWS = [
    { symbol: "AAPL", date: "2021-05-14", set: "rsi = 'abc'", named: 'AAPL 2021-05-14 (seed, period 14): rsi "abc" is text, not a number' },
    { symbol: "MSFT", date: "2021-05-14", set: "rsi = 1e999", named: "MSFT 2021-05-14 (seed, period 14): rsi Infinity is not a finite number" },
    { symbol: "AAPL", date: "2021-05-13", set: "rsi = 1e6", named: "AAPL 2021-05-13 (seed, period 14): rsi 1000000 is outside 0-100" },
    { symbol: "MSFT", date: "2021-05-13", set: "rsi = -1e6", named: "MSFT 2021-05-13 (seed, period 14): rsi -1000000 is outside 0-100" },
    { symbol: "IBM", date: "2021-05-13", set: "rsi = X'3630'", named: "IBM 2021-05-13 (seed, period 14): rsi (a blob of 2 bytes) is not a number" },
    {
      symbol: "IBM",
      date: "2021-05-17",
      set: "trade_date = '2021-05-17 '",
      named: 'IBM "2021-05-17 " (seed, period 14): trade_date "2021-05-17 " is not a date written YYYY-MM-DD between 1970-01-01 and 9999-12-31',
    },
  ];
  const where = (row: (typeof BAD_ROWS)[number]) => `WHERE symbol = '${row.symbol}' AND trade_date = '${row.date}'`;

  /** Two copies: one with the bad rows, one with those rows deleted. */
  function badAndClean(name: string): { bad: string; clean: string } {
    const bad = copyOfTemplate(`${name}-bad`);
    const clean = copyOfTemplate(`${name}-clean`);
    writeSql(bad, BAD_ROWS.map((row) => `UPDATE rsi_values SET ${row.set} ${where(row)};`).join("\n"));
    writeSql(clean, BAD_ROWS.map((row) => `DELETE FROM rsi_values ${where(row)};`).join("\n"));
    return { bad, clean };
  }

  /** The command on both copies: the same status, stdout and file written; the bad copy's stderr adds one line per bad row. */
  async function expectAsIfDeleted(command: string, args: readonly string[], file?: string): Promise<void> {
    const { bad, clean } = badAndClean(command.replace(/\W+/g, "-"));
    const [onBad, onClean] = [await inHome(bad, args), await inHome(clean, args)];
    expect(onClean.code, onClean.stderr).toBe(0);
    expect(onBad.code, onBad.stderr).toBe(0);
    expect(onBad.stderr).not.toMatch(/^\s+at /m);
    expectPrintable(onBad.stderr);
    expect(onBad.stdout).toBe(onClean.stdout);
    if (file) expect(readFileSync(join(bad, file), "utf8")).toBe(readFileSync(join(clean, file), "utf8"));
    expect(warnings(onBad).sort()).toEqual(BAD_ROWS.map((row) => `${command}: warning: sqlite:rsi.db: rsi_values: skipped ${row.named}`).sort());
    expect(otherLines(onBad)).toEqual(otherLines(onClean));
  }

  it("history --json prints the values only, as if the bad rows had never been stored", async () => {
    await expectAsIfDeleted("history", ["history", "AAPL", "MSFT", "IBM", "--json"]);
  });

  it("history prints the values only", async () => {
    await expectAsIfDeleted("history", ["history", "AAPL", "MSFT", "IBM"]);
  });

  it("history --chart draws the values only: nothing over the title, no crash", async () => {
    await expectAsIfDeleted("history", ["history", "AAPL", "MSFT", "IBM", "--chart", "chart.svg"], "chart.svg");
  });

  it("history --gaps counts a day by its values, not by its rows", async () => {
    await expectAsIfDeleted("history", ["history", "--gaps", "--from", "2021-05-12", "--to", "2021-05-17"]);
  });

  it("report ranks, compares with the previous day and draws sparklines from the values only", async () => {
    await expectAsIfDeleted("report", ["report", "--as-of", "2021-05-17", "--out", "report.html"], "report.html");
  });

  it("a day whose every row is not a value is a gap, and backfill stores it again", async () => {
    const home = copyOfTemplate("refill");
    const stored = querySqlite(join(home, "rsi.db"), "SELECT symbol, rsi FROM rsi_values WHERE trade_date = '2021-05-14' ORDER BY symbol");
    writeSql(home, "UPDATE rsi_values SET rsi = 'unreadable' WHERE trade_date = '2021-05-14'");

    const gaps = await inHome(home, ["history", "--gaps", "--from", "2021-05-13", "--to", "2021-05-17"]);
    expect(gaps.code, gaps.stderr).toBe(0);
    expect(gaps.stdout).toBe("2021-05-14\n");
    expect(warnings(gaps)).toHaveLength(3);

    const backfill = await inHome(home, ["backfill", symbols, "--from", "2021-05-13", "--to", "2021-05-17", "--source", "sample"]);
    expect(backfill.code, backfill.stderr).toBe(0);
    expect(backfill.stdout).toBe("2021-05-13 skipped\n2021-05-14 stored 3\n2021-05-17 skipped\n");
    expect(querySqlite(join(home, "rsi.db"), "SELECT symbol, rsi FROM rsi_values WHERE trade_date = '2021-05-14' ORDER BY symbol")).toEqual(stored);
  });

  it("many rows that are not values: twenty named, the rest counted in one line", async () => {
    const home = copyOfTemplate("many");
    const rows = Array.from({ length: 35 }, (_, i) => `('2021-05-17', 'X${String(i).padStart(2, "0")}', 'seed', 14, 'n/a', NULL, NULL, 'other-writer')`);
    writeSql(home, `INSERT INTO rsi_values (trade_date, symbol, method, period, rsi, close, close_date, run_id) VALUES ${rows.join(", ")}`);
    const result = await inHome(home, ["report", "--as-of", "2021-05-17", "--out", "report.html"]);
    expect(result.code, result.stderr).toBe(0);
    expect(warnings(result).filter((l) => l.includes(": rsi_values: skipped X"))).toHaveLength(20);
    expect(warnings(result)).toContain(
      "report: warning: sqlite:rsi.db: skipped 15 more rows that are not values, besides the 20 named above; fix or delete them (backfill --overwrite stores a day again)",
    );
    expect(warnings(result)).toHaveLength(21);
    expect(readFileSync(join(home, "report.html"), "utf8")).not.toContain("X00");
  });
});

describe("a close that is not a price", () => {
  it("is shown as no close, never as a number, and named; its RSI value is still a value", async () => {
    const home = copyOfTemplate("bad-close");
    const closes = () => new Map(querySqlite<{ symbol: string; close: number }>(join(home, "rsi.db"), "SELECT symbol, close FROM rsi_values WHERE trade_date = '2021-05-17'").map((r) => [r.symbol, r.close]));
    const ibm = { today: closes().get("IBM")!, before: querySqlite<{ close: number }>(join(home, "rsi.db"), "SELECT close FROM rsi_values WHERE symbol = 'IBM' AND trade_date = '2021-05-14'")[0]!.close };
    writeSql(home, "UPDATE rsi_values SET close = 'n/a' WHERE symbol = 'AAPL' AND trade_date = '2021-05-17'; UPDATE rsi_values SET close = -1 WHERE symbol = 'MSFT' AND trade_date = '2021-05-14'");
    const result = await inHome(home, ["report", "--as-of", "2021-05-17", "--out", "report.html"]);
    expect(result.code, result.stderr).toBe(0);
    expect(warnings(result).sort()).toEqual([
      'report: warning: sqlite:rsi.db: rsi_values: skipped the close of AAPL 2021-05-17 (seed, period 14): close "n/a" is not a price above zero; shown as no close',
      "report: warning: sqlite:rsi.db: rsi_values: skipped the close of MSFT 2021-05-14 (seed, period 14): close -1 is not a price above zero; shown as no close",
    ]);
    const rows = new Map(reportRows(readFileSync(join(home, "report.html"), "utf8")).map((r) => [r.symbol, r]));
    expect([...rows.keys()].sort()).toEqual(["AAPL", "IBM", "MSFT"]);
    expect([rows.get("AAPL")!.close, rows.get("AAPL")!.priceChange]).toEqual(["", ""]);
    expect([rows.get("MSFT")!.close, rows.get("MSFT")!.priceChange]).toEqual([closes().get("MSFT")!.toFixed(2), ""]);
    expect(rows.get("IBM")!.close).toBe(ibm.today.toFixed(2));
    expect(Number(rows.get("IBM")!.priceChange!.replace("−", "-").replace("%", ""))).toBeCloseTo((ibm.today / ibm.before - 1) * 100, 2);
  });
});

describe("a run record that is not one", () => {
  it("is skipped and named; the report names the day's previous record instead", async () => {
    const home = copyOfTemplate("bad-run");
    const [stored] = querySqlite<{ run_id: string }>(join(home, "rsi.db"), "SELECT run_id FROM rsi_runs WHERE trade_date = '2021-05-17'");
    writeSql(
      home,
      `INSERT INTO rsi_runs VALUES ('other-writer', '2021-05-17', 'yesterday', 'by hand', 'seed', 14, -3, 0, '9999-12-31T00:00:00.000Z')`,
    );
    const result = await inHome(home, ["report", "--as-of", "2021-05-17", "--out", "report.html"]);
    expect(result.code, result.stderr).toBe(0);
    expect(warnings(result)).toEqual([
      'report: warning: sqlite:rsi.db: rsi_runs: skipped run other-writer for 2021-05-17 (seed, period 14): as_of "yesterday" is not a date written YYYY-MM-DD between 1970-01-01 and 9999-12-31',
    ]);
    expect(readFileSync(join(home, "report.html"), "utf8")).toContain(`run <b title="${stored!.run_id}">`);
  });
});

describe("a run id used again", () => {
  it("on another day keeps both days' run records, and each day's report names its run", async () => {
    const home = join(dir.path, "reused-run-id");
    mkdirSync(home);
    for (const day of ["2021-05-14", "2021-05-17", "2021-05-17"]) {
      const result = await stockRsi(["run", symbols, "--source", "sample", "--as-of", day, "--run-id", "daily", "--db", "sqlite:rsi.db"], { cwd: home });
      expect(result.code, result.stderr).toBe(0);
    }
    expect(querySqlite(join(home, "rsi.db"), "SELECT run_id, trade_date, ranked FROM rsi_runs ORDER BY trade_date")).toEqual([
      { run_id: "daily", trade_date: "2021-05-14", ranked: 3 },
      { run_id: "daily", trade_date: "2021-05-17", ranked: 3 },
    ]);
    const report = await inHome(home, ["report", "--as-of", "2021-05-14", "--out", "report.html"]);
    expect(report.code, report.stderr).toBe(0);
    const html = readFileSync(join(home, "report.html"), "utf8");
    expect(html).toContain("as of <b>2021-05-14</b>");
    expect(html).toContain("source <b>sample</b>");
    expect(html).toContain("run <b>daily</b>");
  });
});

describe("a database at schema version 1, holding the user's imported history", () => {
  it("is refused by a reader until migrated, then migrated with every value and run record kept, and keyed by day", async () => {
    const home = join(dir.path, "version-1");
    mkdirSync(home);
    const file = join(home, "rsi.db");
    // Version 1 exactly as stock-rsi wrote it before version 2 existed: the same migration, the same store.
    const v1 = await openStore(`sqlite:${file}`, { migrations: MIGRATIONS.slice(0, 1) });
    expect(v1.schema.after).toBe(1);
    const dump = join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql");
    const legacy = legacyValuesOf(parseMysqldumpTable(readFileSync(dump, "utf8"), "stocks", dump), dump);
    await v1.importLegacy({ runId: "import-legacy:2021-05-16T12:00:00.000Z", source: "mysqldump prod-db.sql, table stocks", table: legacy.table, fillWideTable: false });
    await v1.writeDay(dayOf("2021-05-17", { AAPL: 46.8912, MSFT: 61.5 }, { runId: "daily", failed: ["ATVI"] }));
    await v1.close();
    const contents = () => ({
      values: querySqlite(file, "SELECT * FROM rsi_values ORDER BY trade_date, symbol, method, period"),
      runs: querySqlite(file, "SELECT * FROM rsi_runs ORDER BY trade_date, run_id"),
    });
    const before = contents();
    expect(before.values.length).toBeGreaterThan(20_000);

    expectRefusal(await inHome(home, ["history", "AAPL"]), {
      code: 2,
      line: `sqlite:rsi.db: the schema is at version 1, this stock-rsi needs ${SCHEMA_VERSION}; run stock-rsi migrate --db sqlite:rsi.db as the pipeline account`,
    });
    const migrated = await inHome(home, ["migrate"]);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stderr).toContain("migrate: applied v2: rsi_runs keyed by trading day, method, period and run id");
    expect(contents()).toEqual(before);
    expect(querySqlite(file, "PRAGMA user_version")).toEqual([{ user_version: SCHEMA_VERSION }]);

    // The run id of 2021-05-17 used again on the next day: both records kept.
    const next = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-18", "--run-id", "daily", "--db", "sqlite:rsi.db"], { cwd: home });
    expect(next.code, next.stderr).toBe(0);
    expect(querySqlite(file, "SELECT trade_date, ranked, failed FROM rsi_runs WHERE run_id = 'daily' ORDER BY trade_date")).toEqual([
      { trade_date: "2021-05-17", ranked: 2, failed: 1 },
      { trade_date: "2021-05-18", ranked: 3, failed: 0 },
    ]);
    const report = await inHome(home, ["report", "--as-of", "2021-05-17", "--out", "report.html"]);
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(join(home, "report.html"), "utf8")).toMatch(/run <b>daily<\/b>[\s\S]*values stored for 2021-05-17; 1 symbols had none/);
  });
});
